"""Imposition checked on real sheets: the text on each half of each side, sizes, scaling."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import StreamObject
from weasyprint import HTML

from layout.build.imposing import impose_output
from layout.build.issues import build_issue
from layout.model.errors import PdfInputError
from layout.pages.impose import LAYOUTS, MARKS, MM, PAPER, Plan, booklet_sides, impose
from layout.project import Project
from tests.conftest import make_scratch
from tests.test_bad_input import run_layout

MAX_PAGES = 40


@pytest.fixture(scope="module")
def numbered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PDF of 40 A4 pages, each carrying its number in large type."""
    pages = "".join(f"<section>P{n}Q</section>" for n in range(1, MAX_PAGES + 1))
    css = "@page { size: A4; margin: 0 } section { font: 120pt sans-serif; break-after: page; }"
    path = tmp_path_factory.mktemp("numbered") / "numbered.pdf"
    HTML(string=f"<style>{css}</style>{pages}").write_pdf(path)
    return path


def first_pages(source: Path, count: int, target: Path) -> Path:
    writer = PdfWriter()
    writer.append(source, pages=(0, count))
    writer.write(target)
    return target


def halves(path: Path) -> list[tuple[str, str]]:
    """The text of the left and right half of each side."""
    result = []
    for page in pdfium.PdfDocument(str(path)):
        width, height = page.get_size()
        text = page.get_textpage()
        left = text.get_text_bounded(0, 0, width / 2, height)
        right = text.get_text_bounded(width / 2, 0, width, height)
        result.append(("".join(left.split()), "".join(right.split())))
    return result


def expected_side(number: int | None) -> str:
    return "" if number is None else f"P{number}Q"


@pytest.mark.parametrize("count", range(1, MAX_PAGES + 1))
def test_booklet_order_matches_saddle_stitch(numbered: Path, tmp_path: Path, count: int) -> None:
    source = first_pages(numbered, count, tmp_path / "in.pdf")
    result = impose(source, tmp_path / "out.pdf", Plan("booklet"))
    total = count + (-count % 4)
    assert result.blanks == total - count
    sides = halves(tmp_path / "out.pdf")
    assert len(sides) == total // 2
    logical = [*range(1, count), *([None] * (total - count)), count] if count > 1 else [1, None, None, None]
    for s in range(total // 4):  # the formula of print-production.md, 1-based
        front, back = sides[2 * s], sides[2 * s + 1]
        assert front == (expected_side(logical[total - 2 * s - 1]), expected_side(logical[2 * s]))
        assert back == (expected_side(logical[2 * s + 1]), expected_side(logical[total - 2 * s - 2]))
    if count > 1:  # the back cover is on the outside of the first sheet
        assert sides[0][0] == expected_side(count)


def test_blanks_go_before_the_back_cover() -> None:
    sides = booklet_sides(6)
    # pages 1-5, two blanks, then page 6 (the back cover) on the outside of the first sheet
    assert sides == [(6, 1), (2, None), (None, 3), (4, 5)]


def test_a4_booklet_is_on_a3_at_full_size(numbered: Path, tmp_path: Path) -> None:
    source = first_pages(numbered, 8, tmp_path / "in.pdf")
    impose(source, tmp_path / "out.pdf", Plan("booklet"))
    for page in PdfReader(tmp_path / "out.pdf").pages:
        assert math.isclose(page.mediabox.width, 420 * MM, abs_tol=0.5)
        assert math.isclose(page.mediabox.height, 297 * MM, abs_tol=0.5)
    glyph = _glyph_height(tmp_path / "out.pdf")
    assert math.isclose(glyph, _glyph_height(source), rel_tol=0.01)  # not scaled


def test_fit_a5_scales_an_a4_issue_onto_a4(numbered: Path, tmp_path: Path) -> None:
    source = first_pages(numbered, 8, tmp_path / "in.pdf")
    result = impose(source, tmp_path / "out.pdf", Plan("booklet", fit="a5"))
    assert result.sheet == "a4"
    page = PdfReader(tmp_path / "out.pdf").pages[0]
    assert math.isclose(page.mediabox.width, 297 * MM, abs_tol=0.5)
    ratio = _glyph_height(tmp_path / "out.pdf") / _glyph_height(source)
    assert math.isclose(ratio, PAPER["a5"].width / PAPER["a4"].width, rel_tol=0.02)


def _glyph_height(path: Path) -> float:
    page = pdfium.PdfDocument(str(path))[0]
    text = page.get_textpage()
    boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1) == "P"]
    _, bottom, _, top = boxes[0]
    return top - bottom


