"""Pamphlets: articles chosen across issues, set anew as one booklet for a picket or a meeting.

A pamphlet has its own cover (its title, "Articles from The Spark, 2017", the masthead), a contents
page whose page numbers WeasyPrint fills in (``target-counter``, as an issue's contents), each
article headed by the issue it first appeared in, and the Get involved block on its back cover.
The articles go through the one text stage again (a pamphlet's page size and folios are its own),
never cut out of the issues' PDFs. Like an issue it is written twice from one layout: the archive
edition (tagged, PDF/A-2a and PDF/UA-1) and the print edition, padded to a multiple of 4 pages
before the back cover and imposed as an A5 booklet on A4 with its cover note.

Pamphlets are named on the command line (``layout pamphlet``) or declared in
``issues/pamphlets.yaml``, which ``layout build`` builds; the site offers one for every subject
with two articles or more. Each is rebuilt only when something it is made from changes.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..editions import BOOKLET, editions_for
from ..model.errors import LayoutError, ManifestError, Problem, in_file_order, internal_error
from ..model.manifest import (
    Article,
    Publication,
    display_path,
    find_issue_dirs,
    load_publication,
    parse_yaml,
    read_text,
    validate,
)
from ..model.messages import closest, slugify
from ..model.pamphlets import PamphletsFile
from ..pages.impose import PHOTOCOPIER_BOOKLET, Plan, choose_sheet
from ..project import Project
from ..text.hyphenation import PATTERNS_DIR
from ..text.markdown import typographic
from ..typeset.render import (
    article_context,
    issue_title,
    long_date,
    publication_context,
    render_pamphlet,
    render_pamphlet_blank,
)
from .imposing import impose_output
from .issues import Made, write_editions
from .leaflets import find_article
from .loading import LoadedIssue, load
from .parallel import run_parallel
from .stamps import digest_files, read_stamp, write_stamp
from .typesetters import style_files, typesetter_for

SIZES = ("a5", "a4")
SUBJECT_PAMPHLET_LEAST = 2  # articles: a subject with fewer gets no pamphlet on the site
# The site's pamphlet of a subject gathers its newest articles only: a booklet a distributor can
# photocopy (some 50 A5 pages), and an edit in a large archive sets one pamphlet of this size
# again, not every article of a subject across fifty years.
SUBJECT_PAMPHLET_MOST = 12


@dataclass(frozen=True)
class Pamphlet:
    """What a pamphlet is to gather: ``tag`` (oldest first) or ``picks``, each (issue, article)
    as written (``21``, ``aleppo-has-fallen.md`` or ``3``)."""

    id: str
    title: str
    subtitle: str | None = None
    tag: str | None = None
    picks: tuple[tuple[int, str], ...] = ()
    size: str = "a5"
    newest: int | None = None  # of the tag's articles, only this many of the newest (still oldest first)


@dataclass
class PamphletResult(Made):
    """What one pamphlet's build did."""

    id: str
    title: str = ""
    articles: int = 0


Chosen = list[tuple[LoadedIssue, Article]]


# --- naming articles -------------------------------------------------------------------------


def parse_pick(written: str) -> tuple[int, str]:
    """``21:aleppo-has-fallen.md`` or ``22:4`` as (issue number, article reference); ValueError
    saying how to write it."""
    number, colon, reference = written.partition(":")
    if not colon or not number.strip().isdigit() or not reference.strip():
        raise ValueError(
            f"{written!r} names no article: write the issue's number, a colon and the article's file "
            "name or position, e.g. 21:aleppo-has-fallen.md or 22:4"
        )
    return int(number), reference.strip()


def load_issues(project: Project) -> tuple[dict[int, LoadedIssue], list[Problem]]:
    """Every issue that loads, by number, and the problems of those that do not."""
    loaded, problems = {}, []
    for directory in find_issue_dirs(project.issues_root):
        try:
            item = load(project, directory)
        except LayoutError as error:
            problems += error.problems
            continue
        loaded[item.issue.number] = item
    return loaded, problems


def tagged(issues: dict[int, LoadedIssue], tag: str, newest: int | None = None) -> Chosen:
    """The articles of a subject across issues, oldest first (by the issue they appeared in); only
    the ``newest`` last of them when it is given."""
    chosen = [(item, a) for _, item in sorted(issues.items()) for a in item.issue.articles if tag in a.tags]
    chosen.sort(key=lambda pair: (pair[0].issue.date, pair[0].issue.number, pair[1].position))
    return chosen[-newest:] if newest else chosen


