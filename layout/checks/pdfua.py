"""The project's own PDF/UA-1 check: the machine-checkable failure conditions of the Matterhorn
Protocol 1.1 that apply to what this project makes, against ISO 14289-1 as veraPDF's PDF/UA-1
profile states each clause.

Each check is one function, with its Matterhorn checkpoint (and ISO 14289-1 clause) in its
docstring; each finding names the checkpoint in ``check`` ("PDF/UA 01-005"), the page (from 1)
and the object's number. What only a person can judge (reading order, whether an alt text
describes its image, whether an artifact is really decorative) is listed in the README.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf

from ..typeset.render import count
from .preflight import Finding
from .tagged import STANDARD_TYPES, Element, Found, MarkedRef, ObjectRef, Structure, read_xmp, run_checks

# BCP 47 (RFC 5646) language tags, as the syntax allows them (ISO 14289-1, 7.2; ISO 32000-1, 14.9.2)
LANGUAGE_TAG = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$"
    r"|^x(?:-[a-z\d]{1,8})+$",
    re.I,
)
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HEADINGS = {f"H{level}": level for level in range(1, 7)}
# ISO 32000-1 Tables 333, 336 and 337: what may contain what (None: any parent).
TABLE_PARENTS = {
    "TR": {"Table", "THead", "TBody", "TFoot"},
    "TH": {"TR"},
    "TD": {"TR"},
    "THead": {"Table"},
    "TBody": {"Table"},
    "TFoot": {"Table"},
}
TABLE_KIDS = {
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
    "THead": {"TR"},
    "TBody": {"TR"},
    "TFoot": {"TR"},
    "TR": {"TH", "TD"},
}
LIST_PARENTS = {"LI": {"L"}, "Lbl": {"LI", "TOCI", "BibEntry", "Note", "Reference"}, "LBody": {"LI"}}
LIST_KIDS = {"L": {"L", "LI", "Caption"}, "LI": {"Lbl", "LBody"}}
TOC_PARENTS = {"TOCI": {"TOC"}}
TOC_KIDS = {"TOC": {"TOC", "TOCI", "Caption"}}


def check_pdfua(path: Path, structure: Structure | None = None) -> list[Finding]:
    """Every PDF/UA-1 finding for one PDF (``structure``: the file read already)."""
    return run_checks(path, structure, CHECKS, "PDF/UA")


def _where(element: Element) -> str:
    return f"{element.type} element (object {element.number})"


def content_marked(structure: Structure) -> Found:
    """01-003, 01-004, 01-005 (ISO 14289-1, 7.1): artifacts inside tagged content, tagged content
    inside artifacts, and content that is neither an artifact nor tagged."""
    for page in structure.pages:
        if page.artifacts_in_tagged:
            yield (
                "01-003",
                page.number,
                f"an artifact is marked inside tagged content (MCID {page.artifacts_in_tagged[0]})",
            )
        if page.tagged_in_artifacts:
            yield (
                "01-004",
                page.number,
                f"tagged content (MCID {page.tagged_in_artifacts[0]}) is inside an artifact",
            )
        if page.untagged:
            shown = ", ".join(dict.fromkeys(page.untagged[:3]))
            yield (
                "01-005",
                page.number,
                f"{count(len(page.untagged), 'thing')} painted neither tagged nor artifact: {shown}",
            )


def content_reached(structure: Structure) -> Found:
    """01-005 (ISO 14289-1, 7.1): tagged content that no structure element reachable from the
    StructTreeRoot refers to, and the ParentTree's elements that the root does not reach: a reader
    following the structure never comes to them, and they are not artifacts either."""
    for element in structure.unreachable:
        text = element.text()[:40]
        yield (
            "01-005",
            element.page,
            f"{_where(element)} is in the ParentTree but not reachable from the StructTreeRoot: {text!r}",
        )
    referenced = {kid for e in structure.elements() for kid in e.kids if isinstance(kid, MarkedRef)}
    unreached = {kid for e in structure.unreachable for kid in _marked(e)}
    for page in structure.pages:
        missing = [m for m in page.texts if MarkedRef(page.number, m) not in referenced | unreached]
        if missing:
            yield (
                "01-005",
                page.number,
                f"marked content {_mcids(missing)} is referred to by no structure element",
            )


def _marked(element: Element) -> Iterator[MarkedRef]:
    for e in element.walk():
        yield from (kid for kid in e.kids if isinstance(kid, MarkedRef))


def _mcids(mcids: list[int]) -> str:
    return (
        "MCID " + ", ".join(map(str, mcids[:5])) + (f" and {len(mcids) - 5} more" if len(mcids) > 5 else "")
    )


def suspects(structure: Structure) -> Found:
    """01-007 (ISO 14289-1, 7.1): MarkInfo's Suspects is true. Also 6.2: MarkInfo Marked true."""
    mark_info = structure.pdf.Root.get("/MarkInfo", {})
    if mark_info.get("/Suspects") is True:
        yield "01-007", None, "the catalog's MarkInfo says Suspects true"
    if mark_info.get("/Marked") is not True:
        yield "6.2", None, "the catalog's MarkInfo does not say Marked true"
    if "/StructTreeRoot" not in structure.pdf.Root:
        yield "7.1", None, "the catalog has no StructTreeRoot: the file is not tagged"


