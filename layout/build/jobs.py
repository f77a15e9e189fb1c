"""Stage 6: what is out of date, built in parallel: issues, imposed sheets and volumes.

Each issue is validated whole (manifest, front matter, bodies, images) before anything is
typeset; what each output was made from and how it is written safely is ``stamps``'s part.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .. import engine
from ..model.errors import LayoutError, Problem, in_file_order, internal_error
from ..model.manifest import (
    Article,
    Issue,
    Publication,
    Volume,
    display_path,
    find_issue_dirs,
    has_volumes,
    issue_stand_in,
    load_issue,
    load_publication,
    load_volumes,
    number_clashes,
    read_text,
)
from ..pages.impose import PHOTOCOPIER_BOOKLET, Plan, choose_sheet
from ..project import Project
from ..text.hyphenation import PATTERNS_DIR, is_hyphenated
from ..text.markdown import ArticleText, article_text, manifest_glyph_problems
from ..typeset.render import issue_title, render_blank, render_issue
from .stamps import atomic_path, digest_files, file_stats, read_stamp, unchanged_state, write_stamp

if TYPE_CHECKING:
    from weasyprint import Document

    from ..pages.copyfit import Copyfit
    from ..typeset.editions import Typesetter

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedIssue:
    """An issue checked from end to end and ready to typeset."""

    publication: Publication
    issue: Issue
    directory: Path
    texts: dict[str, ArticleText]


@dataclass(kw_only=True)
class Made:
    """What building one document of pages did (an issue, a pamphlet), for the report: its pages,
    the print edition's padded to the fold and the blanks added, its files and imposed sheets;
    ``problems`` empty when it succeeded."""

    pages: int = 0
    print_pages: int = 0
    added: int = 0
    skipped: bool = False
    outputs: list[str] = field(default_factory=list)
    imposed: ImposeResult | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class IssueResult(Made):
    """What one issue's build did."""

    directory: str
    number: int | None = None
    fit: Copyfit | None = None
    ragged: list[str] = field(default_factory=list)
    """Articles set ragged-right, their language having no hyphenation: 'Title (sw)'."""
    style_warnings: list[str] = field(default_factory=list)
    """What WeasyPrint ignored in the house style: 'styles/spark/style.css:12:3: Ignored `colr: red`...'."""


@dataclass
class ImposeResult:
    """An output laid out on sheets: where, how many sheets, how to print them, and the note that says so."""

    output: str
    note: str
    sheets: int
    blanks: int
    instructions: list[str]
    skipped: bool = False


_LOADED: dict[tuple[Path, Path], tuple[tuple, LoadedIssue]] = {}  # each issue as last loaded, by folder


def load(project: Project, issue_dir: Path) -> LoadedIssue:
    """Load and check an issue without typesetting it; raise LayoutError listing every problem.

    An issue loaded before in this process, none of whose files (nor ``publication.yaml``) has
    changed size or time since, is not read again: a site build loads each issue for its
    editions, its leaflets, its pamphlets and its pages (at 200 issues, 600 loads and 7 s)."""
    key = (project.root, issue_dir)
    signature = _load_signature(project, issue_dir)
    remembered = _LOADED.get(key)
    if remembered and remembered[0] == signature:
        return remembered[1]
    loaded = _load(project, issue_dir)
    _LOADED[key] = (signature, loaded)
    return loaded


def _load_signature(project: Project, issue_dir: Path) -> tuple:
    """The size and time of every file an issue is loaded from: its folder's, and the publication's."""
    files = [project.issues_root / "publication.yaml", *sorted(issue_dir.rglob("*"))]
    signature = []
    for path in files:
        with contextlib.suppress(OSError):
            status = path.stat()
            signature.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(signature)


def _load(project: Project, issue_dir: Path) -> LoadedIssue:
    publication = load_publication(project.issues_root, project.root)
    texts: dict[str, ArticleText] = {}

    def check_body(article: Article) -> list[Problem]:
        try:
            texts[article.slug] = article_text(article, issue_dir)
        except LayoutError as error:
            return error.problems
        except Exception as error:  # a fault of the text stage: the other articles are still checked
            return [internal_error(article.source, error)]
        return []

    problems = [*_manifest_glyphs(project, project.issues_root / "publication.yaml")]
    problems += _manifest_glyphs(project, issue_dir / "issue.yaml")
    try:
        issue = load_issue(issue_dir, publication, project.root, check_body)
    except LayoutError as error:
        raise LayoutError(in_file_order([*problems, *error.problems])) from None
    if not project.style_dir(issue.style).joinpath("issue.html").is_file():
        problems.append(
            Problem(issue.folder + "/issue.yaml", None, "style", f"no house style {issue.style!r}")
        )
    if problems:
        raise LayoutError(in_file_order(problems))
    return LoadedIssue(publication, issue, issue_dir, texts)