def test_two_up_puts_the_same_page_on_both_halves(tmp_path: Path) -> None:
    css = "@page { size: A5; margin: 0 } section { font: 80pt sans-serif; break-after: page; }"
    source = tmp_path / "a5.pdf"
    HTML(string=f"<style>{css}</style><section>P1Q</section><section>P2Q</section>").write_pdf(source)
    result = impose(source, tmp_path / "out.pdf", Plan("2up"))
    assert result.sheet == "a4"
    assert halves(tmp_path / "out.pdf") == [("P1Q", "P1Q"), ("P2Q", "P2Q")]
    page = PdfReader(tmp_path / "out.pdf").pages[0]
    assert math.isclose(page.mediabox.width, 297 * MM, abs_tol=0.5)
    assert math.isclose(page.mediabox.height, 210 * MM, abs_tol=0.5)


def test_long_edge_duplex_turns_the_backs(numbered: Path, tmp_path: Path) -> None:
    source = first_pages(numbered, 4, tmp_path / "in.pdf")
    impose(source, tmp_path / "out.pdf", Plan("booklet", duplex="long"))
    front, back = halves(tmp_path / "out.pdf")
    assert front == ("P4Q", "P1Q")
    assert back == ("P3Q", "P2Q")  # turned 180°: page 2 is now on the right, upside down


def test_one_side_at_a_time_prints_fronts_then_backs(numbered: Path, tmp_path: Path) -> None:
    source = first_pages(numbered, 8, tmp_path / "in.pdf")
    impose(source, tmp_path / "out.pdf", Plan("booklet", order="fronts-then-backs-reversed"))
    assert halves(tmp_path / "out.pdf") == [("P8Q", "P1Q"), ("P6Q", "P3Q"), ("P4Q", "P5Q"), ("P2Q", "P7Q")]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"not a pdf at all", "not a readable PDF"),
        (None, "pages of mixed sizes"),
    ],
)
def test_bad_pdfs_are_refused(tmp_path: Path, content: bytes | None, message: str) -> None:
    source = tmp_path / "in.pdf"
    if content is None:
        HTML(
            string="<style>@page{size:A4} @page wide{size:A3} p{page:wide}</style><div>a</div><p>b</p>"
        ).write_pdf(source)
    else:
        source.write_bytes(content)
    result = run_layout(tmp_path, "impose", "in.pdf", "--to", "out.pdf")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_encrypted_pdfs_are_refused(numbered: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=numbered)
    writer.encrypt("secret")
    writer.write(tmp_path / "in.pdf")
    result = run_layout(tmp_path, "impose", "in.pdf")
    assert result.returncode == 2 and "encrypted" in result.stderr


def _mark_lines(path: Path) -> list[list[tuple[float, float]]]:
    """The lines of the marks that imposition draws on each side, if any."""
    lines = []
    for page in PdfReader(path).pages:
        content = page["/Contents"].get_data().decode()
        if MARKS in content:
            marks = content[content.index(MARKS) :]
            for x1, y1, x2, y2 in re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", marks):
                lines.append([(float(x1), float(y1)), (float(x2), float(y2))])
    return lines


