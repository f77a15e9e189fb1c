"""A tagged PDF's logical structure and its pages' marked content, read with pikepdf.

``read_structure(path)`` gives the structure tree (each element with its type, its standard type
after the RoleMap, Lang, Alt, ActualText, ID, attributes and its kids in order: elements,
marked-content references and object references), the elements the ParentTree holds that the
StructTreeRoot does not reach, and, for every page, what its content streams (and the forms they
draw) paint: the text of each marked-content sequence (MCID) as Unicode, and what is painted inside
an ``/Artifact``, inside tagged content, in both or in neither. ``Element.text()`` is what a screen
reader says for an element: the ActualText of an element or of a marked-content sequence replaces
what it contains, and kids are joined in structure order with no space invented.

The PDF/UA and PDF/A checks (:mod:`layout.checks.pdfua`,
:mod:`layout.checks.pdfa`) and the read-back test use it.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from ..typeset.render import count
from .preflight import Finding

# ISO 32000-1, 14.8.4: the standard structure types.
STANDARD_TYPES = frozenset(
    (  # noqa: SIM905 (49 names: a list literal would take a line each)
        "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private"
        " P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot"
        " Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form"
    ).split()
)
# ISO 32000-1, 14.8.4.2 and 14.8.4.3: the grouping and block-level types (and those set as blocks
# here: Figure, Formula, Form), which a reader hears as separate blocks, with a pause between them.
BLOCK_TYPES = frozenset(
    (  # noqa: SIM905 (as above)
        "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4"
        " H5 H6 L LI Lbl LBody Table THead TBody TFoot TR TH TD Note BibEntry Figure Formula Form"
    ).split()
)
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "INLINE IMAGE"}
MAX_FORM_DEPTH = 20


@dataclass(frozen=True, slots=True)
class MarkedRef:
    """A marked-content reference: the sequence ``mcid`` on ``page`` (counting from 1)."""

    page: int
    mcid: int


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An object reference (OBJR): an annotation, with its object number, page and subtype."""

    page: int | None
    number: int
    subtype: str


@dataclass(eq=False)
class Element:
    """A structure element: ``type`` as written (/S), ``standard`` after the RoleMap."""

    type: str
    standard: str
    number: int  # the object number, 0 for a direct object
    page: int | None
    lang: str | None
    alt: str | None
    actual_text: str | None
    id: str | None
    attributes: dict[str, Any]
    kids: list[Element | MarkedRef | ObjectRef] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)
    structure: Structure | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<{self.type} element {self.number} on page {self.page}>"

    def walk(self) -> Iterator[Element]:
        """This element and every element under it, in structure order."""
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()

    def text(self, skip: frozenset[str] = frozenset()) -> str:
        """The words as a reader hears them; of the elements of the standard types in ``skip``, only
        the white space (a footnote call's "3 " leaves its space).

        An element's ActualText (or, failing that, its Alt) is heard instead of its content
        (ISO 32000-1, 14.9.3 and 14.9.4); a block-level kid is set off by line breaks, as a reader
        pauses between blocks; inside a block no space is invented: the file must carry them.
        """
        if self.actual_text is not None:
            return self.actual_text
        if self.alt is not None:
            return self.alt
        parts = []
        for kid in self.kids:
            if isinstance(kid, Element):
                block = "\n" if kid.standard in BLOCK_TYPES else ""
                said = kid.text(skip)
                parts.append(
                    block + ("".join(filter(str.isspace, said)) if kid.standard in skip else said) + block
                )
            elif isinstance(kid, MarkedRef) and self.structure is not None:
                parts.append(self.structure.marked_text(kid))
        return "".join(parts)

    def language(self) -> str | None:
        """The natural language in force here: this element's Lang, an ancestor's, or the catalog's."""
        element: Element | None = self
        while element is not None:
            if element.lang:
                return element.lang
            element = element.parent
        return self.structure.lang if self.structure else None


