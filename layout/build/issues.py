"""Building issues: what is out of date, typeset into the archive and print editions, imposed if asked,
in parallel; what each output was made from and how it is written safely is ``stamps``'s part."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..editions import BOOKLET, PRINT, edition, editions_for
from ..files import atomic_path
from ..model.errors import LayoutError, Problem, internal_error
from ..model.manifest import Publication, display_path, find_issue_dirs, number_clashes
from ..pages.impose import PHOTOCOPIER_BOOKLET, Plan
from ..project import Project
from ..text.hyphenation import is_hyphenated
from ..typeset.render import issue_title, render_blank, render_issue
from .imposing import ImposeResult, impose_output
from .loading import LoadedIssue, input_files, load
from .parallel import run_parallel
from .stamps import digest_files, file_stats, read_stamp, unchanged_state, write_stamp
from .typesetters import typesetter_for

if TYPE_CHECKING:
    from weasyprint import Document

    from ..pages.copyfit import Copyfit
    from ..typeset.pdf import Typesetter


@dataclass(kw_only=True)
class Made:
    """What building one document of pages did (an issue, a pamphlet), for the report: its pages,
    the print edition's padded to the fold and the blanks added, its files and imposed sheets;
    ``problems`` empty when it succeeded."""

    pages: int = 0
    print_pages: int = 0
    added: int = 0
    skipped: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    """Each edition's file, by its name in ``layout.editions`` (``outputs["print"]``)."""
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
            result.imposed = impose_output(project, Path(result.outputs[BOOKLET.source]), plan, force)
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
    if state is None or not isinstance(state.get("outputs"), dict):  # a stamp from before the registry
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
    outputs = issue_outputs(project, loaded.publication, loaded.issue.number)
    return read_stamp(stamp, digest_files(input_files(project, loaded)), list(outputs.values())) is not None


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
    outputs = issue_outputs(project, publication, issue.number)
    result.outputs = {name: str(path) for name, path in outputs.items()}
    files = input_files(project, loaded)
    inputs = file_stats(files)  # as read, not as they may be once typesetting is over
    digest = digest_files(files)
    stamp = _issue_stamp(project, issue_dir)
    state = None if force else read_stamp(stamp, digest, list(outputs.values()))
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
    from ..pages.copyfit import fit_pages, laid_out_starts

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
    result.fit = fit_pages(laid_out_starts(document), len(document.pages), words, issue.folder)


def issue_outputs(project: Project, publication: Publication, number: int) -> dict[str, Path]:
    """Where each edition an issue is made in goes, by the edition's name."""
    return {
        edition.name: project.issue_output(edition, publication, number) for edition in editions_for("issue")
    }


def write_editions(
    typesetter: Typesetter,
    document: Document,
    blank: Document,
    outputs: dict[str, str],
    digest: str,
    title: str,
) -> tuple[int, int, int]:
    """Every edition named in ``outputs`` (an issue's, a pamphlet's, in the registry's order) written
    from ``document`` by its entry of ``layout.editions``, each atomically to its file; the print
    edition padded to the fold with ``blank``'s page. Its pages, the print edition's and the blanks added."""
    from ..typeset.pdf import Typeset, identifier

    typeset = Typeset(document, blank, typesetter.colours)
    pages = {}
    for name, target in outputs.items():
        with atomic_path(Path(target)) as temporary:
            pages[name] = edition(name).write(typeset, temporary, identifier(digest, name, title))
    return len(document.pages), pages[PRINT.name], pages[PRINT.name] - len(document.pages)


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


def lost_issue(issue_dir: Path) -> Problem:
    """What is said of an issue whose process died while setting it."""
    message = "the process setting this issue stopped abruptly (out of memory?); please report it"
    return Problem(display_path(issue_dir / "issue.yaml", None), None, None, message)
