"""A site that scales (issue 19): `layout site` on archives of 4, 50 and 200 issues, and Lighthouse.

Each archive is made of small issues (the first two articles of each shipped issue, renumbered and
redated: different issues to the site, quick to typeset). Its PDFs, leaflets, EPUBs and share images
are made first, untimed; then timed, each in its own process on one core: a first site build, a
build with nothing changed, and a build after a one-article typo fix in the newest issue (which
typesets that issue and its article's leaflet again), with the files the last one wrote. The
index's first visit is weighed from Chromium's network log on a phone. Lighthouse (mobile, from
npm into .lighthouse/) scores the index, an issue, an article and a subject page of the 4-issue
site, served over loopback.

    python bench/site.py [SIZES...] [--write]   (default: 4 50 200; --write puts the figures in RESULTS.md)
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from common import ROOT, SHIPPED, fix_a_typo, machine, measure, synthetic_archive

SIZES = (4, 50, 200)
ARTICLES_AN_ISSUE = 2  # small issues: the archive's size is in its number of issues
LIGHTHOUSE = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- bench/site.py: begin -->", "<!-- bench/site.py: end -->"


@dataclass(frozen=True)
class Size:
    """What one archive size measured: seconds of each build, files, and the index's first visit."""

    issues: int
    prepare: float
    first: float
    unchanged: float
    edited: float
    rewritten: int
    files: int
    index_bytes: int
    index_html: int
    covers: int
    cover_bytes: int


