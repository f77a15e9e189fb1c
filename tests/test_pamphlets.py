"""Pamphlets (issue 22): articles chosen across issues, by subject or by list, with cover, true
contents, source lines, whole texts, the back cover's contacts, padding, booklet and checkers."""

from __future__ import annotations

import re
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from layout.build.pamphlets import (
    Pamphlet,
    Where,
    build_declared,
    build_pamphlet,
    choose,
    load_issues,
    load_pamphlets,
)
from layout.checks.pdfa import check_pdfa
from layout.checks.pdfua import check_pdfua
from layout.model.manifest import load_publication
from layout.pages.impose import booklet_sides
from layout.project import Project
from layout.site.website import SiteResult
from layout.typeset.render import issue_title
from layout.units import MM
from tests.conftest import ARTICLE, building, make_scratch
from tests.test_bad_input import run_layout
from tests.test_issues import words
from tests.test_site import site  # noqa: F401 (the fixture: the site built once in the run)

ROOT = Path(__file__).resolve().parent.parent


def built(project: Project, pamphlet: Pamphlet):
    """Build ``pamphlet`` from ``project``'s issues: its result and its articles, (issue, article)."""
    issues, problems = load_issues(project)
    assert not problems, problems
    publication = load_publication(project.issues_root, project.root)
    chosen = choose(pamphlet, issues, publication, Where("test"))
    result = build_pamphlet(project, pamphlet, chosen, force=True)
    assert not result.problems, [str(p) for p in result.problems]
    return result, chosen


@pytest.fixture(scope="module")
def syria(project: Project, site: SiteResult):  # noqa: F811 (the fixture imported above)
    """The Syria pamphlet of issues/pamphlets.yaml (by tag) as the site built and offers it, in the
    session's build folder: its result (read back, as up to date) and its articles."""
    issues, problems = load_issues(project)
    assert not problems, problems
    declared = load_pamphlets(project, issues, load_publication(project.issues_root, project.root))
    ((pamphlet, chosen),) = [(pamphlet, chosen) for pamphlet, chosen in declared if pamphlet.id == "syria"]
    with building(project):
        result = build_pamphlet(project, pamphlet, chosen)
    assert not result.problems and result.skipped, [str(p) for p in result.problems]
    return result, chosen


def pages_of(path: str) -> list[str]:
    return [words(page.extract_text()) for page in PdfReader(path).pages]


def word_counts(text: str) -> Counter:
    """The words of a text, letters and digits only, lower case: what must all be printed (a word
    with a hyphen as one, whether the hyphen ends a line or not; a note's call apart from its word)."""
    return Counter(re.findall(r"[^\W\d_]+|\d+", re.sub(r"[\u2010\u00ad-]", "", text.lower())))


def test_the_cover_names_the_pamphlet_and_where_its_articles_come_from(syria) -> None:
    result, chosen = syria
    cover = pages_of(result.outputs["archive"])[0]
    assert "THE SPARK" in cover and "Syria" in cover and "the workers’ solidarity" in cover  # set typographic
    assert "Articles from The Spark, 2017" in cover
    assert [article.slug for _, article in chosen][:1] == ["international-perspectives-2017"]  # no 20 first
    dates = [item.issue.date for item, _ in chosen]
    assert dates == sorted(dates) and len(chosen) == 11


def test_the_contents_give_the_pages_where_the_titles_are(syria) -> None:
    result, chosen = syria
    pages = pages_of(result.outputs["archive"])
    contents = pages[1]
    assert contents.startswith("Contents")
    for item, article in chosen:
        title = words(article.title)
        found = re.search(re.escape(title) + r" No \d+, \d+ \w+ \d{4} (\d+)", contents)
        assert found, (title, contents)
        page = int(found.group(1))
        assert unbroken(title) in unbroken(pages[page - 1]), (title, page)
        # headed by where it first appeared, on the page of its title
        assert f"From {issue_title(item.publication, item.issue)}" in pages[page - 1]


def test_every_word_of_every_article_is_printed(syria) -> None:
    result, chosen = syria
    printed = word_counts(" ".join(pages_of(result.outputs["archive"])))
    for item, article in chosen:
        source = re.sub(r"<[^>]+>", " ", item.texts[article.slug].html)
        missing = word_counts(source) - printed
        assert not missing, (article.slug, missing)