def _manifest_glyphs(project: Project, path: Path) -> list[Problem]:
    """The characters of a manifest no bundled font has (one it cannot read: load_issue says why)."""
    shown = display_path(path, project.root)
    try:
        return manifest_glyph_problems(read_text(path, shown), shown)
    except LayoutError:
        return []


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
    return files + style_files(project, loaded.issue.style) + sorted(PATTERNS_DIR.glob("hyph_*.dic"))


@functools.lru_cache(maxsize=4)
def _typesetter(style_dir: Path, fonts_dir: Path, version: str) -> Typesetter:
    engine.start()  # the one set-up, in this process, before WeasyPrint is first imported
    from ..typeset.editions import Typesetter  # WeasyPrint is imported only when something is typeset

    Finalize(None, _let_go_of_typesetters, exitpriority=0)
    return Typesetter(style_dir, fonts_dir)


def _let_go_of_typesetters() -> None:
    """Drop this process's typesetters while Python can still run WeasyPrint's clean-up, which
    removes the fonts' temporary folder (3 MB) once the collector frees their font configuration.

    Run by multiprocessing's finalizers: at exit, and at the end of a worker process of a
    parallel build, which ends without running atexit or collecting.
    """
    _typesetter.cache_clear()
    gc.collect()


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
    from ..pages.impose import impose
    from ..typeset.editions import identifier, write_document
    from ..typeset.render import render_note

    plan = choose_sheet(source, plan)
    target = target or project.imposed_path(source, plan)
    note = project.note_path(target)
    publication = load_publication(project.issues_root, project.root)
    style = project.style_dir(publication.style)
    digest = digest_files([source, *style_files(project, publication.style)], repr(plan))
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
    """Validate, typeset and write one issue's archive and print editions, imposed if ``plan`` says.

    Never raises for one issue's sake: bad input, and any fault of the pipeline on this issue,
    come back as the result's problems, so that the other issues of a build go on.
    """
    result = IssueResult(str(issue_dir))
    try:
        result = _build_issue(project, issue_dir, force)
        if plan and not result.problems:
            result.imposed = impose_output(project, Path(result.outputs[1]), plan, force)
    except LayoutError as error:
        result.problems = error.problems
    except Exception as error:
        result.problems = [internal_error(display_path(issue_dir / "issue.yaml", project.root), error)]
    return result


def _issue_stamp(project: Project, issue_dir: Path) -> Path:
    return project.stamp_path(f"issue-{issue_dir.resolve().name}")


def unchanged_issue(project: Project, issue_dir: Path) -> IssueResult | None:
    """The result of the issue's last build, if nothing it was made from has been touched since."""
    state = unchanged_state(_issue_stamp(project, issue_dir), project.places)
    if state is None:
        return None
    return IssueResult(
        str(issue_dir),
        state["number"],
        pages=state["pages"],
        print_pages=state["print_pages"],
        added=state["added"],
        skipped=True,
        outputs=state["outputs"],
    )


def is_up_to_date(project: Project, loaded: LoadedIssue) -> bool:
    """Whether an issue's PDFs exist and were made from its present inputs."""
    stamp = _issue_stamp(project, loaded.directory)
    if unchanged_state(stamp, project.places):
        return True
    number, publication = loaded.issue.number, loaded.publication
    outputs = [project.archive_path(publication, number), project.print_path(publication, number)]
    return read_stamp(stamp, digest_files(input_files(project, loaded)), outputs) is not None


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
    digest = digest_files(files)
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
            places=project.places,
            outputs=result.outputs,
            number=issue.number,
            pages=result.pages,
            print_pages=result.print_pages,
            added=result.added,
        )
    return result


def _typeset_issue(project: Project, loaded: LoadedIssue, result: IssueResult, digest: str) -> None:
    from ..pages.copyfit import fit_pages
    from ..typeset.editions import article_starts

    publication, issue = loaded.publication, loaded.issue
    typesetter = typesetter_for(project, issue.style)
    result.style_warnings = typesetter.warnings
    style_dir = project.style_dir(issue.style)
    try:
        html = render_issue(style_dir, publication, issue, loaded.texts)
        document = typesetter.layout(html, loaded.directory, issue.folder)
    except LayoutError as error:
        result.problems = error.problems
        return
    blank = typesetter.layout(render_blank(style_dir), style_dir, issue.folder)
    title = issue_title(publication, issue)
    editions = write_editions(typesetter, document, blank, result.outputs, digest, title)
    result.pages, result.print_pages, result.added = editions
    words = [loaded.texts[article.slug].words for article in issue.articles]
    result.ragged = [f"{a.title} ({a.lang})" for a in issue.articles if not is_hyphenated(a.lang)]
    result.fit = fit_pages(article_starts(document), len(document.pages), words, issue.folder)