def test_marks_stay_outside_the_trim(tmp_path: Path) -> None:
    css = "@page { size: A5; margin: 0 } section { font: 80pt sans-serif; break-after: page; }"
    source = tmp_path / "a5.pdf"
    HTML(string=f"<style>{css}</style>" + "".join(f"<section>P{n}Q</section>" for n in range(4))).write_pdf(
        source
    )
    impose(source, tmp_path / "a3.pdf", Plan("booklet", sheet="a3"))  # A5 pages leave room on A3
    lines = _mark_lines(tmp_path / "a3.pdf")
    assert len(lines) == 2 * 10  # each side: 4 corners x 2 ticks, and the fold at top and bottom
    left, right = 420 / 2 * MM - 148 * MM, 420 / 2 * MM + 148 * MM
    bottom, top = (297 - 210) / 2 * MM, (297 + 210) / 2 * MM
    for line in lines:
        for x, y in line:  # every end of every tick lies outside the trimmed pages
            assert not (left + 0.5 < x < right - 0.5 and bottom + 0.5 < y < top - 0.5), line
    impose(source, tmp_path / "a4.pdf", Plan("booklet", sheet="a4"))  # A5 pages fill an A4 sheet
    assert _mark_lines(tmp_path / "a4.pdf") == []  # no room outside the trim: no marks on the page


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path, Path]:
    """A scratch issue built as every issue is: its archive edition (a link) and print edition (4 pages,
    the FOGRA39 profile)."""
    root = make_scratch(tmp_path_factory.mktemp("scratch"))
    project = Project(root=root, out=root / "build")
    result = build_issue(project, root / "issues" / "001")
    assert not result.problems, result.problems
    archive, print_edition = Path(result.outputs["archive"]), Path(result.outputs["print"])
    return project, archive, print_edition


def _streams(reader: PdfReader) -> list[StreamObject]:
    """Every stream of the file, used or not (streams are never inside object streams)."""
    streams = []
    for generation in reader.xref.values():
        for number in generation:
            found = reader.get_object(number)
            if isinstance(found, StreamObject):
                streams.append(found)
    return streams


def untidiness(path: Path) -> dict[str, int]:
    """What makes a file larger or stranger than its content needs, counted."""
    reader = PdfReader(path)
    streams = _streams(reader)
    raw = [stream._data for stream in streams]
    return {
        "annotations": sum(len(page.get("/Annots", [])) for page in reader.pages),
        "uncompressed streams": sum("/Filter" not in stream for stream in streams),
        "repeated streams": len(raw) - len(set(raw)),  # an ICC profile once a page, say
    }


def profiles(path: Path) -> int:
    """How many ICC profiles the file holds (a profile's signature is at byte 36)."""
    return sum(stream.get_data()[36:40] == b"acsp" for stream in _streams(PdfReader(path)))


