"""Stage 3: the model into HTML through a house style's Jinja2 templates.

The context holds every value already formatted (dates as printed, ids, subject names),
so that templates only loop and print. Autoescape is on and an unknown name is an error.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..model.manifest import Article, FrontMatter, Issue, Link, Publication, Volume, wording_fields
from ..text.hyphenation import is_hyphenated
from ..text.markdown import ArticleText, typographic


def long_date(day: dt.date) -> str:
    """The date as The Spark prints it: ``22 March 2017``."""
    return f"{day.day} {day:%B %Y}"


def count(number: int, noun: str) -> str:
    """``1 page``, ``3 pages``: the one way the project counts things in words."""
    return f"{number} {noun}{'s' * (number != 1)}"


def issue_numbers(numbers: Sequence[int]) -> str:
    """``Nos 20 to 23``, ``Nos 20, 22 and 23``, ``Nos 1 to 10 and 12 to 20``, ``No 21``:
    the issues a volume binds, true where numbers are missing."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [part for run in runs for part in ([f"{run[0]} to {run[-1]}"] if len(run) > 2 else map(str, run))]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{'No' if len(numbers) == 1 else 'Nos'} {listed}"


def date_span(issues: Sequence[Issue]) -> str:
    """``21 March 2017 to 19 May 2017``: the dates of the first and last of ``issues``."""
    first, last = min(i.date for i in issues), max(i.date for i in issues)
    return long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"


def volume_span(issues: Sequence[Issue]) -> str:
    """``Nos 20 to 23, 21 March 2017 to 19 May 2017``: what a volume binds, on its title page,
    in its metadata and on the site."""
    return f"{issue_numbers([i.number for i in issues])}, {date_span(issues)}"


def issue_title(publication: Publication, issue: Issue) -> str:
    """``The Spark no 21, 22 March 2017``: the document title and the site's name for an issue."""
    return f"{publication.name} no {issue.number}, {long_date(issue.date)}"


def run_in(title: str, locator: str) -> str:
    """``Syria in revolt, 21:3``: an index entry with its locator run in, as book indexes set
    them; a title that ends in its own stop (``Whose land?``) takes no comma."""
    return f"{title}{'' if title.endswith(('?', '!', '.', '…')) else ','} {locator}"


def anchor(issue: Issue, article: Article) -> str:
    """An article's id: unique across issues, so that bound volumes keep working links."""
    return f"n{issue.number}-{article.slug}"


