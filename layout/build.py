"""Stage 6: what is out of date, built in parallel, written atomically.

Each issue is validated whole (manifest, front matter, bodies, images) before anything is
typeset, and its outputs are written to temporary files renamed into place at the end, so
that a failed or interrupted build never leaves a half-written PDF where a good one was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import __version__
from .errors import LayoutError, Problem
from .impose import Plan, choose_sheet
from .manifest import (
    Article,
    Issue,
    Publication,
    check_numbers,
    find_issue_dirs,
    load_issue,
    load_publication,
    load_volumes,
)
from .render import issue_title, render_blank, render_issue
from .text import ArticleText, article_text, without_last_words

if TYPE_CHECKING:
    from weasyprint import Document

    from .copyfit import Copyfit
    from .typeset import Typesetter

T = TypeVar("T")


PHOTOCOPIER_BOOKLET = Plan("booklet", sheet="a4", fit="a5")
ONE_SHEET = 2  # pages: a leaflet printed on both sides of one sheet


@dataclass(frozen=True)
class Project:
    """Where things are: the content, the styles, the fonts and the output folder."""

    root: Path
    out: Path

    @property
    def issues_root(self) -> Path:
        return self.root / "issues"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    def style_dir(self, style: str) -> Path:
        return self.root / "styles" / style

    def archive_path(self, publication: Publication, number: int) -> Path:
        return self.out / "issues" / f"{publication.slug}-{number:03d}.pdf"

    def print_path(self, publication: Publication, number: int) -> Path:
        return self.out / "print" / f"{publication.slug}-{number:03d}.pdf"

    def imposed_path(self, source: Path, plan: Plan) -> Path:
        """Where ``source`` imposed by ``plan`` (its sheet chosen) goes: named by layout and sheet."""
        return self.out / "imposed" / f"{source.stem}-{plan.layout}-{plan.sheet}.pdf"

    def note_path(self, imposed: Path) -> Path:
        """The cover note beside imposed sheets: how to print, fold and cut them."""
        return imposed.with_name(f"{imposed.stem}-note.pdf")

    def booklet_path(self, publication: Publication, number: int) -> Path:
        """The print edition imposed as an A5 booklet on A4 sheets, for office photocopiers."""
        return self.imposed_path(self.print_path(publication, number), PHOTOCOPIER_BOOKLET)

    def booklet_note_path(self, publication: Publication, number: int) -> Path:
        """The cover note of the photocopier booklet: how to print, fold and staple it."""
        return self.note_path(self.booklet_path(publication, number))

    def leaflet_path(self, publication: Publication, number: int, slug: str, size: str) -> Path:
        return self.out / "leaflets" / f"{publication.slug}-{number:03d}-{slug}-{size}.pdf"

    def proof_path(self, publication: Publication, number: int, view: str) -> Path:
        """A PNG proof of the print edition: ``view`` is ``pages`` or ``spreads``."""
        return self.out / "proofs" / f"{publication.slug}-{number:03d}-{view}.png"

    def volume_path(self, publication: Publication, volume_id: str) -> Path:
        return self.out / "volumes" / f"{publication.slug}-{volume_id}.pdf"

    def stamp_path(self, name: str) -> Path:
        """Where the build records what an output was made from (see ``read_stamp``)."""
        return self.out / ".state" / f"{name}.json"


@dataclass(frozen=True)
class LoadedIssue:
    """An issue checked from end to end and ready to typeset."""

    publication: Publication
    issue: Issue
    directory: Path
    texts: dict[str, ArticleText]


@dataclass
class IssueResult:
    """What one issue's build did, for the report; ``problems`` empty when it succeeded."""

    directory: str
    number: int | None = None
    pages: int = 0
    print_pages: int = 0
    added: int = 0
    skipped: bool = False
    outputs: list[str] = field(default_factory=list)
    imposed: ImposeResult | None = None
    problems: list[Problem] = field(default_factory=list)
    fit: Copyfit | None = None


@dataclass
class ImposeResult:
    """An output laid out on sheets: where, how many sheets, how to print them, and the note that says so."""

    output: str
    note: str
    sheets: int
    blanks: int
    instructions: list[str]
    skipped: bool = False


