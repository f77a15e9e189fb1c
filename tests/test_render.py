"""The render stage: one Jinja2 environment per house style, a template read again when it is edited."""

from __future__ import annotations

import os
from pathlib import Path

from layout.typeset.render import environment


def test_a_style_has_one_environment_and_an_edited_template_is_read_again(tmp_path: Path) -> None:
    template = tmp_path / "page.html"
    template.write_text("first {{ n }}")
    env = environment(tmp_path)
    assert env.get_template("page.html").render(n=1) == "first 1"
    template.write_text("second {{ n }}")
    os.utime(template, (template.stat().st_atime + 5, template.stat().st_mtime + 5))  # a later edit
    assert environment(tmp_path) is env  # compiled once, not at every render
    assert env.get_template("page.html").render(n=2) == "second 2"


# --- the front matter, declared once and carried whole -------------------------------------------


def _every_field(tmp_path: Path, entry: str = "") -> tuple:
    """A scratch issue whose article sets every front-matter field, each field of words (Text,
    LongText) with straight quotes and a double hyphen, so that one forgotten on its way to print
    shows them; ``entry``, more lines of the issue's entry for it. The publication and the issue."""
    from layout.model.manifest import FrontMatter, load_issue, load_publication, wording_fields

    from .conftest import make_scratch

    root = make_scratch(tmp_path)
    issue_dir = root / "issues" / "001"
    values = {"kind": "analysis", "date": "2017-01-02", "tags": "[syria]", "lang": "af-ZA", "sample": "true"}
    values |= {name: f"\"The '{name}' -- ours\"" for name in wording_fields(FrontMatter)}
    missing = set(FrontMatter.model_fields) - set(values)
    assert not missing, f"give the new front-matter field {missing} a value here"
    front = "".join(f"{name}: {value}\n" for name, value in values.items())
    (issue_dir / "small.md").write_text(f"---\n{front}---\nThe first paragraph.\n")
    manifest = issue_dir / "issue.yaml"
    manifest.write_text(manifest.read_text() + entry)
    publication = load_publication(root / "issues", root)
    return publication, load_issue(issue_dir, publication, root)


def test_every_front_matter_field_reaches_the_print_templates_and_the_site_as_printed(
    tmp_path: Path,
) -> None:
    from layout.model.manifest import FrontMatter, wording_fields
    from layout.site.website import _article_entry
    from layout.text.markdown import article_text
    from layout.typeset.render import article_context

    publication, issue = _every_field(tmp_path)
    article = issue.articles[0]
    text = article_text(article, tmp_path / "issues" / "001")
    context = article_context(issue, article, text, publication.subjects)
    entry = _article_entry(publication, issue, article, "issues/001/index.html", None)
    for view in (context, entry):
        assert set(FrontMatter.model_fields) <= set(view)
        for name in wording_fields(FrontMatter):
            assert view[name] == f"The ‘{name}’ – ours", name
        assert (view["kind"], view["date"], view["lang"], view["sample"]) == (
            "Analysis",
            "2 January 2017",
            "af-ZA",
            True,
        )
        assert view["tags"] == ("syria",)
    assert context["subjects"] == ["Syria"]
    assert entry["subjects"] == [("Syria", "subjects/syria/index.html")]


def test_the_issues_title_and_byline_win_over_the_articles_own_everywhere(tmp_path: Path) -> None:
    from lxml import etree

    from layout.site.epub import article_body
    from layout.site.website import _article_entry
    from layout.text.markdown import article_text
    from layout.typeset.render import render_issue

    entry = "    title: Mine -- the issue's\n    byline: The 'editors'\n"
    publication, issue = _every_field(tmp_path, entry)
    article = issue.articles[0]
    assert (article.title, article.byline) == ("Mine -- the issue's", "The 'editors'")
    assert article.standfirst == "The 'standfirst' -- ours"  # not overridden: the article's own
    issue_dir = tmp_path / "issues" / "001"
    style = tmp_path / "styles" / publication.style
    html = render_issue(style, publication, issue, {article.slug: article_text(article, issue_dir)})
    byline = '<p class="byline">The ‘editors’</p>'
    standfirst = '<p class="standfirst">The ‘standfirst’ – ours</p>'  # the article's own
    assert f'id="n1-small">Mine – the issue’s</h2>\n{byline}' in html and standfirst in html
    assert "‘title’" not in html and "‘byline’" not in html
    site = _article_entry(publication, issue, article, "issues/001/index.html", None)
    assert (site["title"], site["byline"]) == ("Mine – the issue’s", "The ‘editors’")
    epub = etree.tostring(article_body(article, "<p>x</p>", {}, style, publication.subjects), encoding=str)
    assert f'<h1 id="title">Mine – the issue’s</h1>{byline}' in epub and standfirst in epub


def test_a_volumes_contents_and_index_print_titles_as_the_issue_does(tmp_path: Path) -> None:
    """Straight quotes and a double hyphen in a title, byline and theme come out curly and as a dash
    in a volume's contents and subject index, as they do in the issue itself."""
    from dataclasses import dataclass

    from layout.model.manifest import Issue, Volume
    from layout.typeset.render import volume_context

    publication, issue = _every_field(tmp_path)
    issue = issue.model_copy(update={"theme": "Workers' day -- and after"})

    @dataclass(frozen=True)
    class Bound:  # as pages.bind.BoundIssue: the issue and where each article starts
        issue: Issue
        folios: tuple[int, ...]

    volume = Volume(id="2017", title="The Spark 2017", numbers=(1,))
    context = volume_context(publication, volume, [Bound(issue, (2,))])
    (entry,) = context["issues"][0]["articles"]
    assert entry["title"] == "The ‘title’ – ours" and entry["byline"] == "The ‘byline’ – ours"
    assert entry["indexed"] == "The ‘title’ – ours, 1:2"
    assert context["issues"][0]["theme"] == "Workers’ day – and after"
    assert context["index"][0]["entries"] == [entry]
