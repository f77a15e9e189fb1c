"""Stage 5a: bound volumes, made from the issues' archive editions without typesetting them again.

Only the front matter (title page, cumulative contents, subject index) is typeset, tagged as the
archive editions are; the issues are appended with pikepdf (qpdf), which copies each issue's
objects once, so that its structure tree, copied after its pages, leads to the volume's copies of
those pages and their annotations. Where each article starts is read from the issue PDF's own
bookmarks, so the volume's contents are as true as the issues' are. Front-matter entries are
typeset as links to ``volume-page:NUMBER:FOLIO``; the binder points each at its page of the volume.

The volume has one structure tree (ISO 32000-1, 14.7): its Document holds the front matter's
elements, then one Part for each issue with that issue's elements; page and annotation keys of
the parent tree are renumbered to be unique, element IDs are prefixed with the issue (WeasyPrint
names its table headers after object numbers, so two issues could share one), and role and class
maps are merged. The file claims PDF/A-2a and PDF/UA-1 (``archival.declare``), its Info
dictionary saying what its XMP says. It is built on the front matter's file, written as the
archive editions are (PDF/A-2a), and keeps its one sRGB output intent; the issues' catalogs, and
so their intents, are not copied.

Each issue names its font subsets after the font alone (WeasyPrint's ``RBQAEQ+Charis-SIL``), so
the issues of a volume would give one name to five different subsets, which ISO 32000-1 (9.6.4)
forbids and font-caching RIPs get wrong. The binder names every subset after its content, then
stores identical resources (profiles, fonts, images) once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, Object, Stream, String

from ..model.errors import PdfInputError, Problem, unmatched_bookmarks
from ..model.manifest import Issue, Publication, Volume
from ..text.markdown import typographic
from ..typeset import archival
from ..typeset.render import VOLUME_LINK, date_span, issue_title, volume_span

PRINT_FLAG = 4  # an annotation's F bit 3: printed (ISO 19005-2, 6.3.2)


@dataclass(frozen=True)
class BoundIssue:
    """An issue as the volume binds it: its archive PDF and where each article starts."""

    issue: Issue
    pdf: pikepdf.Pdf  # opened once: its pages, tags and identifier are all copied from it
    pages: int
    folios: tuple[int, ...]  # printed page of each article, in order


def read_bound_issue(issue: Issue, path: Path) -> BoundIssue:
    """Read an issue's archive edition: page count and each article's first page."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as error:
        raise PdfInputError(Problem(str(path), None, None, f"it cannot be read as a PDF ({error})")) from None
    index = {page.objgen: number for number, page in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        folios = tuple(_page_index(pdf, index, item.destination or item.action) for item in outline.root)
    if len(folios) != len(issue.articles) or None in folios:
        raise unmatched_bookmarks(str(path), len(folios), len(issue.articles))
    if "/StructTreeRoot" not in pdf.Root:
        raise PdfInputError(Problem(str(path), None, None, "it is not tagged: build the issue again"))
    return BoundIssue(issue, pdf, len(pdf.pages), tuple(folio + 1 for folio in folios))  # type: ignore[operator]


def _page_index(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int], target: Object | None) -> int | None:
    """The page (from 0) a bookmark leads to: an explicit destination, a named one or a GoTo action."""
    if isinstance(target, Dictionary):
        target = target.get("/D")
    if isinstance(target, (String, Name)) and "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        target = NameTree(pdf.Root.Names.Dests).get(str(target))
        target = target.get("/D") if isinstance(target, Dictionary) else target
    if isinstance(target, Array) and len(target) and isinstance(target[0], Dictionary):
        return index.get(target[0].objgen)
    return None


def bind(
    front_matter: bytes, bound: list[BoundIssue], publication: Publication, volume: Volume, target: Path
) -> int:
    """Merge the typeset, tagged front matter and the issues into one tagged PDF; return its page count."""
    pdf = pikepdf.open(BytesIO(front_matter))
    front_pages = len(pdf.pages)
    structure = Structure(pdf)
    starts = {}
    for item in bound:
        start = starts[item.issue.number] = len(pdf.pages)
        pdf.add_pages_from(item.pdf, outlines="ignore")  # with the named destinations its links use
        title = issue_title(publication, item.issue)
        structure.add_issue(item.pdf, pdf.pages[start:], title, f"n{item.issue.number}-")
    structure.finish()
    _link_front_matter(pdf, front_pages, starts)
    for page in pdf.pages:
        _mark_annotations(page.obj)
    _outline(pdf, publication, volume, bound, starts)
    _label_pages(pdf, front_pages, bound)
    _describe(pdf, publication, volume, bound)
    _store_once(pdf)
    pdf.trailer.ID = Array([String(_file_identifier(front_matter, bound, volume))] * 2)
    pdf.save(
        target,
        min_version=max(item.pdf.pdf_version for item in bound),
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        deterministic_id=True,  # /ID's second half: a digest of the bytes written, not of the clock
    )
    return len(pdf.pages)