def role_map(structure: Structure) -> Found:
    """02-001, 02-003, 02-004 (ISO 14289-1, 7.1): a non-standard type not mapped to a standard one,
    a circular mapping, a standard type remapped."""
    for name, target in structure.role_map.items():
        if name in STANDARD_TYPES:
            yield "02-004", None, f"the RoleMap remaps the standard type {name} to {target}"
        chain, current = [name], target
        while current not in STANDARD_TYPES and current in structure.role_map and current not in chain:
            chain.append(current)
            current = structure.role_map[current]
        if current in chain:
            yield "02-003", None, f"the RoleMap maps {' → '.join([*chain, current])} in a circle"
    for element in {e.type: e for e in structure.elements()}.values():
        if element.standard not in STANDARD_TYPES:
            yield (
                "02-001",
                element.page,
                f"{_where(element)} is not a standard type and the RoleMap maps it to none",
            )


def metadata(structure: Structure) -> Found:
    """06-001, 06-002, 06-003 (ISO 14289-1, 5 and 7.1): an XMP packet, with pdfuaid:part 1 and dc:title."""
    xmp, problem = read_xmp(structure)
    if xmp is None:
        yield "06-001", None, problem or ""
        return
    stream = structure.pdf.Root.Metadata
    parts = [e.text for e in xmp.iter(f"{{{NS['pdfuaid']}}}part")]
    parts += [d.get(f"{{{NS['pdfuaid']}}}part") for d in xmp.iter(f"{{{NS['rdf']}}}Description")]
    if "1" not in [(p or "").strip() for p in parts]:
        yield "06-002", None, f"the XMP metadata (object {stream.objgen[0]}) does not give pdfuaid:part 1"
    titles = [li for title in xmp.iter(f"{{{NS['dc']}}}title") for li in title.iter(f"{{{NS['rdf']}}}li")]
    if not any((li.text or "").strip() for li in titles):
        yield "06-003", None, f"the XMP metadata (object {stream.objgen[0]}) has no dc:title"
    elif structure.lang is None and all(li.get(XML_LANG, "x-default") == "x-default" for li in titles):
        yield (
            "11-007",
            None,
            "the language of the dc:title cannot be determined (no xml:lang, no catalog Lang)",
        )


def display_title(structure: Structure) -> Found:
    """07-001, 07-002 (ISO 14289-1, 7.1): ViewerPreferences DisplayDocTitle true."""
    value = structure.pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")
    if value is None:
        yield "07-001", None, "the catalog's ViewerPreferences has no DisplayDocTitle"
    elif value is not True:
        yield "07-002", None, "the catalog's ViewerPreferences has DisplayDocTitle false"