def load(project: Project, issue_dir: Path) -> LoadedIssue:
    """Load and check an issue without typesetting it; raise LayoutError listing every problem."""
    publication = load_publication(project.issues_root, project.root)
    issue = load_issue(issue_dir, publication, project.root)
    texts, problems = {}, []
    for article in issue.articles:
        try:
            texts[article.slug] = article_text(article, issue_dir)
        except LayoutError as error:
            problems.extend(error.problems)
    if not project.style_dir(issue.style).joinpath("issue.html").is_file():
        problems.append(
            Problem(issue.folder + "/issue.yaml", None, "style", f"no house style {issue.style!r}")
        )
    if problems:
        raise LayoutError(problems)
    return LoadedIssue(publication, issue, issue_dir, texts)


PACKAGE_FILES = (  # the code, and the print edition's ICC profile (see icc/README.md)
    *sorted(Path(__file__).parent.glob("*.py")),
    *sorted(Path(__file__).parent.parent.joinpath("icc").glob("*.icc")),
)


def digest_files(project: Project, files: list[Path], *extra: str) -> str:
    """A digest of files' names and bytes, the package's code and version: what outputs are made from."""
    digest = hashlib.sha256(__version__.encode())
    for text in extra:
        digest.update(text.encode())
    for path in [*files, *PACKAGE_FILES]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def style_files(project: Project, style: str) -> list[Path]:
    """A style's files and the fonts; not its ``site/`` folder, which no PDF is made from."""
    style_dir = project.style_dir(style)
    files = [path for path in style_dir.rglob("*") if path.relative_to(style_dir).parts[0] != "site"]
    return sorted(files) + sorted(project.fonts_dir.rglob("*"))


def input_files(project: Project, loaded: LoadedIssue) -> list[Path]:
    """Everything an issue's PDFs are made from, folders included (a new file changes their time)."""
    files = [project.issues_root / "publication.yaml", loaded.directory, loaded.directory / "issue.yaml"]
    files += [loaded.directory / Path(a.source).name for a in loaded.issue.articles]
    files += [loaded.directory / src for text in loaded.texts.values() for src in text.images]
    return files + style_files(project, loaded.issue.style)


def file_stats(files: list[Path]) -> dict[str, list[int]]:
    """Size and modification time of each file: what a no-op build compares, without reading them."""
    stats = {}
    for path in [*files, *PACKAGE_FILES]:
        status = path.stat()
        stats[str(path)] = [status.st_size, status.st_mtime_ns]
    return stats


def unchanged_state(project: Project, stamp: Path) -> dict | None:
    """The last build's record, if its outputs exist and no input has changed size or time since.

    The record names files by absolute path: one copied with its project (or its output folder)
    to another place speaks of the old place, and is not trusted.
    """
    try:
        state = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if state.get("places") != [str(project.root.resolve()), str(project.out.resolve())]:
        return None
    if not state.get("inputs") or not all(Path(p).exists() for p in state.get("outputs", ())):
        return None
    for name, recorded in state["inputs"].items():
        try:
            status = os.stat(name)
        except OSError:
            return None
        if [status.st_size, status.st_mtime_ns] != recorded:
            return None
    return state


def read_stamp(stamp: Path, digest: str, outputs: list[Path]) -> dict | None:
    """What the last build recorded, if its outputs still exist and were made from the same inputs."""
    if not stamp.exists() or not all(path.exists() for path in outputs):
        return None
    state = json.loads(stamp.read_text())
    return state if state.get("digest") == digest else None


def write_stamp(stamp: Path, **state: object) -> None:
    with atomic_path(stamp) as temporary:
        temporary.write_text(json.dumps(state))


@contextlib.contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """Hold ``.lock`` in the output folder for a whole command: a second build there stops at once.

    Two builds writing the same files would each be whole (see ``atomic_path``) but race for the
    stamps; an editor is better told than kept waiting. The lock goes with the process, even
    when it is killed; temporary files a killed build left behind are cleared once it is held.
    """
    project.out.mkdir(parents=True, exist_ok=True)
    lock = project.out / ".lock"
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            message = f"another build is running in this folder (pid {holder})"
            raise LayoutError(Problem(str(project.out), None, None, message)) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        for stale in project.out.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
        try:
            yield
        finally:
            handle.truncate(0)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod(0o666 & ~umask)  # mkstemp makes files only their owner can read
    try:
        yield temporary
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