def test_the_back_cover_has_the_contacts_and_the_print_edition_is_padded_before_it(syria) -> None:
    result, _ = syria
    archive, printed = pages_of(result.outputs["archive"]), pages_of(result.outputs["print"])
    for pages in (archive, printed):
        assert "GET INVOLVED" in pages[-1] and "+27 822020617" in pages[-1] and "Donate to WIVP" in pages[-1]
    assert len(printed) % 4 == 0 and len(printed) == result.print_pages == len(archive) + result.added
    assert [squeezed(p) for p in printed[: len(archive) - 1]] == [squeezed(p) for p in archive[:-1]]
    assert all(not page for page in printed[len(archive) - 1 : -1])  # the blanks, before the back cover


def unbroken(text: str) -> str:
    """Without hyphens: a title may break at its own (anti-/imperialist), which ``words`` joins."""
    return re.sub(r"[\u2010\u00ad-]", "", text)


def squeezed(text: str) -> str:
    """Letters and digits alone: extractors differ on the spaces between blocks."""
    return "".join(char for char in text if char.isalnum())


def _half(pdf: str, side: int, right: bool) -> str:
    """The text of one half of a side of imposed sheets, as poppler reads it (forms included)."""
    reader = PdfReader(pdf)
    width, height = (round(float(v)) for v in reader.pages[side].mediabox[2:])
    area = ["-x", str(width // 2 if right else 0), "-y", "0", "-W", str(width // 2), "-H", str(height)]
    command = ["pdftotext", "-f", str(side + 1), "-l", str(side + 1), "-r", "72", *area, pdf, "-"]
    return words(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def test_the_booklet_is_in_saddle_stitch_order_with_its_note(syria) -> None:
    result, _ = syria
    imposed = result.imposed
    assert imposed and imposed.output.endswith("pamphlets/syria-booklet-a4.pdf")
    assert Path(imposed.note).is_file() and imposed.sheets == result.print_pages // 4
    printed = pages_of(result.outputs["print"])
    sides = booklet_sides(result.print_pages)
    assert len(PdfReader(imposed.output).pages) == len(sides)
    for side in (0, 1, len(sides) - 1):
        for right, page in ((False, sides[side][0]), (True, sides[side][1])):
            expected = printed[page - 1]
            half = _half(imposed.output, side, right)
            assert sorted(squeezed(half)) == sorted(squeezed(expected)), (
                side,
                page,
            )  # its letters, any order


def test_the_archive_edition_passes_the_pdfa_and_pdfua_checks(syria) -> None:
    result, chosen = syria
    archive = Path(result.outputs["archive"])
    assert check_pdfa(archive) == [] and check_pdfua(archive) == []
    outline = [item.title for item in PdfReader(archive).outline if not isinstance(item, list)]
    assert len(outline) == len(chosen)


def two_issues(tmp_path: Path) -> Project:
    """A scratch project with no 1 (2017) and no 2 (2016, two articles, one with a figure)."""
    make_scratch(tmp_path)
    second = tmp_path / "issues" / "002"
    (second / "figures").mkdir(parents=True)
    (second / "figures" / "dot.svg").write_text((tmp_path / "issues/001/figures/dot.svg").read_text())
    (second / "issue.yaml").write_text(
        "number: 2\ndate: 2016-11-05\narticles:\n  - file: first.md\n  - file: second.md\n"
    )
    older = ARTICLE.replace("2017-01-02", "2016-10-01")
    (second / "first.md").write_text(older.replace("A small test article", "An older article"))
    (second / "second.md").write_text(
        older.replace("A small test article", "Not chosen").replace("syria", "labour")
    )
    return Project(tmp_path, tmp_path / "build")


def test_a_pamphlet_by_list_keeps_the_order_given_and_spans_the_years(tmp_path: Path) -> None:
    project = two_issues(tmp_path)
    pamphlet = Pamphlet("mine", "Two articles", picks=((1, "small.md"), (2, "1")))
    result, chosen = built(project, pamphlet)
    assert [a.title for _, a in chosen] == ["A small test article", "An older article"]
    pages = pages_of(result.outputs["archive"])
    assert "Articles from The Spark, 2016–2017" in pages[0]
    assert pages[1].index("A small test article") < pages[1].index("An older article")
    assert "Not chosen" not in " ".join(pages)
    assert "From The Spark no 2, 5 November 2016" in " ".join(pages)
    assert check_pdfa(Path(result.outputs["archive"])) == []  # both issues' figures found and embedded


def test_declared_pamphlets_are_built_once_and_kept(tmp_path: Path) -> None:
    project = two_issues(tmp_path)
    (tmp_path / "issues" / "pamphlets.yaml").write_text(
        "pamphlets:\n  - id: syria\n    title: Syria\n    tag: syria\n"
        "  - id: list\n    title: A list\n    size: a4\n    articles:\n      - 2:2\n      - 1:small.md\n"
    )
    first = build_declared(project)
    assert [(r.id, r.articles, r.skipped) for r in first] == [("syria", 2, False), ("list", 2, False)]
    again = build_declared(project)
    assert all(r.skipped and not r.problems for r in again)
    second = tmp_path / "issues" / "002" / "second.md"
    second.write_text(second.read_text().replace("Not chosen", "Edited"))
    third = {r.id: r.skipped for r in build_declared(project)}
    assert third == {"syria": True, "list": False}  # only the pamphlet that prints the edited article


def test_pamphlets_yaml_problems_are_located(tmp_path: Path) -> None:
    two_issues(tmp_path)
    (tmp_path / "issues" / "pamphlets.yaml").write_text(
        textwrap.dedent("""\
        pamphlets:
          - id: one
            title: One
            tag: syrai
          - id: one
            title: Two
            articles:
              - 1:gone.md
              - 7:1
              - small
          - id: three
            title: Three
        """)
    )
    result = run_layout(tmp_path, "build", "-j", "1")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    tag = "issues/pamphlets.yaml:4: pamphlets[0].tag: 'syrai' is not a subject of publication.yaml"
    assert f"{tag}: did you mean syria?" in lines
    assert "issues/pamphlets.yaml:5: pamphlets[1].id: 'one' is used twice (also pamphlet 1)" in lines
    assert any(
        line.startswith("issues/pamphlets.yaml:8: pamphlets[1].articles[0]: issue 1 has no article 'gone.md'")
        for line in lines
    )
    assert any(
        line.startswith("issues/pamphlets.yaml:9: pamphlets[1].articles[1]: there is no issue 7")
        for line in lines
    )
    assert any(
        line.startswith("issues/pamphlets.yaml:10: pamphlets[1].articles[2]: 'small' names no article")
        for line in lines
    )
    assert "issues/pamphlets.yaml:11: pamphlets[2].articles: give either tag or articles" in lines
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build" / "pamphlets").exists()


def test_the_command_makes_a_pamphlet_and_refuses_bad_articles(tmp_path: Path) -> None:
    two_issues(tmp_path)
    made = run_layout(tmp_path, "pamphlet", "--title", "Two of them", "2:1", "1:1")
    assert made.returncode == 0, made.stderr
    assert "Two of them: 2 articles" in made.stdout
    for name in ("two-of-them.pdf", "print/two-of-them.pdf", "two-of-them-booklet-a4.pdf"):
        assert (tmp_path / "build" / "pamphlets" / name).is_file(), name
    large = run_layout(tmp_path, "pamphlet", "--title", "Large", "--size", "a4", "2:1")
    assert large.returncode == 0, large.stderr
    sheet = PdfReader(tmp_path / "build" / "pamphlets" / "large-booklet-a4.pdf").pages[0].mediabox
    assert (round(sheet.width / MM), round(sheet.height / MM)) == (
        297,
        210,
    )  # its A4 pages as A5, as the site's
    bad = run_layout(tmp_path, "pamphlet", "--title", "Bad", "2:9", "x", "5:1")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "layout pamphlet: 2:9: issue 2 has no article '9'; it has 1 first.md; 2 second.md" in bad.stderr
    assert "layout pamphlet: x: 'x' names no article" in bad.stderr
    assert "layout pamphlet: 5:1: there is no issue 5" in bad.stderr
    neither = run_layout(tmp_path, "pamphlet", "--title", "None")
    assert neither.returncode == 2 and "give either --tag TAG or the articles" in neither.stderr
    unknown = run_layout(tmp_path, "pamphlet", "--title", "T", "--tag", "nothing-here")
    assert unknown.returncode == 2 and "--tag: 'nothing-here' is not a subject" in unknown.stderr


def test_the_sites_pamphlet_of_a_large_subject_gathers_its_newest_articles(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from layout.build import pamphlets

    issues, problems = load_issues(project)
    assert not problems
    publication = load_publication(project.issues_root, project.root)
    every = pamphlets.tagged(issues, "syria")
    monkeypatch.setattr(pamphlets, "SUBJECT_PAMPHLET_MOST", 3)
    pamphlet, chosen = pamphlets.subject_pamphlets(project, issues, publication, [])["syria"]
    assert [article.title for _, article in chosen] == [article.title for _, article in every[-3:]]
    assert pamphlet.subtitle == f"The newest 3 of its {len(every)} articles" and pamphlet.newest == 3
    again = choose(pamphlet, issues, publication, Where("test"))  # as the worker that sets it chooses
    assert [article.title for _, article in again] == [article.title for _, article in chosen]
