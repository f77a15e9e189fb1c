"""Faults: a build killed at any moment leaves the last good outputs whole; two builds never mix.

A scratch project is built once; then builds with --force are killed with SIGKILL at moments
spread over a whole build. After each kill every output is byte for byte as it was, and the
next build completes. A second build started while one runs is refused with a clear message.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_bad_input import run_layout


def start_build(project: Path, *args: str) -> subprocess.Popen:
    # A killed build cannot remove WeasyPrint's copy of the fonts: keep it out of /tmp.
    temporary = project.parent / "tmp"
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)}
    return subprocess.Popen(
        [sys.executable, "-m", "layout", "build", "-j", "1", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outputs(project: Path) -> dict[str, bytes]:
    """Every file the build keeps (the lock's record of who holds it aside)."""
    build = project / "build"
    return {str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


def kept(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != ".lock"}


@pytest.fixture
def built(scratch: Path) -> tuple[Path, float]:
    """The scratch project built once, and how long a forced build of it takes."""
    assert run_layout(scratch, "build").returncode == 0
    started = time.monotonic()
    assert run_layout(scratch, "build", "--force").returncode == 0
    return scratch, time.monotonic() - started


def test_a_killed_build_leaves_every_output_whole(built: tuple[Path, float]) -> None:
    project, duration = built
    before = kept(outputs(project))
    assert any(name.endswith(".pdf") for name in before)
    moments = sorted(random.Random(7).uniform(0.05, duration) for _ in range(5))
    for moment in moments:
        build = start_build(project, "--force")
        time.sleep(moment)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
        after = kept(outputs(project))
        stray = [name for name in after if name.endswith(".tmp")]
        assert {k: v for k, v in after.items() if k not in stray} == before, f"killed at {moment:.2f} s"
    result = run_layout(project, "build", "--force")
    assert result.returncode == 0, result.stderr
    assert kept(outputs(project)) == before  # the next build completes, clears what was left, and agrees


def test_a_second_build_at_once_is_refused_and_the_first_completes(built: tuple[Path, float]) -> None:
    project, _ = built
    before = kept(outputs(project))
    first = start_build(project, "--force")
    deadline = time.monotonic() + 30
    lock = project / "build" / ".lock"
    while (
        str(first.pid) != (lock.read_text().strip() if lock.exists() else "") and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    second = run_layout(project, "build", "--force")
    assert second.returncode == 2
    assert f"another build is running in this folder (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.wait(timeout=120) == 0, first.stderr.read()
    assert kept(outputs(project)) == before


def test_every_command_that_writes_the_build_folder_takes_its_turn(scratch: Path) -> None:
    from layout.build.stamps import build_lock
    from tests.test_watch import start_watch, stop_watch, wait_for

    assert run_layout(scratch, "build").returncode == 0
    volumes = "volumes:\n  - id: one\n    title: One\n    issues: [1]\n"
    (scratch / "issues" / "volumes.yaml").write_text(volumes)  # something to bind, so volume needs the lock
    archive = scratch / "build" / "issues" / "the-spark-001.pdf"
    refusal = f"another build is running in this folder (pid {os.getpid()})"
    log, errors = scratch / "watch.log", scratch / "watch.err"
    with build_lock(scratch / "build"):
        for command in (
            ["volume"],
            ["site"],
            ["leaflet", "issues/001"],
            ["impose", str(archive)],
            ["fit", "issues/001"],
            ["proof", "issues/001"],
        ):
            result = run_layout(scratch, *command)
            assert result.returncode == 2 and refusal in result.stderr, (command, result.stderr)
            assert "Traceback" not in result.stderr
        watcher = start_watch(scratch, log, errors)
        try:
            wait_for(lambda: refusal in errors.read_text())  # said once, and watching goes on
            time.sleep(1.5)
            assert errors.read_text().count(refusal) == 1 and "Watching" not in log.read_text()
        except BaseException:
            watcher.kill()
            raise
    try:
        wait_for(lambda: "Watching 1 issue" in log.read_text())  # built as soon as the folder was free
        assert "No 1: up to date" in log.read_text()
    finally:
        stop_watch(watcher)
    assert "Traceback" not in errors.read_text()
