"""Stage 6b: watch issues and rebuild one whenever a file it is made from changes.

The builds run in one worker process kept warm: WeasyPrint imported, fonts and stylesheet
loaded once, so that a saved file becomes a PDF in about the time its layout takes. Bad
input is reported and watching goes on; a worker that dies is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from watchfiles import watch

from .build import IssueResult, Project, build_issue, typesetter_for
from .errors import LayoutError, Problem
from .manifest import load_publication
from .stamps import build_lock


def affected(project: Project, issue_dirs: list[Path], changed: Iterable[str]) -> list[Path]:
    """The issues a set of changed files touches: its own folder's, or all for shared files."""
    folders = {directory.resolve(): directory for directory in issue_dirs}
    hit = []
    for name in changed:
        path = Path(name).resolve()
        owner = next((folders[f] for f in folders if path.is_relative_to(f)), None)
        if owner is None:
            return issue_dirs  # the style, the fonts or publication.yaml: every issue
        if owner not in hit:
            hit.append(owner)
    return [directory for directory in issue_dirs if directory in hit]


def _warm_up(project: Project, style: str) -> None:
    typesetter_for(project, style)  # imports WeasyPrint, loads fonts and the stylesheet


def _worker(project: Project, style: str) -> ProcessPoolExecutor:
    # Spawned, not forked: a forked worker would keep the build lock's file open, and the lock held.
    spawn = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(1, mp_context=spawn, initializer=_warm_up, initargs=(project, style))


def watch_issues(
    project: Project,
    issue_dirs: list[Path],
    report: Callable[[IssueResult, float], None],
    ready: Callable[[], None] = lambda: None,
    stop_event: object | None = None,
) -> None:
    """Build the issues, then rebuild each one whose files change, until stopped.

    Watching starts before the first build, so that a file saved while one runs is not missed;
    the watcher wakes every half second with or without changes, and only changes build.
    """
    style = load_publication(project.issues_root, project.root).style
    watched = [
        *issue_dirs,
        project.style_dir(style),
        project.fonts_dir,
        project.issues_root / "publication.yaml",
    ]
    changes = watch(
        *watched,
        stop_event=stop_event,
        raise_interrupt=False,
        debounce=400,
        step=30,
        yield_on_timeout=True,
        rust_timeout=500,
    )
    worker = _worker(project, style)
    pending, waiting = list(issue_dirs), False
    try:
        for batch in changes:
            pending += [
                d for d in affected(project, issue_dirs, (name for _, name in batch)) if d not in pending
            ]
            if not pending:
                continue
            with contextlib.ExitStack() as held:
                try:
                    held.enter_context(build_lock(project.out))
                except LayoutError as busy:  # another build has the folder: build once it is done
                    if not waiting:
                        report(IssueResult(str(pending[0]), problems=busy.problems), 0.0)
                    waiting = True
                    continue
                waiting = False
                for directory in pending:
                    started = time.perf_counter()
                    try:
                        result = worker.submit(build_issue, project, directory).result()
                    except BrokenProcessPool:
                        worker = _worker(project, style)
                        problem = Problem(str(directory), None, None, "the build crashed")
                        result = IssueResult(str(directory), problems=[problem])
                    report(result, time.perf_counter() - started)
            ready()
            pending = []
    finally:
        worker.shutdown(cancel_futures=True)