def _nesting(
    structure: Structure, point: str, parents: dict[str, set[str]], kids: dict[str, set[str]], table: str
) -> Found:
    for element in structure.elements():
        parent = element.parent.standard if element.parent else "the root"
        if element.standard in parents and parent not in parents[element.standard]:
            yield (
                point,
                element.page,
                f"{_where(element)} is inside {parent}, not {' or '.join(sorted(parents[element.standard]))}"
                f" (ISO 32000-1, {table})",
            )
        if element.standard in kids:
            wrong = [
                k.standard
                for k in element.kids
                if isinstance(k, Element) and k.standard not in kids[element.standard]
            ]
            if wrong:
                yield (
                    point,
                    element.page,
                    f"{_where(element)} holds {', '.join(dict.fromkeys(wrong))}, which it may not"
                    f" (ISO 32000-1, {table})",
                )


def tables(structure: Structure) -> Found:
    """09-004 (ISO 14289-1, 7.2): TR in Table, THead, TBody or TFoot; TH and TD in TR; and what each holds."""
    yield from _nesting(structure, "09-004", TABLE_PARENTS, TABLE_KIDS, "Table 337")


def lists(structure: Structure) -> Found:
    """09-005 (ISO 14289-1, 7.2): LI in L, Lbl and LBody in LI; L holds L, LI and Caption."""
    yield from _nesting(structure, "09-005", LIST_PARENTS, LIST_KIDS, "Table 336")


def toc(structure: Structure) -> Found:
    """09-006 (ISO 14289-1, 7.2): TOCI in TOC; TOC holds TOC, TOCI and Caption."""
    yield from _nesting(structure, "09-006", TOC_PARENTS, TOC_KIDS, "Table 333")


def language(structure: Structure) -> Found:
    """11-001 to 11-005 (ISO 14289-1, 7.2): the natural language of every text (page content, Alt,
    ActualText, annotations' Contents) can be determined, and every Lang is a BCP 47 tag."""
    tags = [(None, "the catalog", structure.lang)] if structure.lang is not None else []
    tags += [(e.page, _where(e), e.lang) for e in structure.elements() if e.lang is not None]
    for page, where, tag in tags:
        if not LANGUAGE_TAG.match(tag or ""):
            yield "11-001", page, f"the Lang of {where} is {tag!r}, not a language tag (BCP 47)"
    unknown: Counter[tuple[str, int | None]] = Counter()
    first: dict[tuple[str, int | None], Element] = {}
    for element in structure.elements():
        if element.language():
            continue
        texts = {
            "11-001": any(
                isinstance(k, MarkedRef) and structure.marked_text(k).strip() for k in element.kids
            ),
            "11-002": bool(element.alt),
            "11-003": bool(element.actual_text),
            "11-005": any(isinstance(k, ObjectRef) for k in element.kids),
        }
        for point in (p for p, has in texts.items() if has):
            unknown[point, element.page] += 1
            first.setdefault((point, element.page), element)
    for (point, page), number in unknown.items():
        yield (
            point,
            page,
            f"the language of {count(number, 'element')}' text cannot be determined"
            f" (first: {_where(first[point, page])}): no Lang on it, its parents or the catalog",
        )


def figures(structure: Structure) -> Found:
    """13-004 (ISO 14289-1, 7.3): a Figure without Alt or ActualText."""
    for element in structure.elements():
        if element.standard == "Figure" and not (element.alt or element.actual_text):
            yield "13-004", element.page, f"{_where(element)} has no Alt and no ActualText"


def headings(structure: Structure) -> Found:
    """14-002, 14-003, 14-006, 14-007 (ISO 14289-1, 7.4): numbered headings start at H1 and skip no
    level going down; a node holds one H at most; H and H1-H6 are not both used."""
    found = [e for e in structure.elements() if e.standard in HEADINGS]
    if found and found[0].standard != "H1":
        yield (
            "14-002",
            found[0].page,
            f"the first heading is {_where(found[0])}, not H1: {found[0].text()[:40]!r}",
        )
    for before, after in itertools.pairwise(found):
        if HEADINGS[after.standard] > HEADINGS[before.standard] + 1:
            yield (
                "14-003",
                after.page,
                f"{_where(after)} follows an {before.standard}, skipping a level: {after.text()[:40]!r}",
            )
    plain = [e for e in structure.elements() if e.standard == "H"]
    if plain and found:
        yield "14-007", plain[0].page, f"the document uses both H ({_where(plain[0])}) and numbered headings"
    for element in structure.elements():
        if sum(isinstance(k, Element) and k.standard == "H" for k in element.kids) > 1:
            yield "14-006", element.page, f"{_where(element)} holds more than one H"