@functools.lru_cache(maxsize=4)
def _typesetter(style_dir: Path, fonts_dir: Path, version: str) -> Typesetter:
    from .typeset import Typesetter  # WeasyPrint is imported only when something is typeset

    return Typesetter(style_dir, fonts_dir)


def typesetter_for(project: Project, style: str) -> Typesetter:
    """One Typesetter per style and process: fonts and stylesheet are loaded once, and again
    only when a file of the style or the fonts changes (a watching process lives long)."""
    files = style_files(project, style)
    version = json.dumps(file_stats(files))
    return _typesetter(project.style_dir(style), project.fonts_dir, version)


def impose_output(
    project: Project, source: Path, plan: Plan, force: bool = False, target: Path | None = None
) -> ImposeResult:
    """Impose a built PDF on sheets, with its cover note, unless both are up to date with it."""
    from .impose import impose
    from .render import render_note
    from .typeset import identifier, write_document

    plan = choose_sheet(source, plan)
    target = target or project.imposed_path(source, plan)
    note = project.note_path(target)
    publication = load_publication(project.issues_root, project.root)
    style = project.style_dir(publication.style)
    digest = digest_files(project, [source, *style_files(project, publication.style)], repr(plan))
    stamp = project.stamp_path(target.stem)
    state = None if force else read_stamp(stamp, digest, [target, note])
    if state:
        return ImposeResult(**{**state["result"], "skipped": True})
    with atomic_path(target) as temporary, atomic_path(note) as note_tmp:
        imposed = impose(source, temporary, plan)
        what = "fold this booklet" if plan.layout == "booklet" else "cut these sheets"
        html = render_note(
            style,
            {
                "publication": publication,
                "title": f"How to print and {what}",
                "file": target.name,
                "source": source.name,
                "sheets": imposed.sheets,
                "sheet": imposed.sheet.upper(),
                "blanks": imposed.blanks,
                "steps": imposed.instructions,
            },
        )
        document = typesetter_for(project, publication.style).layout(html, style, str(note))
        write_document(document, note_tmp, identifier(digest, "note"))
    result = ImposeResult(str(target), str(note), imposed.sheets, imposed.blanks, list(imposed.instructions))
    write_stamp(stamp, digest=digest, result=dataclasses.asdict(result))
    return result


def build_issue(
    project: Project, issue_dir: Path, force: bool = False, plan: Plan | None = None
) -> IssueResult:
    """Validate, typeset and write one issue's archive and print editions, imposed if ``plan`` says."""
    result = _build_issue(project, issue_dir, force)
    if plan and not result.problems:
        try:
            result.imposed = impose_output(project, Path(result.outputs[1]), plan, force)
        except LayoutError as error:
            result.problems = error.problems
    return result


def _issue_stamp(project: Project, issue_dir: Path) -> Path:
    return project.stamp_path(f"issue-{issue_dir.resolve().name}")


def unchanged_issue(project: Project, issue_dir: Path) -> IssueResult | None:
    """The result of the issue's last build, if nothing it was made from has been touched since."""
    state = unchanged_state(project, _issue_stamp(project, issue_dir))
    if state is None:
        return None
    return IssueResult(
        str(issue_dir),
        state["number"],
        state["pages"],
        state["print_pages"],
        state["added"],
        skipped=True,
        outputs=state["outputs"],
    )


def is_up_to_date(project: Project, loaded: LoadedIssue) -> bool:
    """Whether an issue's PDFs exist and were made from its present inputs."""
    stamp = _issue_stamp(project, loaded.directory)
    if unchanged_state(project, stamp):
        return True
    number, publication = loaded.issue.number, loaded.publication
    outputs = [project.archive_path(publication, number), project.print_path(publication, number)]
    return read_stamp(stamp, digest_files(project, input_files(project, loaded)), outputs) is not None


