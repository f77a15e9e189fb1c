"""A site that scales: a build after a one-article edit rewrites only what the edit changed.

A small archive (two issues, three articles) is built into a site, built again unchanged, then
built once more after a word of one article is changed. Every file of the site and of the build
folder is compared by its modification time in nanoseconds: a file whose bytes are the same is
not written again, and no other article's leaflet is typeset again.
"""

from __future__ import annotations

import fnmatch
import re
import textwrap
from pathlib import Path

import pytest

from layout.project import Project
from layout.site.website import build_site
from tests.conftest import ARTICLE, make_scratch

pytestmark = pytest.mark.slow

# What an edit to the body of article "second" of no 1 may rewrite: its issue's pages (each shows
# the issue's PDFs with their sizes) and PDFs, its leaflet, the issue's EPUB and cover, the feeds
# (the issues' feed gives each PDF's length), and the search's chunks and word lists, whose names
# change with their content (and so the record of what the site holds). Nothing of no 2, no other
# leaflet, no share image, no asset, not the index.
MAY_CHANGE = [
    ".layout-site.json",
    "issues/001/index.html",
    "issues/001/*/index.html",
    "pdf/the-spark-001*.pdf",
    "pdf/leaflets/the-spark-001-second-a5.pdf",
    "epub/the-spark-001.epub",
    "covers/the-spark-001-*.webp",
    "feed.atom",
    "feed-articles.atom",
    "pagefind/*",
    "search/words-*.json",
    "pdf/pamphlets/subject-syria*.pdf",  # the pamphlet of the article's subject, and its page, which
    "subjects/syria/index.html",  # offers it with its size
]


def snapshot(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` by its path there, with its modification time in nanoseconds."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """What was written, added or removed between two snapshots."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Two issues: no 1 with articles "small" and "second", no 2 with "third"."""
    root = make_scratch(tmp_path_factory.mktemp("scale"))
    first = root / "issues" / "001"
    (first / "second.md").write_text(ARTICLE.replace("A small test article", "A second article"))
    (first / "issue.yaml").write_text((first / "issue.yaml").read_text() + "  - file: second.md\n")
    other = root / "issues" / "002"
    (other / "figures").mkdir(parents=True)
    (other / "figures" / "dot.svg").write_bytes((first / "figures" / "dot.svg").read_bytes())
    (other / "third.md").write_text(ARTICLE.replace("A small test article", "A third article"))
    manifest = """\
        number: 2
        date: 2017-03-01
        articles:
          - file: third.md
        """
    (other / "issue.yaml").write_text(textwrap.dedent(manifest))
    return Project(root=root, out=root / "build")


def test_a_one_article_edit_rewrites_only_what_it_changed(archive: Project):
    site = archive.out / "site"
    build_site(archive, site)
    built, leaflets = snapshot(site), snapshot(archive.out / "leaflets")
    assert {"index.html", "issues/001/second/index.html", "pdf/leaflets/the-spark-002-third-a5.pdf"} <= set(
        built
    )
    assert any(name.startswith("pagefind/") for name in built)

    build_site(archive, site)
    assert changed(built, snapshot(site)) == set(), "a build with nothing changed writes nothing"

    article = archive.issues_root / "001" / "second.md"
    article.write_text(article.read_text().replace("The first paragraph", "The opening paragraph"))
    build_site(archive, site)
    after = snapshot(site)
    rewritten = changed(built, after)
    unexpected = {name for name in rewritten if not any(fnmatch.fnmatch(name, p) for p in MAY_CHANGE)}
    assert unexpected == set(), "rewritten though the edit did not change them"
    assert {"issues/001/second/index.html", "pdf/leaflets/the-spark-001-second-a5.pdf"} <= rewritten
    assert "opening paragraph" in (site / "issues/001/second/index.html").read_text()
    retypeset = changed(leaflets, snapshot(archive.out / "leaflets"))
    assert retypeset == {"the-spark-001-second-a5.pdf"}, "only the edited article's leaflet is set again"


def test_covers_are_sent_at_the_size_they_are_shown(archive: Project):
    from PIL import Image

    site = archive.out / "site"
    if not (site / "index.html").is_file():
        build_site(archive, site)
    covers = re.findall(r'<img class="cover"[^>]*>', (site / "index.html").read_text())
    assert len(covers) == 3, covers  # the latest issue's, then a card for each issue
    for index, tag in enumerate(covers):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        candidates = [c.split() for c in attributes["srcset"].split(", ")]
        assert [int(width.removesuffix("w")) for _, width in candidates] == [200, 280, 560]
        for url, width in candidates:
            with Image.open(site / url) as image:
                assert image.width == int(width.removesuffix("w"))
        with Image.open(site / attributes["src"]) as image:
            assert (attributes["width"], attributes["height"]) == (str(image.width), str(image.height))
        assert attributes["decoding"] == "async" and attributes["sizes"]
        assert attributes["loading"] == ("eager" if index == 0 else "lazy")
        assert ("fetchpriority" in attributes) == (index == 0)  # the first screen's, fetched first


def test_the_index_shows_the_newest_issues_and_a_page_for_each_year_the_rest(
    archive: Project, monkeypatch: pytest.MonkeyPatch
):
    from layout.site import website as site_module

    monkeypatch.setattr(site_module, "INDEX_ISSUES", 1)  # two issues here: one on the index
    site = build_site(archive, archive.out / "bounded").root
    index = (site / "index.html").read_text()
    cards = re.findall(r'<li class="issue-card">\s*<a href="([^"]+)"', index)
    assert cards == ["issues/002/index.html"], "only the newest issue has a card on the index"
    assert "Recent issues" in index and 'href="years/2017/index.html"' in index
    year = (site / "years" / "2017" / "index.html").read_text()
    cards = re.findall(r'<li class="issue-card">\s*<a href="([^"]+)"', year)
    assert cards == ["../../issues/002/index.html", "../../issues/001/index.html"]  # newest first
    assert '<h1 class="page-title">2017</h1>' in year and "2 issues" in year
    for link in re.findall(r'(?:href|src)="([^"#]+)"', year):  # covers, issues, the stylesheet
        if not re.match(r"[a-z]+:", link):
            assert (site / "years" / "2017" / link.split("?")[0]).exists(), link
