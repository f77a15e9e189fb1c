"""Bad input: exit status 2, one located message per problem, no traceback, no output file."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from layout import cli

CASES = {
    # name: (file to change, old text, new text, expected in the message)
    "yaml-syntax": (
        "issue.yaml",
        "articles:",
        "articles: [",
        "issues/001/issue.yaml:3: articles: the [ opened on this line is never closed with ]",
    ),
    "missing-field": ("issue.yaml", "date: 2017-02-01\n", "", "issues/001/issue.yaml:1: date: is required"),
    "mistyped-field": ("issue.yaml", "number: 1", "number: [1]", "issues/001/issue.yaml:1: number:"),
    "impossible-date": ("issue.yaml", "2017-02-01", "2017-02-30", "issues/001/issue.yaml:2: date:"),
    "missing-article": (
        "issue.yaml",
        "small.md",
        "gone.md",
        "issues/001/issue.yaml:4: articles[0].file: gone.md does not exist",
    ),
    "unknown-kind": (
        "small.md",
        "kind: statement",
        "kind: statment",
        "issues/001/small.md:4: kind: 'statment' is not one of",
    ),
    "list-for-byline": (
        "small.md",
        "byline: Test Writer",
        "byline: [a, b]",
        "issues/001/small.md:3: byline: expected text, got a list",
    ),
    "unknown-tag": ("small.md", "tags: [syria]", "tags: [syira]", "issues/001/small.md:6: tags[0]:"),
    "article-after-issue": (
        "small.md",
        "date: 2017-01-02",
        "date: 2018-01-02",
        "issues/001/small.md:5: date:",
    ),
    "no-front-matter": (
        "small.md",
        "---\ntitle",
        "title",
        "issues/001/small.md:1: must start with front matter",
    ),
    "missing-image": (
        "small.md",
        "figures/dot.svg",
        "figures/gone.svg",
        "issues/001/small.md:14: image: 'figures/gone.svg': image file not found",
    ),
    "absolute-image": ("small.md", "figures/dot.svg", "/etc/passwd", "small.md:14: image: '/etc/passwd'"),
    "escaping-image": ("small.md", "figures/dot.svg", "../../../etc/hosts.svg", "small.md:14: image:"),
    "file-url-image": ("small.md", "figures/dot.svg", "file:///etc/passwd", "not addresses"),
    "http-image": ("small.md", "figures/dot.svg", "http://127.0.0.1:9/x.png", "not addresses"),
    "empty-body": ("small.md", "The first paragraph", None, "small.md:9: body: the article has no text"),
}


def _break(issue: Path, name: str) -> None:
    file, old, new, _ = CASES[name]
    path = issue / file
    text = path.read_text()
    assert old in text, name
    # new None: cut the body, keeping the front matter only
    text = text[: text.index(old)] if new is None else text.replace(old, new, 1)
    path.write_text(text)


def run_layout(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``layout ARGS`` run in ``project`` as an editor runs it: a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(
        [sys.executable, "-m", "layout", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@dataclass(frozen=True)
class Ran:
    """How a command ended and what it said, named as ``subprocess.run`` names them."""

    returncode: int
    stdout: str
    stderr: str


def run_here(project: Path, *args: str) -> Ran:
    """``layout ARGS`` run in ``project`` within this process, for a test of what the command says
    and how it exits, where a process of its own adds only Python starting and importing (0.3 s to
    0.6 s a run). An exception that gets past the command's one error path fails the test with its
    traceback. What is about the process itself (signals, the sandbox, a clock faked) runs in one:
    ``run_layout``."""
    with contextlib.chdir(project):
        result = CliRunner().invoke(cli.main, list(args), prog_name="layout", catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_with_file_and_line(scratch: Path, name: str) -> None:
    _break(scratch / "issues" / "001", name)
    result = run_here(scratch, "build", "issues/001", "-j", "1")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert CASES[name][3] in result.stderr
    assert not list((scratch / "build").rglob("*.pdf"))


def test_every_problem_is_reported_at_once(scratch: Path) -> None:
    _break(scratch / "issues" / "001", "unknown-kind")
    _break(scratch / "issues" / "001", "list-for-byline")
    result = run_here(scratch, "build", "issues/001")
    assert result.returncode == 2
    assert "byline:" in result.stderr and "kind:" in result.stderr


def test_a_good_small_issue_builds(scratch: Path) -> None:
    result = run_layout(scratch, "build", "issues/001")
    assert result.returncode == 0, result.stderr
    assert "2 blank pages added before the back page" in result.stdout
    assert (scratch / "build" / "issues" / "the-spark-001.pdf").stat().st_size > 1000
    assert (scratch / "build" / "print" / "the-spark-001.pdf").stat().st_size > 1000


def test_links_must_be_web_addresses(scratch: Path) -> None:
    article = scratch / "issues" / "001" / "small.md"
    article.write_text(
        article.read_text() + "\nSee [this](javascript:alert(1)) and [that](file:///etc/passwd).\n"
    )
    result = run_here(scratch, "build", "issues/001")
    assert result.returncode == 2
    assert "small.md:18: link: 'javascript:alert(1)'" in result.stderr
    assert "'file:///etc/passwd'" in result.stderr