@dataclass
class FontUse:
    """A font as the pages use it: whether it is embedded, and the codes it cannot map to Unicode."""

    number: int
    name: str
    page: int  # where it is first used
    embedded: bool
    unmapped: set[int] = field(default_factory=set)
    notdef: int = 0  # glyphs shown that are the font's .notdef
    bad_unicode: set[int] = field(default_factory=set)  # codes mapped to U+0000, U+FEFF or U+FFFE
    cids: set[int] = field(default_factory=set)

    def problems(self) -> Iterator[tuple[str, str]]:
        """What is wrong with the font as the pages use it: ("embedding", "unicode", "bad unicode"
        or "notdef", and the message)."""
        where = f"the font {self.name} (object {self.number})"
        if not self.embedded:
            yield "embedding", f"{where} is not embedded"
        if self.unmapped:
            codes = f"{count(len(self.unmapped), 'code')} shown (first {min(self.unmapped):#x})"
            yield "unicode", f"{where} maps {codes} to no Unicode"
        if self.bad_unicode:
            yield (
                "bad unicode",
                f"{where} maps codes to U+0000, U+FEFF or U+FFFE (first {min(self.bad_unicode):#x})",
            )
        if self.notdef:
            yield "notdef", f"{where} shows its .notdef glyph {count(self.notdef, 'time')}"


@dataclass
class PageContent:
    """What one page's content paints, as marked content sees it."""

    number: int
    texts: dict[int, list[str]] = field(default_factory=dict)  # MCID -> text pieces in order
    untagged: list[str] = field(default_factory=list)  # what is painted in neither
    artifacts_in_tagged: list[int] = field(default_factory=list)  # the MCIDs that hold an artifact
    tagged_in_artifacts: list[int] = field(default_factory=list)  # MCIDs opened inside an artifact


@dataclass(eq=False)
class Structure:
    """A tagged PDF read: its structure, its pages' content, its fonts."""

    path: Path
    pdf: pikepdf.Pdf
    lang: str | None
    role_map: dict[str, str]
    roots: list[Element]
    unreachable: list[Element]  # ParentTree elements the root does not reach (top-most of each)
    pages: list[PageContent]
    fonts: dict[int, FontUse]
    memo: dict[str, Any] = field(default_factory=dict)  # what the checks read once and share

    def elements(self) -> Iterator[Element]:
        """Every element reachable from the StructTreeRoot, in structure order."""
        for root in self.roots:
            yield from root.walk()

    def marked_text(self, ref: MarkedRef) -> str:
        """The text of one marked-content sequence."""
        if 1 <= ref.page <= len(self.pages):
            return "".join(self.pages[ref.page - 1].texts.get(ref.mcid, ()))
        return ""


def read_structure(path: Path) -> Structure:
    """Read ``path``'s structure tree and every page's marked content."""
    pdf = pikepdf.open(path)
    page_numbers = {page.obj.objgen: index + 1 for index, page in enumerate(pdf.pages)}
    root = pdf.Root.get("/StructTreeRoot")
    role_map = {str(k)[1:]: str(v)[1:] for k, v in (root.get("/RoleMap", {}) if root else {}).items()}
    lang = _string(pdf.Root.get("/Lang"))
    fonts: dict[int, FontUse] = {}
    pages = [read_page(page, index + 1, fonts) for index, page in enumerate(pdf.pages)]
    structure = Structure(Path(path), pdf, lang, role_map, [], [], pages, fonts)
    if root is None:
        return structure
    reader = _TreeReader(structure, page_numbers)
    structure.roots = [e for e in reader.kids(root.get("/K"), None, None) if isinstance(e, Element)]
    structure.unreachable = reader.unreachable(root.get("/ParentTree"))
    return structure


Found = Iterator[tuple[str, int | None, str]]  # what one check finds: clause, page (from 1), message


def run_checks(
    path: Path, structure: Structure | None, checks: list[Callable[[Structure], Found]], standard: str
) -> list[Finding]:
    """Every finding of ``checks`` on one PDF (read now unless ``structure`` is given), each named
    ``standard`` and its clause (``"PDF/UA 01-005"``)."""
    structure = structure or read_structure(path)
    shown = os.path.relpath(path)
    return [
        Finding(shown, page, f"{standard} {clause}", message)
        for check in checks
        for clause, page, message in check(structure)
    ]


def read_xmp(structure: Structure) -> tuple[ET.Element | None, str | None]:
    """The catalog's XMP packet parsed, or None and what is wrong with it (read once)."""
    if "xmp" not in structure.memo:
        structure.memo["xmp"] = _parse_xmp(structure)
    return structure.memo["xmp"]


