"""The editor's workbench: new, check (and --json, --pdf preflight), schema, fit, proof."""

from __future__ import annotations

import ctypes
import json
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from layout.build.check import check_issues
from layout.build.issues import issue_fit
from layout.build.loading import load
from layout.checks.preflight import (
    check_contents,
    check_fonts,
    check_images,
    check_safe_margin,
    check_text_sizes,
    placed_images,
    preflight_issue,
)
from layout.model.manifest import find_issue_dirs, load_publication
from layout.model.schema import SCHEMAS, schema_texts
from layout.pages.proof import GAP, PAGE_WIDTH, spread_pairs
from layout.project import Project

from .conftest import ROOT
from .test_bad_input import _break, run_layout

# --- layout new --------------------------------------------------------------------


def test_new_issue_checks_and_builds(scratch: Path) -> None:
    result = run_layout(scratch, "new", "2", "--date", "2017-03-01")
    assert result.returncode == 0, result.stderr
    folder = scratch / "issues" / "002"
    assert sorted(p.name for p in folder.iterdir()) == ["first-article.md", "issue.yaml"]
    assert (
        (folder / "issue.yaml")
        .read_text()
        .startswith(
            "# yaml-language-server: $schema=../../schemas/issue.schema.json\nnumber: 2\ndate: 2017-03-01\n"
        )
    )
    checked = run_layout(scratch, "check", "issues/002")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "No 2: OK (1 article, 31 words)\n"
    built = run_layout(scratch, "build", "issues/002")
    assert built.returncode == 0, built.stderr
    assert "2 pages: 2 short of 4, so the print edition gets 2 blank pages (pages 2-3)" in built.stdout
    assert "The title of the first article" in built.stdout  # the copyfit's article line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "--date", "2017-03-01"), "issues/001: already exists"),
        (("2", "--date", "2017-02-30"), "--date: '2017-02-30' is not a date written YYYY-MM-DD"),
        (("2", "--date", "1 March"), "is not a date written YYYY-MM-DD"),
        (("0", "--date", "2017-03-01"), "0 is not an issue number"),
    ],
)
def test_new_refuses(scratch: Path, args: tuple[str, ...], message: str) -> None:
    before = sorted(scratch.rglob("*"))
    result = run_layout(scratch, "new", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(scratch.rglob("*")) == before


def test_new_refuses_a_number_another_folder_has(scratch: Path) -> None:
    (scratch / "issues" / "001").rename(scratch / "issues" / "first")
    result = run_layout(scratch, "new", "1", "--date", "2017-03-01")
    assert result.returncode == 2
    assert "issues/first/issue.yaml:1: number: is already 1" in result.stderr
    assert not (scratch / "issues" / "001").exists()


# --- layout check --------------------------------------------------------------------


def test_check_passes_a_good_issue_and_writes_nothing(scratch: Path) -> None:
    result = run_layout(scratch, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No 1: OK (1 article, 14 words)\n"
    assert not (scratch / "build").exists()


def test_check_reports_every_problem_with_file_line_and_field(scratch: Path) -> None:
    issue = scratch / "issues" / "001"
    _break(issue, "unknown-kind")
    _break(issue, "list-for-byline")
    result = run_layout(scratch, "check", "issues/001")
    assert result.returncode == 2
    byline, kind = result.stderr.splitlines()
    assert byline == "issues/001/small.md:3: byline: expected text, got a list"
    assert kind.startswith("issues/001/small.md:4: kind: 'statment' is not one of: 'statement', 'memorandum'")
    assert "OK" not in result.stdout


def test_check_json(scratch: Path) -> None:
    shutil.copytree(scratch / "issues" / "001", scratch / "issues" / "002")
    (scratch / "issues" / "002" / "issue.yaml").write_text(
        (scratch / "issues" / "002" / "issue.yaml").read_text().replace("number: 1", "number: 2")
    )
    _break(scratch / "issues" / "002", "list-for-byline")
    result = run_layout(scratch, "check", "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"] == [
        {
            "path": "issues/002/small.md",
            "line": 3,
            "field": "byline",
            "message": "expected text, got a list",
        }
    ]
    statuses = {issue["directory"]: (issue["number"], issue["status"]) for issue in report["issues"]}
    assert statuses == {"issues/001": (1, "ok"), "issues/002": (None, "problems")}


def test_check_names_a_folder_that_is_not_an_issue(scratch: Path) -> None:
    (scratch / "issues" / "empty").mkdir()
    result = run_layout(scratch, "check", "issues/empty")
    assert result.returncode == 2
    assert "issues/empty: not an issue folder (no issue.yaml)" in result.stderr


def test_check_does_not_import_weasyprint() -> None:
    code = (
        "import sys\n"
        "from layout.cli import main\n"
        "main(['check'], standalone_mode=False)\n"
        "print('weasyprint loaded:', 'weasyprint' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert "No 22: OK" in result.stdout
    assert result.stdout.endswith("weasyprint loaded: False\n")


def test_check_takes_well_under_a_second_per_issue(project: Project) -> None:
    dirs = find_issue_dirs(project.issues_root)
    start = time.perf_counter()
    results = check_issues(project, dirs)
    elapsed = time.perf_counter() - start
    assert all(result.ok for result in results)
    assert elapsed / len(dirs) < 0.5, f"{elapsed / len(dirs):.2f} s per issue"


def test_check_and_build_agree(project: Project) -> None:
    """check is build.load: the same articles, in the same order, with the same words."""
    for directory in find_issue_dirs(project.issues_root):
        (result,) = check_issues(project, [directory])
        loaded = load(project, directory)
        assert result.number == loaded.issue.number
        assert result.words == sum(text.words for text in loaded.texts.values()) > 1000


# --- layout schema -------------------------------------------------------------------


def test_committed_schemas_are_up_to_date() -> None:
    for name, text in schema_texts().items():
        assert (ROOT / "schemas" / name).read_text() == text, f"run: layout schema ({name} is stale)"


def test_schema_command_writes_the_schemas(tmp_path: Path) -> None:
    result = run_layout(ROOT, "schema", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SCHEMAS)
    issue = json.loads((tmp_path / "issue.schema.json").read_text())
    assert issue["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert issue["required"] == ["number", "date", "articles"]
    assert issue["additionalProperties"] is False
    assert "YYYY-MM-DD" in issue["properties"]["date"]["description"]
    entry = issue["$defs"]["ArticleEntry"]["properties"]
    assert all(field.get("description") for field in entry.values())
    article = json.loads((tmp_path / "article.schema.json").read_text())
    assert "statement" in article["properties"]["kind"]["enum"]
    assert all(field.get("description") for field in article["properties"].values())


def test_shipped_yaml_points_editors_at_the_schemas() -> None:
    files = [*ROOT.glob("issues/*/issue.yaml"), ROOT / "issues" / "publication.yaml"]
    for path in files:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file(), path


# --- copyfit -------------------------------------------------------------------------


@pytest.mark.parametrize("number", [20, 21, 22, 23])
def test_copyfit_of_the_shipped_issues(project: Project, shipped: dict, number: int) -> None:
    issue, archive, printed = shipped[number]
    fit = issue_fit(load(project, ROOT / issue.folder), project.archive_path(_publication(), number))
    assert fit.pages == len(archive.pages)
    assert fit.blanks == len(printed.pages) - len(archive.pages)
    assert [a.title for a in fit.articles] == [a.title for a in issue.articles]
    starts = [archive.get_destination_page_number(item) + 1 for item in archive.outline]
    assert [a.first_page for a in fit.articles] == starts
    assert all(a.first_page <= a.last_page < fit.pages for a in fit.articles)
    assert math.isclose(
        sum(a.pages for a in fit.articles), fit.end - fit.articles[0].first_page + 1, abs_tol=1
    )
    assert fit.pages - 2 <= fit.end <= fit.pages - 1  # the articles end on the page before the back page
    assert 500 < fit.words_per_page < 1100
    # cutting to the multiple below and adding to the one above span exactly the pages between
    span = (fit.above - fit.below) * fit.words_per_page
    assert abs(fit.cut_words + fit.add_words - span) <= 10


def _publication():
    return load_publication(ROOT / "issues", ROOT)


def test_fit_builds_when_out_of_date_and_reads_the_pdf_after(scratch: Path) -> None:
    first = run_layout(scratch, "fit", "issues/001")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("No 1: built\n")
    assert (
        "No 1: 2 pages: 2 short of 4, so the print edition gets 2 blank pages (pages 2-3)"
        " before the back page (page 4)" in first.stdout
    )
    assert "  1            " in first.stdout and "A small test article" in first.stdout
    assert "Preflight:" in first.stdout
    again = run_layout(scratch, "fit", "issues/001")
    assert again.returncode == 0
    assert "built" not in again.stdout
    assert again.stdout.split("\n", 1)[0] == first.stdout.split("\n")[1]


def test_fit_on_an_archive_edition_that_is_not_the_issue_s_says_so(scratch: Path) -> None:
    assert run_layout(scratch, "build").returncode == 0
    archive = scratch / "build" / "issues" / "the-spark-001.pdf"
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(archive)  # replaced behind the build's back: no bookmarks, one article
    fitted = run_layout(scratch, "fit", "issues/001")
    assert fitted.returncode == 2 and "Traceback" not in fitted.stderr
    assert "the-spark-001.pdf: its bookmarks do not match the issue's articles (bookmarks 0, articles 1)" in (
        fitted.stderr
    )


# --- preflight -----------------------------------------------------------------------


def test_preflight_measures_the_photo_in_no_22(project: Project, shipped: dict) -> None:
    publication = _publication()
    (photo,) = placed_images(project.print_path(publication, 22))
    assert photo.page == 5 and photo.pixels == (2400, 1500)
    assert math.isclose(photo.size_mm[0], 87.0, abs_tol=0.5)  # one column of the two
    assert math.isclose(photo.dpi, 2400 / (photo.size_mm[0] / 25.4), rel_tol=1e-6)
    assert 690 < photo.dpi < 710
    (screen,) = placed_images(project.archive_path(publication, 22))
    assert screen.page == 5 and screen.size_mm == pytest.approx(photo.size_mm)  # placed alike in both
    assert check_images(project.print_path(publication, 22)) == []


def test_preflight_of_the_shipped_issues(project: Project, shipped: dict) -> None:
    publication = _publication()
    for number, (issue, _, _) in shipped.items():
        printed, archive = project.print_path(publication, number), project.archive_path(publication, number)
        assert check_fonts(printed) == check_fonts(archive) == []
        assert check_safe_margin(printed) == []
        assert check_contents(printed, archive, [a.title for a in issue.articles]) == []
        # footnote calls and markers at 7 pt, no 20's chart drawn so that its labels print at 7.5 pt
        assert check_text_sizes(printed) == []


@pytest.fixture
def tripping(scratch: Path) -> Path:
    """The scratch issue made to trip every preflight check: a tiny image, small text, text at
    the edge of the page, contents without page numbers (a style of its own in the scratch folder)."""
    (scratch / "styles").unlink()
    shutil.copytree(ROOT / "styles", scratch / "styles")
    css = scratch / "styles" / "spark" / "style.css"
    css.write_text(
        css.read_text() + "\n.article-head .byline { font-size: 5pt; }\n@page { margin-left: 3mm; }\n"
        ".masthead { margin-left: -6mm; }\n"  # to the bleed's edge still: beyond it, nothing is set
        ".contents a::after { content: none; }\n"
    )
    issue = scratch / "issues" / "001"
    Image.new("RGB", (40, 25), (176, 28, 34)).save(issue / "figures" / "tiny.png")
    article = issue / "small.md"
    article.write_text(article.read_text() + "\n![Tiny](figures/tiny.png)\n")
    return scratch


def test_preflight_trips_on_every_check(tripping: Path) -> None:
    assert run_layout(tripping, "build", "issues/001").returncode == 0
    result = run_layout(tripping, "check", "--pdf", "issues/001")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "No 1: sources OK (1 article, 14 words); 5 preflight warnings" in out
    image = re.search(r"page 1: image: 40×25 px placed at (\d+)×(\d+) mm is (\d+) dpi \(under 300\)", out)
    assert image, out
    assert int(image[3]) == round(40 / (int(image[1]) / 25.4)) < 20
    assert "build/print/the-spark-001.pdf: page 1: text: 1 run of text at 5.0 pt: 'Test Writer'" in out
    assert "page 1: margin: text " in out and "mm from the left trim edge" in out
    gap = float(out.split("mm from the left trim edge")[0].rsplit(" is ", 1)[1])
    assert 2.5 < gap < 3.5  # the page margin of 3 mm
    assert "page 4: margin: text 'THE SPARK'" in out  # the back page too
    assert "page 1: contents: contents entry 'A small test article' has no page number" in out
    as_json = json.loads(run_layout(tripping, "check", "--pdf", "--json", "issues/001").stdout)
    (issue,) = as_json["issues"]
    assert issue["status"] == "warnings"
    assert sorted(w["check"] for w in issue["warnings"]) == [
        "contents",
        "image",
        "margin",
        "margin",
        "text",
    ]


def test_preflight_finds_a_font_that_is_not_embedded(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    text = pdfium.raw.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", 12.0)
    chars = "Hello\0".encode("utf-16-le")
    buffer = (ctypes.c_ushort * (len(chars) // 2)).from_buffer_copy(chars)
    pdfium.raw.FPDFText_SetText(text, buffer)
    pdfium.raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, 100, 700)
    pdfium.raw.FPDFPage_InsertObject(page.raw, text)
    page.gen_content()
    pdf.save(tmp_path / "plain.pdf")
    (finding,) = check_fonts(tmp_path / "plain.pdf")
    assert finding.page == 1 and finding.check == "font"
    assert finding.message == "Helvetica is not embedded (first used here)"


def test_check_pdf_needs_built_pdfs(scratch: Path) -> None:
    result = run_layout(scratch, "check", "--pdf")
    assert result.returncode == 2
    assert "issues/001/issue.yaml: not built yet: run layout build first" in result.stderr


def test_a_shipped_issue_passes_preflight(project: Project, shipped: dict) -> None:
    # every check runs on the tripping scratch issue (above); the shipped issues pass them all
    publication = _publication()
    issue = shipped[22][0]
    findings = preflight_issue(
        project.print_path(publication, 22),
        project.archive_path(publication, 22),
        [a.title for a in issue.articles],
    )
    assert findings == []


# --- proof ---------------------------------------------------------------------------


def test_spread_pairs() -> None:
    assert spread_pairs(4) == [(None, 1), (2, 3), (4, None)]
    assert spread_pairs(12)[-2:] == [(10, 11), (12, None)]
    assert spread_pairs(1) == [(None, 1)]


def test_proof_writes_a_contact_sheet_and_spreads(scratch: Path) -> None:
    result = run_layout(scratch, "proof", "issues/001")
    assert result.returncode == 0, result.stderr
    assert "wrote build/proofs/the-spark-001-pages.png" in result.stdout
    pages = Image.open(scratch / "build" / "proofs" / "the-spark-001-pages.png").convert("RGB")
    spreads = Image.open(scratch / "build" / "proofs" / "the-spark-001-spreads.png").convert("RGB")
    width = (pages.width - GAP) // 4 - GAP  # 4 pages of the print edition in a row
    assert abs(width - PAGE_WIDTH) <= 1
    page_height = round(width * 297 / 210)
    assert spreads.width == GAP + 3 * (2 * width + GAP)  # 1, 2-3, 4
    red = (176, 28, 34)
    near_top = GAP + 10
    assert _close(pages.getpixel((GAP + 5, near_top)), red)  # the masthead runs into the bleed
    blank = pages.getpixel((GAP + (width + GAP) + width // 2, GAP + page_height // 2))
    assert blank == (255, 255, 255)  # page 2 is a padding blank
    assert not _close(spreads.getpixel((GAP + 5, near_top)), red)  # nothing left of page 1
    assert _close(spreads.getpixel((GAP + width + 5, near_top)), red)  # page 1 on the right


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=False))
