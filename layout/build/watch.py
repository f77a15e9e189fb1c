"""Stage 6b: watch issues and rebuild one whenever a file it is made from changes.

The builds run in one worker process kept warm: WeasyPrint imported, fonts and stylesheet
loaded once, so that a saved file becomes a PDF in about the time its layout takes. Bad
input is reported and watching goes on; a worker that dies is replaced. SIGTERM (``kill``),
SIGHUP (the terminal closed) and SIGINT (Ctrl+C) stop watching, the build under way and the
worker, and release the build lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from watchfiles import watch

from ..model.errors import LayoutError, Problem
from ..model.manifest import load_publication
from ..project import Project
from .issues import IssueResult, build_issue
from .stamps import build_lock
from .typesetters import typesetter_for


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


STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
STOP_SECONDS = 10  # for the worker to end its build and exit, before it is killed
PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies


class _InWorker:
    """What the worker's SIGTERM handler needs to know: whose worker it is, and if it is building."""

    watcher = 0
    building = False


def _warm_up(project: Project, style: str, watcher: int) -> None:
    # Ctrl+C reaches the worker too: the watching process decides, and a traceback from an idle
    # worker would only bury its message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_build)
    _InWorker.watcher = watcher
    if sys.platform == "linux":  # the watcher killed outright (SIGKILL) takes its worker with it
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != watcher:  # it died before prctl took effect
        raise SystemExit(0)
    typesetter_for(project, style)  # imports WeasyPrint, loads fonts and the stylesheet


def _build(project: Project, directory: Path) -> IssueResult:
    """``build_issue`` in the worker, marked as under way for ``_end_build``."""
    _InWorker.building = True
    try:
        return build_issue(project, directory)
    finally:
        _InWorker.building = False


def _end_build(signum: int, frame: object) -> None:
    """SIGTERM in the worker: cut a build short (SystemExit is no Exception, so nothing catches it,
    and files are written atomically: the previous PDFs stay whole); the pool then ends the worker.

    An idle worker is left to end as the pool tells it: raised then, SystemExit could land in the
    clean-up it runs on its way out, and be lost there. One whose watcher is gone has nobody to
    tell it, nor to kill it if the SystemExit is lost: it ends at once, without clean-up.
    """
    if os.getppid() != _InWorker.watcher:
        os._exit(128 + signum)
    if _InWorker.building:
        raise SystemExit(128 + signum)


def _worker(project: Project, style: str) -> ProcessPoolExecutor:
    # Spawned, not forked: a forked worker would keep the build lock's file open, and the lock held.
    spawn = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        1, mp_context=spawn, initializer=_warm_up, initargs=(project, style, os.getpid())
    )


def _stop(worker: ProcessPoolExecutor) -> None:
    """End the worker now, with the build it may be running, and wait until it has exited.

    SIGTERM tells the worker to cut its build short (see ``_end_build``), and the pool to end it;
    its own exit runs its clean-up (WeasyPrint's temporary copy of the fonts). Once it and this
    process are gone, multiprocessing's resource tracker sees its pipe close and exits.
    """
    worker.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()  # the pool's processes: no other children here
    for child in children:
        child.terminate()
    for child in children:
        child.join(STOP_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()
    worker.shutdown(wait=True)


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop watching as Ctrl+C does: by KeyboardInterrupt, wherever it is.

    A signal the process was started with ignored stays ignored: ``nohup`` ignores SIGHUP, and a
    shell without job control starts background commands with SIGINT ignored.
    """
    previous = {}
    for number in STOPPING_SIGNALS:
        if signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, _interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _interrupt(signum: int, frame: object) -> None:
    # Once: a second Ctrl+C or kill must not cut short the stopping of the worker that follows.
    for number in STOPPING_SIGNALS:
        if signal.getsignal(number) is _interrupt:
            signal.signal(number, signal.SIG_IGN)
    raise KeyboardInterrupt


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
    A stopping signal (see ``STOPPING_SIGNALS``) ends it at once, even during a build.
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
        raise_interrupt=True,
        debounce=400,
        step=30,
        yield_on_timeout=True,
        rust_timeout=500,
    )
    with _stopped_by_signals(), contextlib.suppress(KeyboardInterrupt):
        _build_on_changes(project, issue_dirs, style, changes, report, ready)


def _build_on_changes(
    project: Project,
    issue_dirs: list[Path],
    style: str,
    changes: Iterable[set[tuple[object, str]]],
    report: Callable[[IssueResult, float], None],
    ready: Callable[[], None],
) -> None:
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
                        result = worker.submit(_build, project, directory).result()
                    except BrokenProcessPool:
                        worker = _worker(project, style)
                        problem = Problem(str(directory), None, None, "the build crashed")
                        result = IssueResult(str(directory), problems=[problem])
                    report(result, time.perf_counter() - started)
            ready()
            pending = []
    finally:
        _stop(worker)
