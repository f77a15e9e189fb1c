"""The command line: arguments in, reports out. Bad input exits with status 2, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from .build import (
    ImposeResult,
    IssueResult,
    Project,
    build_issues,
    build_leaflet,
    build_leaflets,
    build_lock,
    build_volumes,
    impose_output,
)
from .errors import LayoutError
from .impose import LAYOUTS, ORDERS, Plan

EXIT_BAD_INPUT = 2


def imposition_options(command: Callable) -> Callable:
    """The options that say how to lay pages out on sheets, shared by impose, build and leaflet."""
    options = [
        click.option("--sheet", type=click.Choice(["a4", "a3"]), help="Paper (default: fits two pages)."),
        click.option("--fit", type=click.Choice(["a5", "a4"]), help="Scale pages (a5: an A4 issue on A4)."),
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


def _plan(layout: str | None, sheet: str | None, fit: str | None, duplex: str, order: str, creep: float):
    return Plan(layout, sheet, fit, duplex, order, creep) if layout else None


def _report_imposed(imposed: ImposeResult | None) -> None:
    if imposed is None:
        return
    state = "up to date" if imposed.skipped else "wrote"
    blanks = f", {count(imposed.blanks, 'blank page')} added" if imposed.blanks else ""
    click.echo(f"  {state} {os.path.relpath(imposed.output)} ({count(imposed.sheets, 'sheet')}{blanks})")
    click.echo(f"  and its cover note {os.path.relpath(imposed.note)}:")
    for number, step in enumerate(imposed.instructions, 1):
        click.echo(f"    {number}. {step}")


def count(number: int, noun: str) -> str:
    """``1 page``, ``3 pages``."""
    return f"{number} {noun}{'s' * (number != 1)}"


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
        _report_imposed(result.imposed)
        return
    blanks = f"{count(result.added, 'blank page')} added before the back page"
    click.echo(
        f"No {result.number}: {result.pages} pages; print edition {result.print_pages} pages ({blanks})"
    )
    for output in result.outputs:
        click.echo(f"  wrote {os.path.relpath(output)}")
    _report_imposed(result.imposed)


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
@click.option("--impose", "layout_", type=click.Choice(LAYOUTS), help="Also lay the print edition on sheets.")
@imposition_options
def build(
    issue_dirs: tuple[Path, ...], out: str | None, jobs: int, force: bool, layout_: str | None, **sheets
) -> None:
    """Build the archive and print editions of the named issues (default: every issue)."""
    project = _project(out)
    plan = _plan(layout_, **sheets)
    missing = [d for d in issue_dirs if not (d / "issue.yaml").is_file()]
    for directory in missing:
        click.echo(f"{directory}: not an issue folder (no issue.yaml)", err=True)
    if missing:
        sys.exit(EXIT_BAD_INPUT)
    try:
        with build_lock(project):
            results = build_issues(project, list(issue_dirs) or None, jobs=jobs, force=force, plan=plan)
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
        project = _project(out)
        with build_lock(project):
            issue_results, results = build_volumes(project, list(ids) or None, jobs=jobs, force=force)
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
@imposition_options
@click.option("--out", "target", type=click.Path(dir_okay=False, path_type=Path), help="Output PDF.")
def impose(source: Path, layout_: str, target: Path | None, **sheets) -> None:
    """Lay out a PDF on sheets: a saddle-stitched booklet, or 2-up to cut in half."""
    target = target or source.with_name(f"{source.stem}-{layout_}.pdf")
    try:
        result = impose_output(_project(None), source, _plan(layout_, **sheets), force=True, target=target)
    except LayoutError as error:
        _fail(error.problems)
    _report_imposed(result)


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
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: build/).")
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--impose", "layout_", type=click.Choice(LAYOUTS), help="Also lay the leaflet on sheets.")
@imposition_options
def leaflet(
    issue_dir: Path,
    articles: tuple[str, ...],
    size: str,
    sheets: int,
    out: str | None,
    force: bool,
    layout_: str | None,
    **options,
) -> None:
    """Set articles of an issue as leaflets: ARTICLES by file name or position (default: all)."""
    if not (issue_dir / "issue.yaml").is_file():
        _fail([f"{issue_dir}: not an issue folder (no issue.yaml)"])
    project, plan = _project(out), _plan(layout_, **options)
    try:
        with build_lock(project):
            if articles:
                results = [build_leaflet(project, issue_dir, a, size, sheets, plan, force) for a in articles]
            else:
                results = build_leaflets(project, [issue_dir], size, sheets, plan, force=force)
    except LayoutError as error:
        _fail(error.problems)
    for result in results:
        if result.problems:
            for problem in result.problems:
                click.echo(str(problem), err=True)
            continue
        fits = count(result.sheets, "sheet")
        verdict = (
            f"over {fits} by about {result.words_over} words of {result.words}"
            if result.words_over
            else f"fits {fits} printed both sides"
        )
        state = "up to date" if result.skipped else f"wrote {os.path.relpath(result.output)}"
        click.echo(
            f"{result.title} ({result.size.upper()}): {count(result.pages, 'page')}, {verdict}; {state}"
        )
        _report_imposed(result.imposed)
    if any(r.problems for r in results):
        sys.exit(EXIT_BAD_INPUT)
