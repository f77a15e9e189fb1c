"""Leaflets: one article of an issue set on its own, for the street, and fitted to its sheets.

A leaflet has a compact masthead naming its source, the article and the Get involved block. One
meant to fit a number of sheets that runs over is reported with the words to cut: the fewest
that fit, found by setting the article again with words cut from its end.

A fitted leaflet (``fit``) is set at the most readable of the settings within the limits (type
size, leading; columns as the page's measure allows) that fills no more than its sheets: the
words to cut are reported only when even the densest setting runs over, and are counted at it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import atomic_path
from ..model.errors import LayoutError, Problem
from ..model.manifest import Article, find_issue_dirs
from ..pages.impose import Plan
from ..project import Project
from ..text.markdown import ArticleText, article_text, without_last_words
from .imposing import ImposeResult, impose_output
from .issues import lost_issue
from .loading import LoadedIssue, load
from .parallel import run_parallel
from .stamps import digest_files, read_stamp, write_stamp
from .typesetters import style_files, typesetter_for

if TYPE_CHECKING:
    from weasyprint import Document

ONE_SHEET = 2  # pages: a leaflet printed on both sides of one sheet
OFFICE_DPI = 300  # what office laser printers and photocopiers print: more is only a larger file

# The limits of a fitted leaflet's text. Under 8.5 pt a leaflet handed out in the street is not
# read; over the largest size a short statement looks shouted. The leading goes from the house
# style's 1.32 times the size down to 1.2 times it (tighter, the lines run together), and only at
# the smallest size: a larger type on a tighter leading reads worse than a smaller type set openly.
SMALLEST_POINTS = 8.5
LARGEST_POINTS = {"a5": 11.0, "a4": 12.0}
POINTS_STEP = 0.25
OPEN_LEADING, TIGHT_LEADING = 1.32, 1.2
NUMBERS = {1: "one", 2: "two"}


@dataclass(frozen=True, slots=True)
class Setting:
    """How a fitted leaflet's text is set: its body type and leading, in points, and its columns.

    Columns are not a choice made to fit: A5 is set in one column (two would be 60 mm, too narrow
    for justified text), A4 in two (one would run to 130 characters a line at 8.5 pt), or in the
    one column an article asks for (a wide table).
    """

    points: float
    leading: float
    columns: int

    def describe(self) -> str:
        """``9.5 pt on 12.5 pt, one column``: what a fitted leaflet's report says it chose."""
        columns = f"{NUMBERS[self.columns]} column{'s' * (self.columns != 1)}"
        return f"{self.points:g} pt on {self.leading:g} pt, {columns}"

    def context(self) -> dict[str, str]:
        """The values the leaflet's template hands its stylesheet."""
        return {"size": f"{self.points:g}pt", "leading": f"{self.leading:g}pt"}


def settings(size: str, columns: int) -> list[Setting]:
    """The settings a leaflet may be fitted at, from the most readable (largest type) to the densest.

    Each holds more text than the one before: the type a quarter point smaller, then, at the
    smallest size, the leading a quarter point tighter.
    """
    columns = columns if size == "a4" else 1
    steps = round((LARGEST_POINTS[size] - SMALLEST_POINTS) / POINTS_STEP)
    sizes = [LARGEST_POINTS[size] - n * POINTS_STEP for n in range(steps + 1)]
    chosen = [Setting(points, _quarter(points * OPEN_LEADING), columns) for points in sizes]
    leading = chosen[-1].leading - POINTS_STEP
    while leading >= SMALLEST_POINTS * TIGHT_LEADING - 0.01:
        chosen.append(Setting(SMALLEST_POINTS, leading, columns))
        leading -= POINTS_STEP
    return chosen


def _quarter(points: float) -> float:
    return round(points * 4) / 4


@dataclass
class LeafletResult:
    """What one leaflet's build did; ``words_over`` is how much to cut to fit ``sheets``, counted
    only if ``count_over`` (the site offers a leaflet that runs over as it is, and says no more):
    None where it runs over uncounted."""

    directory: str
    article: str = ""
    title: str = ""
    size: str = "a5"
    pages: int = 0
    sheets: int = 1
    fit: bool = False
    setting: Setting | None = None  # what a fitted leaflet was set at
    words: int = 0
    words_over: int | None = 0
    count_over: bool = True
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
    fit: bool = False,
) -> LeafletResult:
    """Typeset one article as a leaflet (and impose it if ``plan`` says), unless up to date.

    With ``fit``, at the most readable setting that keeps it to ``sheets``.
    """
    wanted = LeafletResult(directory=str(issue_dir), size=size, sheets=sheets, fit=fit)
    try:
        loaded = load(project, issue_dir)
        article = find_article(loaded, reference)
    except LayoutError as error:
        wanted.problems = error.problems
        return wanted
    return _leaflet(project, loaded, article, wanted, plan, force)


