"""The build engine and the editor's workbench against the targets of issue 6.

A synthetic archive of 50 twelve-page issues (copies of nos 21 and 22, each 11 pages and 12 in
print) is built and measured side by side in one run.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Run, machine, measure, synthetic_archive

ISSUES = 50
TWELVE_PAGES = [ROOT / "issues" / "021", ROOT / "issues" / "022"]
WEASYPRINT_ALONE = """
import contextlib
import sys
from pathlib import Path
from weasyprint import CSS, HTML
html, base, css, out, memos = sys.argv[1:]
if memos == "memos":  # the two memos of layout/typeset/speedups.py, which the pipeline lays out with
    from layout.typeset.speedups import faster_layout
else:
    faster_layout = contextlib.nullcontext
with faster_layout():
    document = HTML(filename=html, base_url=base).render(stylesheets=[CSS(filename=css)])
options = {"pdf_variant": "pdf/ua-1", "dpi": 150, "jpeg_quality": 82, "optimize_images": True}
document.write_pdf(out + "-archive.pdf", **options)
from weasyprint.css import ColorProfile  # the print edition as the pipeline writes it: PDF/X-4, CMYK intent
icc = Path(css).resolve().parents[2] / "icc" / "spark-fogra39.icc"
class Profile(ColorProfile):  # embedded as the file holds it, as the pipeline does
    content = icc.read_bytes()
cmyk = Profile(icc.open("rb"), icc.name, "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))
document.color_profiles = {**document.color_profiles, "device-cmyk": cmyk}
document.write_pdf(out + "-print.pdf", pdf_variant="pdf/x-4")
"""


def main(issues: int = ISSUES) -> int:
    checks = []
    with tempfile.TemporaryDirectory(prefix="bench-workbench-") as temporary:
        project = Path(temporary)
        synthetic_archive(project, issues, sources=TWELVE_PAGES)
        one = "issues/101"

        serial = measure(["build", "-j", "1"], project)
        parallel = measure(["build", "-j", "2", "--force"], project)
        speedup = serial.seconds / parallel.seconds
        checks.append(("full rebuild, 1 process against 2: speed-up", f"{speedup:.2f}", speedup >= 1.7))
        no_op = min(measure(["build"], project).seconds for _ in range(3))
        checks.append((f"no-op rebuild of {issues} issues, s", f"{no_op:.2f}", no_op < 1.0))

        build = min((measure(["build", one, "-j", "1", "--force"], project) for _ in range(3)), key=_seconds)
        plain = min((_weasyprint_alone(project, one, memos=False) for _ in range(3)), key=_seconds)
        alone = min((_weasyprint_alone(project, one, memos=True) for _ in range(3)), key=_seconds)
        overhead = build.seconds / alone.seconds - 1
        checks.append(("one issue: layout build, s", f"{build.seconds:.2f}", None))
        checks.append(("one issue: WeasyPrint alone on the same HTML, s", f"{plain.seconds:.2f}", None))
        checks.append(("one issue: the same, with the layout memos, s", f"{alone.seconds:.2f}", None))
        checks.append(("the pipeline's overhead over WeasyPrint", f"{overhead:.0%}", overhead < 0.10))
        checks.append(("peak memory of a one-issue build, MB", f"{build.peak_mb:.0f}", build.peak_mb < 300))

        size = (project / "build" / "issues" / "the-spark-101.pdf").stat().st_size / 1024
        checks.append(("archive edition of a text-only 12-page issue, KB", f"{size:.0f}", size < 400))

        latency = _watch_latency(project, one)
        checks.append(
            ("watch: saving a file to a finished PDF, s (median of 5)", f"{latency:.2f}", latency <= 2.0)
        )

    print(f"machine: {machine()}")
    width = max(len(name) for name, _, _ in checks)
    for name, value, ok in checks:
        verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
        print(f"{name:<{width}}  {value:>8}{verdict}")
    return 0 if all(ok is not False for _, _, ok in checks) else 1


def _seconds(run: Run) -> float:
    return run.seconds


def _weasyprint_alone(project: Path, issue: str, memos: bool) -> Run:
    """The same HTML the pipeline lays out, rendered and written twice by WeasyPrint alone,
    with or without the memos of ``layout/typeset/speedups.py`` (the overhead is measured against with)."""
    sys.path.insert(0, str(ROOT))
    from layout.build.loading import load
    from layout.project import Project
    from layout.typeset.render import render_issue

    target = Project(project, project / "build")
    loaded = load(target, project / issue)
    html = project / "alone.html"
    html.write_text(render_issue(target.style_dir("spark"), loaded.publication, loaded.issue, loaded.texts))
    css = target.style_dir("spark") / "style.css"
    env = {**os.environ, "FONTCONFIG_FILE": _fontconfig(), "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WEASYPRINT_ALONE,
            str(html),
            str(project / issue) + "/",
            str(css),
            str(project / "alone"),
            "memos" if memos else "plain",
        ],
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit("WeasyPrint alone failed")
    return Run(time.perf_counter() - start, usage.ru_maxrss / 1024, "")


def _fontconfig() -> str:
    """The fonts configuration the pipeline uses, so that both set the same fonts."""
    from layout import engine

    engine.start()  # writes it and points FONTCONFIG_FILE at it

    return os.environ["FONTCONFIG_FILE"]


def _watch_latency(project: Path, issue: str) -> float:
    """Median time from writing an article to the archive edition being replaced, in watch mode."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = project / "watch.log"
    with log.open("w") as output:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "layout", "watch", issue], cwd=project, env=env, stdout=output
        )
    archive = project / "build" / "issues" / "the-spark-101.pdf"
    article = project / issue / "attempted-coup-in-turkey.md"
    times = []
    try:
        _wait(lambda: "Watching" in log.read_text())
        for round_ in range(5):
            before = archive.stat().st_mtime_ns
            start = time.perf_counter()
            article.write_text(article.read_text() + f"\nA sentence added in round {round_}.\n")
            _wait(lambda before=before: archive.stat().st_mtime_ns != before)
            times.append(time.perf_counter() - start)
            time.sleep(1)
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
    return statistics.median(times)


def _wait(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.005)


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:])))  # a smaller archive for a quick look