def choose(
    pamphlet: Pamphlet, issues: dict[int, LoadedIssue], publication: Publication, where: Where
) -> Chosen:
    """The articles ``pamphlet`` gathers; LayoutError, located by ``where``, naming every one missing."""
    problems: list[Problem] = []
    if pamphlet.tag is not None:
        if pamphlet.tag not in publication.subjects:
            guess = closest(pamphlet.tag, publication.subjects)
            hint = f": did you mean {guess}?" if guess else ": the subjects are the tags under subjects"
            problems.append(where("tag", f"{pamphlet.tag!r} is not a subject of publication.yaml{hint}"))
        elif not (chosen := tagged(issues, pamphlet.tag, pamphlet.newest)):
            problems.append(where("tag", f"no article carries the subject {pamphlet.tag!r}"))
        else:
            return chosen
        raise LayoutError(problems)
    chosen, seen = [], {}
    for index, (number, reference) in enumerate(pamphlet.picks):
        if number not in issues:
            known = ", ".join(map(str, sorted(issues))) or "none"
            problems.append(where(index, f"there is no issue {number} (the issues that load: {known})"))
            continue
        try:
            article = find_article(issues[number], reference)
        except LayoutError as error:
            problems.append(where(index, f"issue {number} has {error.problems[0].message}"))
            continue
        key = (number, article.slug)
        if key in seen:
            name = Path(article.source).name
            problems.append(
                where(index, f"names {number}:{name} a second time: a pamphlet prints an article once")
            )
            continue
        seen[key] = index
        chosen.append((issues[number], article))
    if problems:
        raise LayoutError(problems)
    return chosen


class Where:
    """Where a pamphlet was asked for, to locate its problems: a line of pamphlets.yaml or the
    command line (``written``: the ARTICLE arguments, which then name the problems). Called with a
    field (``"tag"``) or an article's index and a message."""

    def __init__(
        self, path: str, lines: dict[Any, int] | None = None, prefix: str = "", written: tuple[str, ...] = ()
    ) -> None:
        self.path, self.lines, self.prefix, self.written = path, lines or {}, prefix, written
        self.positions: list[int] = []  # of the picks that could be read, among those written

    def __call__(self, what: str | int, message: str) -> Problem:
        """The problem of a field, or of the pick at ``what`` among those that could be read."""
        if isinstance(what, int) and self.positions:
            what = self.positions[what]
        return self.at(what, message)

    def at(self, what: str | int, message: str) -> Problem:
        """The problem of a field or of the article written at position ``what``."""
        if isinstance(what, int):
            name = self.written[what] if self.written else f"articles[{what}]"
        else:
            name = f"--{what}" if self.written or not self.lines else what
        key = ("articles", what) if isinstance(what, int) else (what,)
        return Problem(self.path, self.lines.get(key, self.lines.get(())), self.prefix + name, message)


# --- pamphlets.yaml --------------------------------------------------------------------------


def pamphlets_path(project: Project) -> Path:
    return project.issues_root / "pamphlets.yaml"


def load_pamphlets(project: Project, issues: dict[int, LoadedIssue], publication: Publication) -> list:
    """The pamphlets of ``issues/pamphlets.yaml`` (none without one), each with its articles:
    a list of (Pamphlet, Chosen). ManifestError naming every problem, each at its line."""
    path = pamphlets_path(project)
    if not path.is_file():
        return []
    display = display_path(path, project.root)
    text = read_text(path, display)
    data, lines, problems = parse_yaml(text, display)
    _as_written(data, lines, text)
    entries, invalid = validate(PamphletsFile, data, lines, display)
    problems += invalid
    if problems:
        raise ManifestError(in_file_order(problems))
    declared, ids = [], {}
    for index, entry in enumerate(entries.pamphlets):
        at = {key[2:]: line for key, line in lines.items() if key[:2] == ("pamphlets", index)}
        where = Where(display, at, f"pamphlets[{index}].")
        if (entry.tag is None) == (entry.articles is None):
            problems.append(where("articles", "give either tag or articles"))
            continue
        if entry.id in ids:
            problems.append(where("id", f"{entry.id!r} is used twice (also pamphlet {ids[entry.id] + 1})"))
        ids.setdefault(entry.id, index)
        picks = []
        for position, written in enumerate(entry.articles or ()):
            try:
                picks.append(parse_pick(written))
                where.positions.append(position)
            except ValueError as error:
                problems.append(where.at(position, str(error)))
        pamphlet = Pamphlet(entry.id, entry.title, entry.subtitle, entry.tag, tuple(picks), entry.size)
        try:
            declared.append((pamphlet, choose(pamphlet, issues, publication, where)))
        except LayoutError as error:
            problems += error.problems
    if problems:
        raise ManifestError(in_file_order(problems))
    return declared


