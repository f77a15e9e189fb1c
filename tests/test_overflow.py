"""Nothing is set beyond its column or page: wide tables are made to fit, the rest is refused.

Each case is a scratch issue built with the real typesetter; the assertions read the PDF
(pypdfium2 character and image boxes, pdftotext lines).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from weasyprint import Document
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox, MarginBox, TableBox

from layout.build.issues import build_issues
from layout.model.errors import TypesetError
from layout.project import Project
from layout.typeset import patches
from layout.typeset.pdf import Typesetter
from tests.conftest import ARTICLE, ROOT, make_scratch
from tests.test_bad_input import run_layout
from tests.test_pages import article, lay_out_issue, notes_apart, prose, scratch_issue, walk

MM = 72 / 25.4  # PDF points
PAGE_LEFT, PAGE_RIGHT = 15 * MM, 195 * MM  # the A4 page's content area, across (style.css @page)
GAP = 6 * MM  # between the two columns
COLUMN = (PAGE_RIGHT - PAGE_LEFT - GAP) / 2
SLACK = 0.5  # points: a glyph's box may overhang its advance by a hair (an italic, a bold 'f')
AMOUNT = "R 13 200,00"


def _table(columns: int, rows: int = 3) -> str:
    head = "| Item | " + " | ".join(f"Year {year}" for year in range(columns - 1)) + " |\n"
    rule = "|---|" + "---:|" * (columns - 1) + "\n"
    row = "| Wages | " + " | ".join([AMOUNT] * (columns - 1)) + " |\n"
    return head + rule + row * rows


def _issue(tmp_path: Path, body: str) -> Path:
    root = make_scratch(tmp_path)
    article = ARTICLE.replace("[^1]: The note.\n", "") + "\n" + body + "\n\n[^1]: The note.\n"
    (root / "issues" / "001" / "small.md").write_text(article)
    return root


def _build(root: Path) -> Path:
    project = Project(root=root, out=root / "build")
    (result,) = build_issues(project, jobs=1, force=True)
    assert not result.problems, [str(problem) for problem in result.problems]
    return Path(result.outputs["archive"])


def _chars(pdf: Path) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Every printed character of every page with its box (left, bottom, right, top), in points."""
    pages = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        text = page.get_textpage()
        chars = []
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if char.strip():
                chars.append((char, text.get_charbox(index)))
        pages.append(chars)
    return pages


def _lines(pdf: Path) -> list[str]:
    command = ["pdftotext", "-layout", str(pdf), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]


def _assert_on_the_page(pdf: Path) -> None:
    """Every character inside the page's content area across, and none across the column gap
    unless its line spans the page."""
    for number, chars in enumerate(_chars(pdf), start=1):
        for char, (left, _, right, _) in chars:
            assert left >= PAGE_LEFT - SLACK and right <= PAGE_RIGHT + SLACK, (number, char, left, right)