@pytest.mark.parametrize(
    ("edition", "plan"),
    [
        ("print", Plan("booklet")),
        ("print", Plan("booklet", fit="a5", duplex="long", creep_mm=3)),
        ("archive", Plan("2up", sheet="a3")),
    ],
    ids=["booklet", "a5-booklet-creep", "2up"],
)
def test_sheets_and_their_note_are_as_clean_as_the_edition(
    editions: tuple[Project, Path, Path], edition: str, plan: Plan
) -> None:
    project, archive, print_edition = editions
    source = archive if edition == "archive" else print_edition
    result = impose_output(project, source, plan, force=True)
    sheets, note = Path(result.output), Path(result.note)
    clean = dict.fromkeys(untidiness(source), 0)
    assert untidiness(sheets) == clean
    assert untidiness(note) == clean
    assert profiles(sheets) == profiles(source) and profiles(note) <= 1
    assert sheets.stat().st_size <= 1.5 * source.stat().st_size, (
        sheets.stat().st_size,
        source.stat().st_size,
    )
    assert PdfReader(sheets).pdf_header >= PdfReader(source).pdf_header
    # page 1, whole, on the right half of the first side: read by poppler, which reads text drawn in
    # a form as on a page (pdfium leaves out what carries ActualText in a form)
    width, height = (round(side) for side in pdfium.PdfDocument(str(sheets))[0].get_size())
    right_half = _text(
        sheets, "-x", str(width // 2), "-y", "0", "-W", str(width - width // 2), "-H", str(height)
    )
    assert _letters(right_half) == _letters(_text(source))
    if edition == "archive":  # its link to the note, whose destination a sheet does not hold
        assert untidiness(source)["annotations"] > 0


def _sides_placed(path: Path) -> list[list[tuple[float, float]]]:
    """For each side, the left and right edge of each page's clip (its trim, cut at the fold)."""
    clip = re.compile(r"q ([\d.-]+) [\d.-]+ ([\d.-]+) [\d.-]+ re W n")
    return [
        [(float(x), float(x) + float(w)) for x, w in clip.findall(page["/Contents"].get_data().decode())]
        for page in PdfReader(path).pages
    ]


def _text_edges(path: Path) -> list[tuple[float, float, float, float]]:
    """For each side, where the text on its left half ends and where the text on its right half starts."""
    edges = []
    for page in pdfium.PdfDocument(str(path)):
        width = page.get_size()[0]
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
        left = [box for box in boxes if box[0] < width / 2 - 40 * MM]  # the pages' text is centred
        right = [box for box in boxes if box[2] > width / 2 + 40 * MM]
        edges.append((min(b[0] for b in left), max(b[2] for b in left), min(b[0] for b in right), width / 2))
    return edges


def _a5_pages(tmp_path: Path, count: int, css: str) -> Path:
    """``count`` A5 pages, each carrying its number, styled by ``css``."""
    source = tmp_path / "a5.pdf"
    pages = "".join(f"<section>P{n}Q</section>" for n in range(1, count + 1))
    page_css = "@page { size: A5; margin: 0 } body { margin: 0 }"
    page_css += " section { font: 40pt sans-serif; break-after: page }"
    HTML(string=f"<style>{page_css} {css}</style>{pages}").write_pdf(source)
    return source


def test_creep_moves_inner_pages_toward_the_spine_and_never_over_the_fold(tmp_path: Path) -> None:
    source = _a5_pages(tmp_path, 16, "section { text-align: center; padding-top: 90mm }")
    impose(source, tmp_path / "flat.pdf", Plan("booklet", sheet="a4"))
    impose(source, tmp_path / "creep.pdf", Plan("booklet", sheet="a4", creep_mm=3))
    flat, creep = _text_edges(tmp_path / "flat.pdf"), _text_edges(tmp_path / "creep.pdf")
    sheets = 4
    for side, (before, after) in enumerate(zip(flat, creep, strict=True)):
        shift = 3 * MM * (side // 2) / (sheets - 1)  # 0 on the outer sheet, 3 mm on the innermost
        assert math.isclose(after[0] - before[0], shift, abs_tol=0.05)  # the left page to the right
        assert math.isclose(before[2] - after[2], shift, abs_tol=0.05)  # the right page to the left
    middle = PAPER["a4"].height / 2
    for left, right in _sides_placed(tmp_path / "creep.pdf"):
        assert left[1] <= middle + 0.001 <= right[0] + 0.002  # each page cut at the fold: no overlap
        assert left[0] >= 0 and right[1] <= 2 * middle


def test_creep_moves_a_page_no_further_than_it_is_blank_at_the_spine(tmp_path: Path) -> None:
    # even pages (left of the fold) end 2 mm from their right edge, odd ones start 2 mm from their left
    css = (
        "section { padding: 90mm 2mm 0 } section:nth-child(even) { text-align: right }"
        " section:nth-child(odd) { text-align: left }"
    )
    source = _a5_pages(tmp_path, 8, css)
    impose(source, tmp_path / "creep.pdf", Plan("booklet", sheet="a4", creep_mm=3))
    middle = PAPER["a4"].height / 2
    pdf = pdfium.PdfDocument(str(tmp_path / "creep.pdf"))
    for number, page in enumerate(pdf):
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
        left = [box[2] for box in boxes if box[0] < middle]
        right = [box[0] for box in boxes if box[2] > middle]
        assert max(left) < middle < min(right)  # nothing crosses the fold, where it would be cut off
        gaps = (middle - max(left), min(right) - middle)
        if number >= 2:  # the inner sheet moved as far as its pages allow, about 2 mm of its 3
            assert max(gaps) < 1 * MM, gaps
        else:  # the outer sheet does not move
            assert min(gaps) > 1.9 * MM, gaps


def test_a_page_whose_contents_are_an_array_held_by_reference_is_imposed_whole(tmp_path: Path) -> None:
    # As other programs write them: /Contents 5 0 R, object 5 an array of two streams.
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595.28, 841.89)
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1")}
    )
    font[NameObject("/BaseFont")] = NameObject("/Helvetica")
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    parts = []
    for data in (b"BT /F1 24 Tf 100 700 Td (First) Tj ET", b"BT /F1 24 Tf 100 600 Td (Second) Tj ET"):
        stream = DecodedStreamObject()
        stream.set_data(data)
        parts.append(writer._add_object(stream))
    page[NameObject("/Contents")] = writer._add_object(ArrayObject(parts))
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    writer.write(source)
    impose(source, target, Plan("2up", sheet="a4", fit="a5"))
    text = pdfium.PdfDocument(target)[0].get_textpage().get_text_range()
    assert text.count("First") == 2 and text.count("Second") == 2, text


