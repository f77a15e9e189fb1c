"""``layout check``: every issue validated without typesetting, and preflight of built PDFs.

Validation is ``loading.load``, the same that every build runs first (manifest, front matter,
bodies, images), so a check and a build never disagree; WeasyPrint is not even imported.
Preflight (``--pdf``) reads the PDFs the last build wrote; see :mod:`layout.checks.preflight`, and checks the
archive edition against PDF/UA-1 and PDF/A-2 (:mod:`layout.checks.pdfua`, :mod:`layout.checks.pdfa`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..model.errors import LayoutError, Problem, internal_error
from ..model.manifest import display_path, find_issue_dirs, number_clashes
from ..project import Project
from ..typeset.render import count
from .issues import is_up_to_date, issue_outputs
from .loading import load


@dataclass
class IssueCheck:
    """What checking one issue found: problems in its sources and, with --pdf, in its PDFs."""

    directory: str
    number: int | None = None
    articles: int = 0
    words: int = 0
    problems: list[Problem] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)  # preflight.Finding, with --pdf
    stale: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.findings

    def as_json(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "number": self.number,
            "status": "ok" if self.ok else "problems" if self.problems else "warnings",
            "articles": self.articles,
            "words": self.words,
            "problems": [asdict(problem) for problem in self.problems],
            "warnings": [asdict(finding) for finding in self.findings],
            "stale": self.stale,
        }


def check_issue(project: Project, issue_dir: Path, pdf: bool = False) -> IssueCheck:
    """Validate one issue folder; with ``pdf``, preflight its built PDFs too.

    Never raises for one issue's sake: a fault of the pipeline becomes this issue's problem.
    """
    result = IssueCheck(directory=os.path.relpath(issue_dir))
    if not (issue_dir / "issue.yaml").is_file():
        result.problems = [Problem(str(issue_dir), None, None, "not an issue folder (no issue.yaml)")]
        return result
    try:
        _check_issue(project, issue_dir, pdf, result)
    except LayoutError as error:
        result.problems = error.problems
    except Exception as error:
        result.problems = [internal_error(display_path(issue_dir / "issue.yaml", project.root), error)]
    return result


def _check_issue(project: Project, issue_dir: Path, pdf: bool, result: IssueCheck) -> None:
    """The checks themselves, filling in ``result``; bad input raises LayoutError."""
    loaded = load(project, issue_dir)
    result.number = loaded.issue.number
    result.articles = len(loaded.issue.articles)
    result.words = sum(text.words for text in loaded.texts.values())
    if pdf:
        from ..checks.preflight import preflight_issue  # pypdfium2 only when PDFs are read

        outputs = issue_outputs(project, loaded.publication, loaded.issue.number)
        archive, printed = outputs["archive"], outputs["print"]
        if not all(path.exists() for path in outputs.values()):
            shown = f"{loaded.issue.folder}/issue.yaml"
            result.problems = [Problem(shown, None, None, "not built yet: run layout build first")]
            return
        result.stale = not is_up_to_date(project, loaded)
        result.findings = preflight_issue(printed, archive, [a.title for a in loaded.issue.articles])
        result.findings += archive_findings(archive)


def archive_findings(archive: Path) -> list[Any]:
    """What the PDF/UA-1 and PDF/A-2 checks find in an archive edition (the file read once)."""
    from ..checks.pdfa import check_pdfa
    from ..checks.pdfua import check_pdfua
    from ..checks.tagged import read_structure

    structure = read_structure(archive)
    return check_pdfua(archive, structure) + check_pdfa(archive, structure)


def check_issues(
    project: Project, issue_dirs: list[Path] | None = None, pdf: bool = False
) -> list[IssueCheck]:
    """Check the named issue folders, or every issue of the project."""
    dirs = issue_dirs if issue_dirs else find_issue_dirs(project.issues_root)
    results = [check_issue(project, directory, pdf) for directory in dirs]
    clashes = number_clashes([*find_issue_dirs(project.issues_root), *dirs], project.root)
    for directory, result in zip(dirs, results, strict=True):
        if directory.resolve() in clashes:
            result.problems.insert(0, clashes[directory.resolve()])
    return results


def summary_line(result: IssueCheck) -> str:
    """One line for an issue whose sources passed: ``No 22: OK (10 articles, 7,282 words)``."""
    counts = f"({count(result.articles, 'article')}, {result.words:,} words)"
    if not result.findings:
        return f"No {result.number}: OK {counts}"
    return f"No {result.number}: sources OK {counts}; {count(len(result.findings), 'preflight warning')}"
