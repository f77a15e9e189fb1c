"""What the reader sees on the page: running heads, titles kept with their text, small capitals,
room for marks above and below letters, footnotes on the page of their call.

Scratch issues are laid out in this process; the checks read the laid-out boxes (which article,
which footnote) and the PDF (the running heads' text, the ink of each glyph).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
import weasyprint
import weasyprint.layout.block as block
from weasyprint import Document
from weasyprint.formatting_structure.boxes import Box, FootnoteAreaBox, LineBox, ReplacedBox

from layout.build.loading import load
from layout.build.typesetters import typesetter_for
from layout.model.manifest import load_publication
from layout.project import Project
from layout.typeset import patches, speedups
from layout.typeset.render import leaflet_context, render_issue, render_leaflet
from tests.conftest import make_scratch
from tests.pdfcheck import (
    house_style,
    normal,
    off_page_findings,
    read_pdf,
    running_head_findings,
    running_heads,
    title_pages,
)

SAMPLE = (
    "workers students and the poor of every township organise against the bosses and their state "
    "for land bread housing and free education under the control of their own committees"
)
WORDS = SAMPLE.split()


def prose(words: int, seed: int = 0) -> str:
    """``words`` words of plain running text, in sentences, different for each ``seed``."""
    chosen = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)]
    sentences = [" ".join(chosen[i : i + 12]).capitalize() + "." for i in range(0, words, 12)]
    return " ".join(sentences)


def article(title: str, body: str, **front: object) -> str:
    """An article file: front matter (a statement unless told) and its Markdown body."""
    fields = {"title": title, "kind": "statement", "lang": "en-ZA", **front}
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def scratch_issue(root: Path, articles: dict[str, str], entries: dict[str, str] | None = None) -> Path:
    """A scratch project whose issue no 1 holds ``articles`` (file name: text) in that order;
    ``entries`` adds options to an article's entry in issue.yaml (file name: YAML)."""
    make_scratch(root)
    folder = root / "issues" / "001"
    (folder / "small.md").unlink()
    listed = []
    for name, text in articles.items():
        (folder / name).write_text(text)
        listed.append(
            f"  - file: {name}" + "".join(f"\n    {o}" for o in (entries or {}).get(name, "").split(";") if o)
        )
    (folder / "issue.yaml").write_text("number: 1\ndate: 2017-02-01\narticles:\n" + "\n".join(listed) + "\n")
    return folder


def lay_out_issue(root: Path) -> Document:
    """Issue no 1 of the scratch project at ``root``, laid out as the build lays it out."""
    project = Project(root=root, out=root / "build")
    loaded = load(project, root / "issues" / "001")
    html = render_issue(project.style_dir(loaded.issue.style), loaded.publication, loaded.issue, loaded.texts)
    return typesetter_for(project, loaded.issue.style).layout(html, loaded.directory, "issues/001")


def lay_out_leaflet(root: Path, size: str) -> Document:
    """The first article of the scratch issue at ``root`` as a leaflet of ``size``."""
    project = Project(root=root, out=root / "build")
    loaded = load(project, root / "issues" / "001")
    first = loaded.issue.articles[0]
    context = leaflet_context(loaded.publication, loaded.issue, first, loaded.texts[first.slug], size)
    html = render_leaflet(project.style_dir(loaded.issue.style), context)
    return typesetter_for(project, loaded.issue.style).layout(html, loaded.directory, first.source)


def pdf_of(document: Document, path: Path) -> Path:
    document.write_pdf(path)
    return path


def walk(box: Box, inside: tuple = ()) -> list[tuple[Box, tuple]]:
    """Every box under ``box`` with the elements that hold it, outermost first."""
    found = []
    for child in getattr(box, "children", []):
        held = (*inside, child.element) if child.element is not None else inside
        found.append((child, held))
        found += walk(child, held)
    return found


def classes(element: object) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def in_class(held: tuple, name: str) -> object | None:
    """The innermost of the holding elements that has class ``name``."""
    return next((e for e in reversed(held) if name in classes(e)), None)


# --- running heads ------------------------------------------------------------------------------


