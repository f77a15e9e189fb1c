"""Whole-output checks of issue 15 on every shipped issue and on the hostile issue (tests/hostile/).

The checks are those an auditor runs on issues we do not see (tests/pdfcheck.py): contents true,
every source word printed in order, nothing beyond the trim, the margins or a column, no text over
text, no empty glyph boxes, running heads naming the article on the page, and refusals located.
The hostile issue is built once per session, into a scratch project, through the command line.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import weasyprint
from PIL import Image

from layout.model.manifest import Issue, load_issue, load_publication
from layout.project import Project
from tests import pdfcheck
from tests.conftest import make_scratch
from tests.hostile.figures import make_figures
from tests.test_bad_input import run_layout

HOSTILE = Path(__file__).resolve().parent / "hostile" / "issue"
NUMBERS = (20, 21, 22, 23)
STYLE = pdfcheck.house_style()


@dataclass(frozen=True)
class Built:
    """One built issue: its model, and each edition's path and pages."""

    issue: Issue
    paths: dict[str, Path]
    pages: dict[str, list[pdfcheck.Page]]


def _read(issue: Issue, archive: Path, printed: Path) -> Built:
    paths = {"archive": archive, "print": printed}
    return Built(issue, paths, {edition: pdfcheck.read_pdf(path) for edition, path in paths.items()})


def _hostile_project(root: Path) -> Path:
    make_scratch(root)
    issue = root / "issues" / "150"
    shutil.copytree(HOSTILE, issue)
    make_figures(issue)
    return root


@pytest.fixture(scope="module")
def hostile_project(shared: Path, once: Callable) -> Path:
    """A scratch project holding the hostile issue as no 150, its large images made: made once in
    the run, for this module and test_accessibility, in every worker (conftest's ``once``)."""
    return once("hostile-project", lambda: _hostile_project(shared / "hostile"))


def _hostile_build(root: Path) -> tuple[int, str]:
    result = run_layout(root, "build", "issues/150", "-j", "1")
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def hostile_build(hostile_project: Path, once: Callable) -> tuple[int, str]:
    """The command line's exit status and its error output for building the hostile issue, once."""
    return once("hostile-build", lambda: _hostile_build(hostile_project))


@pytest.fixture(scope="module")
def hostile(hostile_project: Path, hostile_build: tuple[int, str]) -> Built:
    """The hostile issue, built and read."""
    status, errors = hostile_build
    assert status == 0, errors
    publication = load_publication(hostile_project / "issues", hostile_project)
    issue = load_issue(hostile_project / "issues" / "150", publication, hostile_project)
    project = Project(root=hostile_project, out=hostile_project / "build")
    return _read(issue, project.archive_path(publication, 150), project.print_path(publication, 150))


@pytest.fixture(scope="module")
def shipped_built(shipped: dict, project: Project) -> dict[int, Built]:
    """The shipped issues (built once per session by conftest), read."""
    publication = load_publication(project.issues_root, project.root)
    return {
        number: _read(
            issue, project.archive_path(publication, number), project.print_path(publication, number)
        )
        for number, (issue, _, _) in shipped.items()
    }


ISSUES = [pytest.param(number, id=f"no{number}") for number in NUMBERS] + [pytest.param(150, id="hostile")]
EDITIONS = ("archive", "print")


@pytest.fixture
def built(request: pytest.FixtureRequest, number: int) -> Built:
    """The issue of the parameter ``number``: a shipped one or the hostile one."""
    if number == 150:
        return request.getfixturevalue("hostile")
    return request.getfixturevalue("shipped_built")[number]


# --- the hostile issue is what it says it is ---------------------------------------------------------


