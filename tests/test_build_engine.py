"""The build engine: what is up to date is skipped without typesetting, what changed is rebuilt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ARTICLE
from tests.test_bad_input import run_layout

ROOT = Path(__file__).resolve().parent.parent

NO_OP = """
import sys
from pathlib import Path
from layout.build.issues import build_issues
from layout.project import Project
results = build_issues(Project(Path.cwd(), Path.cwd() / "build"), jobs=2)
print(" ".join(str(r.skipped) for r in results))
print("weasyprint" in sys.modules)
"""


def no_op_build(project: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", NO_OP], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_an_unchanged_issue_is_skipped_without_loading_weasyprint(scratch: Path) -> None:
    assert run_layout(scratch, "build").returncode == 0
    assert no_op_build(scratch) == ["True", "False"]


def test_a_touched_but_unchanged_file_is_still_up_to_date(scratch: Path) -> None:
    assert run_layout(scratch, "build").returncode == 0
    article = scratch / "issues" / "001" / "small.md"
    before = (scratch / "build" / "issues" / "the-spark-001.pdf").stat().st_mtime_ns
    article.write_text(article.read_text())  # same bytes, new time
    again = run_layout(scratch, "build")
    assert "No 1: up to date" in again.stdout
    assert (scratch / "build" / "issues" / "the-spark-001.pdf").stat().st_mtime_ns == before
    assert no_op_build(scratch) == ["True", "False"]  # the new time is recorded


def test_a_changed_input_is_rebuilt(scratch: Path) -> None:
    assert run_layout(scratch, "build").returncode == 0
    article = scratch / "issues" / "001" / "small.md"
    article.write_text(article.read_text().replace("The first paragraph", "The opening paragraph"))
    again = run_layout(scratch, "build")
    assert "No 1: 2 pages; print edition 4 pages" in again.stdout, again.stdout
    assert (
        "opening paragraph"
        in subprocess.run(
            ["pdftotext", "build/issues/the-spark-001.pdf", "-"], cwd=scratch, capture_output=True, text=True
        ).stdout
    )


def test_a_parallel_build_leaves_no_temporary_font_folder(scratch: Path, tmp_path: Path) -> None:
    """WeasyPrint copies the fonts into a temporary folder in each process that typesets: the
    worker processes of a parallel build (which end without running atexit) remove theirs too."""
    second = scratch / "issues" / "002"
    shutil.copytree(scratch / "issues" / "001", second)
    manifest = second / "issue.yaml"
    manifest.write_text(manifest.read_text().replace("number: 1", "number: 2"))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)}
    done = subprocess.run(
        [sys.executable, "-m", "layout", "build", "-j", "2"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote build/issues/the-spark-002.pdf" in done.stdout
    assert not list(temporary.glob("weasyprint-*"))


def _dies_on_b(item: Path) -> str:
    """A task whose process dies outright on one item, as a crash in a library or the OOM killer would."""
    if item.name == "b":
        os._exit(9)
    return item.name.upper()


def test_a_worker_that_dies_fails_only_its_own_item() -> None:
    from layout.build.parallel import run_parallel

    items = [Path(name) for name in "abcd"]
    heard: list[str] = []
    results = run_parallel(_dies_on_b, items, jobs=2, on_done=heard.append, on_lost=lambda item: "lost")
    assert results == ["A", "lost", "C", "D"]
    assert sorted(heard) == sorted(results)


def test_a_build_whose_worker_dies_reports_that_issue_and_builds_the_others(tmp_path: Path) -> None:
    from tests.conftest import make_scratch

    root = make_scratch(tmp_path)
    second = root / "issues" / "002"
    shutil.copytree(root / "issues" / "001", second)
    (second / "issue.yaml").write_text((second / "issue.yaml").read_text().replace("number: 1", "number: 2"))
    kill = (
        "import os, runpy, sys, layout.build.issues as b\n"
        "real = b.build_issue\n"
        "def build_issue(project, issue_dir, **options):\n"
        "    if issue_dir.name == '002':\n"
        "        os._exit(9)\n"
        "    return real(project, issue_dir, **options)\n"
        "b.build_issue = build_issue\n"
        "sys.argv = ['layout', 'build', '-j', '2']\n"
        "runpy.run_module('layout', run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", kill], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "issues/002/issue.yaml: the process setting this issue stopped abruptly" in result.stderr
    assert (root / "build" / "issues" / "the-spark-001.pdf").is_file()


def test_a_stamp_left_unreadable_makes_its_output_again(scratch: Path) -> None:
    """A record cut short (a full disk, a hand edit) is no record: the build makes the file again."""
    assert run_layout(scratch, "build", "--impose", "booklet").returncode == 0
    stamps = sorted((scratch / "build" / ".state").glob("*.json"))
    assert len(stamps) >= 2  # the issue's and its booklet's
    for stamp in stamps:
        stamp.write_text('{"digest": ')
    again = run_layout(scratch, "build", "--impose", "booklet")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "No 1: 2 pages" in again.stdout and "up to date" not in again.stdout


def test_an_input_edited_to_the_same_size_is_rebuilt_by_its_new_time(scratch: Path) -> None:
    """The no-op check compares sizes and times: an edit that keeps the size is told by its time."""
    assert run_layout(scratch, "build").returncode == 0
    article = scratch / "issues" / "001" / "small.md"
    made = article.stat().st_mtime_ns
    article.write_text(article.read_text().replace("The first paragraph", "The final paragraph"))
    os.utime(article, ns=(made + 10**9, made + 10**9))  # a second later, whatever the clock's grain
    assert article.stat().st_size == len(ARTICLE.encode())  # the same size: only the time tells
    again = run_layout(scratch, "build")
    assert "No 1: 2 pages; print edition 4 pages" in again.stdout, again.stdout
    printed = subprocess.run(
        ["pdftotext", "build/issues/the-spark-001.pdf", "-"], cwd=scratch, capture_output=True, text=True
    )
    assert "final paragraph" in printed.stdout


def test_an_output_is_made_again_when_the_code_that_makes_it_changes(tmp_path: Path, monkeypatch) -> None:
    """The stamps' digest covers the package's code and the print profile, not only the inputs."""
    from layout.build import stamps

    assert Path(stamps.__file__) in stamps.PACKAGE_FILES
    assert any(path.suffix == ".icc" for path in stamps.PACKAGE_FILES)
    code, article = tmp_path / "module.py", tmp_path / "small.md"
    code.write_text("A = 1\n")
    article.write_text(ARTICLE)
    monkeypatch.setattr(stamps, "PACKAGE_FILES", (code,))
    before = stamps.digest_files([article])
    code.write_text("A = 2\n")  # the same size: only the bytes tell
    assert stamps.digest_files([article]) != before
    assert list(stamps.file_stats([article])) == [str(article), str(code)]


def test_the_edition_registry_drives_what_an_issue_build_writes(scratch: Path, monkeypatch) -> None:
    """Every edition registered for issues is written, by name, where the registry puts it; one entry
    more (a large-print archive copy, say) is written, stamped and kept, nothing else touched."""
    from dataclasses import replace

    import pytest
    from pypdf import PdfReader

    from layout import editions
    from layout.build.issues import build_issue, unchanged_issue
    from layout.model.errors import LayoutError
    from layout.model.manifest import load_publication
    from layout.project import Project

    project, issue_dir = Project(scratch, scratch / "build"), scratch / "issues" / "001"
    large = replace(editions.ARCHIVE, name="large-print", folders={"issue": "large"}, offered={})
    monkeypatch.setattr(editions, "EDITIONS", (*editions.EDITIONS, large))
    result = build_issue(project, issue_dir)
    assert not result.problems, result.problems
    publication = load_publication(project.issues_root, project.root)
    expected = {e.name: str(project.issue_output(e, publication, 1)) for e in editions.editions_for("issue")}
    assert result.outputs == expected and list(expected) == ["archive", "print", "large-print"]
    assert expected["large-print"] == str(scratch / "build" / "large" / "the-spark-001.pdf")
    pages = [len(PdfReader(path).pages) for path in expected.values()]
    assert pages == [result.pages, result.print_pages, result.pages] and result.print_pages % 4 == 0
    assert unchanged_issue(project, issue_dir).outputs == expected  # kept by name in its stamp
    with pytest.raises(LayoutError, match="no edition 'big': the editions are archive, print, large-print"):
        editions.edition("big")
