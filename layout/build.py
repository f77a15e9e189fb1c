"""Stage 6: what is out of date, built in parallel, written atomically.

Each issue is validated whole (manifest, front matter, bodies, images) before anything is
typeset, and its outputs are written to temporary files renamed into place at the end, so
that a failed or interrupted build never leaves a half-written PDF where a good one was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import LayoutError, Problem
from .manifest import Issue, Publication, find_issue_dirs, load_issue, load_publication
from .render import issue_title, render_blank, render_issue
from .text import ArticleText, article_text


@dataclass(frozen=True)
class Project:
    """Where things are: the content, the styles, the fonts and the output folder."""

    root: Path
    out: Path

    @property
    def issues_root(self) -> Path:
        return self.root / "issues"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    def style_dir(self, style: str) -> Path:
        return self.root / "styles" / style

    def archive_path(self, publication: Publication, number: int) -> Path:
        return self.out / "issues" / f"{publication.slug}-{number:03d}.pdf"

    def print_path(self, publication: Publication, number: int) -> Path:
        return self.out / "print" / f"{publication.slug}-{number:03d}.pdf"


@dataclass(frozen=True)
class LoadedIssue:
    """An issue checked from end to end and ready to typeset."""

    publication: Publication
    issue: Issue
    directory: Path
    texts: dict[str, ArticleText]


@dataclass
class IssueResult:
    """What one issue's build did, for the report; ``problems`` empty when it succeeded."""

    directory: str
    number: int | None = None
    pages: int = 0
    print_pages: int = 0
    added: int = 0
    skipped: bool = False
    outputs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load(project: Project, issue_dir: Path) -> LoadedIssue:
    """Load and check an issue without typesetting it; raise LayoutError listing every problem."""
    publication = load_publication(project.issues_root, project.root)
    issue = load_issue(issue_dir, publication, project.root)
    texts, problems = {}, []
    for article in issue.articles:
        try:
            texts[article.slug] = article_text(article, issue_dir)
        except LayoutError as error:
            problems.extend(error.problems)
    if not project.style_dir(issue.style).joinpath("issue.html").is_file():
        problems.append(
            Problem(issue.folder + "/issue.yaml", None, "style", f"no house style {issue.style!r}")
        )
    if problems:
        raise LayoutError(problems)
    return LoadedIssue(publication, issue, issue_dir, texts)


def input_digest(project: Project, loaded: LoadedIssue) -> str:
    """A digest of everything an issue's PDFs are made from, to tell when they are stale."""
    files = [project.issues_root / "publication.yaml", loaded.directory / "issue.yaml"]
    files += [loaded.directory / f"{a.slug}.md" for a in loaded.issue.articles]
    files += [loaded.directory / src for text in loaded.texts.values() for src in text.images]
    files += sorted(project.style_dir(loaded.issue.style).rglob("*")) + sorted(project.fonts_dir.rglob("*"))
    files += sorted(Path(__file__).parent.glob("*.py"))
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        if path.is_file():
            digest.update(
                str(
                    path.relative_to(project.root) if path.is_relative_to(project.root) else path.name
                ).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


_TYPESETTERS: dict[Path, object] = {}


def typesetter_for(project: Project, style: str):
    """One Typesetter per style and process: fonts and stylesheet are loaded once."""
    from .typeset import Typesetter  # WeasyPrint is imported only when something is typeset

    style_dir = project.style_dir(style)
    if style_dir not in _TYPESETTERS:
        _TYPESETTERS[style_dir] = Typesetter(style_dir, project.fonts_dir)
    return _TYPESETTERS[style_dir]


def build_issue(project: Project, issue_dir: Path, force: bool = False) -> IssueResult:
    """Validate, typeset and write one issue's archive and print editions."""
    from .typeset import identifier, pad_to_fold, write_archive, write_print

    result = IssueResult(directory=str(issue_dir))
    try:
        loaded = load(project, issue_dir)
    except LayoutError as error:
        result.problems = error.problems
        return result
    publication, issue = loaded.publication, loaded.issue
    result.number = issue.number
    archive, printed = (
        project.archive_path(publication, issue.number),
        project.print_path(publication, issue.number),
    )
    result.outputs = [str(archive), str(printed)]
    digest = input_digest(project, loaded)
    stamp = project.out / ".state" / f"{publication.slug}-{issue.number:03d}.json"
    if not force and archive.exists() and printed.exists() and stamp.exists():
        state = json.loads(stamp.read_text())
        if state.get("digest") == digest:
            result.skipped, result.pages = True, state["pages"]
            result.print_pages, result.added = state["print_pages"], state["added"]
            return result
    typesetter = typesetter_for(project, issue.style)
    style_dir = project.style_dir(issue.style)
    try:
        html = render_issue(style_dir, publication, issue, loaded.texts)
        document = typesetter.layout(html, issue_dir, issue.folder)
        blank = typesetter.layout(render_blank(style_dir), style_dir, issue.folder)
    except LayoutError as error:
        result.problems = error.problems
        return result
    padded, result.added = pad_to_fold(document, blank)
    result.pages, result.print_pages = len(document.pages), len(padded.pages)
    with atomic_path(archive) as archive_tmp, atomic_path(printed) as print_tmp:
        write_archive(document, archive_tmp, identifier(digest, "archive", issue_title(publication, issue)))
        write_print(padded, print_tmp, identifier(digest, "print", issue_title(publication, issue)))
    with atomic_path(stamp) as stamp_tmp:
        stamp_tmp.write_text(
            json.dumps(
                {
                    "digest": digest,
                    "pages": result.pages,
                    "print_pages": result.print_pages,
                    "added": result.added,
                }
            )
        )
    return result


def build_issues(
    project: Project, issue_dirs: list[Path] | None = None, jobs: int = 1, force: bool = False
) -> list[IssueResult]:
    """Build many issues, in parallel across processes when ``jobs`` > 1."""
    dirs = issue_dirs if issue_dirs is not None else find_issue_dirs(project.issues_root)
    if jobs <= 1 or len(dirs) <= 1:
        return [build_issue(project, d, force) for d in dirs]
    with ProcessPoolExecutor(max_workers=min(jobs, len(dirs))) as pool:
        return list(pool.map(build_issue, [project] * len(dirs), dirs, [force] * len(dirs)))
