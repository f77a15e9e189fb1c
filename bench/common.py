"""What the benchmarks share: a synthetic archive, and timing a command with its peak memory."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "issues").iterdir() if (p / "issue.yaml").is_file())


@dataclass(frozen=True)
class Run:
    """One command's wall time, the peak resident memory of its largest process, and what it printed."""

    seconds: float
    peak_mb: float
    output: str


def synthetic_archive(
    folder: Path, issues: int, first: int = 101, sources: list[Path] = SHIPPED
) -> list[int]:
    """A project of ``issues`` issues, each a copy of one of ``sources`` renumbered and redated."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "issues").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", folder / "issues")
    (folder / "styles").symlink_to(ROOT / "styles")
    (folder / "fonts").symlink_to(ROOT / "fonts")
    numbers = []
    for index in range(issues):
        number = first + index
        target = folder / "issues" / f"{number:03d}"
        shutil.copytree(sources[index % len(sources)], target)
        manifest = (target / "issue.yaml").read_text()
        manifest = re.sub(r"(?m)^number: \d+", f"number: {number}", manifest)
        manifest = re.sub(
            r"(?m)^date: .*", f"date: 2030-{1 + index // 28:02d}-{1 + index % 28:02d}", manifest
        )
        (target / "issue.yaml").write_text(manifest)
        numbers.append(number)
    return numbers


def measure(args: list[str], cwd: Path) -> Run:
    """Run ``python -m layout ARGS`` in ``cwd``; fail loudly if it fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = cwd / f"layout-{args[0]}.log"
    with log.open("w") as output:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "layout", *args], cwd=cwd, env=env, stdout=output)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"layout {' '.join(args)} failed with status {status}")
    return Run(seconds, usage.ru_maxrss / 1024, log.read_text())


def machine() -> str:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 2**20
    return (
        f"{model.group(1) if model else cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def fix_a_typo(issue: Path) -> None:
    """Change one letter's case in an article: its issue is set again, no title or page moves."""
    article = sorted(issue.glob("*.md"))[0]
    text = article.read_text()
    body = text.index("\n---", 3) + 4
    at = text.index(" the ", body) + 1
    article.write_text(text[:at] + "The" + text[at + 3 :])