def _build_issue(project: Project, issue_dir: Path, force: bool) -> IssueResult:
    if not force and (unchanged := unchanged_issue(project, issue_dir)):
        return unchanged
    result = IssueResult(directory=str(issue_dir))
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        result.problems = error.problems
        return result
    publication, issue = loaded.publication, loaded.issue
    result.number = issue.number
    archive, printed = (
        project.archive_path(publication, issue.number),
        project.print_path(publication, issue.number),
    )
    result.outputs = [str(archive), str(printed)]
    files = input_files(project, loaded)
    inputs = file_stats(files)  # as read, not as they may be once typesetting is over
    digest = digest_files(project, files)
    stamp = _issue_stamp(project, issue_dir)
    state = None if force else read_stamp(stamp, digest, [archive, printed])
    if state:  # touched but not changed
        result.skipped, result.pages = True, state["pages"]
        result.print_pages, result.added = state["print_pages"], state["added"]
    else:
        _typeset_issue(project, loaded, result, digest)
    if not result.problems:
        write_stamp(
            stamp,
            digest=digest,
            inputs=inputs if file_stats(files) == inputs else {},  # saved meanwhile: check contents next time
            places=[str(project.root.resolve()), str(project.out.resolve())],
            outputs=result.outputs,
            number=issue.number,
            pages=result.pages,
            print_pages=result.print_pages,
            added=result.added,
        )
    return result


def _typeset_issue(project: Project, loaded: LoadedIssue, result: IssueResult, digest: str) -> None:
    from .copyfit import fit_pages
    from .typeset import article_starts, identifier, pad_to_fold, write_archive, write_print

    publication, issue = loaded.publication, loaded.issue
    typesetter = typesetter_for(project, issue.style)
    style_dir = project.style_dir(issue.style)
    try:
        html = render_issue(style_dir, publication, issue, loaded.texts)
        document = typesetter.layout(html, loaded.directory, issue.folder)
        blank = typesetter.layout(render_blank(style_dir), style_dir, issue.folder)
    except LayoutError as error:
        result.problems = error.problems
        return
    padded, result.added = pad_to_fold(document, blank)
    result.pages, result.print_pages = len(document.pages), len(padded.pages)
    archive, printed = map(Path, result.outputs)
    # The archive edition first: it is what an editor watching the build opens.
    with atomic_path(archive) as archive_tmp:
        write_archive(document, archive_tmp, identifier(digest, "archive", issue_title(publication, issue)))
    with atomic_path(printed) as print_tmp:
        write_print(padded, print_tmp, identifier(digest, "print", issue_title(publication, issue)))
    words = [loaded.texts[article.slug].words for article in issue.articles]
    result.fit = fit_pages(article_starts(document), len(document.pages), words, issue.folder)


def issue_fit(loaded: LoadedIssue, archive: Path) -> Copyfit:
    """The copyfit of an issue whose archive edition is built (read from the PDF, not typeset again)."""
    from .copyfit import copyfit

    return copyfit(archive, [loaded.texts[article.slug].words for article in loaded.issue.articles])


def build_issues(
    project: Project,
    issue_dirs: list[Path] | None = None,
    jobs: int = 1,
    force: bool = False,
    plan: Plan | None = None,
    on_done: Callable[[IssueResult], None] | None = None,
) -> list[IssueResult]:
    """Build many issues, in parallel across processes when ``jobs`` > 1.

    Issues whose inputs are untouched are settled here, without a worker; ``on_done`` hears
    of every issue as it is settled.
    """
    dirs = issue_dirs if issue_dirs is not None else find_issue_dirs(project.issues_root)
    check_numbers([*find_issue_dirs(project.issues_root), *dirs], project.root)
    done = {} if force or plan else {d: r for d in dirs if (r := unchanged_issue(project, d))}
    for result in done.values():
        if on_done:
            on_done(result)
    stale = [d for d in dirs if d not in done]
    task = functools.partial(build_issue, project, force=force, plan=plan)
    built = dict(zip(stale, _run(task, stale, jobs, on_done), strict=True))
    return [done.get(d) or built[d] for d in dirs]


def build_booklets(
    project: Project, issue_dirs: list[Path] | None = None, jobs: int = 1, force: bool = False
) -> list[IssueResult]:
    """Build issues and impose their print editions as A5 booklets on A4, for photocopiers."""
    return build_issues(project, issue_dirs, jobs, force, PHOTOCOPIER_BOOKLET)