def _struct_kids(element: Dictionary) -> list[Object]:
    """An element's (or the root's) kids as a list: /K may be one kid or an array of them."""
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(kid: Object) -> bool:
    """A structure element, not a marked-content or object reference (nor an MCID)."""
    return isinstance(kid, Dictionary) and "/S" in kid


@dataclass
class Structure:
    """The volume's structure tree, put together as the issues are appended.

    It grows from the front matter's: its root and Document stay, and each issue's elements
    are added under a Part of their own.
    """

    pdf: pikepdf.Pdf
    root: Dictionary = field(init=False)
    document: Dictionary = field(init=False)
    parents: list[tuple[int, Object]] = field(init=False)  # the parent tree's entries
    next_key: int = field(init=False)
    ids: dict[bytes, Dictionary] = field(default_factory=dict)
    role_map: Dictionary = field(default_factory=Dictionary)
    class_map: Dictionary = field(default_factory=Dictionary)

    def __post_init__(self) -> None:
        self.root = self.pdf.Root.StructTreeRoot
        kids = _struct_kids(self.root)
        if len(kids) == 1 and kids[0].get("/S") == "/Document":
            self.document = kids[0]
        else:
            self.document = self._element("/Document", kids, self.root)
            self.root.K = Array([self.document])
        self.parents, self.next_key = self._parent_entries(self.root, 0)
        self._merge_maps(self.root, "front-")
        self._rename(self.document, "front-", {}, {})

    def add_issue(self, source: pikepdf.Pdf, pages: list[pikepdf.Page], title: str, prefix: str) -> None:
        """Add the structure of ``source``, whose ``pages`` were just appended, as one Part titled
        ``title``; its IDs and custom types get ``prefix`` where they would clash."""
        root = self.pdf.copy_foreign(source.Root.StructTreeRoot)  # leads to the copies of its pages
        offset = self.next_key
        shifted: set[tuple[int, int]] = set()
        for page in pages:
            _shift_keys(page.obj, offset, shifted)
        entries, next_key = self._parent_entries(root, offset)
        self.parents += entries
        self.next_key = max(next_key, offset + int(source.Root.StructTreeRoot.get("/ParentTreeNextKey", 0)))
        roles, classes = self._merge_maps(root, prefix)
        kids = _struct_kids(root)
        if len(kids) == 1 and kids[0].get("/S") == "/Document":
            part = kids[0]  # its attributes and kids stay; it becomes this issue's part of the volume
            part.S = Name.Part
        else:
            part = self._element("/Part", kids, self.document)
        part.T = String(title)
        if "/Lang" in source.Root:  # the issue's language; the volume's /Lang otherwise
            part.Lang = source.Root.Lang
        part.P = self.document
        self.document.K = Array([*_struct_kids(self.document), part])
        self._rename(part, prefix, roles, classes)

    def finish(self) -> None:
        """Write the merged parent tree, ID tree and maps into the root."""
        self.parents.sort(key=lambda entry: entry[0])
        nums = [item for key, value in self.parents for item in (key, value)]
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        self.root.ParentTreeNextKey = self.next_key
        for key in ("/IDTree", "/RoleMap", "/ClassMap"):
            if key in self.root:
                del self.root[key]
        if self.ids:
            names = [item for key in sorted(self.ids) for item in (String(key), self.ids[key])]
            self.root.IDTree = self.pdf.make_indirect(Dictionary(Names=Array(names)))
        if self.role_map:
            self.root.RoleMap = self.role_map
        if self.class_map:
            self.root.ClassMap = self.class_map

    def _element(self, kind: str, kids: list[Object], parent: Dictionary) -> Dictionary:
        element = Dictionary(Type=Name.StructElem, S=Name(kind), P=parent, K=Array(kids))
        element = self.pdf.make_indirect(element)
        for kid in kids:
            if _is_element(kid):
                kid.P = element
        return element

    @staticmethod
    def _parent_entries(root: Dictionary, offset: int) -> tuple[list[tuple[int, Object]], int]:
        """The parent tree's entries with their keys moved by ``offset``, and the next free key."""
        if "/ParentTree" not in root:
            return [], offset
        entries = [(int(key) + offset, value) for key, value in NumberTree(root.ParentTree).items()]
        return entries, max((key + 1 for key, _ in entries), default=offset)

    def _merge_maps(self, root: Dictionary, prefix: str) -> tuple[dict[str, str], dict[str, str]]:
        """Add the role and class maps of ``root``; a name that already means something else in
        the volume is renamed (returned: old name to new)."""
        renamed = []
        for key, merged in (("/RoleMap", self.role_map), ("/ClassMap", self.class_map)):
            names: dict[str, str] = {}
            for name, value in (root.get(key) or Dictionary()).items():
                kept = merged.get(name)
                if kept is not None and kept.unparse() != value.unparse():
                    names[name] = name = f"/{prefix}{name[1:]}"
                merged[name] = value
            renamed.append(names)
        return renamed[0], renamed[1]

    def _rename(self, top: Dictionary, prefix: str, roles: dict[str, str], classes: dict[str, str]) -> None:
        """Give every ID under ``top`` the ``prefix`` (and the cells' /Headers that name them) and
        record it for the ID tree; rename the types and classes that clashed."""
        stack = [top]
        while stack:  # some 1,400 elements an issue: each asked for its keys once
            element = stack.pop()
            keys = element.keys()
            if "/ID" in keys:
                identifier = prefix.encode() + bytes(element.ID)
                element.ID = String(identifier)
                self.ids[identifier] = element
            if "/A" in keys:
                attributes = element.A
                for attribute in attributes if isinstance(attributes, Array) else [attributes]:
                    if isinstance(attribute, Dictionary) and "/Headers" in attribute:
                        headers = [String(prefix.encode() + bytes(h)) for h in attribute.Headers]
                        attribute.Headers = Array(headers)
            if roles and str(element.S) in roles:
                element.S = Name(roles[str(element.S)])
            if classes and "/C" in keys:
                names = element.C if isinstance(element.C, Array) else [element.C]
                changed = [Name(classes.get(str(c), str(c))) if isinstance(c, Name) else c for c in names]
                element.C = Array(changed) if isinstance(element.C, Array) else changed[0]
            stack.extend(kid for kid in _struct_kids(element) if _is_element(kid))


