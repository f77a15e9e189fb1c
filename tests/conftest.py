"""Shared fixtures: the shipped issues built once per test session, and small scratch projects.

``make test`` runs the tests in two pytest-xdist workers (``-n 2``), each with its own session: what
is costly to make (the shipped issues, the site, the hostile issue) is made once for all of them,
by the first to ask, in a folder they share (``once``). The session's build folder is shared too:
a command-line build into it, and a fixture's build there that the other worker may ask for at the
same time, hold its lock (``building``), since the command line refuses a second build in one folder
and the second asker then finds it built. A test's own build there needs no lock: an output is
written whole or not at all (``stamps.atomic_path``), and the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

from layout import engine
from layout.build.issues import build_issues
from layout.model.manifest import find_issue_dirs, load_issue, load_publication
from layout.project import Project
from tests.pdfcheck import Reader

ROOT = Path(__file__).resolve().parent.parent
engine.start()  # as the CLI and every worker do before they typeset: tests use WeasyPrint itself too
T = TypeVar("T")

# The order pytest-xdist hands the files out in (make test passes --no-loadscope-reorder, without
# which it sorts them by their number of tests, and test_site_every_page, three tests and the
# longest, came last: one worker ran it alone for a minute and more while the other had finished).
# First the one that makes the site (the shipped issues, then the site, some 60 s, then every page
# checked at two widths); then, for the other worker while it does, the long files that need
# neither the site nor the session's build folder, which the site's build holds; then the others
# that took longest in a run with -n 2, 56 s down to 13 s each, so that neither worker is left with
# a long one at the end.
LONGEST_FIRST = (
    "test_site_every_page.py",
    "test_leaflets.py",
    "test_hostile.py",
    "test_workbench.py",
    "test_faults.py",
    "test_build_engine.py",
    "test_messages.py",
    "test_site.py",
    "test_reproducible.py",
    "test_site_pages.py",
    "test_accessibility.py",
    "test_overflow.py",
    "test_speedups.py",
    "test_epub.py",
    "test_pamphlets.py",
    "test_readers.py",
    "test_pages.py",
    "test_site_search.py",
    "test_issues.py",
    "test_volumes.py",
    "test_watch.py",
    "test_images.py",
    "test_leaflet_fit.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of ``LONGEST_FIRST`` first, in its order, then the others as collected; each file's
    tests in their own order."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run sees: under pytest-xdist the parent of the workers' own
    temporary folders (as its documentation shows), else one of this session's."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.getbasetemp().parent
    return tmp_path_factory.mktemp("shared")


@pytest.fixture(scope="session")
def once(shared: Path) -> Callable[[str, Callable[[], T]], T]:
    """``once(name, make)``: what ``make()`` returned when the first worker (or module) asked for
    ``name``, kept pickled in the shared folder; the others wait for it under a lock. A ``make`` that
    fails keeps nothing: whoever asks next makes it again, and fails the same way."""

    def made(name: str, make: Callable[[], T]) -> T:
        record = shared / f"{name}.pickle"
        with FileLock(shared / f"{name}.lock"):
            if record.exists():
                return pickle.loads(record.read_bytes())
            value = make()
            record.write_bytes(pickle.dumps(value))
            return value

    return made


@contextlib.contextmanager
def building(project: Project) -> Iterator[None]:
    """Hold the session's build folder for one build into it (see above): the workers share it, and
    the command line refuses to build where another build runs. Not to be held twice at once."""
    with FileLock(project.out.with_name(project.out.name + ".lock")):
        yield


@pytest.fixture(scope="session")
def project(shared: Path) -> Project:
    """The repository's content, built into a folder of this test session (its workers share it)."""
    return Project(root=ROOT, out=shared / "build")


def _build_shipped(project: Project) -> list[str]:
    with building(project):
        results = build_issues(project, jobs=2)  # into a new folder: every issue typeset
    return [str(p) for r in results for p in r.problems]


@pytest.fixture(scope="session")
def shipped(project: Project, once: Callable) -> dict:
    """Every shipped issue built: number -> (issue, archive reader, print reader)."""
    problems = once("shipped", lambda: _build_shipped(project))
    assert not problems, problems
    publication = load_publication(project.issues_root, ROOT)
    built = {}
    for directory in find_issue_dirs(project.issues_root):
        issue = load_issue(directory, publication, ROOT)
        built[issue.number] = (
            issue,
            Reader(project.archive_path(publication, issue.number)),
            Reader(project.print_path(publication, issue.number)),
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