def _run(
    task: Callable[[Path], T], items: list[Path], jobs: int, on_done: Callable[[T], None] | None = None
) -> list[T]:
    """``task`` over ``items`` across processes when ``jobs`` > 1; results in the order of ``items``.

    ``on_done`` hears of each result as soon as it is ready, for a progress report.
    """
    report = on_done or (lambda result: None)
    if jobs <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(task(item))
            report(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        futures = {pool.submit(task, item): item for item in items}
        for future in as_completed(futures):
            report(future.result())
        return [future.result() for future in futures]


@dataclass
class VolumeResult:
    """What one volume's build did."""

    id: str
    pages: int = 0
    skipped: bool = False
    output: str = ""
    problems: list[Problem] = field(default_factory=list)


def build_volumes(
    project: Project, ids: list[str] | None = None, jobs: int = 1, force: bool = False
) -> tuple[list[IssueResult], list[VolumeResult]]:
    """Build the issues the volumes need (skipping those up to date), then bind the volumes."""
    from .bind import bind, read_bound_issue, render_volume, volume_context
    from .typeset import front_matter_pdf, identifier

    publication = load_publication(project.issues_root, project.root)
    loaded = {d: load_issue(d, publication, project.root) for d in find_issue_dirs(project.issues_root)}
    dirs = {issue.number: d for d, issue in loaded.items()}
    issues = {issue.number: issue for issue in loaded.values()}
    volumes = load_volumes(project.issues_root, issues, project.root)
    unknown = sorted(set(ids or ()) - {v.id for v in volumes})
    if unknown:
        raise LayoutError([Problem("issues/volumes.yaml", None, None, f"no volume {i!r}") for i in unknown])
    chosen = [v for v in volumes if not ids or v.id in ids]
    needed = sorted({n for v in chosen for n in v.numbers})
    issue_results = build_issues(project, [dirs[n] for n in needed], jobs=jobs, force=force)
    failed = {r.number for r in issue_results if r.problems}
    results = []
    for volume in chosen:
        result = VolumeResult(volume.id)
        results.append(result)
        if failed & set(volume.numbers):
            result.problems = [
                Problem("issues/volumes.yaml", None, volume.id, "an issue it binds failed to build")
            ]
            continue
        pdfs = [project.archive_path(publication, n) for n in volume.numbers]
        target = project.volume_path(publication, volume.id)
        result.output = str(target)
        style = publication.style
        digest = digest_files(
            project,
            [
                *pdfs,
                project.issues_root / "volumes.yaml",
                project.issues_root / "publication.yaml",
                *style_files(project, style),
            ],
        )
        stamp = project.stamp_path(f"volume-{volume.id}")
        state = None if force else read_stamp(stamp, digest, [target])
        if state:
            result.skipped, result.pages = True, state["pages"]
            continue
        bound = [read_bound_issue(issues[n], pdf) for n, pdf in zip(volume.numbers, pdfs, strict=True)]
        html = render_volume(project.style_dir(style), volume_context(publication, volume, bound))
        front = typesetter_for(project, style).layout(html, project.style_dir(style), "issues/volumes.yaml")
        front_pdf = front_matter_pdf(front, identifier(digest, "volume"))
        with atomic_path(target) as temporary:
            result.pages = bind(front_pdf, bound, publication, volume, temporary)
        write_stamp(stamp, digest=digest, pages=result.pages)
    return issue_results, results


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
    result = LeafletResult(directory=str(issue_dir), size=size, sheets=sheets)
    try:
        loaded = load(project, issue_dir)
        article = find_article(loaded, reference)
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
    digest = digest_files(project, files + style_files(project, issue.style), article.slug, result.size)
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
    return [result for results in _run(task, dirs, jobs) for result in results]


def _issue_leaflets(
    project: Project, issue_dir: Path, size: str, sheets: int, plan: Plan | None, force: bool
) -> list[LeafletResult]:
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        return [LeafletResult(directory=str(issue_dir), size=size, problems=error.problems)]
    return [
        build_leaflet(project, issue_dir, a.slug, size, sheets, plan, force) for a in loaded.issue.articles
    ]