def _shift_keys(owner: Dictionary, offset: int, shifted: set[tuple[int, int]]) -> None:
    """Move a page's (or form's) StructParents, its annotations' StructParent and those of the
    forms it draws by ``offset``, each object once."""
    if owner.is_indirect:
        if owner.objgen in shifted:
            return
        shifted.add(owner.objgen)
    if "/StructParents" in owner:
        owner.StructParents = int(owner.StructParents) + offset
    for annotation in owner.get("/Annots") or ():
        if "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + offset
    resources = owner.get("/Resources")
    for xobject in (resources.get("/XObject") or Dictionary()).values() if resources is not None else ():
        if xobject.get("/Subtype") == "/Form":
            _shift_keys(xobject, offset, shifted)


def _link_front_matter(pdf: pikepdf.Pdf, front_pages: int, starts: dict[int, int]) -> None:
    """Point the front matter's links at the volume's pages: ``volume-page:21:3`` goes to that page.

    Each link stays the annotation WeasyPrint wrote, in its Link element; only its action changes.
    """
    for page in pdf.pages[:front_pages]:
        for annotation in page.obj.get("/Annots") or ():
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if isinstance(action, Dictionary) else ""
            if not uri.startswith(VOLUME_LINK):
                continue
            number, folio = (int(part) for part in uri.removeprefix(VOLUME_LINK).split(":"))
            destination = Array([pdf.pages[starts[number] + folio - 1].obj, Name.XYZ, None, None, None])
            annotation.A = Dictionary(Type=Name.Action, S=Name.GoTo, D=destination)


def _mark_annotations(page: Dictionary) -> None:
    """What PDF/UA-1 (7.18.3) and PDF/A-2 (6.3.2) ask of a page with annotations: tab order by
    structure, each annotation printed."""
    annotations = page.get("/Annots")
    if not annotations:
        return
    page.Tabs = Name.S
    for annotation in annotations:
        annotation.F = int(annotation.get("/F", 0)) | PRINT_FLAG


