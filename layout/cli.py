"""The command line: arguments in, reports out. Bad input exits with status 2, never a traceback."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from .build.imposing import ImposeResult, impose_output
from .build.issues import IssueResult, build_issue, build_issues, issue_fit
from .build.leaflets import LeafletResult, build_leaflet, build_leaflets
from .build.loading import load
from .build.stamps import build_lock
from .build.volumes import build_volumes
from .editions import BOOKLET
from .model.errors import LayoutError, internal_error
from .model.manifest import KINDS, find_issue_dirs, has_volumes
from .pages.impose import LAYOUTS, ORDERS, Plan
from .project import Project
from .typeset.render import count

OUT = click.option(
    "--out", type=click.Path(file_okay=False), help="Output folder: the PDFs and the site (default: build/)."
)
EXIT_WARNINGS = 1
EXIT_BAD_INPUT = 2
T = TypeVar("T")
JOBS = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Issues built at once, each in its own process.",
)


def imposition_options(command: Callable) -> Callable:
    """The options that say how to lay pages out on sheets, shared by impose, build and leaflet."""
    options = [
        click.option("--sheet", type=click.Choice(["a4", "a3"]), help="Paper (default: fits two pages)."),
        click.option("--scale", type=click.Choice(["a5", "a4"]), help="Scale pages (a5: an A4 issue on A4)."),
        click.option(
            "--duplex",
            type=click.Choice(["short", "long"]),
            default="short",
            show_default=True,
            help="The edge your printer flips on; backs are turned for long.",
        ),
        click.option(
            "--order",
            type=click.Choice(ORDERS),
            default="duplex",
            show_default=True,
            help="Printing one side at a time: all fronts, then the backs.",
        ),
        click.option(
            "--creep", type=click.FloatRange(0, 10), default=0.0, help="Creep, innermost sheet, mm."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _plan(
    layout: str | None, sheet: str | None, scale: str | None, duplex: str, order: str, creep: float
) -> Plan | None:
    """The imposition the options ask for (None without a layout); a plan they cannot make, such as
    creep on sheets that are cut, not folded, is a usage error (exit 2), in Plan's words."""
    if not layout:
        return None
    try:
        return Plan(layout, sheet, scale, duplex, order, creep)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


