"""layout watch: builds, rebuilds on a change, reports bad input and goes on watching."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from layout.build.stamps import build_lock

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def start_watch(project: Path, log: Path, errors: Path) -> subprocess.Popen:
    """``layout watch issues/001`` in ``project``, its output going to ``log`` and ``errors``.

    It leads a process group of its own, so that ``stop_watch`` finds whatever it started, and
    gets SIGINT as a terminal gives it: a shell without job control (make run in the background,
    some CI runners) starts commands with SIGINT ignored, and Python then leaves it ignored.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out, errors.open("w") as err:
        command = [sys.executable, "-m", "layout", "watch", "issues/001"]
        return subprocess.Popen(
            command,
            cwd=project,
            env=env,
            stdout=out,
            stderr=err,
            process_group=0,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def running_in_group(group: int) -> list[int]:
    """The processes of a process group that are still running (zombies are not), read from /proc."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, pgrp
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return running


def stop_watch(watcher: subprocess.Popen, number: signal.Signals = signal.SIGTERM) -> None:
    """Stop a watch by a signal; assert that it and everything it started end within seconds.

    Whatever survives is killed, so that a failing test leaves nothing running.
    """
    watcher.send_signal(number)
    try:
        watcher.wait(timeout=30)
        deadline = time.monotonic() + 10
        while (survivors := running_in_group(watcher.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in survivors]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait()


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def test_watch_rebuilds_on_save_and_survives_bad_input(scratch: Path) -> None:
    log = scratch / "watch.log"
    errors = scratch / "watch.err"
    watcher = start_watch(scratch, log, errors)
    try:
        wait_for(lambda: "Watching 1 issue" in log.read_text())
        archive = scratch / "build" / "issues" / "the-spark-001.pdf"
        article = scratch / "issues" / "001" / "small.md"
        article.write_text(article.read_text().replace("The first paragraph", "The rewritten paragraph"))
        # Waited for in the PDF itself: a change to the shared style may rebuild it once more.
        wait_for(lambda: "rewritten paragraph" in text_of(archive))

        article.write_text(article.read_text().replace("kind: statement", "kind: statment"))
        wait_for(lambda: "kind: 'statment'" in errors.read_text())
        assert "issues/001/small.md:4: kind:" in errors.read_text()
        assert watcher.poll() is None  # still watching

        article.write_text(article.read_text().replace("kind: statment", "kind: editorial"))
        wait_for(lambda: "EDITORIAL" in text_of(archive).replace(" ", ""))  # the kicker is letter-spaced
        wait_for(lambda: log.read_text().count("wrote build/issues/the-spark-001.pdf") >= 3)  # reported
    finally:
        stop_watch(watcher)
    assert "Traceback" not in errors.read_text()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_a_signal_during_a_build_stops_all_the_watch_started(scratch: Path, number: signal.Signals) -> None:
    log, errors = scratch / "watch.log", scratch / "watch.err"
    lock = scratch / "build" / ".lock"
    archive = scratch / "build" / "issues" / "the-spark-001.pdf"
    watcher = start_watch(scratch, log, errors)
    try:
        wait_for(lambda: "Watching 1 issue" in log.read_text())
        assert len(running_in_group(watcher.pid)) == 3  # watch, its worker, the resource tracker
        article = scratch / "issues" / "001" / "small.md"
        article.write_text(article.read_text().replace("The first paragraph", "The rewritten paragraph"))
        wait_for(lambda: lock.read_text() == str(watcher.pid))  # rebuilding
    finally:
        stop_watch(watcher, number)  # asserts that no process of the watch's survives
    if number != signal.SIGKILL:  # which no process can catch; its worker still goes with it
        assert watcher.returncode == 0
        assert lock.read_text() == ""  # released in order, not only by the process's end
        assert errors.read_text() == ""
    with build_lock(scratch / "build"):
        pass  # free
    text = text_of(archive)
    assert "first paragraph" in text or "rewritten paragraph" in text  # whole, old or new
    assert not list((scratch / "build").rglob(".*.tmp"))


def test_a_change_rebuilds_its_own_issue_or_every_issue() -> None:
    from layout.build.watch import affected
    from layout.project import Project

    project = Project(ROOT, ROOT / "build")
    issues = [ROOT / "issues" / "021", ROOT / "issues" / "022"]
    assert affected(project, issues, [str(issues[1] / "figures" / "x.jpg")]) == [issues[1]]
    assert affected(project, issues, [str(issues[0] / "a.md"), str(issues[1] / "b.md")]) == issues
    assert affected(project, issues, [str(ROOT / "styles" / "spark" / "style.css")]) == issues