def _outline(
    pdf: pikepdf.Pdf,
    publication: Publication,
    volume: Volume,
    bound: list[BoundIssue],
    starts: dict[int, int],
) -> None:
    """Volume > issue > article, each leading to its first page."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        root = pikepdf.OutlineItem(volume.title, 0)
        for item in bound:
            start = starts[item.issue.number]
            issue = pikepdf.OutlineItem(issue_title(publication, item.issue), start)
            for article, folio in zip(item.issue.articles, item.folios, strict=True):
                title = typographic(article.title)  # as the issue's own bookmark has it
                issue.children.append(pikepdf.OutlineItem(title, start + folio - 1))
            root.children.append(issue)
        outline.root.append(root)
    pdf.Root.PageMode = Name.UseOutlines


def _label_pages(pdf: pikepdf.Pdf, front_pages: int, bound: list[BoundIssue]) -> None:
    """Page labels as printed: i, ii ... for the front matter, then 21:1, 21:2 ... for each issue."""
    labels: list[Any] = [0, Dictionary(S=Name.r)]
    start = front_pages
    for item in bound:
        labels += [start, Dictionary(S=Name.D, P=String(f"{item.issue.number}:"), St=1)]
        start += item.pages
    pdf.Root.PageLabels = Dictionary(Nums=Array(labels))


def _describe(pdf: pikepdf.Pdf, publication: Publication, volume: Volume, bound: list[BoundIssue]) -> None:
    """Document info and XMP saying the same (title, publisher, date range, subjects, from the
    manifests), the PDF/A-2a and PDF/UA-1 claims, and what a tagged archive file declares."""
    issues = [b.issue for b in bound]
    last = issues[-1].date
    subjects = sorted({publication.subjects[t] for i in issues for a in i.articles for t in a.tags})
    info = {
        "Title": volume.title,
        "Author": publication.publisher,
        "Subject": f"{publication.name}, {volume_span(issues)}",
        "Keywords": ", ".join(subjects),
        "Creator": "layout",
        "Producer": f"layout (pikepdf {pikepdf.__version__})",
    }
    dates = {"/CreationDate": String(_pdf_date(last)), "/ModDate": String(_pdf_date(last))}
    pdf.docinfo = pdf.make_indirect(Dictionary({**{f"/{k}": String(v) for k, v in info.items()}, **dates}))
    packet = _xmp(info, subjects, publication.language, date_span(issues), [issues[0].date, last])
    metadata = Stream(pdf, archival.declare(packet))
    metadata.Type, metadata.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)
    pdf.Root.Lang = String(publication.language)
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def _pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def _xmp(
    info: dict[str, str], subjects: list[str], language: str, coverage: str, dates: list[dt.date]
) -> bytes:
    """An XMP packet with what ``info`` says, in the properties PDF/A matches with the Info
    dictionary (ISO 19005-2, 6.6.3), and the Dublin Core a catalogue reads."""
    ns = archival.NS
    rdf = ET.Element(f"{{{ns['rdf']}}}RDF")
    description = ET.SubElement(rdf, f"{{{ns['rdf']}}}Description", {f"{{{ns['rdf']}}}about": ""})

    def add(prefix: str, name: str, value: str | list[str], container: str | None = None) -> None:
        element = ET.SubElement(description, f"{{{ns[prefix]}}}{name}")
        if container is None:
            element.text = str(value)
            return
        items = ET.SubElement(element, f"{{{ns['rdf']}}}{container}")
        for text in [value] if isinstance(value, str) else value:
            item = ET.SubElement(items, f"{{{ns['rdf']}}}li")
            item.text = text
            if container == "Alt":
                item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")

    moment = f"{dates[-1].isoformat()}T00:00:00Z"
    add("dc", "title", info["Title"], "Alt")
    add("dc", "creator", [info["Author"]], "Seq")
    add("dc", "description", info["Subject"], "Alt")
    add("dc", "publisher", [info["Author"]], "Bag")
    add("dc", "subject", subjects, "Bag")
    add("dc", "language", [language], "Bag")
    add("dc", "coverage", coverage)
    add("dc", "date", [day.isoformat() for day in dates], "Seq")
    add("pdf", "Keywords", info["Keywords"])
    add("pdf", "Producer", info["Producer"])
    add("xmp", "CreatorTool", info["Creator"])
    add("xmp", "CreateDate", moment)
    add("xmp", "ModifyDate", moment)
    add("xmp", "MetadataDate", moment)
    meta = ET.Element(f"{{{ns['x']}}}xmpmeta")
    meta.append(rdf)
    return ET.tostring(meta, encoding="utf-8")


SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")
FONT_PROGRAMS = ("/FontFile2", "/FontFile3", "/FontFile")


def subset_tag(program: bytes) -> str:
    """Six upper-case letters derived from a font subset's program: equal subsets, equal tags."""
    return "".join(chr(65 + byte % 26) for byte in hashlib.sha256(program).digest()[:6])


