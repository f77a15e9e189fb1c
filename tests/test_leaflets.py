"""Leaflets: one article with the masthead line and Get involved, sized, fitted and imposed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from layout.build.leaflets import LeafletResult, build_leaflet
from layout.checks.preflight import check_safe_margin
from layout.pages.impose import MM
from layout.project import Project
from layout.text.markdown import without_last_words
from tests.test_bad_input import run_layout
from tests.test_pages import prose

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy_of_21(tmp_path: Path) -> Path:
    """A project holding a copy of no 21, sharing the real styles and fonts."""
    shutil.copytree(ROOT / "issues" / "021", tmp_path / "issues" / "021")
    shutil.copy(ROOT / "issues" / "publication.yaml", tmp_path / "issues")
    (tmp_path / "styles").symlink_to(ROOT / "styles")
    (tmp_path / "fonts").symlink_to(ROOT / "fonts")
    return tmp_path


def text_of(reader: PdfReader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.parametrize(("size", "width", "height"), [("a5", 148, 210), ("a4", 210, 297)])
def test_a_leaflet_names_its_source_and_ends_with_get_involved(
    project: Project, size: str, width: int, height: int
) -> None:
    result = build_leaflet(project, ROOT / "issues" / "021", "aleppo-has-fallen.md", size)
    assert not result.problems, result.problems
    assert result.output.endswith(f"leaflets/the-spark-021-aleppo-has-fallen-{size}.pdf")
    reader = PdfReader(result.output)
    assert len(reader.pages) == result.pages
    for page in reader.pages:
        assert (round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)) == (
            width,
            height,
        )
    pages = text_of(reader)
    assert "From The Spark no 21, 22 March 2017" in pages[0]
    assert "Aleppo has fallen" in pages[0]
    assert "GET INVOLVED" in pages[-1] and "Donate to WIVP" in pages[-1]
    assert "+27 822020617" in pages[-1]
    assert f"page {result.pages} of {result.pages}" in pages[-1]
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert all("+" in name for name in fonts), fonts  # subsets: embedded
    assert check_safe_margin(Path(result.output)) == []  # nothing, folio included, in a photocopier's 5 mm


def test_an_article_is_named_by_file_or_position(project: Project) -> None:
    by_file = build_leaflet(project, ROOT / "issues" / "021", "customary-marriages.md", force=True)
    by_position = build_leaflet(project, ROOT / "issues" / "021", "5")
    assert by_file.output == by_position.output
    assert by_position.skipped and by_position.pages == by_file.pages


def _cut_words(article: Path, words: int) -> None:
    """Drop ``words`` words from the end of the body, before the footnotes."""
    text = article.read_text()
    notes = text.index("\n[^1]:")
    body = text[:notes].rstrip().split(" ")
    article.write_text(" ".join(body[:-words]) + ".\n" + text[notes:])


def test_words_over_one_sheet_is_what_it_takes_to_fit(copy_of_21: Path) -> None:
    project = Project(copy_of_21, copy_of_21 / "build")
    issue = copy_of_21 / "issues" / "021"
    over = build_leaflet(project, issue, "1")
    assert over.pages == 3 and 10 < over.words_over < 200, over
    _cut_words(issue / "attempted-coup-in-turkey.md", over.words_over // 3)
    assert build_leaflet(project, issue, "1").pages == 3  # a third of the cut is not enough
    _cut_words(issue / "attempted-coup-in-turkey.md", over.words_over)  # more than the estimate in all
    fitted = build_leaflet(project, issue, "1")
    assert fitted.pages == 2 and fitted.words_over == 0


@pytest.mark.parametrize("sheets", [1, 2])
def test_the_words_to_cut_are_the_fewest_that_fit(scratch: Path, sheets: int) -> None:
    project, issue = Project(scratch, scratch / "build"), scratch / "issues" / "001"
    article = issue / "small.md"
    front = article.read_text().split("\n---\n")[0] + "\n---\n\n"
    body = "\n\n".join(prose(120, seed) for seed in range(50))  # 6,000 words in 50 paragraphs
    article.write_text(front + body)
    over = build_leaflet(project, issue, "small.md", sheets=sheets)
    assert over.pages > 2 * sheets and 0 < over.words_over < over.words, over

    def cut(words: int) -> LeafletResult:
        article.write_text(front + without_last_words(body, words))
        return build_leaflet(project, issue, "small.md", sheets=sheets)

    assert cut(over.words_over).pages <= 2 * sheets  # enough
    one_fewer = cut(over.words_over - 1)
    assert one_fewer.pages > 2 * sheets and one_fewer.words_over == 1  # and not one word more


def test_the_command_reports_pages_and_words_over(copy_of_21: Path) -> None:
    result = run_layout(copy_of_21, "leaflet", "issues/021", "attempted-coup-in-turkey.md", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(
        r"On the attempted coup in Turkey \(A5\): 3 pages, over 1 sheet: cut \d+ words of \d+ to fit",
        lines[0],
    )
    assert "wrote build/leaflets/the-spark-021-attempted-coup-in-turkey-a5.pdf" in lines[0]
    assert "3 pages, over 1 sheet" in lines[1] and lines[1].endswith("up to date")
    fits = run_layout(copy_of_21, "leaflet", "issues/021", "3", "--size", "a4")
    assert "Leon Sedov Brigade (A4): 1 page, fits 1 sheet printed both sides" in fits.stdout


def test_an_unknown_article_is_refused(copy_of_21: Path) -> None:
    result = run_layout(copy_of_21, "leaflet", "issues/021", "coup.md")
    assert result.returncode == 2
    assert "issues/021/issue.yaml: articles: no article 'coup.md'" in result.stderr
    assert "1 attempted-coup-in-turkey.md" in result.stderr and "Traceback" not in result.stderr
    assert not (copy_of_21 / "build" / "leaflets").exists()


def test_a_leaflet_comes_out_imposed_in_one_step(copy_of_21: Path) -> None:
    result = run_layout(copy_of_21, "leaflet", "issues/021", "3", "--impose", "2up")
    assert result.returncode == 0, result.stderr
    assert "Cut each sheet in half" in result.stdout
    assert "flipping on the short edge: 1 sheet a copy." in result.stdout
    sheets = PdfReader(copy_of_21 / "build" / "imposed" / "the-spark-021-aleppo-has-fallen-a5-2up-a4.pdf")
    leaflet = PdfReader(copy_of_21 / "build" / "leaflets" / "the-spark-021-aleppo-has-fallen-a5.pdf")
    assert len(sheets.pages) == len(leaflet.pages) == 2
    for sheet, page in zip(sheets.pages, leaflet.pages, strict=True):
        assert (round(float(sheet.mediabox.width) / MM), round(float(sheet.mediabox.height) / MM)) == (
            297,
            210,
        )
        words = page.extract_text().split()
        assert sheet.extract_text().split().count(words[0]) >= 2 * words.count(words[0])


def test_an_issue_comes_out_imposed_in_one_step(scratch: Path) -> None:
    result = run_layout(
        scratch, "build", "issues/001", "--impose", "booklet", "--sheet", "a4", "--scale", "a5"
    )
    assert result.returncode == 0, result.stderr
    booklet = PdfReader(scratch / "build" / "imposed" / "the-spark-001-booklet-a4.pdf")
    assert len(booklet.pages) == 2  # 4 pages, one sheet
    assert "Fold each sheet in half" in result.stdout
    again = run_layout(
        scratch, "build", "issues/001", "--impose", "booklet", "--sheet", "a4", "--scale", "a5"
    )
    assert "up to date build/imposed/the-spark-001-booklet-a4.pdf" in again.stdout
    too_big = run_layout(scratch, "build", "issues/001", "--impose", "booklet", "--sheet", "a4")
    assert too_big.returncode == 2 and "do not fit on A4" in too_big.stderr


def test_imposed_sheets_come_with_a_cover_note(copy_of_21: Path) -> None:
    result = run_layout(
        copy_of_21, "leaflet", "issues/021", "1", "--impose", "booklet", "--order", "fronts-then-backs"
    )
    assert result.returncode == 0, result.stderr
    note = PdfReader(
        copy_of_21 / "build" / "imposed" / "the-spark-021-attempted-coup-in-turkey-a5-booklet-a4-note.pdf"
    )
    text = " ".join(note.pages[0].extract_text().split())
    assert "How to print and fold this booklet" in text
    assert "the-spark-021-attempted-coup-in-turkey-a5-booklet-a4.pdf: 1 A4 sheet a copy" in text
    assert "Load A4 paper and print at actual size" in text
    assert (
        "Print page 1 (the fronts) on one side" in text
        and "print page 2 (the backs, in the same order)" in text
    )
    assert "The 1 blank page before the back cover is meant to be there" in text
    assert "3. Fold each sheet in half" in result.stdout


def test_a_leaflets_photo_is_set_at_an_office_printers_resolution(scratch: Path) -> None:
    # 2400 x 1500 pixels over a column of an A5 leaflet (128 mm) would be 476 dpi
    photo = Image.effect_noise((2400, 1500), 60).convert("RGB")
    photo.save(scratch / "issues" / "001" / "figures" / "photo.jpg", quality=90)
    article = scratch / "issues" / "001" / "small.md"
    article.write_text(article.read_text().replace("figures/dot.svg", "figures/photo.jpg"))
    result = build_leaflet(Project(root=scratch, out=scratch / "build"), scratch / "issues" / "001", "1")
    assert not result.problems, result.problems
    placed = []
    for page in pdfium.PdfDocument(result.output):
        for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
            left, _, right, _ = image.get_bounds()
            placed.append(image.get_px_size()[0] / ((right - left) / 72))
    assert len(placed) == 1 and 299 <= placed[0] <= 301, placed  # 300 dpi written out, not OFFICE_DPI read


def test_every_note_of_a_leaflet_prints_once_on_the_page_of_its_call(tmp_path: Path) -> None:
    from tests.test_issues import noted_article, notes_and_calls
    from tests.test_pages import scratch_issue

    scratch_issue(tmp_path, {"notes.md": noted_article()})
    result = build_leaflet(Project(tmp_path, tmp_path / "build"), tmp_path / "issues" / "001", "notes.md")
    assert result.pages > 3, result  # the calls and notes spread over several A5 pages
    found = notes_and_calls(Path(result.output))
    assert all(len(calls) == 1 and notes == calls for calls, notes in found.values()), found
    assert len({calls[0] for calls, _ in found.values()}) == 3, found


def test_the_cut_is_the_same_from_a_guess_far_too_low_or_too_high(scratch: Path) -> None:
    """The estimate only starts the search: the bracket is widened up or down until it holds."""
    from layout.build.leaflets import _words_to_cut, find_article
    from layout.build.loading import load

    project, issue = Project(scratch, scratch / "build"), scratch / "issues" / "001"
    article = issue / "small.md"
    front = article.read_text().split("\n---\n")[0] + "\n---\n\n"
    article.write_text(front + "\n\n".join(prose(120, seed) for seed in range(12)))  # 1,440 words
    over = build_leaflet(project, issue, "small.md")
    assert over.pages > 2 and 100 < over.words_over < over.words - 100, over
    loaded = load(project, issue)
    found = {
        guess: _words_to_cut(project, loaded, find_article(loaded, "small.md"), over, guess)
        for guess in (1, 40, over.words)
    }
    assert found == dict.fromkeys(found, over.words_over)