def table_headers(structure: Structure) -> Found:
    """15-003 (ISO 14289-1, 7.5): in a table whose cells give no Headers, every TH has a Scope."""
    for table in (e for e in structure.elements() if e.standard == "Table"):
        cells = [e for e in table.walk() if e.standard in ("TH", "TD")]
        if any("Headers" in cell.attributes for cell in cells):
            continue
        for cell in cells:
            if cell.standard == "TH" and "Scope" not in cell.attributes:
                yield (
                    "15-003",
                    cell.page,
                    f"{_where(cell)} has no Scope, and the table (object {table.number}) no Headers",
                )


def notes(structure: Structure) -> Found:
    """19-003, 19-004 (ISO 14289-1, 7.9): every Note has an ID, and no two the same."""
    seen: dict[str, Element] = {}
    for note in (e for e in structure.elements() if e.standard == "Note"):
        if not note.id:
            yield "19-003", note.page, f"{_where(note)} has no ID"
        elif note.id in seen:
            yield (
                "19-004",
                note.page,
                f"{_where(note)} has the ID {note.id!r} of object {seen[note.id].number}",
            )
        else:
            seen[note.id] = note


def annotations(structure: Structure) -> Found:
    """28-002, 28-007, 28-008, 28-011, 28-012 (ISO 14289-1, 7.18): each annotation in the structure
    (a Link annotation in a Link element, others but Widget and PrinterMark in an Annot element),
    a Link annotation with a Contents description, and /Tabs /S on every page with annotations."""
    enclosing = {kid.number: e for e in structure.elements() for kid in e.kids if isinstance(kid, ObjectRef)}
    for index, page in enumerate(structure.pdf.pages):
        annots = [a for a in page.obj.get("/Annots", []) if isinstance(a, pikepdf.Dictionary)]
        if not annots:
            continue
        number = index + 1
        tabs = page.obj.get("/Tabs")
        if tabs is None:
            yield "28-007", number, f"the page (object {page.obj.objgen[0]}) has annotations and no /Tabs"
        elif tabs != "/S":
            yield "28-008", number, f"the page (object {page.obj.objgen[0]}) has /Tabs {tabs}, not /S"
        for annot in annots:
            subtype, objnum = str(annot.get("/Subtype", ""))[1:], annot.objgen[0]
            element = enclosing.get(objnum)
            if subtype == "Link":
                if element is None or element.standard != "Link":
                    yield "28-011", number, f"the Link annotation (object {objnum}) is not in a Link element"
                if not str(annot.get("/Contents", "")).strip():
                    yield (
                        "28-012",
                        number,
                        f"the Link annotation (object {objnum}) has no Contents describing it",
                    )
            elif subtype not in ("Widget", "PrinterMark", "Popup") and (
                element is None or element.standard != "Annot"
            ):
                yield (
                    "28-002",
                    number,
                    f"the {subtype} annotation (object {objnum}) is not the child of an Annot element",
                )


FONT_POINTS = {"embedding": "31-009", "unicode": "31-027", "bad unicode": "31-028", "notdef": "31-030"}


def fonts(structure: Structure) -> Found:
    """31-009, 31-027, 31-028/31-029, 31-030 (ISO 14289-1, 7.21): every font used is embedded,
    every code shown maps to Unicode (not to U+0000, U+FEFF or U+FFFE), no .notdef is shown."""
    for font in structure.fonts.values():
        for kind, message in font.problems():
            yield FONT_POINTS[kind], font.page, message


CHECKS: list[Callable[[Structure], Found]] = [
    content_marked,
    content_reached,
    suspects,
    role_map,
    metadata,
    display_title,
    tables,
    lists,
    toc,
    language,
    figures,
    headings,
    table_headers,
    notes,
    annotations,
    fonts,
]