def write_editions(
    typesetter: Typesetter, document: Document, blank: Document, outputs: list[str], digest: str, title: str
) -> tuple[int, int, int]:
    """The archive edition of ``document`` and its print edition, padded to the fold with ``blank``'s
    page before the back page, written to ``outputs`` (archive, print) each atomically: an issue's
    and a pamphlet's. Its pages, the print edition's and the blanks added."""
    from ..typeset.editions import identifier, pad_to_fold, write_archive, write_print

    archive, printed = map(Path, outputs)
    with atomic_path(archive) as temporary:  # the archive edition first: what an editor watching opens
        write_archive(document, temporary, identifier(digest, "archive", title))
    padded, added = pad_to_fold(document, blank)
    with atomic_path(printed) as temporary:
        write_print(padded, temporary, identifier(digest, "print", title), typesetter.colours)
    return len(document.pages), len(padded.pages), added


def issue_fit(loaded: LoadedIssue, archive: Path) -> Copyfit:
    """The copyfit of an issue whose archive edition is built (read from the PDF, not typeset again)."""
    from ..pages.copyfit import copyfit

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
    clashes = number_clashes([*find_issue_dirs(project.issues_root), *dirs], project.root)
    done = {d: IssueResult(str(d), problems=[clashes[d.resolve()]]) for d in dirs if d.resolve() in clashes}
    if not (force or plan):
        done |= {d: r for d in dirs if d not in done and (r := unchanged_issue(project, d))}
    for result in done.values():
        if on_done:
            on_done(result)
    stale = [d for d in dirs if d not in done]
    task = functools.partial(build_issue, project, force=force, plan=plan)

    def lost(issue_dir: Path) -> IssueResult:
        return IssueResult(str(issue_dir), problems=[lost_issue(issue_dir)])

    built = dict(zip(stale, run_parallel(task, stale, jobs, on_done, lost), strict=True))
    return [done.get(d) or built[d] for d in dirs]


def build_booklets(
    project: Project, issue_dirs: list[Path] | None = None, jobs: int = 1, force: bool = False
) -> list[IssueResult]:
    """Build issues and impose their print editions as A5 booklets on A4, for photocopiers."""
    return build_issues(project, issue_dirs, jobs, force, PHOTOCOPIER_BOOKLET)


def run_parallel(
    task: Callable[[Path], T],
    items: list[Path],
    jobs: int,
    on_done: Callable[[T], None] | None = None,
    on_lost: Callable[[Path], T] | None = None,
) -> list[T]:
    """``task`` over ``items`` across processes when ``jobs`` > 1; results in the order of ``items``.

    ``on_done`` hears of each result as soon as it is ready, for a progress report. A worker that
    dies outright (a crash in a library, the kernel's out-of-memory killer) breaks the whole pool:
    the items it left without a result are run again one process each, so that only the one that
    kills its process fails, with the result ``on_lost`` gives for it.
    """
    report = on_done or (lambda result: None)
    if jobs <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(task(item))
            report(results[-1])
        return results
    done: dict[Path, T] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        futures = {pool.submit(task, item): item for item in items}
        for future in as_completed(futures):
            with contextlib.suppress(BrokenProcessPool):
                done[futures[future]] = future.result()
                report(done[futures[future]])
    for item in items:
        if item not in done:
            done[item] = _alone(task, item, on_lost)
            report(done[item])
    return [done[item] for item in items]


def _alone(task: Callable[[Path], T], item: Path, on_lost: Callable[[Path], T] | None) -> T:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(task, item).result()
        except BrokenProcessPool:
            if on_lost is None:
                raise
            return on_lost(item)