def _parse_xmp(structure: Structure) -> tuple[ET.Element | None, str | None]:
    stream = structure.pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return None, "the catalog has no XMP metadata stream"
    data = stream.read_bytes()
    header = re.search(rb"<\?xpacket begin=[^>]*\?>", data)
    if header and (b"bytes=" in header.group() or b"encoding=" in header.group()):
        return None, f"the XMP packet header (object {stream.objgen[0]}) has a bytes or encoding attribute"
    try:
        data.decode("utf-8")
        return ET.fromstring(re.sub(rb"<\?xpacket[^>]*\?>", b"", data).strip()), None
    except (UnicodeDecodeError, ET.ParseError) as error:
        return None, f"the XMP metadata (object {stream.objgen[0]}) is not well-formed UTF-8 XML: {error}"


def articles(structure: Structure) -> list[tuple[Element, str]]:
    """Each ``Art`` element in structure order, with its text."""
    return [(e, e.text()) for e in structure.elements() if e.standard == "Art"]


def standard_type(name: str, role_map: dict[str, str]) -> str:
    """The standard type a structure type maps to through the RoleMap (itself if standard or unmapped)."""
    seen = {name}
    while name not in STANDARD_TYPES and name in role_map and role_map[name] not in seen:
        name = role_map[name]
        seen.add(name)
    return name


def _string(value: Any) -> str | None:
    return str(value) if isinstance(value, pikepdf.String) else None


