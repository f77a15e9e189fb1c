"""Binding against typesetting (issue 3): a volume of 25 synthetic issues, bound from built PDFs.

Typesetting the issues and binding them are timed side by side, each in its own process
(one process each, so that neither gains from the machine's second core), with peak memory.
Binding must be at least 20 times faster than typesetting.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import fix_a_typo, machine, measure, synthetic_archive

ISSUES = 25
TARGET = 20


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-volume-") as temporary:
        project = Path(temporary)
        numbers = synthetic_archive(project, ISSUES)
        volumes = f'volumes:\n  - id: "bench"\n    title: Bench\n    issues: {numbers}\n'
        (project / "issues" / "volumes.yaml").write_text(volumes)
        typeset = measure(["build", "-j", "1"], project)
        bind = measure(["volume", "bench", "-j", "1"], project)  # the issues are up to date: binds only
        pages = _pages(project / "build" / "volumes" / "the-spark-bench.pdf")
        fix_a_typo(project / "issues" / f"{numbers[-1]:03d}")
        measure(["build", "-j", "1"], project)  # sets the corrected issue again
        rebind = measure(["volume", "bench", "-j", "1"], project)
    if "wrote build/issues" in bind.output:
        raise SystemExit("the volume typeset issues again: the benchmark measured the wrong thing")
    ratio = typeset.seconds / bind.seconds
    print(f"machine: {machine()}")
    print(f"typeset {ISSUES} issues (1 process): {typeset.seconds:6.1f} s, peak {typeset.peak_mb:5.0f} MB")
    print(f"bind the volume of {pages} pages:      {bind.seconds:6.1f} s, peak {bind.peak_mb:5.0f} MB")
    print(f"binding is {ratio:.0f}x faster than typesetting (target: at least {TARGET}x)")
    print(
        f"bind again after a typo fix in one issue: {rebind.seconds:.1f} s, peak {rebind.peak_mb:.0f} MB "
        f"({typeset.seconds / rebind.seconds:.0f}x; the front matter is kept)"
    )
    return 0 if ratio >= TARGET else 1


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


if __name__ == "__main__":
    sys.exit(main())
