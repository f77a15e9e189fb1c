"""Leaflets: one article of an issue set on its own, for the street, and fitted to its sheets.

A leaflet has a compact masthead naming its source, the article and the Get involved block. One
meant to fit a number of sheets that runs over is reported with the words to cut, a figure
checked by setting the article again with that many words cut from its end.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .build import (
    ImposeResult,
    LoadedIssue,
    Project,
    impose_output,
    load,
    run_parallel,
    style_files,
    typesetter_for,
)
from .errors import LayoutError, Problem
from .impose import Plan
from .manifest import Article, find_issue_dirs
from .stamps import atomic_path, digest_files, read_stamp, write_stamp
from .text import ArticleText, article_text, without_last_words

if TYPE_CHECKING:
    from weasyprint import Document

ONE_SHEET = 2  # pages: a leaflet printed on both sides of one sheet


@dataclass
class LeafletResult:
    """What one leaflet's build did; ``words_over`` is how much to cut to fit ``sheets``."""

    directory: str
    article: str = ""
    title: str = ""
    size: str = "a5"
    pages: int = 0
    sheets: int = 1
    words: int = 0
    words_over: int = 0
    skipped: bool = False
    output: str = ""
    imposed: ImposeResult | None = None
    problems: list[Problem] = field(default_factory=list)


def find_article(loaded: LoadedIssue, reference: str) -> Article:
    """The article a distributor named: by its file name (with or without .md) or its position."""
    articles = loaded.issue.articles
    for article in articles:
        name = Path(article.source).name
        if reference in (name, Path(name).stem, article.slug, str(article.position)):
            return article
    listing = "; ".join(f"{a.position} {Path(a.source).name}" for a in articles)
    where = loaded.issue.folder + "/issue.yaml"
    raise LayoutError([Problem(where, None, "articles", f"no article {reference!r}; it has {listing}")])


def build_leaflet(
    project: Project,
    issue_dir: Path,
    reference: str,
    size: str = "a5",
    sheets: int = 1,
    plan: Plan | None = None,
    force: bool = False,
) -> LeafletResult:
    """Typeset one article as a leaflet (and impose it if ``plan`` says), unless up to date."""
    try:
        loaded = load(project, issue_dir)
        article = find_article(loaded, reference)
    except LayoutError as error:
        return LeafletResult(directory=str(issue_dir), size=size, sheets=sheets, problems=error.problems)
    return _leaflet(project, loaded, article, size, sheets, plan, force)


def _leaflet(
    project: Project,
    loaded: LoadedIssue,
    article: Article,
    size: str,
    sheets: int,
    plan: Plan | None,
    force: bool,
) -> LeafletResult:
    result = LeafletResult(directory=str(loaded.directory), size=size, sheets=sheets)
    try:
        _typeset_leaflet(project, loaded, article, result, force)
        if plan:
            result.imposed = impose_output(project, Path(result.output), plan, force)
    except LayoutError as error:
        result.problems = error.problems
    return result


def _typeset_leaflet(
    project: Project, loaded: LoadedIssue, article: Article, result: LeafletResult, force: bool
) -> None:
    from .typeset import identifier, words_over, write_document

    publication, issue = loaded.publication, loaded.issue
    text = loaded.texts[article.slug]
    result.article, result.title, result.words = Path(article.source).name, article.title, text.words
    target = project.leaflet_path(publication, issue.number, article.slug, result.size)
    result.output = str(target)
    files = [project.issues_root / "publication.yaml", loaded.directory / "issue.yaml"]
    files += [loaded.directory / Path(article.source).name, *(loaded.directory / i for i in text.images)]
    digest = digest_files(files + style_files(project, issue.style), article.slug, result.size)
    stamp = project.stamp_path(target.stem)
    state = None if force else read_stamp(stamp, digest, [target])
    if state and state["sheets"] == result.sheets:
        result.skipped, result.pages, result.words_over = True, state["pages"], state["words_over"]
        return
    document = _lay_out_leaflet(project, loaded, article, text, result.size)
    result.pages = len(document.pages)
    if result.pages > result.sheets * ONE_SHEET:
        guess = words_over(document, result.sheets * ONE_SHEET, text.words)
        result.words_over = _words_to_cut(project, loaded, article, result, guess)
    with atomic_path(target) as temporary:
        write_document(document, temporary, identifier(digest, "leaflet", article.title))
    write_stamp(stamp, digest=digest, pages=result.pages, sheets=result.sheets, words_over=result.words_over)


def _lay_out_leaflet(
    project: Project, loaded: LoadedIssue, article: Article, text: ArticleText, size: str
) -> Document:
    from .render import leaflet_context, render_leaflet

    style_dir = project.style_dir(loaded.issue.style)
    html = render_leaflet(style_dir, leaflet_context(loaded.publication, loaded.issue, article, text, size))
    return typesetter_for(project, loaded.issue.style).layout(html, loaded.directory, article.source)


def _words_to_cut(
    project: Project, loaded: LoadedIssue, article: Article, result: LeafletResult, guess: int
) -> int:
    """Words to cut from the end of the text for the leaflet to fit its sheets, checked by laying out.

    The guess is tried, then raised until the shortened article fits, so that cutting the
    number reported is enough. Lines, widows and blocks kept whole make the guess fall short.
    """
    cut = guess
    while cut < result.words:
        shorter = article.model_copy(update={"body": without_last_words(article.body, cut)})
        trial = _lay_out_leaflet(
            project, loaded, shorter, article_text(shorter, loaded.directory), result.size
        )
        if len(trial.pages) <= result.sheets * ONE_SHEET:
            return cut
        cut = round(cut * 1.2) + 5
    return result.words


def build_leaflets(
    project: Project,
    issue_dirs: list[Path] | None = None,
    size: str = "a5",
    sheets: int = 1,
    plan: Plan | None = None,
    jobs: int = 1,
    force: bool = False,
) -> list[LeafletResult]:
    """Every article of the issues as a leaflet: what the archive site offers for download."""
    dirs = issue_dirs if issue_dirs is not None else find_issue_dirs(project.issues_root)
    task = functools.partial(_issue_leaflets, project, size=size, sheets=sheets, plan=plan, force=force)
    return [result for results in run_parallel(task, dirs, jobs) for result in results]


def _issue_leaflets(
    project: Project, issue_dir: Path, size: str, sheets: int, plan: Plan | None, force: bool
) -> list[LeafletResult]:
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        return [LeafletResult(directory=str(issue_dir), size=size, problems=error.problems)]
    return [_leaflet(project, loaded, a, size, sheets, plan, force) for a in loaded.issue.articles]