def _as_written(data: Any, lines: dict, text: str) -> None:
    """Articles as written: YAML 1.1 reads ``21:3`` as a number in base 60 (1263); take such an
    item from its line instead."""
    rows = text.splitlines()
    for index, entry in enumerate(data.get("pamphlets") or [] if isinstance(data, dict) else []):
        items = entry.get("articles") if isinstance(entry, dict) else None
        for position, item in enumerate(items if isinstance(items, list) else []):
            line = lines.get(("pamphlets", index, "articles", position))
            if isinstance(item, int) and line:
                found = re.search(r"(\d[\d:]*)", rows[line - 1].split("-", 1)[-1])
                items[position] = found[1] if found else str(item)


# --- typesetting -----------------------------------------------------------------------------


def years(chosen: Chosen) -> str:
    """``2017``, or ``2016–2017`` when the articles' issues span years."""
    first = min(item.issue.date.year for item, _ in chosen)
    last = max(item.issue.date.year for item, _ in chosen)
    return str(first) if first == last else f"{first}–{last}"


def pamphlet_context(pamphlet: Pamphlet, chosen: Chosen, publication: Publication) -> dict[str, Any]:
    """Everything ``pamphlet.html`` prints."""
    subjects = publication.subjects
    articles = []
    for item, article in chosen:
        entry = article_context(item.issue, article, item.texts[article.slug], subjects)
        entry["body"] = _images_from(entry["body"], item.directory.name)
        entry["appeared"] = issue_title(publication, item.issue)
        entry["issue_line"] = f"No {item.issue.number}, {long_date(item.issue.date)}"
        articles.append(entry)
    tags = dict.fromkeys(tag for _, article in chosen for tag in article.tags)
    return {
        **publication_context(publication),
        "title": typographic(pamphlet.title),
        "subtitle": pamphlet.subtitle and typographic(pamphlet.subtitle),
        "from_line": f"Articles from {publication.name}, {years(chosen)}",
        "size": pamphlet.size,
        "iso_date": max(item.issue.date for item, _ in chosen).isoformat(),
        "keywords": ", ".join(subjects[tag] for tag in tags),
        "description": pamphlet.subtitle or "; ".join(article.title for _, article in chosen),
        "articles": articles,
    }


def _images_from(body: str, folder: str) -> Any:
    """An article's images named from the issues' folder, the pamphlet's own (they are relative to
    the article's issue: the text stage allows no other)."""
    from markupsafe import Markup

    return Markup(re.sub(r'(<img src=")(?!/)', rf"\g<1>{folder}/", str(body)))


def input_files(project: Project, chosen: Chosen) -> list[Path]:
    """Everything a pamphlet is made from: the publication, and each article's issue, file and images."""
    publication = project.issues_root / "publication.yaml"
    files = [publication, *dict.fromkeys(item.directory / "issue.yaml" for item, _ in chosen)]
    for item, article in chosen:
        files.append(item.directory / Path(article.source).name)
        files += [item.directory / image for image in item.texts[article.slug].images]
    style = chosen[0][0].issue.style
    return files + style_files(project, style) + sorted(PATTERNS_DIR.glob("hyph_*.dic"))


def pamphlet_digest(project: Project, pamphlet: Pamphlet, chosen: Chosen) -> str:
    chosen_keys = [f"{item.issue.number}:{article.slug}" for item, article in chosen]
    return digest_files(input_files(project, chosen), repr(dataclasses.astuple(pamphlet)), *chosen_keys)


def pamphlet_outputs(project: Project, pamphlet_id: str) -> dict[str, Path]:
    """Where each edition a pamphlet is made in goes (``layout.editions``), by the edition's name."""
    return {
        edition.name: edition.path(project.out, "pamphlet", pamphlet_id)
        for edition in editions_for("pamphlet")
    }