def test_a_running_head_names_the_article_of_the_page_s_first_line(tmp_path: Path) -> None:
    folder = scratch_issue(
        tmp_path,
        {
            "one.md": article("The first article runs over a page", prose(900)),
            "two.md": article("The second starts half-way down a page", prose(500, 1)),
            "three.md": article("The third starts a page of its own", prose(300, 2)),
        },
        {"three.md": "new_page: true"},
    )
    pages = read_pdf(pdf_of(lay_out_issue(tmp_path), tmp_path / "issue.pdf"))
    project = Project(root=tmp_path, out=tmp_path / "build")
    issue = load(project, folder).issue
    titled = title_pages(pages)
    where = {a.slug: next(n for n, text in titled.items() if normal(a.title) in text) for a in issue.articles}
    assert where["one"] < where["two"] < where["three"]
    heads = running_heads(pages, house_style())
    assert heads[where["two"]] == issue.articles[0].title  # two starts half-way: one's page
    assert heads[where["three"]] == issue.articles[2].title  # three starts the page
    assert running_head_findings(pages, issue, house_style()) == []


def test_a_running_head_too_long_for_its_line_is_shortened_to_one(tmp_path: Path) -> None:
    title = "A title as long as an editor may write it, " * 6 + "and then some"
    scratch_issue(tmp_path, {"long.md": article(title.strip(), prose(1500))})
    pages = read_pdf(pdf_of(lay_out_issue(tmp_path), tmp_path / "issue.pdf"))
    heads = running_heads(pages, house_style())
    assert heads[2].endswith("…") and normal(title).startswith(normal(heads[2]))
    assert len(heads[2]) > 100  # shortened to the line, not to a guess
    assert off_page_findings(pages, house_style()) == []  # one line in the top margin


@pytest.mark.parametrize("number", [20, 21, 22, 23])
def test_the_shipped_issues_running_heads_name_the_article_of_the_first_line(
    project: Project, shipped: dict, number: int
) -> None:
    issue = shipped[number][0]
    publication = load_publication(project.issues_root, project.root)
    pages = read_pdf(project.archive_path(publication, number))
    assert running_head_findings(pages, issue, house_style()) == []


# --- a title is never left alone at the foot of a page ------------------------------------------------


def lines_under_titles(document: Document) -> list[tuple[int, str, int]]:
    """For each article title: its page, the article's title and the lines of its text on that page."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        boxes = walk(page._page_box)
        titled = dict.fromkeys(
            in_class(held, "article") for box, held in boxes if "article-title" in classes(box.element)
        )
        for owner in titled:
            lines = [
                box
                for box, held in boxes
                if isinstance(box, LineBox)
                and in_class(held, "article") is owner
                and in_class(held, "article-body")
            ]
            found.append((number, owner.get("data-title"), len(lines)))
    return found


@pytest.mark.parametrize("columns", [2, 1])
def test_a_title_is_followed_on_its_page_by_lines_of_its_text(tmp_path: Path, columns: int) -> None:
    # The article before grows a line at a time, bringing the head of the article after to the
    # foot of page 2 with room for fewer and fewer lines under it (measured: from 240 mm down).
    starts = []
    for words in range(1680, 1800, 20):
        root = tmp_path / str(words)
        scratch_issue(
            root,
            {
                "one.md": article("The article before", prose(words)),
                "two.md": article(
                    "The article after", prose(400, 1), byline="A writer", standfirst=prose(24, 3)
                ),
            },
            {"one.md": "columns: 1", "two.md": f"columns: {columns}"},
        )
        ((page, _, lines),) = [
            t for t in lines_under_titles(lay_out_issue(root)) if t[1] == "The article after"
        ]
        assert lines >= 3, f"after {words} words the title on page {page} has {lines} lines under it"
        starts.append(page)
    assert len(set(starts)) == 2  # the head did reach the foot of a page, and moved on


# --- small capitals on the article's first line only ------------------------------------------------


@contextlib.contextmanager
def unpatched(name: str, original: object) -> Iterator[None]:
    """WeasyPrint's own function ``name`` of its block layout in place of the patch, meanwhile."""
    patched = getattr(block, name)
    setattr(block, name, original)
    try:
        yield
    finally:
        setattr(block, name, patched)


