"""Imposition checked on real sheets: the text on each half of each side, sizes, scaling."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from layout.impose import MM, PAPER, Plan, booklet_sides, impose
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
    result = run_layout(tmp_path, "impose", "in.pdf", "--out", "out.pdf")
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
    """The lines of the marks stream that imposition appends to each side, if any."""
    lines = []
    for page in PdfReader(path).pages:
        last = page["/Contents"][-1].get_object().get_data().decode()
        if last.startswith("q 0.3 w 0 0 0 1 K"):
            for x1, y1, x2, y2 in re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", last):
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