def _text(pdf: Path, *area: str) -> str:
    """The text of the first page (or side), as poppler's pdftotext reads it (at 72 dpi: points)."""
    command = ["pdftotext", "-f", "1", "-l", "1", "-r", "72", *area, "-enc", "UTF-8", str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _letters(text: str) -> list[str]:
    return sorted(char for char in text if char.isalnum())


def test_out_names_the_output_folder_only_so_impose_writes_its_pdf_to(numbered: Path, scratch: Path) -> None:
    shutil.copy(numbered, scratch / "in.pdf")
    renamed = run_layout(scratch, "impose", "in.pdf", "--out", "sheets.pdf")
    assert renamed.returncode == 2 and "--out sheets.pdf is now --to sheets.pdf" in renamed.stderr
    done = run_layout(scratch, "impose", "in.pdf", "--to", "sheets.pdf")
    assert done.returncode == 0, done.stderr
    assert len(PdfReader(scratch / "sheets.pdf").pages) > 0


def test_pages_taller_than_the_sheet_is_high_are_refused(tmp_path: Path) -> None:
    # 100 x 250 mm: two side by side are 200 mm wide, within landscape A4's 297, but 40 mm too tall
    source = tmp_path / "tall.pdf"
    HTML(string="<style>@page { size: 100mm 250mm; margin: 0 }</style><p>Tall</p>").write_pdf(source)
    with pytest.raises(PdfInputError) as refused:
        impose(source, tmp_path / "sheets.pdf", Plan("booklet", sheet="a4"))
    assert [str(problem) for problem in refused.value.problems] == [
        f"{source}: two pages do not fit on A4: choose a larger --sheet or --scale"
    ]
    assert not (tmp_path / "sheets.pdf").exists()
    assert impose(source, tmp_path / "sheets.pdf", Plan("booklet", sheet="a3")).sheet == "a3"  # they fit A3


def test_sheet_marks_start_3mm_outside_the_pages_and_run_5mm(tmp_path: Path) -> None:
    """Drawn by the print edition's crop-mark drawer (typeset.marks), from 3 mm outside the pages, not
    beyond a bleed: a sheet has none. The fold's marks on the fold, at the head and the foot."""
    source = _a5_pages(tmp_path, 4, "")
    impose(source, tmp_path / "a3.pdf", Plan("booklet", sheet="a3"))
    lines = _mark_lines(tmp_path / "a3.pdf")
    assert len(lines) == 2 * 10
    middle, left, right = 420 / 2 * MM, 420 / 2 * MM - 148 * MM, 420 / 2 * MM + 148 * MM
    bottom, top = (297 - 210) / 2 * MM, (297 + 210) / 2 * MM
    for (x0, y0), (x1, y1) in lines:
        near = max(left - x0, x0 - right, bottom - y0, y0 - top)
        far = max(left - x1, x1 - right, bottom - y1, y1 - top)
        assert near == pytest.approx(3 * MM, abs=0.01) and far - near == pytest.approx(5 * MM, abs=0.02)
    assert sorted(round(y0) for (x0, y0), _ in lines if x0 == pytest.approx(middle, abs=0.01)) == sorted(
        2 * [round(bottom - 3 * MM), round(top + 3 * MM)]
    )


def test_sheet_marks_end_at_the_edge_of_the_sheet(tmp_path: Path) -> None:
    """Pages of 144 x 180 mm leave 4.5 mm of landscape A4 at each side: the crop marks there run from
    3 mm to the edge, 1.5 mm; those at the head and foot (15 mm of room) their whole 5 mm."""
    source = tmp_path / "narrow.pdf"
    HTML(string="<style>@page { size: 144mm 180mm; margin: 0 }</style><p>N</p>").write_pdf(source)
    impose(source, tmp_path / "a4.pdf", Plan("2up", sheet="a4"))
    lengths = sorted(round(math.dist(*line) / MM, 2) for line in _mark_lines(tmp_path / "a4.pdf"))
    assert lengths == [1.5] * 4 + [5.0] * 6  # 4 at the sides; 4 corners' and the cut's, at head and foot


LAYOUT_WORDS = {  # each layout's cover note title and last step, as a distributor reads them
    "booklet": ("How to print and fold this booklet", "Fold each sheet in half, page 1 outside; nest the"),
    "2up": ("How to print and cut these sheets", "Cut each sheet in half along the middle"),
}


def test_every_layout_is_tested_for_its_words() -> None:
    assert set(LAYOUT_WORDS) == set(LAYOUTS)


@pytest.mark.parametrize("name", sorted(LAYOUT_WORDS))
def test_each_layout_has_its_cover_note_and_steps(editions: tuple[Project, Path, Path], name: str) -> None:
    project, _, print_edition = editions
    title, last_step = LAYOUT_WORDS[name]
    result = impose_output(project, print_edition, Plan(name, sheet="a3"), force=True)
    assert result.instructions[-1].startswith(last_step)
    assert result.instructions[0].startswith("Load A3 paper and print at actual size")
    note = " ".join(" ".join(page.extract_text() for page in PdfReader(result.note).pages).split())
    assert title in note
    for step in result.instructions:
        assert " ".join(step.split()) in note, step


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layout": "4up"}, "layout: '4up' is not one of booklet, 2up"),
        ({"layout": "2up", "creep_mm": 3}, "creep: only folded sheets creep (booklet), not 2up"),
        ({"sheet": "a2"}, "sheet: 'a2' is not one of None, a5, a4, a3"),
        ({"duplex": "sideways"}, "duplex: 'sideways' is not one of short, long"),
        ({"order": "backwards"}, "order: 'backwards' is not one of duplex, fronts-then-backs"),
        ({"creep_mm": -1}, "creep: -1 mm: creep cannot be less than 0"),
    ],
)
def test_a_plan_that_names_what_is_not_there_is_refused(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Plan(**options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--layout", "4up"], "Invalid value for '--layout': '4up' is not one of 'booklet', '2up'."),
        (["--layout", "2up", "--creep", "3"], "creep: only folded sheets creep (booklet), not 2up"),
    ],
)
def test_an_unknown_layout_is_refused_at_the_command_line(
    numbered: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    shutil.copy(numbered, tmp_path / "in.pdf")
    result = run_layout(tmp_path, "impose", "in.pdf", *options, "--to", "out.pdf")
    assert result.returncode == 2 and f"Error: {message}" in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out.pdf").exists()
