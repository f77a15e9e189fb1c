"""Leaflets: one article of an issue set on its own, for the street, and fitted to its sheets.

A leaflet has a compact masthead naming its source, the article and the Get involved block. One
meant to fit a number of sheets that runs over is reported with the words to cut: the fewest
that fit, found by setting the article again with words cut from its end.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .build import (
    ImposeResult,
    LoadedIssue,
    Project,
    impose_output,
    load,
    lost_issue,
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
OFFICE_DPI = 300  # what office laser printers and photocopiers print: more is only a larger file


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
        write_document(document, temporary, identifier(digest, "leaflet", article.title), dpi=OFFICE_DPI)
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
    """The fewest words to cut from the end of the text for the leaflet to fit its sheets.

    Found by laying the shortened leaflet out: a bracket is widened from the estimate ``guess``
    (lines, widows and blocks kept whole make it miss either way) until one end fits and the
    other does not, then halved, so that cutting the number reported fits and cutting one word
    fewer does not. A shortened leaflet is short and quick to set; the trials are at most about
    twice log2 of the words. If even the whole text cut does not fit, that is what is reported.
    """
    pages = result.sheets * ONE_SHEET
    trials: dict[int, bool] = {}

    def fits(cut: int) -> bool:
        if cut not in trials:
            shorter = article.model_copy(update={"body": without_last_words(article.body, cut)})
            text = article_text(shorter, loaded.directory)
            trials[cut] = len(_lay_out_leaflet(project, loaded, shorter, text, result.size).pages) <= pages
        return trials[cut]

    short, enough = _bracket(fits, min(max(guess, 1), result.words), result.words)
    while enough - short > 1:  # cutting ``short`` does not fit, cutting ``enough`` does
        middle = (short + enough) // 2
        short, enough = (short, middle) if fits(middle) else (middle, enough)
    return enough


def _bracket(fits: Callable[[int], bool], guess: int, words: int) -> tuple[int, int]:
    """Cuts around ``guess``, the first too few to fit and the second enough (or all ``words``).

    The step starts at a thirty-second of the guess (which missed by 0.1-1.5 % on 6,000 words), and
    doubles.
    """
    step = max(8, guess // 32)
    if fits(guess):
        enough = guess
        while True:
            lower = max(enough - step, 0)
            if lower == 0 or not fits(lower):  # cutting nothing does not fit: the leaflet runs over
                return lower, enough
            enough, step = lower, step * 2
    short = guess
    while short < words:
        higher = min(short + step, words)
        if fits(higher) or higher == words:
            return short, higher
        short, step = higher, step * 2
    return words - 1, words


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

    def lost(issue_dir: Path) -> list[LeafletResult]:
        return [LeafletResult(directory=str(issue_dir), size=size, problems=[lost_issue(issue_dir)])]

    return [result for results in run_parallel(task, dirs, jobs, on_lost=lost) for result in results]


def _issue_leaflets(
    project: Project, issue_dir: Path, size: str, sheets: int, plan: Plan | None, force: bool
) -> list[LeafletResult]:
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        return [LeafletResult(directory=str(issue_dir), size=size, problems=error.problems)]
    return [_leaflet(project, loaded, a, size, sheets, plan, force) for a in loaded.issue.articles]