@pytest.fixture(scope="module")
def wide_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An issue with a table squeezed today (6 columns of amounts) and one too wide for a column (10)."""
    root = _issue(tmp_path_factory.mktemp("wide"), _table(6) + "\nText between.\n\n" + _table(10))
    return _build(root)


def test_wide_tables_span_the_page_with_every_amount_on_one_line(wide_tables: Path) -> None:
    lines = _lines(wide_tables)
    assert sum(line.count(AMOUNT) for line in lines) == 3 * 5 + 3 * 9
    assert not any(line.endswith(("R", "R 13")) for line in lines), lines
    # Every amount of a row stands across the page, beyond the first column.
    for row in ("Wages " + " ".join([AMOUNT] * 5), "Wages " + " ".join([AMOUNT] * 9)):
        assert row in lines, lines
    chars = [box for page in _chars(wide_tables) for _, box in page]
    assert max(right for _, _, right, _ in chars) > PAGE_LEFT + COLUMN + GAP + COLUMN / 2
    _assert_on_the_page(wide_tables)


def test_a_long_code_span_and_a_tall_image_stay_on_the_page(tmp_path: Path) -> None:
    root = _issue(
        tmp_path,
        "A path: `"
        + "/very/long/path" * 12
        + '` in code.\n\n![Tall](figures/tall.png "A tall image")\n\nEnd.',
    )
    Image.new("RGB", (200, 3000), "red").save(root / "issues/001/figures/tall.png")
    pdf = _build(root)
    _assert_on_the_page(pdf)
    images = 0
    for page in pypdfium2.PdfDocument(pdf):
        height = page.get_height()
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
            images += 1
            left, bottom, right, top = item.get_bounds()
            assert height - top >= 17 * MM - SLACK and bottom >= 18 * MM - SLACK, (left, bottom, right, top)
    assert images == 1
    assert "/very/long/path" * 12 in "".join(_lines(pdf)).replace(" ", "")


def test_a_table_too_wide_even_small_is_refused_with_its_line(tmp_path: Path) -> None:
    root = _issue(tmp_path, "Before.\n\n" + _table(16))
    line = (root / "issues/001/small.md").read_text().splitlines().index("Before.") + 3
    result = run_layout(root, "build", "issues/001", "-j", "1")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        f"issues/001/small.md:{line}: body: this table has 16 columns and is too wide for the page "
        "even at 6.5 pt: split it or turn it"
    ) in result.stderr
    assert not list((root / "build").rglob("*.pdf"))


def test_the_check_fails_on_a_real_overflow() -> None:
    """A paragraph forced onto one line by the style runs off its column: refused, located."""
    typesetter = Typesetter(ROOT / "styles" / "spark", ROOT / "fonts")
    words = " ".join(["solidarity"] * 40)
    html = (
        '<html lang="en"><head><title>x</title></head><body><main>'
        '<article class="article columns-2" data-source="issues/001/x.md"><div class="article-body">'
        f'<p data-line="12">A first paragraph.</p><p data-line="14" style="white-space: nowrap">{words}</p>'
        "</div></article></main></body></html>"
    )
    with pytest.raises(TypesetError) as raised:
        typesetter.layout(html, ROOT / "styles" / "spark", "issues/001")
    (problem,) = raised.value.problems
    assert (problem.path, problem.line, problem.field) == ("issues/001/x.md", 14, "body")
    assert re.fullmatch(
        r"this line runs \d+ mm past the edge of its column: “solidarity solidarity.*”", problem.message
    )


# --- a table across the columns and the footnotes ---------------------------------------------------


def _notes_and_table(words: int, in_table: bool) -> str:
    """A two-column article: ``words`` words, then three notes called just above an 8-column table
    (too wide for a column: it spans them) or six called in its rows, then more text."""
    rows = 6 if in_table else 3
    calls = "" if in_table else " ".join(f"Call {n}.[^{n}]" for n in range(1, rows + 1))
    table = _table(8, rows)
    if in_table:
        lines = table.splitlines(keepends=True)  # a head, a rule, then the rows: notes 1, 2, ...
        table = "".join(line.replace("| Wages |", f"| Wages[^{n}] |") for n, line in enumerate(lines, -1))
    notes = "\n".join(f"[^{n}]: {prose(30, n)}" for n in range(1, rows + 1))
    return article(
        "A table", f"{prose(words)}\n\n{prose(40, 1)} {calls}\n\n{table}\n\n{prose(200, 2)}\n\n{notes}"
    )


def _over_the_notes(document: Document) -> list[tuple[int, str]]:
    """Lines set below the top of their page's footnote area (its rule): page and text."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        area = [c for c in page._page_box.children if isinstance(c, FootnoteAreaBox) and c.children]
        if not area:
            continue
        for child in page._page_box.children:
            if isinstance(child, FootnoteAreaBox | MarginBox):
                continue
            for box, _ in walk(child):
                if isinstance(box, LineBox) and box.position_y + box.height > area[0].border_box_y() + 0.5:
                    found.append((number, " ".join(b.text for b, _ in walk(box) if hasattr(b, "text"))))
    return found