def build_pamphlet(
    project: Project,
    pamphlet: Pamphlet,
    chosen: Chosen,
    plan: Plan | None = PHOTOCOPIER_BOOKLET,
    force: bool = False,
) -> PamphletResult:
    """Typeset and write one pamphlet's archive and print editions and impose the print edition as
    ``plan`` says, unless they are up to date; problems come back in the result."""
    result = PamphletResult(pamphlet.id, pamphlet.title, len(chosen))
    try:
        _typeset(project, pamphlet, chosen, result, force)
        if plan:
            printed = Path(result.outputs[BOOKLET.source])
            sheets = choose_sheet(printed, plan)
            target = BOOKLET.path(project.out, "pamphlet", pamphlet.id, sheets)  # beside the archive edition
            result.imposed = impose_output(project, printed, sheets, force, target=target)
    except LayoutError as error:
        result.problems = error.problems
    except Exception as error:
        result.problems = [internal_error(f"pamphlet {pamphlet.id}", error, "setting it")]
    return result


def _typeset(
    project: Project, pamphlet: Pamphlet, chosen: Chosen, result: PamphletResult, force: bool
) -> None:
    outputs = pamphlet_outputs(project, pamphlet.id)
    result.outputs = {name: str(path) for name, path in outputs.items()}
    digest = pamphlet_digest(project, pamphlet, chosen)
    stamp = project.stamp_path(f"pamphlet-{pamphlet.id}")
    state = None if force else read_stamp(stamp, digest, list(outputs.values()))
    if state:
        result.skipped, result.pages = True, state["pages"]
        result.print_pages, result.added = state["print_pages"], state["added"]
        return
    publication = chosen[0][0].publication
    style = chosen[0][0].issue.style
    style_dir = project.style_dir(style)
    typesetter = typesetter_for(project, style)
    html = render_pamphlet(style_dir, pamphlet_context(pamphlet, chosen, publication))
    document = typesetter.layout(html, project.issues_root, f"pamphlet {pamphlet.id}")
    blank = typesetter.layout(render_pamphlet_blank(style_dir, pamphlet.size), style_dir, "blank")
    editions = write_editions(typesetter, document, blank, result.outputs, digest, pamphlet.title)
    result.pages, result.print_pages, result.added = editions
    write_stamp(stamp, digest=digest, pages=result.pages, print_pages=result.print_pages, added=result.added)


# --- many at once: declared pamphlets and the site's subjects ---------------------------------


def subject_pamphlets(
    project: Project, issues: dict[int, LoadedIssue], publication: Publication, declared: list
) -> dict[str, tuple[Pamphlet, Chosen]]:
    """The pamphlet of each subject with two articles or more, by tag: the first declared one that
    gathers it by tag, else one titled with the subject's name (``subject-TAG``)."""
    by_tag = {pamphlet.tag: (pamphlet, chosen) for pamphlet, chosen in reversed(declared) if pamphlet.tag}
    offered = {}
    for tag, label in publication.subjects.items():
        every = tagged(issues, tag)
        if len(every) < SUBJECT_PAMPHLET_LEAST:
            continue
        if tag in by_tag:
            offered[tag] = by_tag[tag]
            continue
        chosen = every[-SUBJECT_PAMPHLET_MOST:]
        left_out = len(chosen) < len(every)
        newest = f"The newest {len(chosen)} of its {len(every)} articles" if left_out else None
        pamphlet = Pamphlet(f"subject-{tag}", label, subtitle=newest, tag=tag, newest=SUBJECT_PAMPHLET_MOST)
        offered[tag] = pamphlet, chosen
    return offered


def build_pamphlets(
    project: Project, wanted: list[tuple[Pamphlet, Chosen]], jobs: int = 1, force: bool = False
) -> list[PamphletResult]:
    """Build pamphlets, each with its photocopier booklet, in parallel when ``jobs`` > 1; those up to
    date are settled here, without a worker (a worker loads the issues again: the articles cannot
    travel between processes cheaply, the issues' folders can)."""
    results: dict[str, PamphletResult] = {}
    stale = []
    for pamphlet, chosen in wanted:
        stamp = project.stamp_path(f"pamphlet-{pamphlet.id}")
        outputs = list(pamphlet_outputs(project, pamphlet.id).values())
        current = not force and read_stamp(stamp, pamphlet_digest(project, pamphlet, chosen), outputs)
        if current:  # settled here: only its booklet is checked
            results[pamphlet.id] = build_pamphlet(project, pamphlet, chosen)
        else:
            stale.append(pamphlet)
    task = functools.partial(_build_in_worker, project, force=force)

    def lost(pamphlet: Pamphlet) -> PamphletResult:
        message = "the process setting this pamphlet stopped abruptly (out of memory?); please report it"
        return PamphletResult(
            pamphlet.id, pamphlet.title, problems=[Problem(pamphlet.id, None, None, message)]
        )

    for result in run_parallel(task, stale, jobs, on_lost=lost):  # type: ignore[arg-type]
        results[result.id] = result
    return [results[pamphlet.id] for pamphlet, _ in wanted]