def _fit_was_renamed(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise click.UsageError(f"--fit {value} is now --scale {value} (--fit fits a leaflet to its sheets)")


RENAMED_FIT = click.option(
    "--fit", "renamed_fit", hidden=True, expose_value=False, callback=_fit_was_renamed, is_eager=True
)


def _out_was_renamed(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise click.UsageError(f"--out {value} is now --to {value} (--out names the output folder)")


RENAMED_OUT = click.option(
    "--out", "renamed_out", hidden=True, expose_value=False, callback=_out_was_renamed, is_eager=True
)


def _report_imposed(imposed: ImposeResult | None) -> None:
    if imposed is None:
        return
    state = "up to date" if imposed.skipped else "wrote"
    blanks = f", {count(imposed.blanks, 'blank page')} added" if imposed.blanks else ""
    click.echo(f"  {state} {os.path.relpath(imposed.output)} ({count(imposed.sheets, 'sheet')}{blanks})")
    click.echo(f"  and its cover note {os.path.relpath(imposed.note)}:")
    for number, step in enumerate(imposed.instructions, 1):
        click.echo(f"    {number}. {step}")


@contextlib.contextmanager
def progress(total: int, label: str, report: Callable[[T], None]) -> Iterator[Callable[[T], None]]:
    """On a terminal, a progress bar, then each result reported; elsewhere, each reported when done."""
    if not sys.stdout.isatty() or total < 2:
        yield report
        return
    results = []
    with click.progressbar(length=total, label=label, show_pos=True, show_eta=False) as bar:

        def advance(result: T) -> None:
            results.append(result)
            bar.update(1)

        yield advance
    for result in results:
        report(result)


def _project(out: str | None) -> Project:
    root = Path.cwd()
    return Project(root=root, out=Path(out) if out else root / "build")


def _issue_dirs(project: Project, named: tuple[Path, ...]) -> list[Path]:
    """The issue folders named, every one checked (default: every issue of the project)."""
    missing = [d for d in named if not (d / "issue.yaml").is_file()]
    if missing:
        _fail([f"{d}: not an issue folder (no issue.yaml)" for d in missing])
    return list(named) or find_issue_dirs(project.issues_root)


def _report_issue(result: IssueResult) -> None:
    if result.problems:
        _echo_problems(result.problems)
        return
    if result.skipped:
        click.echo(f"No {result.number}: up to date ({result.pages} pages)")
        _report_imposed(result.imposed)
        return
    blanks = f"{count(result.added, 'blank page')} added before the back page"
    click.echo(
        f"No {result.number}: {result.pages} pages; print edition {result.print_pages} pages ({blanks})"
    )
    for output in result.outputs.values():
        click.echo(f"  wrote {os.path.relpath(output)}")
    for title in result.ragged:
        click.echo(f"  set ragged-right, its language has no hyphenation: {title}")
    if result.fit:
        from .pages.copyfit import report

        click.echo("\n".join(f"  {line}" for line in report(result.fit)))
    _report_imposed(result.imposed)


class Commands(click.Group):
    """The commands, with the one error path: bad input (a LayoutError, from any command) is
    reported as its located problems, and a fault that no issue caught as one line; both exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except LayoutError as error:
            _fail(error.problems)
        except Exception as error:
            _fail([internal_error(f"layout {ctx.invoked_subcommand or ''}".strip(), error, "running")])


@click.group(cls=Commands)
@click.version_option(package_name="layout")
def main() -> None:
    """Lay out The Spark: issues, volumes, leaflets and the archive site."""


@main.command()
@click.argument("issue_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@OUT
@JOBS
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--impose", "layout_", type=click.Choice(LAYOUTS), help="Also lay the print edition on sheets.")
@imposition_options
@RENAMED_FIT
def build(
    issue_dirs: tuple[Path, ...], out: str | None, jobs: int, force: bool, layout_: str | None, **sheets
) -> None:
    """Build the archive and print editions of the named issues (default: every issue)."""
    project = _project(out)
    plan = _plan(layout_, **sheets)
    dirs = _issue_dirs(project, issue_dirs)
    with build_lock(project.out), progress(len(dirs), "Building", _report_issue) as on_done:
        results = build_issues(project, dirs, jobs=jobs, force=force, plan=plan, on_done=on_done)
        pamphlets = [] if issue_dirs else _declared_pamphlets(project, jobs, force)
    for pamphlet_result in pamphlets:
        _report_pamphlet(pamphlet_result)
    for warning in dict.fromkeys(w for r in results for w in r.style_warnings):  # each once, not per issue
        click.echo(f"warning: {warning}", err=True)
    failed = [r for r in results if r.problems]
    if failed:
        click.echo(
            f"{len(failed)} of {len(results)} issues failed: "
            + ", ".join(os.path.relpath(r.directory) for r in failed),
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    if any(r.problems for r in pamphlets):
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("ids", nargs=-1)
@OUT
@JOBS
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
def volume(ids: tuple[str, ...], out: str | None, jobs: int, force: bool) -> None:
    """Bind the named volumes of issues/volumes.yaml (default: all of them)."""
    project = _project(out)
    if not ids and not has_volumes(project.issues_root):  # volumes.yaml is optional
        click.echo("no volumes.yaml: there is nothing to bind")
        return
    with build_lock(project.out):
        issue_results, results = build_volumes(project, list(ids) or None, jobs=jobs, force=force)
    for result in issue_results:
        if result.problems or not result.skipped:
            _report_issue(result)
    for result in results:
        _echo_problems(result.problems)
        if not result.problems:
            state = "up to date" if result.skipped else f"wrote {os.path.relpath(result.output)}"
            click.echo(f"Volume {result.id}: {result.pages} pages; {state}")
    if any(r.problems for r in [*issue_results, *results]):
        sys.exit(EXIT_BAD_INPUT)


def _echo_problems(problems: list) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _fail(problems: list) -> NoReturn:
    _echo_problems(problems)
    sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", "layout_", type=click.Choice(LAYOUTS), default="booklet", show_default=True)
@imposition_options
@RENAMED_FIT
@RENAMED_OUT
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The sheets' PDF (default: beside INPUT).",
)
def impose(source: Path, layout_: str, target: Path | None, **sheets) -> None:
    """Lay out a PDF on sheets: a saddle-stitched booklet, or 2-up to cut in half."""
    target = target or source.with_name(f"{source.stem}-{layout_}.pdf")
    project = _project(None)
    with build_lock(project.out):  # the cover note's record is kept there
        result = impose_output(project, source, _plan(layout_, **sheets), force=True, target=target)
    _report_imposed(result)


@main.command()
@click.argument("number", type=int)
@click.option("--date", "date_text", required=True, metavar="YYYY-MM-DD", help="The issue's date.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="The project folder (default: here).",
)
def new(number: int, date_text: str, root: Path) -> None:
    """Start issue NUMBER: issues/NNN/ with its issue.yaml and one article stub."""
    from .model.scaffold import STUB_FILE, new_issue, parse_date

    project = Project(root=root.resolve(), out=root.resolve() / "build")
    folder = new_issue(project, number, parse_date(date_text))
    shown = os.path.relpath(folder)
    click.echo(f"wrote {shown}/issue.yaml and {shown}/{STUB_FILE}; edit them, then: layout check {shown}")


@main.command()
@click.argument("issue_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--pdf", is_flag=True, help="Also preflight the built PDFs (build them first).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@OUT
def check(issue_dirs: tuple[Path, ...], pdf: bool, as_json: bool, out: str | None) -> None:
    """Check the named issues (default: every issue) without typesetting them.

    Exit status 2 when a source has problems, 1 when only preflight warnings were found.
    """
    from .build.check import check_issues, summary_line

    results = check_issues(_project(out), list(issue_dirs), pdf=pdf)
    if as_json:
        problems = [problem for result in results for problem in result.as_json()["problems"]]
        issues = [result.as_json() for result in results]
        click.echo(
            json.dumps({"ok": all(r.ok for r in results), "problems": problems, "issues": issues}, indent=2)
        )
    for result in [] if as_json else results:
        _echo_problems(result.problems)
        if not result.problems:
            click.echo(summary_line(result))
        for finding in result.findings:
            click.echo(f"  {finding}")
        if result.stale:
            click.echo(f"  note: the PDFs are older than the sources: run layout build {result.directory}")
    if any(r.problems for r in results):
        sys.exit(EXIT_BAD_INPUT)
    if any(r.findings for r in results):
        sys.exit(EXIT_WARNINGS)


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--issue", "issue_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="issues/NNN"
)
@click.option("--kind", type=click.Choice(KINDS), help="What the articles are (default: statement).")
@click.option("--lang", help="Their language's code, e.g. af-ZA (default: the document's own).")
def import_(files: tuple[Path, ...], issue_dir: Path, kind: str | None, lang: str | None) -> None:
    """Import .docx, .odt, .html, .md or .txt files as articles of an issue, then check it."""
    from .build.check import check_issue, summary_line
    from .text.importer import import_documents

    project = _project(None)
    _issue_dirs(project, (issue_dir,))
    results = import_documents(project, issue_dir, list(files), kind, lang)
    for result in results:
        _echo_problems(result.problems)
        if result.article:
            counts = f"{count(result.figures, 'picture')}, {count(result.notes, 'note')}"
            click.echo(f"{result.source}: imported as {result.article} ({counts})")
        for remark in result.remarks:
            click.echo(f"  {remark}")
    checked = check_issue(project, issue_dir)
    _echo_problems(checked.problems)
    if not checked.problems:
        click.echo(summary_line(checked))
    if checked.problems or any(r.problems for r in results):
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="schemas")
def schema(folder: Path) -> None:
    """Write JSON Schemas of issue.yaml, article front matter, publication.yaml and volumes.yaml
    into FOLDER (default: schemas)."""
    from .model.schema import write_schemas

    for path in write_schemas(folder):
        click.echo(f"wrote {os.path.relpath(path)}")


def _built(issue_dir: Path, out: str | None) -> tuple[Project, IssueResult]:
    """An issue built if it is out of date, else as it was: the PDFs to read are current."""
    project = _project(out)
    _issue_dirs(project, (issue_dir,))
    with build_lock(project.out):
        result = build_issue(project, issue_dir)
    if result.problems:
        _fail(result.problems)
    if not result.skipped:
        click.echo(f"No {result.number}: built")
    if result.fit is None:  # skipped without loading the issue: read its copyfit from the PDF
        result.fit = issue_fit(load(project, issue_dir), Path(result.outputs["archive"]))
    return project, result


@main.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@OUT
def fit(issue_dir: Path, out: str | None) -> None:
    """Copyfit an issue: pages per article, blank pages, words to cut or add; then preflight it."""
    from .checks.preflight import preflight_issue
    from .pages.copyfit import report

    _, result = _built(issue_dir, out)
    click.echo(f"No {result.number}: " + "\n".join(report(result.fit)))
    archive, printed = Path(result.outputs["archive"]), Path(result.outputs["print"])
    findings = preflight_issue(printed, archive, [article.title for article in result.fit.articles])
    click.echo(f"Preflight: {count(len(findings), 'warning') if findings else 'no warnings'}")
    for finding in findings:
        click.echo(f"  {finding}")


@main.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@OUT
def proof(issue_dir: Path, out: str | None) -> None:
    """PNG proofs of an issue's print edition: every page, and the spreads of the folded copy."""
    from .pages.proof import proof_issue

    project, result = _built(issue_dir, out)
    blanks = range(result.pages, result.print_pages)  # the padding goes before the back page
    for path in proof_issue(project, result.number, blanks):
        click.echo(f"wrote {os.path.relpath(path)}")


@main.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("articles", nargs=-1)
@click.option("--size", type=click.Choice(["a5", "a4"]), default="a5", show_default=True)
@click.option(
    "--sheets",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="Sheets, printed both sides, the leaflet is meant to fit.",
)
@click.option(
    "--fit",
    is_flag=True,
    help="Choose the type size and leading (8.5 pt at the least) that keep it to --sheets.",
)
@OUT
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--impose", "layout_", type=click.Choice(LAYOUTS), help="Also lay the leaflet on sheets.")
@imposition_options
def leaflet(
    issue_dir: Path,
    articles: tuple[str, ...],
    size: str,
    sheets: int,
    fit: bool,
    out: str | None,
    force: bool,
    layout_: str | None,
    **options,
) -> None:
    """Set articles of an issue as leaflets: ARTICLES by file name or position (default: all)."""
    project, plan = _project(out), _plan(layout_, **options)
    _issue_dirs(project, (issue_dir,))
    with build_lock(project.out):
        if articles:
            results = [build_leaflet(project, issue_dir, a, size, sheets, plan, force, fit) for a in articles]
        else:
            results = build_leaflets(project, [issue_dir], size, sheets, plan, force=force, fit=fit)
    for result in results:
        if result.problems:
            _echo_problems(result.problems)
            continue
        state = "up to date" if result.skipped else f"wrote {os.path.relpath(result.output)}"
        click.echo(f"{result.title} ({result.size.upper()}): {_leaflet_verdict(result)}; {state}")
        _report_imposed(result.imposed)
    if any(r.problems for r in results):
        sys.exit(EXIT_BAD_INPUT)


def _leaflet_verdict(result: LeafletResult) -> str:
    """``2 pages, fits 1 sheet at 9.5 pt on 12.5 pt, one column``, or the words to cut to fit."""
    pages, sheets = count(result.pages, "page"), count(result.sheets, "sheet")
    setting = result.setting.describe() if result.setting else ""
    if not result.words_over:
        return f"{pages}, fits {sheets} " + (f"at {setting}" if setting else "printed both sides")
    cut = f"cut {result.words_over:,} words of {result.words:,} to fit"
    if setting:
        return f"{pages} even at {setting}, the smallest allowed: {cut} {sheets}"
    return f"{pages}, over {sheets}: {cut}"


@main.command()
@click.argument("articles", nargs=-1)
@click.option("--title", required=True, help="The title printed on the cover.")
@click.option("--subtitle", help="A line printed under the title.")
@click.option("--tag", help="Every article of this subject, oldest first (instead of ARTICLES).")
@click.option("--size", type=click.Choice(["a5", "a4"]), default="a5", show_default=True)
@click.option("--id", "pamphlet_id", help="The file name (default: from the title).")
@OUT
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--impose", "layout_", type=click.Choice(LAYOUTS), default="booklet", show_default=True)
@imposition_options
def pamphlet(
    articles: tuple[str, ...],
    title: str,
    subtitle: str | None,
    tag: str | None,
    size: str,
    pamphlet_id: str | None,
    out: str | None,
    force: bool,
    layout_: str,
    **options,
) -> None:
    """Gather articles across issues into a pamphlet: ARTICLES as ISSUE:FILE or ISSUE:POSITION
    (21:aleppo-has-fallen.md, 22:4) in the order given, or --tag TAG for a subject's articles."""
    from .build.pamphlets import build_pamphlet, pamphlet_from_command

    project = _project(out)
    wanted, chosen = pamphlet_from_command(project, title, subtitle, tag, articles, size, pamphlet_id)
    plan = _plan(layout_, **options)
    offered = BOOKLET.plan  # the site's: A5 pages on A4, for a photocopier
    if plan and plan.layout == offered.layout and not (plan.sheet or plan.fit):  # sheets as the site's
        plan = dataclasses.replace(plan, sheet=offered.sheet, fit=offered.fit)
    with build_lock(project.out):
        result = build_pamphlet(project, wanted, chosen, plan, force)
    _report_pamphlet(result)
    if result.problems:
        sys.exit(EXIT_BAD_INPUT)


def _declared_pamphlets(project: Project, jobs: int, force: bool) -> list:
    """The pamphlets of issues/pamphlets.yaml, built after the issues (none without the file)."""
    from .build.pamphlets import build_declared

    return build_declared(project, jobs, force)


def _report_pamphlet(result) -> None:
    if result.problems:
        _echo_problems(result.problems)
        return
    size = f"{count(result.articles, 'article')}, {count(result.pages, 'page')}"
    if result.skipped:
        click.echo(f"{result.title}: {size}; up to date")
    else:
        blanks = f"{count(result.added, 'blank page')} added before the back cover"
        click.echo(f"{result.title}: {size}; print edition {result.print_pages} pages ({blanks})")
        for output in result.outputs.values():
            click.echo(f"  wrote {os.path.relpath(output)}")
    _report_imposed(result.imposed)


@main.command()
@OUT
@JOBS
def site(out: str | None, jobs: int) -> None:
    """Build the archive website: every issue, volume and leaflet, with covers, feed and search."""
    from .site.downloads import human_size
    from .site.website import build_site

    project = _project(out)
    with build_lock(project.out):  # the PDFs the site offers are built there, the site in its site/
        result = build_site(project, None, jobs)
    click.echo(
        f"{os.path.relpath(result.root)}: {result.pages} pages, {result.downloads} downloads"
        f" ({human_size(result.download_bytes)})"
    )
    for problem in result.warnings:
        click.echo(f"{problem} (the site offers no leaflet of this article)", err=True)
    if not result.feed:
        click.echo("no site_url in publication.yaml: no feed.atom or sitemap.xml", err=True)


@main.command()
@click.argument("issue_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@OUT
def watch(issue_dirs: tuple[Path, ...], out: str | None) -> None:
    """Rebuild issues (default: every issue) whenever their files, the style or the fonts change."""
    from .build.watch import watch_issues

    project = _project(out)
    dirs = _issue_dirs(project, issue_dirs)
    announced = []

    def report(result: IssueResult, seconds: float) -> None:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {result.directory} ({seconds:.1f} s)")
        _report_issue(result)

    def ready() -> None:
        if not announced:
            announced.append(True)
            click.echo(f"Watching {count(len(dirs), 'issue')}, the style and the fonts; Ctrl+C stops.")

    watch_issues(project, dirs, report, ready)
