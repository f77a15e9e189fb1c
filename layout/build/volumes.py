"""Binding volumes from their issues' archive editions, the issues they need built first."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..files import atomic_path
from ..model.errors import LayoutError, Problem, internal_error
from ..model.manifest import (
    Issue,
    Publication,
    Volume,
    find_issue_dirs,
    has_volumes,
    issue_stand_in,
    load_issue,
    load_publication,
    load_volumes,
)
from ..project import Project
from ..typeset.render import render_volume, volume_context
from .issues import IssueResult, build_issues
from .stamps import digest_files, read_stamp, write_stamp
from .typesetters import style_files, typesetter_for


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
    """Build the issues the volumes need (skipping those up to date), then bind the volumes.

    An issue that fails, or a volume that cannot be bound, stops only the volumes concerned.
    Without ``issues/volumes.yaml`` there is no volume to bind, and nothing is built.
    """
    if not has_volumes(project.issues_root):
        if ids:
            message = "file not found: there is no volume {!r} to bind"
            raise LayoutError([Problem("issues/volumes.yaml", None, None, message.format(i)) for i in ids])
        return [], []
    publication = load_publication(project.issues_root, project.root)
    loaded, unnumbered = _issues_to_bind(project, publication)
    dirs = {issue.number: d for d, issue in loaded.items()}
    issues = {issue.number: issue for issue in loaded.values()}
    volumes = load_volumes(project.issues_root, issues, project.root)
    unknown = sorted(set(ids or ()) - {v.id for v in volumes})
    if unknown:
        raise LayoutError([Problem("issues/volumes.yaml", None, None, f"no volume {i!r}") for i in unknown])
    chosen = [v for v in volumes if not ids or v.id in ids]
    needed = sorted({n for v in chosen for n in v.numbers})
    # An issue that does not load fails here with its problems; only the volumes binding it stop.
    issue_results = build_issues(project, [dirs[n] for n in needed] + unnumbered, jobs=jobs, force=force)
    failed = {dirs.get(n) for n in needed} & {Path(r.directory) for r in issue_results if r.problems}
    results = []
    for volume in chosen:
        result = VolumeResult(volume.id)
        results.append(result)
        bad = [n for n in volume.numbers if dirs[n] in failed]
        if bad:
            numbers = ", ".join(map(str, bad))
            message = f"not bound: issue {numbers} has problems (listed above)"
            result.problems = [Problem("issues/volumes.yaml", None, volume.id, message)]
            continue
        try:
            _bind_volume(project, publication, volume, issues, force, result)
        except LayoutError as error:  # this volume fails; the others are still bound
            result.problems = error.problems
        except Exception as error:
            result.problems = [internal_error("issues/volumes.yaml", error, f"binding volume {volume.id}")]
    return issue_results, results


def _bind_volume(
    project: Project,
    publication: Publication,
    volume: Volume,
    issues: dict[int, Issue],
    force: bool,
    result: VolumeResult,
) -> None:
    """Bind one volume from its issues' archive editions, unless it is up to date with them."""
    from ..pages.bind import bind, read_bound_issue

    pdfs = [project.archive_path(publication, n) for n in volume.numbers]
    target = project.volume_path(publication, volume.id)
    result.output = str(target)
    style = publication.style
    digest = digest_files(
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
        return
    with _collecting_less():
        bound = [read_bound_issue(issues[n], pdf) for n, pdf in zip(volume.numbers, pdfs, strict=True)]
        html = render_volume(project.style_dir(style), volume_context(publication, volume, bound))
        front_pdf = _front_matter(project, style, volume.id, html)
        with atomic_path(target) as temporary:
            result.pages = bind(front_pdf, bound, publication, volume, temporary)
    write_stamp(stamp, digest=digest, pages=result.pages)


def _issues_to_bind(project: Project, publication: Publication) -> tuple[dict[Path, Issue], list[Path]]:
    """Every issue, loaded, or where it does not load a stand-in with its number and date if they
    can be read; and the folders of issues whose number cannot be read (their problems are reported)."""
    loaded, unnumbered = {}, []
    for directory in find_issue_dirs(project.issues_root):
        try:
            loaded[directory] = load_issue(directory, publication, project.root)
        except Exception:  # LayoutError or a fault: building the issue reports it
            stand_in = issue_stand_in(directory, project.root)
            if stand_in is None or stand_in.number is None:
                unnumbered.append(directory)
            else:
                loaded[directory] = stand_in
    return loaded, unnumbered


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """Run Python's collector after 20,000 new objects instead of 700 while a volume is bound.

    Binding makes some hundreds of thousands of small objects (pypdf's, the front matter's
    boxes) that live until it ends; collecting them 700 at a time took a tenth of the binding.
    Issues keep the default: over many issues in one process it holds the peak memory lower.
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _front_matter(project: Project, style: str, volume_id: str, html: str) -> bytes:
    """A volume's typeset front matter, kept from one binding to the next.

    Most edits to an issue change no title, byline, subject or first page: the volume is then
    bound again with the front matter it had, without starting WeasyPrint.
    """
    stamp = project.stamp_path(f"volume-{volume_id}-front")
    kept = stamp.with_suffix(".pdf")
    digest = digest_files(style_files(project, style), html)
    state = read_stamp(stamp, digest, [kept])
    if state:
        return kept.read_bytes()
    from ..typeset.pdf import front_matter_pdf, identifier

    front = typesetter_for(project, style).layout(html, project.style_dir(style), "issues/volumes.yaml")
    pdf = front_matter_pdf(front, identifier(digest, "volume"))
    with atomic_path(kept) as temporary:
        temporary.write_bytes(pdf)
    write_stamp(stamp, digest=digest)
    return pdf
