"""Shared fixtures: the shipped issues built once per test session, and small scratch projects."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from pypdf import PdfReader

from layout import engine
from layout.build.issues import build_issues
from layout.model.manifest import find_issue_dirs, load_issue, load_publication
from layout.project import Project

ROOT = Path(__file__).resolve().parent.parent
engine.start()  # as the CLI and every worker do before they typeset: tests use WeasyPrint itself too


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's content, built into a temporary folder for this test session."""
    return Project(root=ROOT, out=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def shipped(project: Project) -> dict:
    """Every shipped issue built: number -> (issue, archive reader, print reader)."""
    results = build_issues(project, jobs=2, force=True)
    assert all(not r.problems for r in results), [str(p) for r in results for p in r.problems]
    publication = load_publication(project.issues_root, ROOT)
    built = {}
    for directory in find_issue_dirs(project.issues_root):
        issue = load_issue(directory, publication, ROOT)
        built[issue.number] = (
            issue,
            PdfReader(project.archive_path(publication, issue.number)),
            PdfReader(project.print_path(publication, issue.number)),
        )
    return built


ARTICLE = """\
---
title: A small test article
byline: Test Writer
kind: statement
date: 2017-01-02
tags: [syria]
lang: en-ZA
---

The first paragraph of a small article, with a footnote.[^1]

## A subhead

![A drawing](figures/dot.svg "A caption")

[^1]: The note.
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A project with one small valid issue (no 1), sharing the real styles and fonts."""
    return make_scratch(tmp_path)


def make_scratch(tmp_path: Path) -> Path:
    """Write the scratch project into ``tmp_path`` (for fixtures of a wider scope)."""
    (tmp_path / "issues" / "001" / "figures").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", tmp_path / "issues")
    (tmp_path / "styles").symlink_to(ROOT / "styles")
    (tmp_path / "fonts").symlink_to(ROOT / "fonts")
    issue = tmp_path / "issues" / "001"
    (issue / "issue.yaml").write_text(
        textwrap.dedent("""\
        number: 1
        date: 2017-02-01
        articles:
          - file: small.md
        """)
    )
    (issue / "small.md").write_text(ARTICLE)
    (issue / "figures" / "dot.svg").write_text(SVG)
    return tmp_path