def first_line_boxes(document: Document) -> list[tuple[int, str]]:
    """Every line set in ``::first-line`` style: its page and its text."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box, _ in walk(page._page_box):
            if (box.element_tag or "").endswith("::first-line"):
                text = "".join(getattr(b, "text", "") for b, _ in walk(box))
                found.append((number, text))
    return found


def test_the_patches_are_installed_for_this_weasyprint() -> None:
    # When WeasyPrint is upgraded this fails: see whether it still needs them, then move the pin.
    assert weasyprint.__version__ == patches.PATCHED_RELEASE
    assert block.block_container_layout is patches._block_container_layout_first_line_once
    assert block._linebox_layout is not patches._linebox_layout
    assert speedups._columns_layout is patches._columns_layout_keeping_notes  # speedups wraps the patch
    assert "column_span" in patches.properties.TABLE_WRAPPER_BOX_PROPERTIES  # a table's wrapper spans


def test_only_the_article_s_first_line_is_in_small_capitals(tmp_path: Path) -> None:
    # One opening paragraph long enough to run over two columns and onto the next page.
    scratch_issue(tmp_path, {"long.md": article("One long paragraph", prose(1600) + "\n\n" + prose(200, 1))})
    lines = first_line_boxes(lay_out_issue(tmp_path))
    assert len(lines) == 1, lines
    ((page, text),) = lines
    assert page == 1 and text.split()[:4] == prose(1600).split()[:4]
    with unpatched("block_container_layout", patches._block_container_layout):
        again = first_line_boxes(lay_out_issue(tmp_path))
    assert len(again) >= 3  # each column the paragraph resumes in opened in small capitals


# --- footnotes on the page of their call ----------------------------------------------------------------


def notes_apart(document: Document) -> list[tuple[int, int, int]]:
    """Pages whose footnotes are not the ones called on them: page, notes called, notes set."""
    apart = []
    for number, page in enumerate(document.pages, start=1):
        called, placed = [], []
        for child in page._page_box.children:
            if isinstance(child, FootnoteAreaBox):
                placed += [note.element for note in child.children]
            else:
                called += [box.footnote.element for box, _ in walk(child) if getattr(box, "footnote", None)]
        if called != placed:
            apart.append((number, len(called), len(placed)))
    return apart


def called_near_the_foot(words: int) -> str:
    """An article whose second paragraph, after ``words`` words, calls a three-line note."""
    note = prose(45, 4)
    return article(
        "A note near the foot",
        f"{prose(words)}\n\nThe call comes here[^1] {prose(60, 2)}\n\n{prose(300, 3)}\n\n[^1]: {note}",
    )


def test_a_footnote_is_set_on_the_page_of_its_call_in_an_a5_leaflet(tmp_path: Path) -> None:
    # The call's line comes to the foot of page 1 a few words at a time; WeasyPrint moved the note
    # to page 2 to keep a paragraph's first two lines together (orphans) above it.
    broken = 0
    for words in range(330, 400, 8):
        root = tmp_path / str(words)
        scratch_issue(root, {"note.md": called_near_the_foot(words)})
        document = lay_out_leaflet(root, "a5")
        assert notes_apart(document) == [], f"after {words} words"
        with unpatched("_linebox_layout", patches._linebox_layout):
            broken += bool(notes_apart(lay_out_leaflet(root, "a5")))
    assert broken  # the sweep reached the case the patch mends


def test_a_footnote_is_set_on_the_page_of_its_call_in_two_columns(tmp_path: Path) -> None:
    # Called at the foot of page 1's second column, the note went to page 2 without its call:
    # the columns were set for good at a height that had no room for it.
    broken = 0
    for words in range(650, 725, 25):
        root = tmp_path / str(words)
        scratch_issue(root, {"note.md": called_near_the_foot(words)}, {"note.md": "columns: 2"})
        assert notes_apart(lay_out_issue(root)) == [], f"after {words} words"
        with unpatched("columns_layout", patches._columns_layout):
            broken += bool(notes_apart(lay_out_issue(root)))
    assert broken  # the sweep reached the case the patch mends


# --- room for marks above and below letters in headings -------------------------------------------------

# Each word has a capital with a mark above (up to 0.95 em) and letters with marks below or a
# descender (down to 0.24 em): Tshivenḓa, Sepedi, Afrikaans. Whichever way the lines break, every
# line has both.
MARKED = "Ôḓig Šaṱhoḓig Êṋḽag Ṅḓuvhag Ṱhoḓeag Ḓaṋḽag"


def ink_lines(path: Path, size: float) -> list[tuple[int, float, float]]:
    """The ink of every line set at ``size`` points, from pdfium's glyph boxes: page, lowest and
    highest point, top line first (a line is the characters on one baseline)."""
    lines: dict[tuple[int, float], list[float]] = {}
    x, y = ctypes.c_double(), ctypes.c_double()
    for number, page in enumerate(pdfium.PdfDocument(path), start=1):
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            points = raw.FPDFText_GetFontSize(textpage.raw, i) * 0.75  # pdfium counts CSS pixels
            if abs(points - size) > 0.05 or raw.FPDFText_IsGenerated(textpage.raw, i):
                continue
            _, bottom, _, top = textpage.get_charbox(i)
            if top <= bottom:
                continue  # a space
            raw.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            ink = lines.setdefault((number, round(y.value, 1)), [bottom, top])
            ink[0], ink[1] = min(ink[0], bottom), max(ink[1], top)
    return [
        (n, low, high)
        for (n, _), (low, high) in sorted(lines.items(), key=lambda item: (item[0][0], -item[0][1]))
    ]


def touching(lines: list[tuple[int, float, float]]) -> list[str]:
    """Pairs of following lines on a page whose ink meets: the lower one's top reaches the upper's bottom."""
    return [
        f"page {page}: ink down to {low:.1f} pt above ink up to {next_high:.1f} pt"
        for (page, low, _), (next_page, _, next_high) in itertools.pairwise(lines)
        if page == next_page and next_high >= low
    ]


MARKED_ARTICLE = article(
    " ".join([MARKED] * 2), prose(300), standfirst=" ".join([MARKED] * 3), pull_quote=" ".join([MARKED] * 2)
)


@pytest.mark.parametrize(("where", "sizes"), [("issue", (19, 11, 11.5)), ("a5", (17,)), ("a4", (24, 12.5))])
def test_lines_of_headings_leave_room_for_marks(tmp_path: Path, where: str, sizes: tuple[float, ...]) -> None:
    # Title, standfirst and pull quote in the issue; the leaflets' titles (and the A4 standfirst).
    scratch_issue(tmp_path, {"marks.md": MARKED_ARTICLE})
    document = lay_out_issue(tmp_path) if where == "issue" else lay_out_leaflet(tmp_path, where)
    path = pdf_of(document, tmp_path / f"{where}.pdf")
    for size in sizes:
        lines = ink_lines(path, size)
        assert len(lines) >= 2, (size, lines)
        assert touching(lines) == [], f"{size} pt"


def test_marks_under_a_title_stay_clear_of_its_byline(tmp_path: Path) -> None:
    # Tshivenḓa's circumflex below (ḽ ṱ ṋ) reaches deepest; Âudit would read as a mark over the A.
    title = "Ṋaṋwaha ḽa vhashumi ḽo ḓa ṱhoho ya mulayo wa shango ḽoṱhe ḽa Afrika Tshipembe"
    scratch_issue(tmp_path, {"marks.md": article(title, prose(300), byline="Audit Writer")})
    path = pdf_of(lay_out_issue(tmp_path), tmp_path / "issue.pdf")
    (*_, (page, title_ink_bottom, _)), ((byline_page, _, byline_ink_top), *_) = (
        ink_lines(path, 19),
        ink_lines(path, 8.5),
    )
    assert page == byline_page
    assert title_ink_bottom - byline_ink_top >= 72 / 25.4  # 1 mm; 0.65 when the title took back its leading


# --- figures and pull quotes are set whole ----------------------------------------------------------------


def pieces(document: Document, name: str) -> dict[object, set[tuple[int, float]]]:
    """Where the parts of each element of class or tag ``name`` are set: its pages and columns (x)."""
    found: dict[object, set[tuple[int, float]]] = {}
    for number, page in enumerate(document.pages, start=1):
        for box, held in walk(page._page_box):
            owner = next((e for e in reversed(held) if e.tag == name or name in classes(e)), None)
            if owner is not None and isinstance(box, LineBox | ReplacedBox):
                found.setdefault(owner, set()).add((number, round(box.position_x)))
    return found


def test_a_figure_and_its_caption_and_a_pull_quote_are_never_split(tmp_path: Path) -> None:
    # The figure and the pull quote (set after the opening paragraph) come to the foot of page 1
    # a few lines at a time, and move to page 2 whole.
    caption = "A caption long enough to take two lines under the drawing it explains"
    figure = f'![A drawing](figures/dot.svg "{caption}")'
    columns: set[tuple[int, float]] = set()
    for words in range(430, 580, 30):
        root = tmp_path / str(words)
        body = f"{prose(words)}\n\n{figure}\n\n{prose(400, 1)}"
        scratch_issue(root, {"figure.md": article("A figure", body, pull_quote=prose(30, 2))})
        document = lay_out_issue(root)
        placed = pieces(document, "figure") | pieces(document, "pull-quote")
        assert len(placed) == 2
        assert all(len(where) == 1 for where in placed.values()), (words, placed)
        columns.update(*placed.values())
    assert len(columns) >= 2  # the sweep moved them on: from the foot of page 1 to page 2