def test_hostile_issue_builds_without_a_traceback(
    hostile_build: tuple[int, str], hostile_project: Path
) -> None:
    status, errors = hostile_build
    assert status == 0, errors
    assert "Traceback" not in errors
    checked = run_layout(hostile_project, "check", "issues/150")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No 150: OK (13 articles" in checked.stdout


def test_hostile_issue_covers_what_it_claims(hostile: Built, hostile_project: Path) -> None:
    """Every language, the very long and the very short article, long titles, 40 footnotes, odd images."""
    articles = hostile.issue.articles
    assert {a.lang for a in articles} == {
        "af-ZA",
        "zu-ZA",
        "xh",
        "st",
        "tn",
        "nso",
        "ss",
        "ve",
        "ts",
        "nr",
        "en-ZA",
    }
    counts = [len(a.body.split()) for a in articles]  # footnotes included
    assert max(counts) >= 6000 and min(counts) <= 45, counts
    assert max(len(a.title) for a in articles) >= 250
    assert any(set("ḓḽṅṋṱ") <= set(a.title + a.body) and set("ḓḽṱ") & set(a.title) for a in articles)
    assert max(len(pdfcheck.split_footnotes(a.body)[1]) for a in articles) >= 40
    assert {a.columns for a in articles} == {1, 2} and any(a.new_page for a in articles)
    figures = hostile_project / "issues" / "150" / "figures"
    kinds = {}
    for path in [*figures.glob("*.jpg"), *figures.glob("*.png")]:
        with Image.open(path) as image:
            kinds[path.name] = (image.format, image.mode, image.size)
    assert kinds["taxi-rank.jpg"] == ("JPEG", "RGB", (4000, 3000))
    assert {mode for _, mode, _ in kinds.values()} >= {"RGB", "L", "CMYK", "RGBA", "P"}
    assert (figures / "eleven-languages.svg").exists()


# --- what an auditor checks, on every issue ------------------------------------------------------------


@pytest.mark.parametrize("number", ISSUES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_contents_page_numbers_are_the_pages_of_the_titles(built: Built, edition: str) -> None:
    assert pdfcheck.contents_findings(built.pages[edition], built.issue) == []


@pytest.mark.parametrize("number", ISSUES)
def test_every_word_of_every_article_is_printed_in_order(built: Built) -> None:
    assert pdfcheck.missing_words(built.pages["archive"], built.issue, STYLE) == []


@pytest.mark.parametrize("number", ISSUES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_nothing_is_set_beyond_the_trim_or_the_margins(built: Built, edition: str) -> None:
    assert pdfcheck.off_page_findings(built.pages[edition], STYLE) == []


@pytest.mark.parametrize("number", ISSUES)
def test_nothing_is_set_across_a_column_gap(built: Built) -> None:
    assert pdfcheck.across_column_findings(built.pages["archive"], STYLE) == []


@pytest.mark.parametrize("number", ISSUES)
def test_no_text_is_printed_over_other_text(built: Built) -> None:
    assert pdfcheck.overlap_findings(built.pages["archive"]) == []


@pytest.mark.parametrize("number", ISSUES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_character_prints_as_an_empty_box(built: Built, edition: str) -> None:
    assert pdfcheck.notdef_findings(built.paths[edition], built.pages[edition]) == []


@pytest.mark.parametrize("number", ISSUES)
def test_running_heads_name_the_article_of_the_first_line(built: Built) -> None:
    assert pdfcheck.running_head_findings(built.pages["archive"], built.issue, STYLE) == []


@pytest.mark.parametrize("number", ISSUES)
def test_no_title_is_left_at_the_foot_of_a_page(built: Built) -> None:
    """Built by the code of 2b280ca, no 20 fails: page 5 leaves the open letter's title with 1 line."""
    assert pdfcheck.stranded_title_findings(built.pages["archive"], built.issue, STYLE) == []


@pytest.mark.parametrize("number", ISSUES)
def test_every_table_caption_is_set_with_its_table(built: Built) -> None:
    assert pdfcheck.separated_caption_findings(built.pages["archive"], built.issue, STYLE) == []


def test_an_emoji_with_a_skin_tone_prints_or_is_refused_with_its_line(tmp_path: Path) -> None:
    """The raised fist of a worker's message: a real glyph in the PDF, or exit 2 naming the line."""
    root = make_scratch(tmp_path)
    article = root / "issues" / "001" / "small.md"
    article.write_text(article.read_text().replace("The note.", "Amandla! ✊🏾 Awethu!"))
    result = run_layout(root, "build", "issues/001", "-j", "1")
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert re.search(r"issues/001/small\.md:16: .*(✊|U\+270A|U\+1F3FE)", result.stderr), result.stderr
        assert not list((root / "build").rglob("*.pdf"))
    else:
        assert result.returncode == 0, result.stderr
        archive = next((root / "build" / "issues").glob("*.pdf"))
        assert pdfcheck.notdef_findings(archive, pdfcheck.read_pdf(archive)) == []


# --- the checks themselves can fail --------------------------------------------------------------------


def test_the_word_check_finds_a_word_that_is_not_printed(shipped_built: dict[int, Built]) -> None:
    built = shipped_built[21]
    article = built.issue.articles[3]
    changed = article.model_copy(
        update={"body": article.body.replace("\n\n", "\n\nQuagga zebra okapi.\n\n", 1)}
    )
    articles = list(built.issue.articles)
    articles[3] = changed
    issue = built.issue.model_copy(update={"articles": tuple(articles)})
    (finding,) = pdfcheck.missing_words(built.pages["archive"], issue, STYLE)
    assert finding.startswith(f"{article.source} (text): 3 words missing") and "quagga zebra okapi" in finding


def test_the_contents_check_finds_a_wrong_page_number(shipped_built: dict[int, Built]) -> None:
    built = shipped_built[21]
    pages = built.pages["archive"]
    shifted = pages[:1] + [dataclasses.replace(page, number=page.number + 1) for page in pages[1:]]
    findings = pdfcheck.contents_findings(shifted, built.issue)
    later = [
        a for a in built.issue.articles if pdfcheck.normal(a.title) not in pdfcheck.title_pages(pages)[1]
    ]
    assert len(findings) == len(later) > 0
    assert re.fullmatch(r"contents: '.*' says page (\d+), the title is on \[(\d+)\]", findings[0])


SYNTHETIC = """
<style>
  @page { size: A4; margin: 17mm 15mm 18mm 15mm; }
  body { font: 10pt sans-serif; margin: 0; }
  .columns { columns: 2; column-gap: 6mm; column-rule: 0.4pt solid #c9c2b6; }
  .long { white-space: nowrap; }
  .over { position: absolute; top: 100mm; left: 0; }
</style>
<p class="long">{word}</p>
<div class="columns"><p class="long">{word}</p><p>{text}</p></div>
<p class="over">Printed over</p><p class="over">Other words</p>
<p>A private character no font has: \ue000.</p>
"""


def test_the_page_checks_find_overflow_overlap_and_empty_boxes(tmp_path: Path) -> None:
    html = SYNTHETIC.replace("{word}", "Overflowing" * 30).replace("{text}", "A column of words. " * 100)
    path = tmp_path / "bad.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    pages = pdfcheck.read_pdf(path)
    off = pdfcheck.off_page_findings(pages, STYLE, front_page_bleeds=False)
    assert any("in the right margin" in f for f in off), off
    across = pdfcheck.across_column_findings(pages, STYLE)
    assert across and "set across the column gap" in across[0], across
    overlaps = pdfcheck.overlap_findings(pages)
    assert overlaps and "text printed over other text" in overlaps[0], overlaps
    assert list(pdfcheck.notdef_characters(path)) == ["\ue000"]
    assert (
        "\\ue000" in pdfcheck.notdef_findings(path, pages)[0]
        and "pages [1]" in pdfcheck.notdef_findings(path, pages)[0]
    )


def test_printed_words_leave_out_markup_and_keep_what_is_printed() -> None:
    markdown = textwrap.dedent("""\
        ## A *subhead*

        1. Read [the programme](https://example.org/a_b "title") at <https://example.org/x>.[^1]

        ![A description, not printed](figures/a.svg "The caption")

        | Wages | R 1 500,00 |
        |---|--:|
    """)
    assert pdfcheck.printed_words(markdown) == [
        "a",
        "subhead",
        "read",
        "the",
        "programme",
        "at",
        "httpsexampleorgx",
        "the",
        "caption",
        "wages",
        "r",
        "1",
        "50000",
    ]
    body, notes = pdfcheck.split_footnotes(
        "Text.[^b] More.[^a]\n\n[^a]: First\n    defined.\n[^b]: Called first.\n"
    )
    assert body.strip() == "Text.[^b] More.[^a]" and notes == {
        "a": "First\n    defined.",
        "b": "Called first.",
    }


# --- what an editor gets wrong in the hostile issue is refused with its line -------------------------

MISTAKES = {
    # name: (file, old text, new text, the line the message names: of the new text)
    "footnote called but not written": (
        "wages-rents-fares-fees.md",
        "every month.[^method]",
        "every month.[^methd]",
        "[^methd]",
    ),
    "colon in a title": ("an-injury-to-one.md", "title: An injury to one", "title: Amandla: one", "title:"),
    "quotes nested five deep": (
        "inkululeko-yabasebenzi.md",
        '> > > "You are like family to us.',
        '> > > > > "You are like family to us.',
        "> > > > >",
    ),
}


def _editor_copy(tmp_path: Path, hostile_project: Path) -> Path:
    """A scratch project with a copy of the hostile issue (its images made) as no 150."""
    root = make_scratch(tmp_path)
    shutil.copytree(hostile_project / "issues" / "150", root / "issues" / "150")
    return root


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_mistake_is_refused_with_its_line(tmp_path: Path, hostile_project: Path, name: str) -> None:
    file, old, new, marker = MISTAKES[name]
    root = _editor_copy(tmp_path, hostile_project)
    path = root / "issues" / "150" / file
    assert old in path.read_text(), name
    path.write_text(path.read_text().replace(old, new, 1))
    result = run_layout(root, "build", "issues/150", "-j", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    located = rf"issues/150/{re.escape(file)}:{_line_of(path, marker)}: "
    assert re.search(located, result.stderr), result.stderr
    assert not list((root / "build").rglob("*.pdf"))


def test_a_photograph_cut_short_is_refused_with_the_line_that_places_it(
    tmp_path: Path, hostile_project: Path
) -> None:
    root = _editor_copy(tmp_path, hostile_project)
    photo = root / "issues" / "150" / "figures" / "taxi-rank.jpg"
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 3])
    result = run_layout(root, "build", "issues/150", "-j", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    article = root / "issues" / "150" / "wages-rents-fares-fees.md"
    line = _line_of(article, "figures/taxi-rank.jpg")
    assert re.search(rf"issues/150/wages-rents-fares-fees\.md:{line}: image: .*taxi-rank\.jpg", result.stderr)


def test_an_article_saved_with_a_byte_order_mark_checks(tmp_path: Path, hostile_project: Path) -> None:
    root = _editor_copy(tmp_path, hostile_project)
    article = root / "issues" / "150" / "amandla-awethu.md"
    article.write_bytes(b"\xef\xbb\xbf" + article.read_bytes())
    result = run_layout(root, "check", "issues/150")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_running_head_check_finds_a_head_of_another_article(shipped_built: dict[int, Built]) -> None:
    built = shipped_built[21]
    pages = built.pages["archive"]
    heads = pdfcheck.running_heads(pages, STYLE)
    late = next(n for n in range(len(pages), 2, -1) if heads[n] and heads[n] != heads[2])
    top = STYLE.area(pages[1]).y1
    borrowed = [c for c in pages[late - 1].chars if c.box.y0 > top]  # page 2 gets a later page's head
    changed = dataclasses.replace(pages[1], chars=[c for c in pages[1].chars if c.box.y0 <= top] + borrowed)
    findings = pdfcheck.running_head_findings([pages[0], changed, *pages[2:]], built.issue, STYLE)
    wrong, right = heads[late][:60], heads[2][:60]
    assert findings == [f"page 2: the running head is {wrong!r}, the page starts in {right!r}"]
