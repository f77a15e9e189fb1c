"""Fitted leaflets (layout leaflet --fit): the sheets asked for, at a readable size, or the exact cut."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from layout.build.leaflets import (
    LARGEST_POINTS,
    SMALLEST_POINTS,
    LeafletResult,
    build_leaflet,
    build_leaflets,
    settings,
)
from layout.project import Project
from layout.text.markdown import without_last_words
from tests.test_bad_input import run_layout
from tests.test_pages import prose

MM = 72 / 25.4  # PDF points in a millimetre


def write_body(scratch: Path, words: int) -> tuple[Path, str, str]:
    """The scratch issue's article with ``words`` words of running text in paragraphs of 100."""
    article = scratch / "issues" / "001" / "small.md"
    front = article.read_text().split("\n---\n")[0] + "\n---\n\n"
    body = "\n\n".join(prose(100, seed) for seed in range(words // 100))
    article.write_text(front + body)
    return article, front, body


def body_sizes(pdf: str) -> tuple[float, list[list[tuple[float, float, float]]]]:
    """The body text's size (the size most characters are set in) and, page by page, each
    character's size, left and right edge in points."""
    document, matrix = pdfium.PdfDocument(pdf), pdfium.raw.FS_MATRIX()
    pages = []
    for page in document:
        text = page.get_textpage()
        chars = []
        for index in range(text.count_chars()):
            if text.get_text_range(index, 1).isalpha():
                left, _, right, _ = text.get_charbox(index)
                # the size in the text's own units, times the scale its matrix sets it at (WeasyPrint
                # draws in CSS px, scaled by 0.75 to points)
                pdfium.raw.FPDFText_GetMatrix(text.raw, index, matrix)
                points = pdfium.raw.FPDFText_GetFontSize(text.raw, index) * math.hypot(matrix.c, matrix.d)
                chars.append((round(points, 2), left, right))
        pages.append(chars)
    sizes = Counter(size for chars in pages for size, _, _ in chars)
    return sizes.most_common(1)[0][0], pages


def fitted(scratch: Path, size: str = "a5", sheets: int = 1) -> LeafletResult:
    result = build_leaflet(
        Project(scratch, scratch / "build"), scratch / "issues" / "001", "small.md", size, sheets, fit=True
    )
    assert not result.problems, result.problems
    return result


def test_a_leaflet_over_its_sheet_is_fitted_to_it_at_a_readable_size(scratch: Path) -> None:
    _, _, body = write_body(scratch, 900)
    project = Project(scratch, scratch / "build")
    plain = build_leaflet(project, scratch / "issues" / "001", "small.md")
    assert plain.pages == 3 and plain.words_over > 0  # at the house style's 9.4 pt it runs over
    result = fitted(scratch)
    assert result.pages == 2 and result.words_over == 0 and result.setting is not None
    assert SMALLEST_POINTS <= result.setting.points < 9.4 and result.setting.columns == 1
    size, pages = body_sizes(result.output)
    assert len(pages) == 2 and size == pytest.approx(result.setting.points, abs=0.02)
    assert all(s >= SMALLEST_POINTS - 0.02 for s, _, _ in pages[0] if s > 8), "no running text under 8.5 pt"
    reader_text = " ".join(pdfium.PdfDocument(result.output)[1].get_textpage().get_text_range().split())
    assert body.split()[-1] in reader_text and "GET INVOLVED" in reader_text  # the whole text, then the box


def test_a_short_leaflet_is_set_at_the_largest_size(scratch: Path) -> None:
    write_body(scratch, 300)
    result = fitted(scratch)
    assert result.setting is not None and result.setting.points == LARGEST_POINTS["a5"]
    assert result.pages <= 2 and body_sizes(result.output)[0] == pytest.approx(LARGEST_POINTS["a5"], abs=0.02)


def _across_middle(pages: list[list[tuple[float, float, float]]], body: float, width: float) -> int:
    """How many body characters cross the middle of the page: none when it is set in two columns."""
    middle = width / 2
    return sum(1 for chars in pages for size, left, right in chars if size == body and left < middle < right)


def test_two_columns_on_a4_and_one_on_a5(scratch: Path) -> None:
    write_body(scratch, 1500)
    a4 = fitted(scratch, "a4")
    assert a4.setting is not None and a4.setting.columns == 2 and a4.pages <= 2
    size, pages = body_sizes(a4.output)
    assert size >= SMALLEST_POINTS and _across_middle(pages, size, 210 * MM) == 0
    write_body(scratch, 600)
    a5 = fitted(scratch, "a5")
    assert a5.setting is not None and a5.setting.columns == 1
    size, pages = body_sizes(a5.output)
    assert _across_middle(pages, size, 148 * MM) > 20  # a letter of nearly every line


def test_an_article_too_long_for_any_setting_is_told_the_exact_cut(scratch: Path) -> None:
    article, front, body = write_body(scratch, 1200)
    over = fitted(scratch)
    densest = settings("a5", 1)[-1]
    assert over.setting == densest and over.pages == 3 and 0 < over.words_over < over.words, over
    assert body_sizes(over.output)[0] == pytest.approx(SMALLEST_POINTS, abs=0.02)

    def cut(words: int) -> LeafletResult:
        article.write_text(front + without_last_words(body, words))
        return fitted(scratch)

    enough = cut(over.words_over)
    assert enough.pages == 2 and enough.words_over == 0  # that cut fits
    one_fewer = cut(over.words_over - 1)
    assert one_fewer.pages == 3 and one_fewer.setting == densest and one_fewer.words_over == 1


def test_the_sites_leaflet_that_runs_over_is_counted_only_when_asked(scratch: Path) -> None:
    """The site offers a leaflet that runs over its sheet as it is, and does not count the words to
    cut (a search of a dozen layouts); the command, asked after, counts them, then keeps them."""
    write_body(scratch, 1200)
    project, issue = Project(scratch, scratch / "build"), scratch / "issues" / "001"
    (offered,) = build_leaflets(project, [issue], fit=True, count_over=False)
    assert offered.pages == 3 and offered.words_over is None and not offered.problems
    asked = fitted(scratch)
    assert not asked.skipped and 0 < asked.words_over < asked.words and asked.pages == 3
    assert fitted(scratch).skipped and fitted(scratch).words_over == asked.words_over
    (again,) = build_leaflets(project, [issue], fit=True, count_over=False)
    assert again.skipped and again.words_over == asked.words_over  # counted serves the site too


def test_the_command_says_what_it_chose_or_what_to_cut(scratch: Path) -> None:
    write_body(scratch, 1600)
    two = run_layout(scratch, "leaflet", "issues/001", "small.md", "--fit", "--sheets", "2")
    assert two.returncode == 0, two.stderr
    said = r"A small test article \(A5\): (\d) pages, fits 2 sheets at ([\d.]+) pt on ([\d.]+) pt, one column"
    chosen = re.match(said + "; wrote ", two.stdout)
    assert chosen and 2 < int(chosen[1]) <= 4, two.stdout
    assert SMALLEST_POINTS <= float(chosen[2]) <= LARGEST_POINTS["a5"]
    assert len(pdfium.PdfDocument(scratch / "build" / "leaflets" / "the-spark-001-small-a5.pdf")) == int(
        chosen[1]
    )
    again = run_layout(scratch, "leaflet", "issues/001", "small.md", "--fit", "--sheets", "2")
    assert again.stdout.startswith(chosen[0].replace("; wrote ", "")) and "; up to date" in again.stdout
    one = run_layout(scratch, "leaflet", "issues/001", "1", "--fit")
    assert re.match(
        r"A small test article \(A5\): 3 pages even at 8\.5 pt on 10\.25 pt, one column, the smallest "
        r"allowed: cut \d{3} words of 1,600 to fit 1 sheet; wrote ",
        one.stdout,
    ), one.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["leaflet", "issues/001", "--fit", "--sheets", "0"], "'--sheets': 0 is not in the range 1<=x<=20"),
        (["leaflet", "issues/001", "--fit=a5"], "Option '--fit' does not take a value"),
        (
            ["impose", "in.pdf", "--fit", "a5"],
            "--fit a5 is now --scale a5 (--fit fits a leaflet to its sheets)",
        ),
        (["build", "issues/001", "--impose", "booklet", "--fit", "a5"], "--fit a5 is now --scale a5"),
    ],
)
def test_bad_values_are_refused_in_plain_words(scratch: Path, args: list[str], words: str) -> None:
    result = run_layout(scratch, *args)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (scratch / "build" / "leaflets").exists()
