"""Untrusted documents for ``layout import``: checked before Pandoc reads them, and read for what
Pandoc drops without a word.

A .docx or .odt is a zip of XML. Before anything is extracted the file must be what its extension
says (zip magic and the package's content types or mimetype; an encrypted .docx is an OLE compound
file, an encrypted .odt says so in its manifest), no larger than MAX_DOCUMENT_BYTES, hold no path
that leaves the package, and not be a zip bomb: the sizes its directory declares are summed and
their ratios checked, then every member is inflated as a stream, counting bytes, so that a member
whose header lies about its size is caught too, before Pandoc inflates it.

The XML is then read (never converted: that is Pandoc's job) for what Pandoc does not carry over
or carries over silently: comments, tracked changes (refused), text boxes, fields, embedded
objects and charts, linked images, colours and fonts set by hand. Each is found with the number
of its paragraph and the heading it is under.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

MAX_DOCUMENT_BYTES = 30_000_000  # a long article with a dozen photos is under 10 MB
MAX_UNPACKED_BYTES = 200_000_000  # all members inflated
MAX_MEMBERS = 5_000
MAX_RATIO = 100  # inflated to compressed, for members over RATIO_FROM bytes: XML is 5-20, zeros 1000
RATIO_FROM = 1_000_000
MAX_XML_BYTES = 50_000_000  # one part's XML, parsed whole: a 200-page book's is under 10 MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"wordprocessingml.document.main+xml"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
# LibreOffice's paragraph styles that Pandoc's reader does not tell apart from body text
ODT_ROLES = {"Title": "title", "Subtitle": "subtitle", "Quotations": "quote", "Quote": "quote"}
DC = "{http://purl.org/dc/elements/1.1/}"

ACCEPT_CHANGES = {
    ".docx": "in Word, Review › Accept › Accept All Changes (and Reject for those you do not want)",
    ".odt": "in LibreOffice, Edit › Track Changes › Manage…, then Accept All",
}
ODT_FIELDS = {
    "date", "time", "page-number", "page-count", "word-count", "author-name", "author-initials",
    "file-name", "chapter", "sequence", "variable-get", "variable-set", "user-field-get",
    "user-defined", "database-display", "expression", "template-name", "sheet-name",
}  # fmt: skip


class Refused(Exception):
    """A document that is not imported, and why (said to the editor after its name)."""


@dataclass
class Inspection:
    """What a document's XML says: remarks on what is not carried over, and what Pandoc does not
    read itself (the language, the properties' title and author)."""

    remarks: list[str] = field(default_factory=list)
    tracked: list[str] = field(default_factory=list)  # where changes are tracked
    lang: str | None = None
    title: str | None = None
    author: str | None = None
    styled: list[tuple[str, str]] = field(default_factory=list)  # (title, subtitle or quote; its words)
    alts: dict[str, str] = field(default_factory=dict)  # a picture's path in the package: its alt text


def open_package(path: Path, suffix: str) -> zipfile.ZipFile:
    """The document as a zip whose members may be read, or Refused saying why it may not."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise Refused(f"is {size / 1e6:.0f} MB, over the {MAX_DOCUMENT_BYTES // 1_000_000} MB import limit")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(OLE_MAGIC):
        raise Refused(_ole_message(path, suffix))
    if not head.startswith(ZIP_MAGIC):
        raise Refused(f"is not a {suffix} document: {_what_it_is(head)}")
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(f"is damaged: it cannot be read as a {suffix} document ({error})") from None
    try:
        _check_members(package)
        _check_kind(package, suffix)
    except Refused:
        package.close()
        raise
    return package


def _ole_message(path: Path, suffix: str) -> str:
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "is encrypted (it has a password): open it, remove the password (Word: File › Info › Protect"
            " Document › Encrypt with Password, empty it; LibreOffice: File › Save As with 'Save with"
            f" password' unticked) and save it again as {suffix}"
        )
    return f"is an old Word (.doc) file, not {suffix}: open it in Word or LibreOffice and save it as {suffix}"


def _what_it_is(head: bytes) -> str:
    """What a file that is not a zip seems to be, in words."""
    if head.startswith(b"%PDF"):
        return "it is a PDF"
    if head.lstrip().startswith(b"{\\rtf"):
        return "it is an RTF file: open it and save it as .docx"
    if re.match(rb"\s*<", head):
        return "it is HTML or XML text: rename it .html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "its contents are of another kind"
    return "it is plain text: rename it .txt"


def _check_members(package: zipfile.ZipFile) -> None:
    """Paths that stay inside, declared sizes and ratios, then each member inflated and counted."""
    members = package.infolist()
    if len(members) > MAX_MEMBERS:
        raise Refused(f"holds {len(members):,} files: a document holds a few dozen (a zip bomb?)")
    total = 0
    for member in members:
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in member.filename or ":" in member.filename:
            raise Refused(f"holds a path that leads outside it ({member.filename[:60]!r}): it is not safe")
        if member.flag_bits & 0x1:
            raise Refused("is encrypted: remove its password and save it again")
        total += member.file_size
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise Refused(f"is a zip bomb: {member.filename[:60]!r} would unpack {ratio:,.0f} times its size")
    if total > MAX_UNPACKED_BYTES:
        raise Refused(f"would unpack to {total / 1e6:,.0f} MB, over {MAX_UNPACKED_BYTES // 1_000_000} MB")
    for member in members:
        _inflate_counting(package, member)


def _inflate_counting(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Inflate one member's own bytes, stopping as soon as it gives more than it declares."""
    if member.compress_type == zipfile.ZIP_STORED:
        return  # stored: what it holds is its size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise Refused(f"uses a compression that documents do not use ({member.filename[:60]!r})")
    raw = package.fp
    raw.seek(member.header_offset)
    header = raw.read(30)
    if header[:4] != ZIP_MAGIC:
        raise Refused("is damaged: a file in it has no header")
    skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    raw.seek(member.header_offset + 30 + skip)
    inflater = zlib.decompressobj(-15)
    left, produced, data = member.compress_size, 0, b""
    try:
        while not inflater.eof:
            if not data:
                data = raw.read(min(left, 65536))
                left -= len(data)
                if not data:
                    break
            produced += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
            if produced > member.file_size:
                raise Refused(f"is a zip bomb: {member.filename[:60]!r} unpacks to more than it says")
    except zlib.error:
        raise Refused(f"is damaged: {member.filename[:60]!r} cannot be unpacked") from None


def _check_kind(package: zipfile.ZipFile, suffix: str) -> None:
    names = set(package.namelist())
    is_docx = "[Content_Types].xml" in names and DOCX_MAIN in package.read("[Content_Types].xml")
    is_odt = "mimetype" in names and package.read("mimetype").strip() == ODT_MIMETYPE
    if suffix == ".docx" and not is_docx:
        raise Refused("is not a .docx document" + (": it is an .odt, rename it" if is_odt else ""))
    if suffix == ".odt" and not is_odt:
        raise Refused("is not an .odt document" + (": it is a .docx, rename it" if is_docx else ""))
    manifest = "META-INF/manifest.xml"
    if is_odt and manifest in names and b"encryption-data" in package.read(manifest):
        raise Refused(
            "is encrypted (it has a password): in LibreOffice, File › Save As with 'Save with password'"
            " unticked"
        )


def read_xml(package: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A member's XML, parsed with no DTD, entities or network; None where it is not in the package."""
    if name not in package.namelist():
        return None
    if package.getinfo(name).file_size > MAX_XML_BYTES:
        raise Refused(
            f"{name} is over {MAX_XML_BYTES // 1_000_000} MB of XML: far more than an article holds"
        )
    data = package.read(name)
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data:
        raise Refused(f"{name} declares a DOCTYPE, which no word processor writes: it is not safe")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise Refused(f"is damaged: {name} cannot be read ({error})") from None


# --- what the XML says ------------------------------------------------------------------------


@dataclass
class _Walk:
    """Paragraphs counted in document order, each finding at its paragraph and heading."""

    inspection: Inspection
    paragraph: int = 0
    heading: str = ""
    said: set[str] = field(default_factory=set)

    def note(self, what: str, once: str | None = None, tracked: bool = False) -> None:
        if once in self.said:
            return
        if once:
            self.said.add(once)
        under = f' (under "{self.heading}")' if self.heading else ""
        where = f"paragraph {max(1, self.paragraph)}{under}"
        (self.inspection.tracked if tracked else self.inspection.remarks).append(f"{where}: {what}")


def inspect_docx(package: zipfile.ZipFile) -> Inspection:
    """Comments, tracked changes, text boxes, fields, objects, linked images, hand-set formatting."""
    inspection = Inspection()
    comments = _docx_comments(read_xml(package, "word/comments.xml"))
    linked = _external_targets(read_xml(package, "word/_rels/document.xml.rels"))
    for name in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
        root = read_xml(package, name)
        if root is not None:
            walk = _Walk(inspection)
            if name != "word/document.xml":
                walk.heading = "in the notes"
            _walk_docx(root, walk, comments, linked)
    for name in sorted(n for n in package.namelist() if re.fullmatch(r"word/(header|footer)\d*\.xml", n)):
        root = read_xml(package, name)
        kind = "header" if "header" in name else "footer"
        _page_furniture(inspection, kind, _text(root, f"{W}t") if root is not None else "")
    inspection.lang = _docx_lang(read_xml(package, "word/styles.xml"))
    inspection.title, inspection.author = _core_properties(read_xml(package, "docProps/core.xml"))
    return inspection


def _page_furniture(inspection: Inspection, kind: str, text: str) -> None:
    """A page header or footer with words in it: said once each, since the house style sets its own."""
    said = f"the page {kind}"
    if text.strip() and not any(remark.startswith(said) for remark in inspection.remarks):
        inspection.remarks.append(
            f"{said} was left out ({text.strip()[:60]!r}): running heads and folios are the style's"
        )


def _walk_docx(root: etree._Element, walk: _Walk, comments: dict[str, str], linked: set[str]) -> None:
    for element in root.iter():
        tag = element.tag
        if tag == f"{W}p" and not any(a.tag == f"{W}txbxContent" for a in element.iterancestors()):
            walk.paragraph += 1
            style = element.find(f"{W}pPr/{W}pStyle")
            if style is not None and re.match(r"(?i)heading|title", style.get(f"{W}val", "")):
                walk.heading = _text(element, f"{W}t")[:60]
        elif tag in (f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo"):
            what = "an insertion" if tag in (f"{W}ins", f"{W}moveTo") else "a deletion"
            walk.note(
                f"{what} by {element.get(f'{W}author', 'someone')} is a change not yet accepted", None, True
            )
        elif tag == f"{W}commentReference":
            text = comments.get(element.get(f"{W}id", ""), "")
            walk.note(f"a comment was left out: {text[:80]!r}")
        elif tag == f"{W}txbxContent":
            text = _text(element, f"{W}t")
            walk.note(f"a text box was left out (it is no part of the text's flow): {text[:60]!r}")
        elif tag in (f"{W}fldSimple", f"{W}instrText"):
            instruction = (element.get(f"{W}instr") or element.text or "").split()
            name = instruction[0].upper() if instruction else ""
            if name and name not in ("HYPERLINK", "PAGEREF", "NOTEREF", "TOC", "SEQ"):  # SEQ: captions
                shown = _text(element, f"{W}t")
                walk.note(  # Pandoc keeps what a complex field showed, and drops a simple one's
                    f"a {name} field was left out (it showed {shown!r}): type its text in where it belongs"
                    if tag == f"{W}fldSimple"
                    else f"a {name} field is set as the text it last showed"
                )
        elif tag in (f"{W}object", f"{W}embed", "{urn:schemas-microsoft-com:office:office}OLEObject"):
            walk.note("an embedded object was left out: paste it as a picture (PNG) to keep it", tag)
        elif tag == f"{A}graphicData" and re.search(r"chart|diagram", element.get("uri", "")):
            walk.note("a chart or diagram was left out: save it as a picture (PNG) and put that in")
        elif tag == f"{A}blip" and element.get(f"{R}link") in linked:
            walk.note(
                "a linked picture (from outside the document) was not fetched: insert the picture itself"
            )
        elif tag in (f"{W}color", f"{W}highlight", f"{W}shd", f"{W}rFonts", f"{W}sz") and (
            tag != f"{W}color" or element.get(f"{W}val") not in ("auto", "000000")
        ):
            walk.note(
                "colours, fonts and sizes set by hand are not carried over: the style sets them", "look"
            )


def _text(element: etree._Element, tag: str) -> str:
    return " ".join("".join(t.text or "" for t in element.iter(tag)).split())


def _docx_comments(root: etree._Element | None) -> dict[str, str]:
    if root is None:
        return {}
    return {c.get(f"{W}id", ""): _text(c, f"{W}t") for c in root.iter(f"{W}comment")}


def _external_targets(rels: etree._Element | None) -> set[str]:
    """The relationship ids that point outside the package (linked pictures, not embedded ones)."""
    if rels is None:
        return set()
    return {rel.get("Id", "") for rel in rels if rel.get("TargetMode") == "External"}


def _docx_lang(styles: etree._Element | None) -> str | None:
    if styles is None:
        return None
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    return lang.get(f"{W}val") if lang is not None else None


def _core_properties(core: etree._Element | None) -> tuple[str | None, str | None]:
    if core is None:
        return None, None
    title, author = core.find(f"{DC}title"), core.find(f"{DC}creator")
    return (
        " ".join((title.text or "").split()) or None if title is not None else None,
        " ".join((author.text or "").split()) or None if author is not None else None,
    )


def inspect_odt(package: zipfile.ZipFile) -> Inspection:
    """The same findings in an OpenDocument text: content.xml, its styles and meta.xml."""
    inspection = Inspection()
    content = read_xml(package, "content.xml")
    if content is None:
        raise Refused("is damaged: it has no content.xml")
    walk = _Walk(inspection)
    _walk_odt(content, walk)
    _odt_roles_and_alts(content, read_xml(package, "styles.xml"), inspection)
    for properties in content.iter(f"{STYLE}text-properties"):
        if {f"{FO}color", f"{FO}background-color", f"{STYLE}font-name", f"{FO}font-size"} & set(
            properties.keys()
        ):
            walk.paragraph, walk.heading = 1, ""
            walk.note(
                "colours, fonts and sizes set by hand are not carried over: the style sets them", "look"
            )
            break
    styles = read_xml(package, "styles.xml")
    if styles is not None:
        for kind in ("header", "footer"):
            for part in styles.iter(f"{STYLE}{kind}"):
                _page_furniture(inspection, kind, "".join(part.itertext()))
        for properties in styles.iter(f"{STYLE}default-style"):
            text = properties.find(f"{STYLE}text-properties")
            if text is not None and text.get(f"{FO}language"):
                country = text.get(f"{FO}country")
                inspection.lang = text.get(f"{FO}language") + (f"-{country}" if country else "")
                break
    meta = read_xml(package, "meta.xml")
    if meta is not None:
        language = meta.find(f".//{DC}language")
        if language is not None and language.text:
            inspection.lang = language.text.strip()
        inspection.title, inspection.author = _core_properties(meta.find(f"{OFFICE}meta"))
    return inspection


def _odt_roles_and_alts(
    content: etree._Element, styles: etree._Element | None, inspection: Inspection
) -> None:
    """The words of paragraphs in the Title, Subtitle and Quotations styles, and pictures' alt
    text (their frame's description, or its title), which Pandoc's .odt reader leaves out."""
    parents = {}
    for root in (content, styles):
        for definition in root.iter(f"{STYLE}style") if root is not None else ():
            parents[definition.get(f"{STYLE}name")] = definition.get(f"{STYLE}parent-style-name")
    for paragraph in content.iter(f"{TEXT}p"):
        name = paragraph.get(f"{TEXT}style-name") or ""
        name = name if name in ODT_ROLES else parents.get(name) or name
        role = ODT_ROLES.get(name.replace("_20_", " "))
        if role:
            inspection.styled.append((role, " ".join("".join(paragraph.itertext()).split())))
    for frame in content.iter(f"{DRAW}frame"):
        image, said = frame.find(f"{DRAW}image"), frame.find(f"{SVG}desc")
        said = said if said is not None else frame.find(f"{SVG}title")
        if image is not None and said is not None and said.text:
            inspection.alts[image.get(f"{XLINK}href", "")] = " ".join(said.text.split())


def _walk_odt(content: etree._Element, walk: _Walk) -> None:
    skipped: set[etree._Element] = set()
    for element in content.iter():
        if any(ancestor in skipped for ancestor in element.iterancestors()):
            continue
        tag = element.tag
        if tag in (f"{TEXT}p", f"{TEXT}h"):
            walk.paragraph += 1
            if tag == f"{TEXT}h":
                walk.heading = " ".join("".join(element.itertext()).split())[:60]
        elif tag == f"{TEXT}changed-region":
            walk.note("a change is not yet accepted", None, True)
            skipped.add(element)
        elif tag == f"{OFFICE}annotation":
            text = " ".join("".join(p.text or "" for p in element.iter(f"{TEXT}p")).split())
            walk.note(f"a comment was left out: {text[:80]!r}")
            skipped.add(element)
        elif tag == f"{DRAW}text-box" and element.find(f".//{DRAW}image") is None:  # else a caption's
            text = " ".join("".join(element.itertext()).split())
            walk.note(f"a text box was left out (it is no part of the text's flow): {text[:60]!r}")
            skipped.add(element)
        elif tag in (f"{DRAW}object", f"{DRAW}object-ole"):
            walk.note("an embedded object or chart was left out: paste it as a picture (PNG) to keep it")
        elif tag == f"{DRAW}image" and not element.get(f"{XLINK}href", "Pictures/").startswith("Pictures/"):
            walk.note(
                "a linked picture (from outside the document) was not fetched: insert the picture itself"
            )
        elif tag.startswith(TEXT) and tag[len(TEXT) :] in ODT_FIELDS - {"sequence"}:  # captions' numbers
            walk.note(f"a {tag[len(TEXT) :]} field is set as the text it last showed")