def _build_in_worker(project: Project, pamphlet: Pamphlet, force: bool) -> PamphletResult:
    issues, _ = load_issues(project)
    publication = load_publication(project.issues_root, project.root)
    try:
        chosen = choose(pamphlet, issues, publication, Where(f"pamphlet {pamphlet.id}"))
    except LayoutError as error:
        return PamphletResult(pamphlet.id, pamphlet.title, problems=error.problems)
    return build_pamphlet(project, pamphlet, chosen, force=force)


def build_declared(project: Project, jobs: int = 1, force: bool = False) -> list[PamphletResult]:
    """Build the pamphlets of ``issues/pamphlets.yaml``; ManifestError when the file has problems,
    or an issue they draw on does not load (its problems are those the issues' build reports)."""
    if not pamphlets_path(project).is_file():
        return []
    publication = load_publication(project.issues_root, project.root)
    issues, problems = load_issues(project)
    try:
        declared = load_pamphlets(project, issues, publication)
    except LayoutError as error:
        raise ManifestError(in_file_order([*error.problems, *problems])) from None
    if problems:  # a subject's articles in an issue that does not load would be left out
        held = [PamphletResult(p.id, p.title, problems=[_held(project, p)]) for p, _ in declared if p.tag]
        declared = [(p, chosen) for p, chosen in declared if not p.tag]
        return held + build_pamphlets(project, declared, jobs, force)
    return build_pamphlets(project, declared, jobs, force)


def _held(project: Project, pamphlet: Pamphlet) -> Problem:
    path = display_path(pamphlets_path(project), project.root)
    return Problem(path, None, pamphlet.id, "not built: an issue has problems (listed above)")


def pamphlet_from_command(
    project: Project,
    title: str,
    subtitle: str | None,
    tag: str | None,
    articles: tuple[str, ...],
    size: str,
    pamphlet_id: str | None = None,
) -> tuple[Pamphlet, Chosen]:
    """The pamphlet ``layout pamphlet`` asks for, its articles found; LayoutError naming every
    problem (an article argument that names none, an unknown subject, an issue that does not load)."""
    where = Where("layout pamphlet", written=articles)
    if (tag is None) == (not articles):
        raise LayoutError(
            [where("tag", "give either --tag TAG or the articles, as ISSUE:FILE or ISSUE:POSITION")]
        )
    picks, problems = [], []
    for index, written in enumerate(articles):
        try:
            picks.append(parse_pick(written))
            where.positions.append(index)
        except ValueError as error:
            problems.append(where.at(index, str(error)))
    name = pamphlet_id or slugify(title)
    if not name:
        problems.append(where("title", f"{title!r} gives no file name: add --id NAME"))
    pamphlet = Pamphlet(name, title, subtitle, tag, tuple(picks), size)
    publication = load_publication(project.issues_root, project.root)
    issues, failing = load_issues(project)
    try:
        chosen = choose(pamphlet, issues, publication, where)
    except LayoutError as error:
        problems += error.problems
    if problems:  # every problem of the command at once
        raise LayoutError([*failing, *problems])
    if failing and tag:  # the subject's articles in those issues would be left out
        raise LayoutError(failing)
    return pamphlet, chosen


def build_subject_pamphlets(project: Project, jobs: int = 1) -> dict[str, PamphletResult]:
    """The pamphlet of every subject with two articles or more, by tag, each with its booklet: built
    when its articles changed, else kept. LayoutError naming every problem (the issues are built,
    and their problems reported, before the site asks)."""
    publication = load_publication(project.issues_root, project.root)
    issues, problems = load_issues(project)
    declared = load_pamphlets(project, issues, publication) if not problems else []
    if problems:
        raise LayoutError(problems)
    offered = subject_pamphlets(project, issues, publication, declared)
    results = build_pamphlets(project, list(offered.values()), jobs)
    failed = [problem for result in results for problem in result.problems]
    if failed:
        raise LayoutError(failed)
    return dict(zip(offered, results, strict=True))