def _leaflet(
    project: Project,
    loaded: LoadedIssue,
    article: Article,
    wanted: LeafletResult,
    plan: Plan | None,
    force: bool,
) -> LeafletResult:
    """The leaflet ``wanted`` (its size, sheets and fit) of one article: typeset, then imposed."""
    result = replace(wanted, directory=str(loaded.directory), problems=[])
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
    from ..typeset.pdf import identifier, words_over, write_document

    publication, issue = loaded.publication, loaded.issue
    text = loaded.texts[article.slug]
    result.article, result.title, result.words = Path(article.source).name, article.title, text.words
    target = project.leaflet_path(publication, issue.number, article.slug, result.size)
    result.output = str(target)
    files = [project.issues_root / "publication.yaml", loaded.directory / "issue.yaml"]
    files += [loaded.directory / Path(article.source).name, *(loaded.directory / i for i in text.images)]
    fitted = ["fit", str(result.sheets)] if result.fit else []  # a fitted leaflet depends on its sheets
    digest = digest_files(files + style_files(project, issue.style), article.slug, result.size, *fitted)
    stamp = project.stamp_path(target.stem)
    state = None if force else read_stamp(stamp, digest, [target])
    uncounted = state is not None and state["words_over"] is None and result.count_over  # set by the site
    if state and state["sheets"] == result.sheets and not uncounted:
        result.skipped, result.pages, result.words_over = True, state["pages"], state["words_over"]
        result.setting = Setting(**state["setting"]) if state.get("setting") else None
        return
    pages = result.sheets * ONE_SHEET
    if result.fit:
        result.setting, document = _fitted(project, loaded, article, text, result.size, pages)
    else:
        document = _lay_out_leaflet(project, loaded, article, text, result.size)
    result.pages = len(document.pages)
    if result.pages > pages and result.count_over:
        guess = words_over(document, pages, text.words)
        result.words_over = _words_to_cut(project, loaded, article, result, guess)
    elif result.pages > pages:
        result.words_over = None  # offered as it is, uncounted
    with atomic_path(target) as temporary:
        write_document(document, temporary, identifier(digest, "leaflet", article.title), dpi=OFFICE_DPI)
    setting = asdict(result.setting) if result.setting else None
    write_stamp(
        stamp,
        digest=digest,
        pages=result.pages,
        sheets=result.sheets,
        words_over=result.words_over,
        setting=setting,
    )


def _lay_out_leaflet(
    project: Project,
    loaded: LoadedIssue,
    article: Article,
    text: ArticleText,
    size: str,
    setting: Setting | None = None,
) -> Document:
    from ..typeset.render import leaflet_context, render_leaflet

    style_dir = project.style_dir(loaded.issue.style)
    fitted = setting.context() if setting else None
    context = leaflet_context(loaded.publication, loaded.issue, article, text, size, fitted)
    html = render_leaflet(style_dir, context)
    return typesetter_for(project, loaded.issue.style).layout(html, loaded.directory, article.source)


def _fitted(
    project: Project, loaded: LoadedIssue, article: Article, text: ArticleText, size: str, pages: int
) -> tuple[Setting, Document]:
    """The most readable setting at which the leaflet takes no more than ``pages``, and its layout.

    The settings hold more text the further down their list (``settings``), so the first that
    fits is found by halving: the most readable is tried first (a short article fits at once),
    then the densest (a long one fits at none: the densest is what it is set at), then the
    middle of what is left, 6 layouts at most for the 15 settings of an A5 leaflet.
    """
    candidates = settings(size, article.columns)
    layouts: dict[int, Document] = {}

    def fits(index: int) -> bool:
        if index not in layouts:
            layouts[index] = _lay_out_leaflet(project, loaded, article, text, size, candidates[index])
        return len(layouts[index].pages) <= pages

    last = len(candidates) - 1
    if fits(0) or not fits(last):
        chosen = 0 if fits(0) else last
        return candidates[chosen], layouts[chosen]
    too_loose, dense_enough = 0, last
    while dense_enough - too_loose > 1:
        middle = (too_loose + dense_enough) // 2
        too_loose, dense_enough = (too_loose, middle) if fits(middle) else (middle, dense_enough)
    return candidates[dense_enough], layouts[dense_enough]


def _words_to_cut(
    project: Project, loaded: LoadedIssue, article: Article, result: LeafletResult, guess: int
) -> int:
    """The fewest words to cut from the end of the text for the leaflet to fit its sheets.

    Found by laying the shortened leaflet out (a fitted one at the densest setting it was set
    at): a bracket is widened from the estimate ``guess``
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
            layout = _lay_out_leaflet(project, loaded, shorter, text, result.size, result.setting)
            trials[cut] = len(layout.pages) <= pages
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
    fit: bool = False,
    count_over: bool = True,
) -> list[LeafletResult]:
    """Every article of the issues as a leaflet (``fit``: each fitted to ``sheets``; ``count_over``:
    the words to cut from one that runs over counted): what the archive site offers for download."""
    dirs = issue_dirs if issue_dirs is not None else find_issue_dirs(project.issues_root)
    wanted = LeafletResult(directory="", size=size, sheets=sheets, fit=fit, count_over=count_over)
    task = functools.partial(_issue_leaflets, project, wanted=wanted, plan=plan, force=force)

    def lost(issue_dir: Path) -> list[LeafletResult]:
        return [replace(wanted, directory=str(issue_dir), problems=[lost_issue(issue_dir)])]

    return [result for results in run_parallel(task, dirs, jobs, on_lost=lost) for result in results]


def _issue_leaflets(
    project: Project, issue_dir: Path, wanted: LeafletResult, plan: Plan | None, force: bool
) -> list[LeafletResult]:
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        return [replace(wanted, directory=str(issue_dir), problems=error.problems)]
    return [_leaflet(project, loaded, a, wanted, plan, force) for a in loaded.issue.articles]