def lost_issue(issue_dir: Path) -> Problem:
    """What is said of an issue whose process died while setting it."""
    message = "the process setting this issue stopped abruptly (out of memory?); please report it"
    return Problem(display_path(issue_dir / "issue.yaml", None), None, None, message)


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
    """Build the issues the volumes need (skipping those up to date), then bind the volumes.

    An issue that fails, or a volume that cannot be bound, stops only the volumes concerned.
    Without ``issues/volumes.yaml`` there is no volume to bind, and nothing is built.
    """
    if not has_volumes(project.issues_root):
        if ids:
            message = "file not found: there is no volume {!r} to bind"
            raise LayoutError([Problem("issues/volumes.yaml", None, None, message.format(i)) for i in ids])
        return [], []
    publication = load_publication(project.issues_root, project.root)
    loaded, unnumbered = _issues_to_bind(project, publication)
    dirs = {issue.number: d for d, issue in loaded.items()}
    issues = {issue.number: issue for issue in loaded.values()}
    volumes = load_volumes(project.issues_root, issues, project.root)
    unknown = sorted(set(ids or ()) - {v.id for v in volumes})
    if unknown:
        raise LayoutError([Problem("issues/volumes.yaml", None, None, f"no volume {i!r}") for i in unknown])
    chosen = [v for v in volumes if not ids or v.id in ids]
    needed = sorted({n for v in chosen for n in v.numbers})
    # An issue that does not load fails here with its problems; only the volumes binding it stop.
    issue_results = build_issues(project, [dirs[n] for n in needed] + unnumbered, jobs=jobs, force=force)
    failed = {dirs.get(n) for n in needed} & {Path(r.directory) for r in issue_results if r.problems}
    results = []
    for volume in chosen:
        result = VolumeResult(volume.id)
        results.append(result)
        bad = [n for n in volume.numbers if dirs[n] in failed]
        if bad:
            numbers = ", ".join(map(str, bad))
            message = f"not bound: issue {numbers} has problems (listed above)"
            result.problems = [Problem("issues/volumes.yaml", None, volume.id, message)]
            continue
        try:
            _bind_volume(project, publication, volume, issues, force, result)
        except LayoutError as error:  # this volume fails; the others are still bound
            result.problems = error.problems
        except Exception as error:
            result.problems = [internal_error("issues/volumes.yaml", error, f"binding volume {volume.id}")]
    return issue_results, results


def _bind_volume(
    project: Project,
    publication: Publication,
    volume: Volume,
    issues: dict[int, Issue],
    force: bool,
    result: VolumeResult,
) -> None:
    """Bind one volume from its issues' archive editions, unless it is up to date with them."""
    from ..pages.bind import bind, read_bound_issue, render_volume, volume_context

    pdfs = [project.archive_path(publication, n) for n in volume.numbers]
    target = project.volume_path(publication, volume.id)
    result.output = str(target)
    style = publication.style
    digest = digest_files(
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
        return
    with _collecting_less():
        bound = [read_bound_issue(issues[n], pdf) for n, pdf in zip(volume.numbers, pdfs, strict=True)]
        html = render_volume(project.style_dir(style), volume_context(publication, volume, bound))
        front_pdf = _front_matter(project, style, volume.id, html)
        with atomic_path(target) as temporary:
            result.pages = bind(front_pdf, bound, publication, volume, temporary)
    write_stamp(stamp, digest=digest, pages=result.pages)


def _issues_to_bind(project: Project, publication: Publication) -> tuple[dict[Path, Issue], list[Path]]:
    """Every issue, loaded, or where it does not load a stand-in with its number and date if they
    can be read; and the folders of issues whose number cannot be read (their problems are reported)."""
    loaded, unnumbered = {}, []
    for directory in find_issue_dirs(project.issues_root):
        try:
            loaded[directory] = load_issue(directory, publication, project.root)
        except Exception:  # LayoutError or a fault: building the issue reports it
            stand_in = issue_stand_in(directory, project.root)
            if stand_in is None or stand_in.number is None:
                unnumbered.append(directory)
            else:
                loaded[directory] = stand_in
    return loaded, unnumbered


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """Run Python's collector after 20,000 new objects instead of 700 while a volume is bound.

    Binding makes some hundreds of thousands of small objects (pypdf's, the front matter's
    boxes) that live until it ends; collecting them 700 at a time took a tenth of the binding.
    Issues keep the default: over many issues in one process it holds the peak memory lower.
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _front_matter(project: Project, style: str, volume_id: str, html: str) -> bytes:
    """A volume's typeset front matter, kept from one binding to the next.

    Most edits to an issue change no title, byline, subject or first page: the volume is then
    bound again with the front matter it had, without starting WeasyPrint.
    """
    stamp = project.stamp_path(f"volume-{volume_id}-front")
    kept = stamp.with_suffix(".pdf")
    digest = digest_files(style_files(project, style), html)
    state = read_stamp(stamp, digest, [kept])
    if state:
        return kept.read_bytes()
    from ..typeset.editions import front_matter_pdf, identifier

    front = typesetter_for(project, style).layout(html, project.style_dir(style), "issues/volumes.yaml")
    pdf = front_matter_pdf(front, identifier(digest, "volume"))
    with atomic_path(kept) as temporary:
        temporary.write_bytes(pdf)
    write_stamp(stamp, digest=digest)
    return pdf
