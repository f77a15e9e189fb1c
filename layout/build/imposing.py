"""A built PDF laid out on sheets with its cover note (how to print, fold and cut them), kept while
up to date."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..editions import note_file
from ..files import atomic_path
from ..model.manifest import load_publication
from ..pages.impose import Plan, choose_sheet
from ..project import Project
from .stamps import digest_files, read_stamp, write_stamp
from .typesetters import style_files, typesetter_for


@dataclass
class ImposeResult:
    """An output laid out on sheets: where, how many sheets, how to print them, and the note that says so."""

    output: str
    note: str
    sheets: int
    blanks: int
    instructions: list[str]
    skipped: bool = False


def impose_output(
    project: Project, source: Path, plan: Plan, force: bool = False, target: Path | None = None
) -> ImposeResult:
    """Impose a built PDF on sheets, with its cover note, unless both are up to date with it."""
    from ..pages.impose import impose
    from ..typeset.pdf import identifier, write_document
    from ..typeset.render import render_note

    plan = choose_sheet(source, plan)
    target = target or project.imposed_path(source, plan)
    note = note_file(target)
    publication = load_publication(project.issues_root, project.root)
    style = project.style_dir(publication.style)
    digest = digest_files([source, *style_files(project, publication.style)], repr(plan))
    stamp = project.stamp_path(target.stem)
    state = None if force else read_stamp(stamp, digest, [target, note])
    if state:
        return ImposeResult(**{**state["result"], "skipped": True})
    with atomic_path(target) as temporary, atomic_path(note) as note_tmp:
        imposed = impose(source, temporary, plan)
        html = render_note(
            style,
            {
                "publication": publication,
                "title": plan.kind.note_title,
                "file": target.name,
                "source": source.name,
                "sheets": imposed.sheets,
                "sheet": imposed.sheet.upper(),
                "blanks": imposed.blanks,
                "steps": imposed.instructions,
            },
        )
        document = typesetter_for(project, publication.style).layout(html, style, str(note))
        write_document(document, note_tmp, identifier(digest, "note"))
    result = ImposeResult(str(target), str(note), imposed.sheets, imposed.blanks, list(imposed.instructions))
    write_stamp(stamp, digest=digest, result=dataclasses.asdict(result))
    return result
