"""An issue loaded and checked from end to end before anything is typeset, and the files it is made from.

Each issue is validated whole (manifest, front matter, bodies, images); an issue none of whose
files changed is not read again in the same process."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import LayoutError, Problem, in_file_order, internal_error
from ..model.manifest import (
    Article,
    Issue,
    Publication,
    display_path,
    load_issue,
    load_publication,
    read_text,
)
from ..project import Project
from ..text.hyphenation import PATTERNS_DIR
from ..text.markdown import ArticleText, article_text, manifest_glyph_problems
from .typesetters import style_files


@dataclass(frozen=True)
class LoadedIssue:
    """An issue checked from end to end and ready to typeset."""

    publication: Publication
    issue: Issue
    directory: Path
    texts: dict[str, ArticleText]


_LOADED: dict[tuple[Path, Path], tuple[tuple, LoadedIssue]] = {}  # each issue as last loaded, by folder


def load(project: Project, issue_dir: Path) -> LoadedIssue:
    """Load and check an issue without typesetting it; raise LayoutError listing every problem.

    An issue loaded before in this process, none of whose files (nor ``publication.yaml``) has
    changed size or time since, is not read again: a site build loads each issue for its
    editions, its leaflets, its pamphlets and its pages (at 200 issues, 600 loads and 7 s)."""
    key = (project.root, issue_dir)
    signature = _load_signature(project, issue_dir)
    remembered = _LOADED.get(key)
    if remembered and remembered[0] == signature:
        return remembered[1]
    loaded = _load(project, issue_dir)
    _LOADED[key] = (signature, loaded)
    return loaded


def _load_signature(project: Project, issue_dir: Path) -> tuple:
    """The size and time of every file an issue is loaded from: its folder's, and the publication's."""
    files = [project.issues_root / "publication.yaml", *sorted(issue_dir.rglob("*"))]
    signature = []
    for path in files:
        with contextlib.suppress(OSError):
            status = path.stat()
            signature.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(signature)


def _load(project: Project, issue_dir: Path) -> LoadedIssue:
    publication = load_publication(project.issues_root, project.root)
    texts: dict[str, ArticleText] = {}

    def check_body(article: Article) -> list[Problem]:
        try:
            texts[article.slug] = article_text(article, issue_dir)
        except LayoutError as error:
            return error.problems
        except Exception as error:  # a fault of the text stage: the other articles are still checked
            return [internal_error(article.source, error)]
        return []

    problems = [*_manifest_glyphs(project, project.issues_root / "publication.yaml")]
    problems += _manifest_glyphs(project, issue_dir / "issue.yaml")
    try:
        issue = load_issue(issue_dir, publication, project.root, check_body)
    except LayoutError as error:
        raise LayoutError(in_file_order([*problems, *error.problems])) from None
    if not project.style_dir(issue.style).joinpath("issue.html").is_file():
        problems.append(
            Problem(issue.folder + "/issue.yaml", None, "style", f"no house style {issue.style!r}")
        )
    if problems:
        raise LayoutError(in_file_order(problems))
    return LoadedIssue(publication, issue, issue_dir, texts)


def _manifest_glyphs(project: Project, path: Path) -> list[Problem]:
    """The characters of a manifest no bundled font has (one it cannot read: load_issue says why)."""
    shown = display_path(path, project.root)
    try:
        return manifest_glyph_problems(read_text(path, shown), shown)
    except LayoutError:
        return []


def input_files(project: Project, loaded: LoadedIssue) -> list[Path]:
    """Everything an issue's PDFs are made from, folders included (a new file changes their time)."""
    files = [project.issues_root / "publication.yaml", loaded.directory, loaded.directory / "issue.yaml"]
    files += [loaded.directory / Path(a.source).name for a in loaded.issue.articles]
    files += [loaded.directory / src for text in loaded.texts.values() for src in text.images]
    return files + style_files(project, loaded.issue.style) + sorted(PATTERNS_DIR.glob("hyph_*.dic"))