@pytest.mark.parametrize("in_table", [False, True], ids=["notes-above", "notes-in-table"])
def test_a_table_across_the_columns_is_never_set_over_the_footnotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_table: bool
) -> None:
    # The table comes down page 2 a few words at a time, to where it meets the notes called above
    # it or in it. WeasyPrint's own column layout set it, and the columns after it, over the notes;
    # the overflow check refuses that ("into the footnotes"), and the patch moves the table on.
    refused = 0
    for words in range(1460, 1580, 40):
        root = tmp_path / str(words)
        scratch_issue(root, {"t.md": _notes_and_table(words, in_table)}, {"t.md": "columns: 2"})
        document = lay_out_issue(root)
        assert _over_the_notes(document) == [], words
        assert notes_apart(document) == [], words
        assert (
            len([b for page in document.pages for b, _ in walk(page._page_box) if isinstance(b, TableBox)])
            == 1
        )
        with monkeypatch.context() as unpatched:
            unpatched.setattr(patches, "_columns_layout_above_notes", patches._columns_layout)
            try:
                lay_out_issue(root)
            except TypesetError as error:
                refused += 1
                assert {p.path for p in error.problems} == {"issues/001/t.md"}
                into = [
                    re.fullmatch(r"this line runs .* into the footnotes: .*", p.message)
                    for p in error.problems
                ]
                assert all(into), error.problems
    assert refused  # the sweep reached the pages WeasyPrint sets over the notes


CAPTION = "*The caption, in italics, long enough for two lines of it.*"


def test_a_table_s_caption_is_its_caption_set_under_it(tmp_path: Path) -> None:
    # A table of 3 columns at the foot of page 2's first column, a few words lower each time: the
    # caption never starts the next column without its table, and is tagged as the table's.
    table = "| Item | Year 1 | Year 2 |\n|---|--:|--:|\n" + "| Wages | R 1 500,00 | R 1 600,00 |\n" * 4
    places = set()
    for words in range(1130, 1250, 30):
        root = tmp_path / str(words)
        body = f"{prose(words)}\n\n{table}\n{CAPTION}\n\n{prose(600, 1)}"
        folder = scratch_issue(root, {"t.md": article("A caption", body)}, {"t.md": "columns: 2"})
        line = (folder / "t.md").read_text().splitlines().index(CAPTION) + 1
        document = lay_out_issue(root)
        boxes = [box for page in document.pages for box, _ in walk(page._page_box)]
        (wrapper,) = [box for box in boxes if getattr(box, "is_table_wrapper", False)]  # in one piece
        caption = wrapper.children[-1]
        assert caption.element_tag == "caption" and caption.element.get("data-line") == str(line)
        assert caption.position_y >= wrapper.children[0].position_y + wrapper.children[0].height
        places.add(round(wrapper.position_x))
    assert len(places) == 2  # the sweep moved the table, caption and all, to the next column


def test_a_table_too_wide_spans_the_columns_then_takes_the_size_its_measure_asks_for() -> None:
    from dataclasses import replace

    from layout.model.errors import Problem
    from layout.typeset.overflow import TableFacts, TableFit, next_fit

    where = Problem("issues/001/t.md", 3, "body", "too wide")
    # 600 px wide, 500 of them its cells' text, at 9 pt; the column is 300 px, both columns 620
    facts = TableFacts("table", where, 8, 9.0, 600.0, 500.0, 300.0, 620.0)
    assert next_fit(TableFit(), facts) == TableFit(span=True, points=None)  # it fits across them as set
    spanning = TableFacts("table", where, 8, 9.0, 600.0, 500.0, 520.0, None)
    # 100 px of padding and rules stay; the text's 500 px must come to 420: 9 pt x 420 / 500 = 7.56
    assert next_fit(TableFit(span=True), spanning) == TableFit(span=True, points=7.5)
    in_columns = replace(spanning, full_width=620.0)  # spanning already: smaller, not spanning again
    assert next_fit(TableFit(span=True), in_columns) == TableFit(span=True, points=7.5)
    assert next_fit(TableFit(span=True), replace(spanning, width=520.2)) == TableFit(span=True, points=8.5)
    assert next_fit(TableFit(span=True, points=6.5), replace(spanning, points=6.5)) is None  # the floor
