"""``layout new``: a new issue folder with its manifest and one article stub, ready to edit.

What it writes passes ``layout check`` and builds as it is, so that an editor starts from
something that works and changes it a field at a time.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from ..project import Project
from .errors import ManifestError, Problem
from .manifest import IssueManifest, find_issue_dirs, load_yaml_model
from .schema import schema_comment

STUB_FILE = "first-article.md"

ISSUE_YAML = """\
{comment}number: {number}
date: {date}
# theme: A line printed after the date on the masthead
articles:
  - file: {stub}
"""

STUB = """\
---
title: The title of the first article
byline: WIVP
kind: statement
# date: {date}
# tags: []          subjects listed in issues/publication.yaml
# standfirst: One or two sentences under the title.
---

The first paragraph. Write the article in Markdown: `## Subhead` for a subhead, `> ` for a
quotation, a footnote like this.[^1]

[^1]: Footnotes are set at the foot of the page where they are called.
"""


def parse_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, or a ManifestError saying why it is not one."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ManifestError(
            Problem("--date", None, None, f"{text!r} is not a date written YYYY-MM-DD")
        ) from None


def new_issue(project: Project, number: int, date: dt.date) -> Path:
    """Create ``issues/NNN/`` with ``issue.yaml`` and one article stub; return the folder.

    Refuses a number outside 1-9999, a folder that exists and a number another issue has.
    """
    if not 1 <= number <= 9999:
        raise ManifestError(Problem("NUMBER", None, None, f"{number} is not an issue number (1-9999)"))
    folder = project.issues_root / f"{number:03d}"
    if folder.exists():
        raise ManifestError(
            Problem(_shown(project, folder), None, None, "already exists: choose another number")
        )
    for other in find_issue_dirs(project.issues_root):
        shown = _shown(project, other / "issue.yaml")
        try:
            manifest, lines = load_yaml_model(other / "issue.yaml", IssueManifest, shown)
        except ManifestError:
            continue  # a broken issue is reported by layout check, not here
        if manifest.number == number:
            raise ManifestError(Problem(shown, lines[("number",)], "number", f"is already {number}"))
    folder.mkdir(parents=True)
    try:
        manifest_path = folder / "issue.yaml"
        comment = schema_comment("issue.schema.json", manifest_path, project.root / "schemas")
        manifest_path.write_text(ISSUE_YAML.format(comment=comment, number=number, date=date, stub=STUB_FILE))
        (folder / STUB_FILE).write_text(STUB.format(date=date))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _shown(project: Project, path: Path) -> str:
    """A path as the editor typed it: relative to the project."""
    return str(path.relative_to(project.root))
