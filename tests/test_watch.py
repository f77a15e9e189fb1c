"""layout watch: builds, rebuilds on a change, reports bad input and goes on watching."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def start_watch(project: Path, log: Path, errors: Path) -> subprocess.Popen:
    """``layout watch issues/001`` in ``project``, its output going to ``log`` and ``errors``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out, errors.open("w") as err:
        command = [sys.executable, "-m", "layout", "watch", "issues/001"]
        return subprocess.Popen(command, cwd=project, env=env, stdout=out, stderr=err)


def test_watch_rebuilds_on_save_and_survives_bad_input(scratch: Path) -> None:
    log = scratch / "watch.log"
    errors = scratch / "watch.err"
    watcher = start_watch(scratch, log, errors)
    try:
        wait_for(lambda: "Watching 1 issue" in log.read_text())
        archive = scratch / "build" / "issues" / "the-spark-001.pdf"
        first = archive.stat().st_mtime_ns
        article = scratch / "issues" / "001" / "small.md"
        article.write_text(article.read_text().replace("The first paragraph", "The rewritten paragraph"))
        wait_for(lambda: archive.stat().st_mtime_ns != first)
        text = subprocess.run(["pdftotext", str(archive), "-"], capture_output=True, text=True).stdout
        assert "rewritten paragraph" in text

        article.write_text(article.read_text().replace("kind: statement", "kind: statment"))
        wait_for(lambda: "kind: 'statment'" in errors.read_text())
        assert "issues/001/small.md:4: kind:" in errors.read_text()
        assert watcher.poll() is None  # still watching

        article.write_text(article.read_text().replace("kind: statment", "kind: editorial"))
        wait_for(lambda: log.read_text().count("wrote build/issues/the-spark-001.pdf") == 3)
        final = subprocess.run(["pdftotext", str(archive), "-"], capture_output=True, text=True).stdout
        assert "EDITORIAL" in final.replace(" ", "")  # the kicker is letter-spaced
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
    assert "Traceback" not in errors.read_text()


def test_a_change_rebuilds_its_own_issue_or_every_issue() -> None:
    from layout.build import Project
    from layout.watch import affected

    project = Project(ROOT, ROOT / "build")
    issues = [ROOT / "issues" / "021", ROOT / "issues" / "022"]
    assert affected(project, issues, [str(issues[1] / "figures" / "x.jpg")]) == [issues[1]]
    assert affected(project, issues, [str(issues[0] / "a.md"), str(issues[1] / "b.md")]) == issues
    assert affected(project, issues, [str(ROOT / "styles" / "spark" / "style.css")]) == issues