@functools.lru_cache(maxsize=8)
def environment(style_dir: Path) -> Environment:
    """The Jinja2 environment of one house style, made once: its templates are compiled once
    (Jinja reloads one whose file has changed, for watch), not at every render."""
    env = Environment(
        loader=FileSystemLoader(style_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["count"] = count
    return env


def publication_context(publication: Publication) -> dict[str, Any]:
    """What every document of the publication prints: contacts, Get involved, statement (with
    curly quotes and dashes, as the articles have them)."""
    return {"publication": printed_publication(publication)}


def printed_publication(publication: Publication) -> Publication:
    """The publication with its printed texts through :func:`typographic`."""

    def curly(item: Link) -> Link:
        text = item.text and typographic(item.text)
        return item.model_copy(update={"label": typographic(item.label), "text": text})

    names = ("name", "publisher", "publisher_short", "statement")
    update: dict[str, Any] = {name: typographic(getattr(publication, name)) for name in names}
    update["get_involved"] = tuple(map(curly, publication.get_involved))
    update["social"] = tuple(map(curly, publication.social))
    return publication.model_copy(update=update)


def printed_front(article: Article, subjects: dict[str, str]) -> dict[str, Any]:
    """Every field of an article's front matter as it is printed: the one view of it that the print
    templates, the site and the EPUB take, so that a field added to FrontMatter reaches them all.
    Its words (Text, LongText) with curly quotes and dashes, its date as printed, its kind as a
    heading, its tags' subjects by name (``subjects``, the publication's); flags and codes as they are."""
    words = wording_fields(FrontMatter)
    printed: dict[str, Any] = {}
    for name in FrontMatter.model_fields:
        value = getattr(article, name)
        if name in words and value:
            value = typographic(value)
        elif isinstance(value, dt.date):
            value = long_date(value)
        printed[name] = value
    printed["kind"] = article.kind.capitalize()
    printed["subjects"] = [subjects[tag] for tag in article.tags]
    return printed


def article_context(
    issue: Issue, article: Article, text: ArticleText, subjects: dict[str, str]
) -> dict[str, Any]:
    """One article as the templates print it: its front matter (:func:`printed_front`), its place in
    the issue and its body."""
    return {
        **printed_front(article, subjects),
        "id": anchor(issue, article),
        "hyphenated": is_hyphenated(article.lang),
        "columns": article.columns,
        "new_page": article.new_page,
        "source": article.source,
        "appeared": None,  # where it first appeared, which a pamphlet prints above it
        "body": Markup(text.html),
    }


def issue_context(publication: Publication, issue: Issue, texts: dict[str, ArticleText]) -> dict[str, Any]:
    """Everything ``issue.html`` prints."""
    subjects = publication.subjects
    tags = dict.fromkeys(tag for article in issue.articles for tag in article.tags)
    return {
        **publication_context(publication),
        "title": issue_title(publication, issue),
        "number": issue.number,
        "date": long_date(issue.date),
        "iso_date": issue.date.isoformat(),
        "theme": issue.theme and typographic(issue.theme),
        "running": f"{publication.name} · No {issue.number} · {long_date(issue.date)}",
        "keywords": ", ".join(subjects[tag] for tag in tags),
        "description": issue.theme or "; ".join(article.title for article in issue.articles),
        "articles": [article_context(issue, a, texts[a.slug], subjects) for a in issue.articles],
    }


def render_issue(
    style_dir: Path, publication: Publication, issue: Issue, texts: dict[str, ArticleText]
) -> str:
    """The issue as one HTML document, ready for WeasyPrint."""
    template = environment(style_dir).get_template("issue.html")
    return template.render(issue_context(publication, issue, texts))


def render_blank(style_dir: Path) -> str:
    """A page that carries nothing but the page box: the padding of the print edition."""
    return environment(style_dir).get_template("blank.html").render()


def leaflet_context(
    publication: Publication,
    issue: Issue,
    article: Article,
    text: ArticleText,
    size: str,
    fitted: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything ``leaflet.html`` prints: one article, where it came from, how to get involved;
    ``fitted``, the text's size and leading a fitted leaflet is set at (leaflets.Setting)."""
    subjects = publication.subjects
    source = issue_title(publication, issue)
    return {
        **publication_context(publication),
        "title": f"{article.title} (from {source})",
        "source": source,
        "size": size,
        "fitted": fitted,
        "iso_date": issue.date.isoformat(),
        "keywords": ", ".join(subjects[tag] for tag in article.tags),
        "description": article.standfirst or article.title,
        "article": article_context(issue, article, text, subjects),
    }


def render_leaflet(style_dir: Path, context: dict[str, Any]) -> str:
    """One article as a leaflet, ready for WeasyPrint."""
    return environment(style_dir).get_template("leaflet.html").render(context)


def render_pamphlet(style_dir: Path, context: dict[str, Any]) -> str:
    """Articles gathered across issues as one pamphlet (``build.pamphlets.pamphlet_context``)."""
    return environment(style_dir).get_template("pamphlet.html").render(context)


def render_pamphlet_blank(style_dir: Path, size: str) -> str:
    """A blank page of a pamphlet of ``size`` (a5, a4): the padding of its print edition."""
    return environment(style_dir).get_template("pamphlet-blank.html").render(size=size)


# A volume's front matter links to ISSUE:FOLIO under this scheme; pages.bind points each at its page.
VOLUME_LINK = "volume-page:"


class Placed(Protocol):
    """An issue as a volume binds it (``pages.bind.BoundIssue``): the issue, and the printed page
    each of its articles starts on, in order."""

    @property
    def issue(self) -> Issue: ...

    @property
    def folios(self) -> tuple[int, ...]: ...


def volume_context(publication: Publication, volume: Volume, bound: Sequence[Placed]) -> dict[str, Any]:
    """Everything ``volume.html`` prints: the contents by issue and the subject index."""
    issues, index = [], {}
    for item in bound:
        articles = []
        for article, folio in zip(item.issue.articles, item.folios, strict=True):
            title = typographic(article.title)  # as the issue printed it
            entry = {
                "title": title,
                "byline": article.byline and typographic(article.byline),
                "label": f"{item.issue.number}:{folio}",
                "indexed": run_in(title, f"{item.issue.number}:{folio}"),
                "href": f"{VOLUME_LINK}{item.issue.number}:{folio}",
            }
            articles.append(entry)
            for tag in article.tags:
                index.setdefault(publication.subjects[tag], []).append(entry)
        issues.append(
            {
                "title": issue_title(publication, item.issue),
                "theme": item.issue.theme and typographic(item.issue.theme),
                "articles": articles,
                "href": f"{VOLUME_LINK}{item.issue.number}:1",
            }
        )
    return {
        **publication_context(publication),
        "title": volume.title,
        "span": volume_span([b.issue for b in bound]),
        "iso_date": bound[-1].issue.date.isoformat(),
        "description": f"{publication.name}, bound volume {volume.id}",
        "keywords": ", ".join(sorted(index)),
        "issues": issues,
        "index": [
            {"subject": subject, "entries": index[subject]} for subject in sorted(index, key=str.lower)
        ],
    }


def render_volume(style_dir: Path, context: dict[str, Any]) -> str:
    """The volume's front matter as HTML."""
    return environment(style_dir).get_template("volume.html").render(context)


def render_note(style_dir: Path, context: dict[str, Any]) -> str:
    """The cover note that says how to print, fold and cut a set of imposed sheets."""
    return environment(style_dir).get_template("note.html").render(context)


def under_title(style_dir: Path, front: dict[str, Any]) -> Markup:
    """What the house style prints under an article's title (its ``_front.html``), from the front
    matter as printed: for the EPUB, which builds the rest of its pages itself."""
    return environment(style_dir).get_template("_front.html").module.under_title(front)
