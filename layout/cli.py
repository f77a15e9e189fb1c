"""The command line: arguments in, reports out. Bad input exits with status 2, never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from .build import IssueResult, Project, build_issues, build_volumes
from .errors import LayoutError
from .impose import LAYOUTS, ORDERS

EXIT_BAD_INPUT = 2


def _project(out: str | None) -> Project:
    root = Path.cwd()
    return Project(root=root, out=Path(out) if out else root / "build")


def _report_issue(result: IssueResult) -> None:
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        return
    if result.skipped:
        click.echo(f"No {result.number}: up to date ({result.pages} pages)")
        return
    blanks = f"{result.added} blank page{'s' * (result.added != 1)} added before the back page"
    click.echo(
        f"No {result.number}: {result.pages} pages; print edition {result.print_pages} pages ({blanks})"
    )
    for output in result.outputs:
        click.echo(f"  wrote {os.path.relpath(output)}")


@click.group()
@click.version_option(package_name="layout")
def main() -> None:
    """Lay out The Spark: issues, volumes, leaflets and the archive site."""


@main.command()
@click.argument("issue_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: build/).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Issues built at once, each in its own process.",
)
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
def build(issue_dirs: tuple[Path, ...], out: str | None, jobs: int, force: bool) -> None:
    """Build the archive and print editions of the named issues (default: every issue)."""
    project = _project(out)
    missing = [d for d in issue_dirs if not (d / "issue.yaml").is_file()]
    for directory in missing:
        click.echo(f"{directory}: not an issue folder (no issue.yaml)", err=True)
    if missing:
        sys.exit(EXIT_BAD_INPUT)
    try:
        results = build_issues(project, list(issue_dirs) or None, jobs=jobs, force=force)
    except LayoutError as error:
        _fail(error.problems)
    for result in results:
        _report_issue(result)
    failed = [r for r in results if r.problems]
    if failed:
        click.echo(
            f"{len(failed)} of {len(results)} issues failed: {', '.join(r.directory for r in failed)}",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: build/).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True)
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
def volume(ids: tuple[str, ...], out: str | None, jobs: int, force: bool) -> None:
    """Bind the named volumes of issues/volumes.yaml (default: all of them)."""
    try:
        issue_results, results = build_volumes(_project(out), list(ids) or None, jobs=jobs, force=force)
    except LayoutError as error:
        _fail(error.problems)
    for result in issue_results:
        if result.problems or not result.skipped:
            _report_issue(result)
    for result in results:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if not result.problems:
            state = "up to date" if result.skipped else f"wrote {os.path.relpath(result.output)}"
            click.echo(f"Volume {result.id}: {result.pages} pages; {state}")
    if any(r.problems for r in [*issue_results, *results]):
        sys.exit(EXIT_BAD_INPUT)


def _fail(problems: list) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", "layout_", type=click.Choice(LAYOUTS), default="booklet", show_default=True)
@click.option(
    "--sheet", type=click.Choice(["a4", "a3"]), help="Paper (default: fits two pages at full size)."
)
@click.option(
    "--fit", type=click.Choice(["a5", "a4"]), help="Scale pages to this size (a5: an A4 issue on A4)."
)
@click.option(
    "--duplex",
    type=click.Choice(["short", "long"]),
    default="short",
    show_default=True,
    help="The edge your printer flips on; backs are turned for long.",
)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default="duplex",
    show_default=True,
    help="Printing one side at a time: all fronts, then the backs.",
)
@click.option("--creep", type=click.FloatRange(0, 10), default=0.0, help="Creep of the innermost sheet, mm.")
@click.option("--out", "target", type=click.Path(dir_okay=False, path_type=Path), help="Output PDF.")
def impose(
    source: Path,
    layout_: str,
    sheet: str | None,
    fit: str | None,
    duplex: str,
    order: str,
    creep: float,
    target: Path | None,
) -> None:
    """Lay out a PDF on sheets: a saddle-stitched booklet, or 2-up to cut in half."""
    from .build import atomic_path
    from .impose import Plan
    from .impose import impose as impose_pdf

    target = target or source.with_name(f"{source.stem}-{layout_}.pdf")
    plan = Plan(layout_, sheet, fit, duplex, order, creep)
    try:
        with atomic_path(target) as temporary:
            result = impose_pdf(source, temporary, plan)
    except LayoutError as error:
        _fail(error.problems)
    plural = "s" * (result.blanks != 1)
    blanks = f", {result.blanks} blank page{plural} added before the back cover" if result.blanks else ""
    click.echo(f"{os.path.relpath(target)}: {result.sheets} {result.sheet.upper()} sheets{blanks}")
    click.echo(result.instructions)