class _TreeReader:
    """Walks the structure tree once, remembering every element dictionary it has read."""

    def __init__(self, structure: Structure, page_numbers: dict[tuple[int, int], int]) -> None:
        self.structure = structure
        self.page_numbers = page_numbers
        self.seen: set[tuple[int, int]] = set()

    def page(self, node: pikepdf.Dictionary, inherited: int | None) -> int | None:
        page = node.get("/Pg")
        return self.page_numbers.get(page.objgen) if page is not None else inherited

    def kids(
        self, value: Any, parent: Element | None, page: int | None
    ) -> list[Element | MarkedRef | ObjectRef]:
        values = list(value) if isinstance(value, pikepdf.Array) else [] if value is None else [value]
        kids: list[Element | MarkedRef | ObjectRef] = []
        for kid in values:
            if isinstance(kid, int) and page is not None:
                kids.append(MarkedRef(page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    where = self.page(kid, page)
                    if where is not None and "/Stm" not in kid:
                        kids.append(MarkedRef(where, int(kid.MCID)))
                elif kind == "/OBJR":
                    obj = kid.get("/Obj")
                    number = obj.objgen[0] if obj is not None else 0
                    subtype = str(obj.get("/Subtype", "")) if obj is not None else ""
                    kids.append(ObjectRef(self.page(kid, page), number, subtype[1:]))
                elif "/S" in kid and kid.objgen not in self.seen:
                    kids.append(self.element(kid, parent, page))
        return kids

    def element(self, node: pikepdf.Dictionary, parent: Element | None, page: int | None) -> Element:
        if node.is_indirect:
            self.seen.add(node.objgen)
        written = str(node.S)[1:]
        element = Element(
            type=written,
            standard=standard_type(written, self.structure.role_map),
            number=node.objgen[0],
            page=self.page(node, page),
            lang=_string(node.get("/Lang")),
            alt=_string(node.get("/Alt")),
            actual_text=_string(node.get("/ActualText")),
            id=_string(node.get("/ID")),
            attributes=_attributes(node.get("/A")),
            parent=parent,
            structure=self.structure,
        )
        element.kids = self.kids(node.get("/K"), element, element.page)
        if element.page is None:  # no /Pg of its own: the page where its content starts
            element.page = next((kid.page for kid in element.kids if kid.page is not None), None)
        return element

    def unreachable(self, parent_tree: Any) -> list[Element]:
        """The elements the ParentTree names that the walk from the root did not reach, each read
        up to the top-most ancestor that is unreachable too."""
        tops: dict[tuple[int, int], Element] = {}
        for node in _number_tree_values(parent_tree):
            for item in node if isinstance(node, pikepdf.Array) else [node]:
                if not isinstance(item, pikepdf.Dictionary) or item.objgen in self.seen:
                    continue
                top = item
                while (
                    isinstance(top.get("/P"), pikepdf.Dictionary)
                    and "/S" in top.P
                    and top.P.objgen not in self.seen
                ):
                    top = top.P
                if top.objgen not in self.seen and "/S" in top:
                    tops[top.objgen] = self.element(top, None, None)
        return list(tops.values())


def _number_tree_values(node: Any, depth: int = 0) -> Iterator[Any]:
    if not isinstance(node, pikepdf.Dictionary) or depth > 32:
        return
    nums = node.get("/Nums")
    if nums is not None:
        yield from (nums[i] for i in range(1, len(nums), 2))
    for kid in node.get("/Kids", []):
        yield from _number_tree_values(kid, depth + 1)


def _attributes(value: Any) -> dict[str, Any]:
    """A structure element's attribute dictionaries merged (revision numbers left out)."""
    merged: dict[str, Any] = {}
    for item in value if isinstance(value, pikepdf.Array) else [value] if value is not None else []:
        if isinstance(item, pikepdf.Dictionary):
            merged.update({str(k)[1:]: v for k, v in item.items() if k != "/O"})
    return merged


# --- fonts: character codes to Unicode --------------------------------------------------------------


class _Font:
    """A font dictionary as text decoding needs it: code width, ToUnicode, the .notdef test."""

    def __init__(self, font: pikepdf.Dictionary, page: int, uses: dict[int, FontUse]) -> None:
        self.two_byte = font.get("/Subtype") == "/Type0"
        self.unicode = _to_unicode(font.get("/ToUnicode"))
        encoding = font.get("/Encoding")
        self.simple_encoding = (
            {"/WinAnsiEncoding": "cp1252", "/MacRomanEncoding": "mac_roman"}.get(str(encoding))
            if not self.two_byte and isinstance(encoding, pikepdf.Name)
            else None
        )
        self.gid_map: bytes | None = None
        descriptor = font.get("/FontDescriptor")
        if self.two_byte and font.get("/DescendantFonts"):
            descendant = font.DescendantFonts[0]
            descriptor = descendant.get("/FontDescriptor")
            cid_to_gid = descendant.get("/CIDToGIDMap")
            if isinstance(cid_to_gid, pikepdf.Stream):
                self.gid_map = cid_to_gid.read_bytes()
        embedded = font.get("/Subtype") == "/Type3" or (
            descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        )
        number = font.objgen[0]
        self.use = uses.setdefault(
            number, FontUse(number, str(font.get("/BaseFont", "?"))[1:], page, embedded)
        )

    def decode(self, data: bytes) -> str:
        """The Unicode text of a string of codes shown, noting codes that have none."""
        width = 2 if self.two_byte else 1
        out = []
        for i in range(0, len(data) - width + 1, width):
            code = int.from_bytes(data[i : i + width], "big")
            if self.two_byte:
                self.use.cids.add(code)
                gid = (
                    code
                    if self.gid_map is None
                    else int.from_bytes(self.gid_map[2 * code : 2 * code + 2] or b"\0\0")
                )
                if gid == 0:
                    self.use.notdef += 1
            text = self.unicode.get(code)
            if text is None and self.simple_encoding:
                text = bytes([code]).decode(self.simple_encoding, "replace")
            if text is None:
                self.use.unmapped.add(code)
            elif text in ("\0", "\ufeff", "\ufffe"):
                self.use.bad_unicode.add(code)
            else:
                out.append(text)
        return "".join(out)


HEX = rb"<([0-9A-Fa-f]+)>"


def _to_unicode(stream: Any) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange mappings (ISO 32000-1, 9.10.3)."""
    if not isinstance(stream, pikepdf.Stream):
        return {}
    data = stream.read_bytes()
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(HEX + rb"\s*" + HEX, block):
            mapping[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, rest in re.findall(HEX + rb"\s*" + HEX + rb"\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block):
            first, last = int(low, 16), int(high, 16)
            if rest.startswith(b"["):
                for offset, target in enumerate(re.findall(HEX, rest)):
                    mapping[first + offset] = _utf16(target)
            else:
                start = bytes.fromhex(rest[1:-1].decode())
                for offset in range(min(last - first, 0xFFFF) + 1):
                    value = int.from_bytes(start, "big") + offset
                    mapping[first + offset] = _utf16(value.to_bytes(len(start), "big").hex().encode())
    return mapping


def _utf16(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode()).decode("utf-16-be", "replace")


# --- page content: marked content and what is painted ------------------------------------------------


@dataclass
class _Mark:
    """One open marked-content sequence."""

    artifact: bool
    mcid: int | None
    actual_text: str | None


class _ContentReader:
    """Follows one page's content (and the forms it draws) operator by operator."""

    def __init__(self, page: PageContent, fonts: dict[int, FontUse]) -> None:
        self.page = page
        self.fonts = fonts
        self.marks: list[_Mark] = []
        self.font_cache: dict[tuple[int, int], _Font] = {}

    def mcid(self) -> int | None:
        return next((mark.mcid for mark in reversed(self.marks) if mark.mcid is not None), None)

    def replaced(self) -> bool:
        return any(mark.actual_text is not None for mark in self.marks)

    def painted(self, what: str) -> None:
        if not any(mark.artifact or mark.mcid is not None for mark in self.marks):
            self.page.untagged.append(what)

    def begin(self, operands: list[Any], resources: pikepdf.Dictionary) -> None:
        tag = str(operands[0]) if operands else ""
        props = operands[1] if len(operands) > 1 else None
        if isinstance(props, pikepdf.Name):  # a named property list in the resources
            props = resources.get("/Properties", {}).get(props)
        props = props if isinstance(props, pikepdf.Dictionary) else {}
        mcid = int(props["/MCID"]) if "/MCID" in props else None
        inside_artifact = any(mark.artifact for mark in self.marks)
        inside_tagged = self.mcid() is not None
        artifact = tag == "/Artifact"
        if artifact and inside_tagged:
            self.page.artifacts_in_tagged.append(self.mcid() or 0)
        if mcid is not None and inside_artifact:
            self.page.tagged_in_artifacts.append(mcid)
        actual = _string(props.get("/ActualText"))
        if actual is not None and not self.replaced():
            self.add_text(actual, mcid)
        self.marks.append(_Mark(artifact, mcid, actual))

    def add_text(self, text: str, mcid: int | None = None) -> None:
        mcid = mcid if mcid is not None else self.mcid()
        if mcid is not None and not any(mark.artifact for mark in self.marks):
            self.page.texts.setdefault(mcid, []).append(text)

    def run(self, stream: Any, resources: pikepdf.Dictionary, depth: int = 0) -> None:
        fonts: list[_Font | None] = [None]  # the text font, saved and restored with q and Q
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op == "q":
                fonts.append(fonts[-1])
            elif op == "Q" and len(fonts) > 1:
                fonts.pop()
            elif op == "Tf" and operands:
                fonts[-1] = self.font(resources, operands[0])
            elif op in ("BMC", "BDC"):
                self.begin(list(operands), resources)
            elif op == "EMC" and self.marks:
                self.marks.pop()
            elif op in TEXT_SHOWING:
                self.show(fonts[-1], operands[-1] if operands else b"")
            elif op in PAINTING:
                self.painted("an image" if op == "INLINE IMAGE" else "a path")
            elif op == "Do" and operands:
                self.draw(resources, operands[0], depth)

    def font(self, resources: pikepdf.Dictionary, name: Any) -> _Font | None:
        font = resources.get("/Font", {}).get(name)
        if not isinstance(font, pikepdf.Dictionary):
            return None
        if font.objgen not in self.font_cache:
            self.font_cache[font.objgen] = _Font(font, self.page.number, self.fonts)
        return self.font_cache[font.objgen]

    def show(self, font: _Font | None, operand: Any) -> None:
        strings = (
            [item for item in operand if isinstance(item, pikepdf.String)]
            if isinstance(operand, pikepdf.Array)
            else [operand]
        )
        text = "".join(font.decode(bytes(s)) for s in strings) if font is not None else ""
        self.painted(f"text {text[:40]!r}")
        if not self.replaced():
            self.add_text(text)

    def draw(self, resources: pikepdf.Dictionary, name: Any, depth: int) -> None:
        xobject = resources.get("/XObject", {}).get(name)
        if not isinstance(xobject, pikepdf.Stream):
            return
        if xobject.get("/Subtype") == "/Image":
            self.painted("an image")
        elif xobject.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH:
            self.run(xobject, xobject.get("/Resources", resources), depth + 1)


def read_page(page: pikepdf.Page, number: int, fonts: dict[int, FontUse]) -> PageContent:
    """One page's marked content (``number`` counts from 1); fonts used are added to ``fonts``."""
    content = PageContent(number)
    reader = _ContentReader(content, fonts)
    if "/Contents" in page.obj:
        reader.run(page, page.obj.get("/Resources", pikepdf.Dictionary()))
    return content
