"""The editions an issue and a pamphlet are made in, one entry each: the one place to add an edition.

An entry says everything about its edition: its name (its key in a build's outputs, and part of its
PDF identifier), where it goes under the output folder for each kind of work it is made for, the
function of ``layout.typeset.pdf`` that writes it from the typeset document, and its label and
note on the site. The build writes every entry of ``EDITIONS`` (``build.issues.write_editions``), its
results carry the outputs by these names, and the site offers every entry of ``OFFERED``.

Outputs of two other kinds are registered here too, and not as editions, because nothing typesets them:

- ``IMPOSED``: the photocopier booklet and its cover note, laid out on sheets from an edition already
  written (``source``) by a plan of ``pages.impose`` (``build.imposing.impose_output``), named by the
  plan's layout and sheet;
- the EPUB, made by the site from an issue's text and its archive edition's cover (``site.epub``), and
  a bound volume, made from its issues' archive editions (``build.volumes``): each is one file of its
  own kind (``Project.epub_path``, ``Project.volume_path``) with its own place on the site.

Nothing here imports WeasyPrint: a writer is named, and imported only when an edition is written.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .model.errors import LayoutError, Problem
from .pages.impose import PHOTOCOPIER_BOOKLET, Plan

if TYPE_CHECKING:
    from .typeset.pdf import Typeset


@dataclass(frozen=True)
class Output:
    """What every registered output has: a name, a folder for each kind of work it is made for (under
    the output folder), and for each kind the site offers it for, its label and note there. The kinds
    of work are "issue" and "pamphlet" (``model/pamphlets.py``)."""

    name: str
    folders: Mapping[str, str]
    """Under the output folder, by kind of work: ``{"issue": "print", "pamphlet": "pamphlets/print"}``."""
    suffix: str
    """After the work's name in the site's file name (``the-spark-021-print.pdf``): shared links keep it."""
    offered: Mapping[str, tuple[str, str]]
    """The site's label and note, by kind of work it is offered for; a pamphlet's note may name
    ``{articles}`` (``3 articles``)."""

    def made_for(self, work: str) -> bool:
        return work in self.folders

    def path(self, out: Path, work: str, stem: str) -> Path:
        """Where this output of the work named ``stem`` (``the-spark-021``, a pamphlet's id) goes."""
        raise NotImplementedError


@dataclass(frozen=True)
class Edition(Output):
    """A PDF written from the typeset document of an issue or a pamphlet."""

    writer: str
    """The function of ``layout.typeset.pdf`` that writes it: (Typeset, target, PDF id) -> its pages."""

    def path(self, out: Path, work: str, stem: str) -> Path:
        return out / self.folders[work] / f"{stem}.pdf"

    def write(self, typeset: Typeset, target: Path, pdf_id: bytes) -> int:
        """Write this edition of ``typeset`` to ``target``; the number of its pages."""
        writers = importlib.import_module("layout.typeset.pdf")  # WeasyPrint, only when writing
        return getattr(writers, self.writer)(typeset, target, pdf_id)


@dataclass(frozen=True)
class Imposed(Output):
    """Sheets imposed from an edition by a plan (``part`` "sheets"), or the cover note that says how to
    print, fold and cut them (``part`` "note"): made from a written edition, not typeset."""

    source: str
    """The edition imposed: a name in ``EDITIONS``."""
    part: str
    plan: Plan = PHOTOCOPIER_BOOKLET

    def path(self, out: Path, work: str, stem: str, plan: Plan | None = None) -> Path:
        """Where the work ``stem``'s ``source`` edition imposed by ``plan`` (this entry's by default,
        its sheet named) goes: ``imposed/the-spark-021-booklet-a4.pdf``, its note ``...-note.pdf``."""
        sheets = imposed_file(out / self.folders[work], stem, plan or self.plan)
        return note_file(sheets) if self.part == "note" else sheets


def imposed_file(folder: Path, stem: str, plan: Plan) -> Path:
    """Sheets of the PDF ``stem`` imposed by ``plan`` (its sheet named), in ``folder``: named by layout
    and sheet. The one rule, for the registry's entries and any PDF imposed (``Project.imposed_path``)."""
    return folder / f"{stem}-{plan.layout}-{plan.sheet}.pdf"


def note_file(imposed: Path) -> Path:
    """The cover note beside imposed sheets: how to print, fold and cut them."""
    return imposed.with_name(f"{imposed.stem}-note.pdf")


ARCHIVE = Edition(
    "archive",
    {"issue": "issues", "pamphlet": "pamphlets"},
    "",
    {
        "issue": ("Archive edition", "For reading on screen and keeping: tagged, with bookmarks."),
        "pamphlet": ("Pamphlet", "{articles} in one pamphlet, for reading and keeping."),
    },
    writer="archive_edition",
)
PRINT = Edition(
    "print",
    {"issue": "print", "pamphlet": "pamphlets/print"},
    "-print",
    {"issue": ("Print edition", "For a print shop: A4 with 3 mm bleed and crop marks.")},
    writer="print_edition",
)
EDITIONS: tuple[Edition, ...] = (ARCHIVE, PRINT)  # written in this order: the archive edition first,
# what an editor watching the build opens

_BOOKLET_NOTE = "For an office copier: A5 pages on A4 sheets, two-sided (flip on the short edge), folded."
_HOW_TO_NOTE = "One page to print once and keep with the stack: paper, printer settings, folding, stapling."
IMPOSED_FOLDER = "imposed"  # an issue's imposed sheets and any PDF imposed by ``layout impose``
BOOKLET = Imposed(
    "booklet",
    {"issue": IMPOSED_FOLDER, "pamphlet": "pamphlets"},
    "-booklet",
    {"issue": ("A5 booklet", _BOOKLET_NOTE), "pamphlet": ("Pamphlet as an A5 booklet", _BOOKLET_NOTE)},
    source="print",
    part="sheets",
)
BOOKLET_NOTE = Imposed(
    "booklet-note",
    {"issue": IMPOSED_FOLDER, "pamphlet": "pamphlets"},
    "-booklet-note",
    {
        "issue": ("How to print the booklet", _HOW_TO_NOTE),
        "pamphlet": ("How to print the booklet", _HOW_TO_NOTE),
    },
    source="print",
    part="note",
)
IMPOSED: tuple[Imposed, ...] = (BOOKLET, BOOKLET_NOTE)

OFFERED: tuple[Edition | Imposed, ...] = (*EDITIONS, *IMPOSED)  # the site's downloads, in this order


def editions_for(work: str) -> tuple[Edition, ...]:
    """The editions made of every ``work`` ("issue", "pamphlet")."""
    return tuple(edition for edition in EDITIONS if edition.made_for(work))


def offered_for(work: str) -> tuple[Edition | Imposed, ...]:
    """What the site offers of every ``work``, in order."""
    return tuple(output for output in OFFERED if work in output.offered)


def edition(name: str, where: str = "edition") -> Edition:
    """The registered edition called ``name``; a LayoutError naming the editions there are if none is."""
    for entry in EDITIONS:
        if entry.name == name:
            return entry
    known = ", ".join(entry.name for entry in EDITIONS)
    raise LayoutError([Problem(where, None, None, f"no edition {name!r}: the editions are {known}")])
