"""Stage 6: what is out of date, built in parallel, written atomically.

Each issue is validated whole (manifest, front matter, bodies, images) before anything is
typeset, and its outputs are written to temporary files renamed into place at the end, so
that a failed or interrupted build never leaves a half-written PDF where a good one was.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import LayoutError, Problem
from .manifest import (
    Issue,
    Publication,
    check_numbers,
    find_issue_dirs,
    load_issue,
    load_publication,
    load_volumes,
)
from .render import issue_title, render_blank, render_issue
from .text import ArticleText, article_text

if TYPE_CHECKING:
    from .typeset import Typesetter


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

    def booklet_path(self, publication: Publication, number: int) -> Path:
        """The print edition imposed as an A5 booklet on A4 sheets, for office photocopiers."""
        return self.out / "booklets" / f"{publication.slug}-{number:03d}-booklet.pdf"

    def leaflet_path(self, publication: Publication, number: int, slug: str, size: str) -> Path:
        return self.out / "leaflets" / f"{publication.slug}-{number:03d}-{slug}-{size}.pdf"

    def volume_path(self, publication: Publication, volume_id: str) -> Path:
        return self.out / "volumes" / f"{publication.slug}-{volume_id}.pdf"

    def stamp_path(self, name: str) -> Path:
        """Where the build records what an output was made from (see ``read_stamp``)."""
        return self.out / ".state" / f"{name}.json"


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


def digest_files(project: Project, files: list[Path], *extra: str) -> str:
    """A digest of files' names and bytes, the package's code and version: what outputs are made from."""
    digest = hashlib.sha256(__version__.encode())
    for text in extra:
        digest.update(text.encode())
    package = Path(__file__).parent
    for path in [
        *files,
        *sorted(package.glob("*.py")),
        *sorted(package.parent.joinpath("icc").glob("*.icc")),
    ]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def style_files(project: Project, style: str) -> list[Path]:
    return sorted(project.style_dir(style).rglob("*")) + sorted(project.fonts_dir.rglob("*"))


def input_digest(project: Project, loaded: LoadedIssue) -> str:
    """A digest of everything an issue's PDFs are made from, to tell when they are stale."""
    files = [project.issues_root / "publication.yaml", loaded.directory / "issue.yaml"]
    files += [loaded.directory / Path(a.source).name for a in loaded.issue.articles]
    files += [loaded.directory / src for text in loaded.texts.values() for src in text.images]
    return digest_files(project, files + style_files(project, loaded.issue.style))


def read_stamp(stamp: Path, digest: str, outputs: list[Path]) -> dict | None:
    """What the last build recorded, if its outputs still exist and were made from the same inputs."""
    if not stamp.exists() or not all(path.exists() for path in outputs):
        return None
    state = json.loads(stamp.read_text())
    return state if state.get("digest") == digest else None


def write_stamp(stamp: Path, **state: object) -> None:
    with atomic_path(stamp) as temporary:
        temporary.write_text(json.dumps(state))


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod(0o666 & ~umask)  # mkstemp makes files only their owner can read
    try:
        yield temporary
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


@functools.cache
def _typesetter(style_dir: Path, fonts_dir: Path) -> Typesetter:
    from .typeset import Typesetter  # WeasyPrint is imported only when something is typeset

    return Typesetter(style_dir, fonts_dir)


def typesetter_for(project: Project, style: str) -> Typesetter:
    """One Typesetter per style and process: fonts and stylesheet are loaded once."""
    return _typesetter(project.style_dir(style), project.fonts_dir)


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
    stamp = project.stamp_path(f"{publication.slug}-{issue.number:03d}")
    state = None if force else read_stamp(stamp, digest, [archive, printed])
    if state:
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
    write_stamp(stamp, digest=digest, pages=result.pages, print_pages=result.print_pages, added=result.added)
    return result


def build_issues(
    project: Project, issue_dirs: list[Path] | None = None, jobs: int = 1, force: bool = False
) -> list[IssueResult]:
    """Build many issues, in parallel across processes when ``jobs`` > 1."""
    dirs = issue_dirs if issue_dirs is not None else find_issue_dirs(project.issues_root)
    check_numbers([*find_issue_dirs(project.issues_root), *dirs], project.root)
    if jobs <= 1 or len(dirs) <= 1:
        return [build_issue(project, d, force) for d in dirs]
    with ProcessPoolExecutor(max_workers=min(jobs, len(dirs))) as pool:
        return list(pool.map(build_issue, [project] * len(dirs), dirs, [force] * len(dirs)))


@dataclass
class VolumeResult:
    """What one volume's build did."""

    id: str
    pages: int = 0
    skipped: bool = False
    output: str = ""
    problems: list[Problem] = field(default_factory=list)


def build_volumes(
    project: Project, ids: list[str] | None = None, jobs: int = 1, force: bool = False
) -> tuple[list[IssueResult], list[VolumeResult]]:
    """Build the issues the volumes need (skipping those up to date), then bind the volumes."""
    from .bind import bind, read_bound_issue, render_volume, volume_context
    from .typeset import front_matter_pdf, identifier

    publication = load_publication(project.issues_root, project.root)
    loaded = {d: load_issue(d, publication, project.root) for d in find_issue_dirs(project.issues_root)}
    dirs = {issue.number: d for d, issue in loaded.items()}
    issues = {issue.number: issue for issue in loaded.values()}
    volumes = load_volumes(project.issues_root, issues, project.root)
    unknown = sorted(set(ids or ()) - {v.id for v in volumes})
    if unknown:
        raise LayoutError([Problem("issues/volumes.yaml", None, None, f"no volume {i!r}") for i in unknown])
    chosen = [v for v in volumes if not ids or v.id in ids]
    needed = sorted({n for v in chosen for n in v.numbers})
    issue_results = build_issues(project, [dirs[n] for n in needed], jobs=jobs, force=force)
    failed = {r.number for r in issue_results if r.problems}
    results = []
    for volume in chosen:
        result = VolumeResult(volume.id)
        results.append(result)
        if failed & set(volume.numbers):
            result.problems = [
                Problem("issues/volumes.yaml", None, volume.id, "an issue it binds failed to build")
            ]
            continue
        pdfs = [project.archive_path(publication, n) for n in volume.numbers]
        target = project.volume_path(publication, volume.id)
        result.output = str(target)
        style = publication.style
        digest = digest_files(
            project,
            [
                *pdfs,
                project.issues_root / "volumes.yaml",
                project.issues_root / "publication.yaml",
                *style_files(project, style),
            ],
        )
        stamp = project.stamp_path(f"volume-{volume.id}")
        state = None if force else read_stamp(stamp, digest, [target])
        if state:
            result.skipped, result.pages = True, state["pages"]
            continue
        bound = [read_bound_issue(issues[n], pdf) for n, pdf in zip(volume.numbers, pdfs, strict=True)]
        html = render_volume(project.style_dir(style), volume_context(publication, volume, bound))
        front = typesetter_for(project, style).layout(html, project.style_dir(style), "issues/volumes.yaml")
        front_pdf = front_matter_pdf(front, identifier(digest, "volume"))
        with atomic_path(target) as temporary:
            result.pages = bind(front_pdf, bound, publication, volume, temporary)
        write_stamp(stamp, digest=digest, pages=result.pages)
    return issue_results, results