def _name_subset(font: Dictionary, named: set[tuple[int, int]]) -> None:
    """Give an embedded font subset a tag of its own content, in the font's BaseFont, its
    descendant's and its descriptor's FontName alike (content streams name fonts by resource,
    so nothing else changes); ``named`` holds the descriptors done."""
    parts = [font, *font.get("/DescendantFonts", ())]
    descriptor = parts[-1].get("/FontDescriptor")
    if descriptor is None or descriptor.objgen in named:
        return
    named.add(descriptor.objgen)
    programs = [descriptor[key] for key in FONT_PROGRAMS if key in descriptor]
    name = str(descriptor.get("/FontName", ""))
    if not programs or not SUBSET_TAG.match(name):
        return
    tagged = Name(f"/{subset_tag(programs[0].read_bytes())}+{name.lstrip('/')[7:]}")
    descriptor.FontName = tagged
    for part in parts:
        if SUBSET_TAG.match(str(part.get("/BaseFont", ""))):
            part.BaseFont = tagged


SHARED_KEYS = ("/Parent", "/P", "/StructParents")  # keys that lead out of what a page draws


def _store_once(pdf: pikepdf.Pdf) -> None:
    """Store identical objects that the pages draw (profiles, fonts, images, forms, their
    parts) once: five issues each carry the same sRGB profile and, often, the same images.

    Objects are compared from the leaves up, so that two fonts whose programs were merged are
    merged in turn; each font subset is named after its content first. Raster images are set
    not to be interpolated (ISO 19005-2, 6.2.8.3).
    """
    kept: dict[tuple[str, bytes], Object] = {}
    seen: dict[tuple[int, int], Object] = {}
    named: set[tuple[int, int]] = set()

    def visit(obj: Object) -> Object:
        if obj.is_indirect:
            if obj.objgen in seen:
                return seen[obj.objgen]
            seen[obj.objgen] = obj
        if isinstance(obj, Array):
            for position, child in enumerate(obj):
                if isinstance(child, (Dictionary, Array, Stream)):
                    single = visit(child)
                    if single.objgen != child.objgen:
                        obj[position] = single
        elif isinstance(obj, (Dictionary, Stream)):
            if obj.get("/Type") == "/Font":  # named before it is compared: equal subsets, equal names
                _name_subset(obj, named)
            if obj.get("/Interpolate") is True:
                obj.Interpolate = False
            for key in list(obj.keys()):
                child = obj[key]
                if key not in SHARED_KEYS and isinstance(child, (Dictionary, Array, Stream)):
                    single = visit(child)
                    if single.objgen != child.objgen:
                        obj[key] = single
        if not obj.is_indirect:
            return obj
        if isinstance(obj, Stream):
            raw = hashlib.sha256(obj.read_raw_bytes()).digest()
            identity = (obj.stream_dict.unparse(resolved=True).decode("latin-1"), raw)
        else:
            identity = (obj.unparse(resolved=True).decode("latin-1"), b"")
        single = seen[obj.objgen] = kept.setdefault(identity, obj)
        return single

    for page in pdf.pages:
        for key in ("/Resources", "/Contents"):
            if key in page.obj:
                single = visit(page.obj[key])
                if page.obj[key].is_indirect and single.objgen != page.obj[key].objgen:
                    page.obj[key] = single


def _file_identifier(front_matter: bytes, bound: list[BoundIssue], volume: Volume) -> bytes:
    """The first half of the trailer's /ID, derived from what is bound (the front matter and each
    issue's own identifier), so the same issues give the same bytes."""
    digest = hashlib.sha256(volume.id.encode() + front_matter)
    for item in bound:
        identifier = item.pdf.trailer.get("/ID")
        digest.update(bytes(identifier[0]) if identifier else str(item.issue.number).encode())
    return digest.digest()[:16]