def small_sources(folder: Path) -> list[Path]:
    """The shipped issues cut to their first articles, as the synthetic archive's sources."""
    sources = []
    for issue in SHIPPED:
        target = folder / issue.name
        shutil.copytree(issue, target)
        manifest = yaml.safe_load((target / "issue.yaml").read_text())
        manifest["articles"] = manifest["articles"][:ARTICLES_AN_ISSUE]
        kept = {entry["file"] for entry in manifest["articles"]}
        for article in target.glob("*.md"):
            if article.name not in kept:
                article.unlink()  # the edit goes to a file of the issue
        (target / "issue.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True))
        sources.append(target)
    return sources


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def measure_size(project: Path, issues: int, sources: list[Path]) -> Size:
    numbers = synthetic_archive(project, issues, sources=sources)
    start = time.perf_counter()
    measure(["site", "-j", "2"], project)  # the PDFs: not what is measured
    prepare = time.perf_counter() - start
    shutil.rmtree(project / "build" / "site")
    first = measure(["site", "-j", "1"], project)
    unchanged = measure(["site", "-j", "1"], project)
    before = snapshot(project / "build" / "site")
    fix_a_typo(project / "issues" / f"{numbers[-1]:03d}")
    edited = measure(["site", "-j", "1"], project)
    after = snapshot(project / "build" / "site")
    rewritten = sum(1 for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    with serve(project / "build" / "site") as address:
        weights = first_visit(address + "index.html")
        page = weights[address + "index.html"]
    covers = [size for url, size in weights.items() if "/covers/" in url]
    seconds = (first.seconds, unchanged.seconds, edited.seconds)
    index = (sum(weights.values()), page, len(covers), sum(covers))
    return Size(issues, prepare, *seconds, rewritten, len(after), *index)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """``site`` over HTTP on loopback, uncompressed, as the tests serve it."""
    sys.path.insert(0, str(ROOT))
    from tests.test_site_search import QuietHandler

    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()


def first_visit(url: str) -> dict[str, int]:
    """The bytes of each response of a first visit to ``url`` on a phone, from Chromium's network log."""
    from playwright.sync_api import sync_playwright

    from tests.test_site import PHONE
    from tests.test_site_search import weigh_first_visit

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            return weigh_first_visit(browser.new_page(viewport=PHONE), url)
        finally:
            browser.close()


def lighthouse(site: Path) -> dict[str, dict[str, int]]:
    """Lighthouse's mobile scores (0-100) of four kinds of page, and what keeps each below 100."""
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"no Lighthouse in {LIGHTHOUSE.parent}: run `make bench`, which installs it")
    issue = max(site.glob("issues/[0-9][0-9][0-9]/index.html"))
    article = sorted(issue.parent.glob("*/index.html"))[0]
    subject = sorted(site.glob("subjects/*/index.html"))[0]
    pages = {"index": site / "index.html", "issue": issue, "article": article, "subject": subject}
    scores = {}
    with serve(site) as address, tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as scratch:
        for kind, page in pages.items():
            report = Path(scratch) / f"{kind}.json"
            command = [str(LIGHTHOUSE), address + page.relative_to(site).as_posix(), "--quiet"]
            command += [
                "--output=json",
                f"--output-path={report}",
                "--only-categories=" + ",".join(CATEGORIES),
            ]
            command += ["--chrome-flags=--headless=new --no-sandbox", "--form-factor=mobile"]
            subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
            data = json.loads(report.read_text())
            scores[kind] = {
                name: round(category["score"] * 100) for name, category in data["categories"].items()
            }
            scores[kind]["held down by"] = _failing(data)
            scores[kind]["metrics"] = _metrics(data)
    return scores


def _failing(report: dict) -> list[str]:
    """The audits that cost a category points: weighted, and scored under 0.9."""
    failing = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                failing.append(f"{audit['id']} ({audit.get('displayValue') or audit['score']})")
    return failing


METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time"}


def _metrics(report: dict) -> str:
    """The metrics the performance score is made of, as Lighthouse shows them."""
    metrics = {**METRICS, "CLS": "cumulative-layout-shift"}
    return ", ".join(f"{label} {report['audits'][name]['displayValue']}" for label, name in metrics.items())


def report(sizes: list[Size], scores: dict) -> str:
    """The figures as Markdown, for RESULTS.md."""
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.", ""]
    lines += [
        "| issues | PDFs made first (untimed, 2 processes) | first site build | nothing changed "
        "| after a one-article edit | files it rewrote | files in the site | index, first visit "
        "| of which its HTML | and covers |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(size) for size in sizes]
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        factor = high.issues / low.issues
        lines += [
            "",
            f"Growth from {low.issues} to {high.issues} issues ({factor:g}x): first build "
            f"{high.first / low.first:.1f}x, nothing changed {high.unchanged / low.unchanged:.1f}x, "
            f"after an edit {high.edited / low.edited:.1f}x, "
            f"index {high.index_bytes / low.index_bytes:.2f}x.",
        ]
    if scores:
        lines += ["", "| page | " + " | ".join(CATEGORIES) + " | metrics | held down by |", "|---" * 7 + "|"]
        for kind, score in scores.items():
            figures = " | ".join(str(score[name]) for name in CATEGORIES)
            lines.append(
                f"| {kind} | {figures} | {score['metrics']} | {', '.join(score['held down by']) or '-'} |"
            )
    return "\n".join(lines)


def _row(size: Size) -> str:
    return (
        f"| {size.issues} | {size.prepare:.0f} s | {size.first:.1f} s | {size.unchanged:.1f} s "
        f"| {size.edited:.1f} s | {size.rewritten} | {size.files} | {size.index_bytes / 1000:.0f} KB "
        f"| {size.index_html / 1000:.0f} KB | {size.covers}, {size.cover_bytes / 1000:.0f} KB |"
    )


def write_results(text: str) -> None:
    """Put ``text`` between this benchmark's markers in RESULTS.md, replacing what was there."""
    results = RESULTS.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in results:
        results = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, results, flags=re.S)
    else:  # a new section, above the older ones
        head, _, rest = results.partition("\n## ")
        results = f"{head}\n## The site at scale (issue 19)\n\n{block}\n\n## {rest}"
    RESULTS.write_text(results)


def main(args: list[str]) -> int:
    sizes = [int(a) for a in args if a.isdigit()] or list(SIZES)
    measured, scores = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as temporary:
        sources = small_sources(Path(temporary) / "sources")
        for issues in sizes:
            project = Path(temporary) / f"archive-{issues}"
            measured.append(measure_size(project, issues, sources))
            print(_row(measured[-1]), flush=True)
            if issues == min(sizes) and "--no-lighthouse" not in args:
                scores = lighthouse(project / "build" / "site")
            if issues != min(sizes):
                shutil.rmtree(project)
    text = report(measured, scores)
    print(text)
    if "--write" in args:
        write_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
