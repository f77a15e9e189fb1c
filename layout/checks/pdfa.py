"""The project's own PDF/A-2 check: the machine-checkable clauses of ISO 19005-2 for levels A and U,
as veraPDF's PDF/A-2 profiles state each one, read with pikepdf.

Each check is one function with its clause in its docstring; each finding names the clause in
``check`` ("PDF/A 6.2.8"), the page (from 1; None for the document) and the object's number.
Fonts are read through :mod:`layout.checks.tagged`, which decodes every glyph shown.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from ..typeset.render import count
from .preflight import Finding
from .tagged import Found, Structure, read_xmp, run_checks

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
# The schemas the XMP specification (2004/2005) and ISO 19005 predefine (ISO 19005-2, 6.6.2.3.1).
PREDEFINED = {
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/",
    "http://ns.adobe.com/xap/1.0/bj/",
    "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "http://ns.adobe.com/pdf/1.3/",
    "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/camera-raw-settings/1.0/",
    "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/exif/1.0/aux/",
    "http://ns.adobe.com/tiff/1.0/",
    "http://www.aiim.org/pdfa/ns/id/",
    "http://www.aiim.org/pdfa/ns/extension/",
}
RDF_SYNTAX = {f"{{{NS['rdf']}}}{name}" for name in ("about", "parseType", "resource", "ID", "nodeID")}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Info entry -> (XMP property, how its value is written there) (ISO 19005-2, 6.6.3).
INFO_XMP = {
    "/Title": f"{{{NS['dc']}}}title",
    "/Author": f"{{{NS['dc']}}}creator",
    "/Subject": f"{{{NS['dc']}}}description",
    "/Keywords": f"{{{NS['pdf']}}}Keywords",
    "/Creator": f"{{{NS['xmp']}}}CreatorTool",
    "/Producer": f"{{{NS['pdf']}}}Producer",
    "/CreationDate": f"{{{NS['xmp']}}}CreateDate",
    "/ModDate": f"{{{NS['xmp']}}}ModifyDate",
}
ANNOTATION_TYPES = {
    "Text",
    "Link",
    "FreeText",
    "Line",
    "Square",
    "Circle",
    "Polygon",
    "PolyLine",
    "Highlight",
    "Underline",
    "Squiggly",
    "StrikeOut",
    "Stamp",
    "Caret",
    "Ink",
    "Popup",
    "FileAttachment",
    "Widget",
    "PrinterMark",
    "TrapNet",
    "Watermark",
    "Redact",
}  # ISO 32000-1 Table 169, without 3D, Sound, Screen and Movie
FORBIDDEN_ACTIONS = {
    "Launch",
    "Sound",
    "Movie",
    "ResetForm",
    "ImportData",
    "JavaScript",
    "Hide",
    "SetOCGState",
    "Rendition",
    "Trans",
    "GoTo3DView",
    "SetState",
    "NOP",
}
RENDERING_INTENTS = {"RelativeColorimetric", "AbsoluteColorimetric", "Perceptual", "Saturation"}
PRINT, HIDDEN, INVISIBLE, NO_VIEW, TOGGLE_NO_VIEW = 4, 2, 1, 32, 256
DEVICE = {
    "DeviceRGB": "RGB",
    "RGB": "RGB",
    "DeviceCMYK": "CMYK",
    "CMYK": "CMYK",
    "DeviceGray": "Gray",
    "G": "Gray",
}
ICC_SPACES = {1: "Gray", 3: "RGB", 4: "CMYK"}
OPERATOR_SPACES = {"rg": "RGB", "RG": "RGB", "k": "CMYK", "K": "CMYK", "g": "Gray", "G": "Gray"}
MAX_DEPTH = 20


def check_pdfa(path: Path, structure: Structure | None = None) -> list[Finding]:
    """Every PDF/A-2 (level A) finding for one PDF (``structure``: the file read already)."""
    return run_checks(path, structure, CHECKS, "PDF/A")


def file_structure(structure: Structure) -> Found:
    """6.1.2, 6.1.3: the header ``%PDF-1.n`` and a binary comment of four bytes over 127; a trailer
    /ID; no /Encrypt."""
    with open(structure.path, "rb") as file:
        head = file.read(64)
    lines = re.split(rb"\r\n|\r|\n", head)
    if not re.fullmatch(rb"%PDF-1\.[0-7]", lines[0]):
        yield "6.1.2", None, f"the file does not begin with a %PDF-1.n header line: {lines[0][:12]!r}"
    elif len(lines) < 2 or not (lines[1].startswith(b"%") and sum(b > 127 for b in lines[1][1:5]) == 4):
        yield (
            "6.1.2",
            None,
            "the header is not followed by a comment of four bytes over 127 (the binary marker)",
        )
    if "/ID" not in structure.pdf.trailer:
        yield "6.1.3", None, "the trailer has no /ID"
    if "/Encrypt" in structure.pdf.trailer:
        yield "6.1.3", None, "the file is encrypted (/Encrypt in the trailer)"


def streams(structure: Structure) -> Found:
    """6.1.7.1, 6.1.7.2: no stream dictionary with F, FFilter or FDecodeParms; every Length true;
    no LZWDecode filter (nor Crypt)."""
    pdf = structure.pdf
    pdf.get_warnings()  # only the warnings that reading the streams gives
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        number = obj.objgen[0]
        for key in ("/F", "/FFilter", "/FDecodeParms"):
            if key in obj.stream_dict:
                yield (
                    "6.1.7.1",
                    None,
                    f"the stream (object {number}) has {key}: its data would be outside the file",
                )
        filters = obj.get("/Filter")
        names = [
            str(f) for f in (filters if isinstance(filters, pikepdf.Array) else [filters] if filters else [])
        ]
        if {"/LZWDecode", "/Crypt"} & set(names):
            yield "6.1.7.2", None, f"the stream (object {number}) uses {', '.join(names)}"
        raw = obj.read_raw_bytes()
        length = obj.stream_dict.get("/Length")
        if isinstance(length, int) and int(length) != len(raw):
            yield (
                "6.1.7.1",
                None,
                f"the stream (object {number}) says Length {int(length)} and holds {len(raw)} bytes",
            )
    for warning in pdf.get_warnings():
        if "length" in warning.lower() or "endstream" in warning.lower():
            yield "6.1.7.1", None, f"qpdf reads a stream's length wrongly: {warning}"


def _properties(xmp: ET.Element) -> Iterator[tuple[str, str, str]]:
    """Every top-level property of the packet: namespace, name, value (text of simple values)."""
    for description in xmp.iter(f"{{{NS['rdf']}}}Description"):
        if description.get(f"{{{NS['rdf']}}}about") is None:
            continue  # a structured value's fields, not a property of the document
        for name, value in description.attrib.items():
            if name not in RDF_SYNTAX and name.startswith("{"):
                yield *name[1:].split("}"), value
        for child in description:
            values = [li.text or "" for li in child.iter(f"{{{NS['rdf']}}}li")]
            yield *child.tag[1:].split("}"), ", ".join(values) if values else (child.text or "")


def metadata(structure: Structure) -> Found:
    """6.6.2.1, 6.6.4: an XMP packet, well-formed UTF-8, with no bytes or encoding attribute;
    pdfaid:part 2 and pdfaid:conformance A, B or U."""
    xmp, problem = read_xmp(structure)
    if xmp is None:
        yield "6.6.2.1", None, problem or ""
        return
    found = {name: value.strip() for space, name, value in _properties(xmp) if space == NS["pdfaid"]}
    if found.get("part") != "2":
        yield "6.6.4", None, f"the XMP metadata gives pdfaid:part {found.get('part', 'none')!r}, not 2"
    if found.get("conformance") not in ("A", "B", "U"):
        yield (
            "6.6.4",
            None,
            f"the XMP metadata gives pdfaid:conformance {found.get('conformance', 'none')!r}, not A, B or U",
        )


def extension_schemas(structure: Structure) -> Found:
    """6.6.2.3.1: every property outside the predefined schemas is described in the packet's
    pdfaExtension schemas (its schema's namespace URI and the property's name)."""
    xmp, _ = read_xmp(structure)
    if xmp is None:
        return
    described: set[tuple[str, str]] = set()
    for li in xmp.iter(f"{{{NS['rdf']}}}li"):
        uri = li.find("pdfaSchema:namespaceURI", NS)
        if uri is not None:
            names = li.iter(f"{{{NS['pdfaProperty']}}}name")
            described |= {((uri.text or "").strip(), (n.text or "").strip()) for n in names}
    for space, name, _ in _properties(xmp):
        if space not in PREDEFINED and (space, name) not in described:
            yield (
                "6.6.2.3.1",
                None,
                f"the XMP property {name} of {space} is in no predefined schema"
                " and no pdfaExtension schema describes it",
            )


def info_matches_xmp(structure: Structure) -> Found:
    """6.6.3: each entry of the Info dictionary with an XMP equivalent says the same as the XMP."""
    xmp, _ = read_xmp(structure)
    info = structure.pdf.trailer.get("/Info")
    if xmp is None or not isinstance(info, pikepdf.Dictionary):
        return
    values = {f"{{{space}}}{name}": value for space, name, value in _properties(xmp)}
    for key, prop in INFO_XMP.items():
        if key not in info:
            continue
        said = str(info[key])
        if key in ("/CreationDate", "/ModDate"):
            said = _xmp_date(said)
            written = _xmp_date_normal(values.get(prop, ""))
        else:
            written = values.get(prop)
        if written is None:
            yield (
                "6.6.3",
                None,
                f"the Info dictionary has {key} but the XMP metadata has no {prop.split('}')[1]}",
            )
        elif written != said:
            yield (
                "6.6.3",
                None,
                f"the Info dictionary's {key} ({said[:40]!r}) differs from the XMP's ({written[:40]!r})",
            )


def _xmp_date(pdf_date: str) -> str:
    """``D:20170322000000Z`` as XMP writes it, ``2017-03-22T00:00:00Z``."""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?", pdf_date)
    if not m:
        return pdf_date
    year, month, day, hour, minute, second, zone = m.groups()
    zone = (zone or "").replace("'", "")
    zone = f"{zone[:3]}:{zone[3:]}" if len(zone) == 5 else zone
    return f"{year}-{month or '01'}-{day or '01'}T{hour or '00'}:{minute or '00'}:{second or '00'}{zone}"


def _xmp_date_normal(date: str) -> str:
    return date.replace("+00:00", "Z")


def output_intents(structure: Structure) -> Found:
    """6.2.2, 6.2.3: a GTS_PDFA1 output intent with a DestOutputProfile whose N is its ICC colour
    space's; several intents with profiles share one profile."""
    intents = [i for i in structure.pdf.Root.get("/OutputIntents", []) if isinstance(i, pikepdf.Dictionary)]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        yield "6.2.2", None, "there is no GTS_PDFA1 output intent"
    profiles = {i.DestOutputProfile.objgen for i in intents if "/DestOutputProfile" in i}
    if len(profiles) > 1:
        yield (
            "6.2.3",
            None,
            f"the output intents carry {len(profiles)} different profiles"
            f" (objects {', '.join(str(p[0]) for p in profiles)})",
        )
    for intent in pdfa:
        profile = intent.get("/DestOutputProfile")
        if not isinstance(profile, pikepdf.Stream):
            yield "6.2.2", None, "the GTS_PDFA1 output intent has no DestOutputProfile"
            continue
        data = profile.read_bytes()[:20]
        space = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(data[16:20])
        if data[12:16] not in (b"prtr", b"mntr") or space is None:
            yield (
                "6.2.3",
                None,
                f"the output profile (object {profile.objgen[0]}) is not a printer or monitor profile"
                " in Gray, RGB or CMYK",
            )
        elif int(profile.get("/N", 0)) != space:
            yield (
                "6.2.3",
                None,
                f"the output profile (object {profile.objgen[0]}) says N {profile.get('/N')}"
                f" for a profile of {space} components",
            )


def intent_space(structure: Structure) -> str | None:
    """The colour space of the PDF/A output intent's profile: "RGB", "CMYK", "Gray" or None."""
    for intent in structure.pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile") if intent.get("/S") == "/GTS_PDFA1" else None
        if isinstance(profile, pikepdf.Stream):
            return ICC_SPACES.get(int(profile.get("/N", 0)))
    return None


@dataclass
class _Scope:
    """A content stream being read: its page, what it is, its resources."""

    page: int
    where: str
    resources: pikepdf.Dictionary


def _scopes(structure: Structure) -> list[tuple[_Scope, Any, list[tuple[list[Any], str]]]]:
    """Every content stream the pages draw (pages, forms, tiling patterns, annotation appearances,
    Type 3 glyphs), each once, with the page that first draws it and its operators (read once)."""
    if "pdfa scopes" not in structure.memo:
        structure.memo["pdfa scopes"] = [
            (
                scope,
                stream,
                [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(stream)],
            )
            for scope, stream in _streams(structure)
        ]
    return structure.memo["pdfa scopes"]


def _streams(structure: Structure) -> Iterator[tuple[_Scope, Any]]:
    seen: set[tuple[int, int]] = set()
    for index, page in enumerate(structure.pdf.pages):
        number = index + 1
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        todo: list[tuple[_Scope, Any, int]] = [
            (_Scope(number, f"the page (object {page.obj.objgen[0]})", resources), page, 0)
        ]
        for annot in page.obj.get("/Annots", []):
            for appearance in _appearances(annot):
                todo.append(
                    (
                        _Scope(
                            number,
                            f"an appearance of annotation {annot.objgen[0]}",
                            appearance.get("/Resources", resources),
                        ),
                        appearance,
                        1,
                    )
                )
        while todo:
            scope, stream, depth = todo.pop()
            objgen = stream.obj.objgen if isinstance(stream, pikepdf.Page) else stream.objgen
            if objgen in seen and objgen != (0, 0):
                continue
            seen.add(objgen)
            yield scope, stream
            if depth < MAX_DEPTH:
                for kind, name, child in _drawn(scope.resources):
                    child_resources = child.get("/Resources", scope.resources)
                    todo.append(
                        (
                            _Scope(number, f"{kind} {name} (object {child.objgen[0]})", child_resources),
                            child,
                            depth + 1,
                        )
                    )


def _appearances(annot: Any) -> Iterator[pikepdf.Stream]:
    for value in (annot.get("/AP", {}) or {}).values() if isinstance(annot, pikepdf.Dictionary) else []:
        items = (
            [value]
            if isinstance(value, pikepdf.Stream)
            else list(value.values())
            if isinstance(value, pikepdf.Dictionary)
            else []
        )
        yield from (item for item in items if isinstance(item, pikepdf.Stream))


def _drawn(resources: pikepdf.Dictionary) -> Iterator[tuple[str, str, pikepdf.Stream]]:
    for name, xobject in (resources.get("/XObject") or {}).items():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
            yield "form", str(name), xobject
    for name, pattern in (resources.get("/Pattern") or {}).items():
        if isinstance(pattern, pikepdf.Stream):
            yield "pattern", str(name), pattern
    for name, font in (resources.get("/Font") or {}).items():
        for glyph, proc in (
            (font.get("/CharProcs") or {}).items() if isinstance(font, pikepdf.Dictionary) else []
        ):
            yield "Type 3 glyph", f"{name} {glyph}", proc


def _space(value: Any, resources: pikepdf.Dictionary | None) -> list[str]:
    """The device colour spaces in a colour space (itself, an Indexed base, a Separation's or
    DeviceN's alternate), named resources looked up."""
    if isinstance(value, pikepdf.Name):
        name = str(value)[1:]
        if name in DEVICE:
            return [DEVICE[name]]
        named = (resources or {}).get("/ColorSpace", {}).get(value) if resources else None
        return _space(named, None) if named is not None and named != value else []
    if isinstance(value, pikepdf.Array) and len(value):
        family = str(value[0])
        if family in ("/Indexed", "/I") and len(value) > 1:
            return _space(value[1], resources)
        if family in ("/Separation", "/DeviceN") and len(value) > 2:
            return _space(value[2], resources)
    return []


def _defaults(resources: pikepdf.Dictionary) -> set[str]:
    spaces = resources.get("/ColorSpace") or {}
    return {
        kind
        for key, kind in (("/DefaultRGB", "RGB"), ("/DefaultCMYK", "CMYK"), ("/DefaultGray", "Gray"))
        if key in spaces
    }


def colour_spaces(structure: Structure) -> Found:
    """6.2.4.3: DeviceRGB only with an RGB output intent (or a DefaultRGB), DeviceCMYK only with a
    CMYK one (or a DefaultCMYK), DeviceGray with any: in content (operators, inline images) and in
    images, shadings and transparency groups, in pages, forms, patterns and appearances."""
    allowed = {intent_space(structure), "Gray"} if intent_space(structure) else set()
    reported: set[tuple[str, int]] = set()  # images and shadings: each object once, where first drawn
    for scope, stream, operations in _scopes(structure):
        ok = allowed | _defaults(scope.resources)
        used: dict[str, str] = {}
        group = (stream.obj if isinstance(stream, pikepdf.Page) else stream).get("/Group")
        if isinstance(group, pikepdf.Dictionary):
            used |= {kind: "its transparency group" for kind in _space(group.get("/CS"), scope.resources)}
        objects = [(f"image {n}", x) for n, x in _images_drawn(scope, operations)]
        objects += [(f"shading {n}", s) for n, s in _shadings(scope.resources)]
        for what, obj in objects:
            for kind in _space(obj.get("/ColorSpace"), scope.resources):
                if (kind, obj.objgen[0]) not in reported and kind not in ok:
                    reported.add((kind, obj.objgen[0]))
                    used.setdefault(kind, f"{what} (object {obj.objgen[0]})")
        for operands, operator in operations:
            op = str(operator)
            if op in OPERATOR_SPACES:
                used.setdefault(OPERATOR_SPACES[op], f"the {op} operator")
            elif op in ("cs", "CS") and operands:
                used |= {
                    kind: f"the {op} operator"
                    for kind in _space(operands[0], scope.resources)
                    if kind not in used
                }
            elif op == "INLINE IMAGE":
                space = operands[0].obj.get("/CS") or operands[0].obj.get("/ColorSpace")
                used |= {
                    kind: "an inline image" for kind in _space(space, scope.resources) if kind not in used
                }
        for kind, how in used.items():
            if kind not in ok:
                intent = intent_space(structure) or "no"
                yield (
                    "6.2.4.3",
                    scope.page,
                    f"Device{kind} is used in {scope.where} by {how},"
                    f" and the file has {intent} output intent for it",
                )


def _images_drawn(scope: _Scope, operations: list[tuple[list[Any], str]]) -> Iterator[tuple[str, Any]]:
    """The image XObjects a content stream draws (Do), each once: a page's resources may name
    images that other pages draw (WeasyPrint gives all pages one resource dictionary)."""
    names = dict.fromkeys(operands[0] for operands, op in operations if op == "Do" and operands)
    for name in names:
        xobject = (scope.resources.get("/XObject") or {}).get(name)
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Image":
            yield str(name), xobject


def _shadings(resources: pikepdf.Dictionary) -> Iterator[tuple[str, Any]]:
    for name, shading in (resources.get("/Shading") or {}).items():
        yield str(name), shading
    for name, pattern in (resources.get("/Pattern") or {}).items():
        if isinstance(pattern, pikepdf.Dictionary) and "/Shading" in pattern:
            yield str(name), pattern.Shading


def images(structure: Structure) -> Found:
    """6.2.8, 6.2.9: images without Alternates, OPI or Interpolate true (inline images without I
    true), bits per component 1, 2, 4, 8 or 16; forms without OPI, PS or Subtype2 PS, no reference
    and no PostScript XObjects."""
    seen: set[tuple[int, int]] = set()  # each object once, on the first page that draws it
    for scope, _, operations in _scopes(structure):
        drawn = dict(_images_drawn(scope, operations))
        others = {
            n: x for n, x in (scope.resources.get("/XObject") or {}).items() if x.get("/Subtype") != "/Image"
        }
        for name, xobject in {**drawn, **others}.items():
            if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            what = f"the {str(xobject.get('/Subtype', '?'))[1:].lower()} {name} (object {xobject.objgen[0]})"
            if xobject.get("/Subtype") == "/Image":
                for key in ("/Alternates", "/OPI"):
                    if key in xobject:
                        yield "6.2.8", scope.page, f"{what} has {key}"
                if xobject.get("/Interpolate") is True:
                    yield "6.2.8", scope.page, f"{what} has Interpolate true"
                if int(xobject.get("/BitsPerComponent", 8)) not in (1, 2, 4, 8, 16):
                    yield "6.2.8", scope.page, f"{what} has BitsPerComponent {xobject.BitsPerComponent}"
            elif xobject.get("/Subtype") == "/Form":
                if {"/OPI", "/PS", "/Ref"} & set(xobject.keys()) or xobject.get("/Subtype2") == "/PS":
                    yield "6.2.9", scope.page, f"{what} has OPI, PS, Subtype2 PS or Ref"
            elif xobject.get("/Subtype") == "/PS":
                yield "6.2.9", scope.page, f"{what} is a PostScript XObject"
        for operands, operator in operations:
            if str(operator) == "INLINE IMAGE":
                image = operands[0].obj
                if image.get("/I") is True or image.get("/Interpolate") is True:
                    yield "6.2.8", scope.page, f"an inline image in {scope.where} has I (Interpolate) true"


def graphics_states(structure: Structure) -> Found:
    """6.2.5, 6.2.6: ExtGState without TR, TR2 other than /Default, HTP; halftones of type 1 or 5
    without HalftoneName; rendering intents (ri, RI, Intent) only the four of ISO 32000-1 Table 70."""
    for scope, _, operations in _scopes(structure):
        for name, state in (scope.resources.get("/ExtGState") or {}).items():
            if not isinstance(state, pikepdf.Dictionary):
                continue
            what = f"the graphics state {name} (object {state.objgen[0]})"
            if "/TR" in state:
                yield "6.2.5", scope.page, f"{what} has a transfer function (TR)"
            if "/TR2" in state and state.TR2 != "/Default":
                yield "6.2.5", scope.page, f"{what} has TR2 other than /Default"
            if "/HTP" in state:
                yield "6.2.5", scope.page, f"{what} has HTP"
            halftone = state.get("/HT")
            if isinstance(halftone, pikepdf.Dictionary) and (
                int(halftone.get("/HalftoneType", 1)) not in (1, 5) or "/HalftoneName" in halftone
            ):
                yield (
                    "6.2.5",
                    scope.page,
                    f"{what} has a halftone of type {halftone.get('/HalftoneType')} or with a HalftoneName",
                )
            if "/RI" in state and str(state.RI)[1:] not in RENDERING_INTENTS:
                yield "6.2.6", scope.page, f"{what} has the rendering intent {state.RI}"
        for name, xobject in (scope.resources.get("/XObject") or {}).items():
            intent = xobject.get("/Intent") if isinstance(xobject, pikepdf.Stream) else None
            if intent is not None and str(intent)[1:] not in RENDERING_INTENTS:
                yield (
                    "6.2.6",
                    scope.page,
                    f"the image {name} (object {xobject.objgen[0]}) has the rendering intent {intent}",
                )
        for operands, operator in operations:
            if str(operator) == "ri" and operands and str(operands[0])[1:] not in RENDERING_INTENTS:
                yield "6.2.6", scope.page, f"{scope.where} sets the rendering intent {operands[0]}"


FONT_CLAUSES = {
    "embedding": "6.2.11.4.1",
    "unicode": "6.2.11.7.2",
    "bad unicode": "6.2.11.7.2",
    "notdef": "6.2.11.8",
}


def fonts(structure: Structure) -> Found:
    """6.2.11.4.1, 6.2.11.4.2, 6.2.11.7.2, 6.2.11.8: every font used embedded; a CIDSet, where
    there is one, holding every CID shown; every code shown mapped to Unicode (levels A and U),
    not to U+0000, U+FEFF or U+FFFE; no .notdef glyph shown."""
    for font in structure.fonts.values():
        for kind, message in font.problems():
            yield FONT_CLAUSES[kind], font.page, message
        missing = _cids_not_in_set(structure.pdf.get_object(font.number, 0), font.cids)
        if missing:
            yield (
                "6.2.11.4.2",
                font.page,
                f"the font {font.name} (object {font.number}) has a CIDSet without"
                f" {count(len(missing), 'CID')} it shows (first {min(missing)})",
            )


def _cids_not_in_set(font: Any, cids: set[int]) -> set[int]:
    descendants = font.get("/DescendantFonts") if isinstance(font, pikepdf.Dictionary) else None
    descriptor = descendants[0].get("/FontDescriptor") if descendants else None
    cid_set = descriptor.get("/CIDSet") if isinstance(descriptor, pikepdf.Dictionary) else None
    if not isinstance(cid_set, pikepdf.Stream):
        return set()
    bits = cid_set.read_bytes()
    return {cid for cid in cids if cid // 8 >= len(bits) or not bits[cid // 8] & (0x80 >> cid % 8)}


def annotations(structure: Structure) -> Found:
    """6.3.1, 6.3.2, 6.3.3: annotations of the types ISO 32000-1 defines but 3D, Sound, Screen and
    Movie; each with F, its Print flag set and Hidden, Invisible, NoView and ToggleNoView clear;
    each but Popup and Link (and those of zero size) with an appearance stream N only."""
    for index, page in enumerate(structure.pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = str(annot.get("/Subtype", "/?"))[1:]
            what = f"the {subtype} annotation (object {annot.objgen[0]})"
            if subtype not in ANNOTATION_TYPES:
                yield "6.3.1", index + 1, f"{what} is of a type PDF/A does not allow"
            flags = int(annot.get("/F", 0))
            if subtype != "Popup" and "/F" not in annot:
                yield "6.3.2", index + 1, f"{what} has no F (flags): it must be set to print"
            elif "/F" in annot and (
                not flags & PRINT or flags & (HIDDEN | INVISIBLE | NO_VIEW | TOGGLE_NO_VIEW)
            ):
                yield (
                    "6.3.2",
                    index + 1,
                    f"{what} has flags {flags}: Print must be set,"
                    " Hidden, Invisible, NoView and ToggleNoView clear",
                )
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            has_area = len(rect) == 4 and rect[0] != rect[2] and rect[1] != rect[3]
            appearance = annot.get("/AP")
            if (
                subtype not in ("Popup", "Link")
                and has_area
                and not (isinstance(appearance, pikepdf.Dictionary) and "/N" in appearance)
            ):
                yield "6.3.3", index + 1, f"{what} has no normal appearance stream (AP with N)"
            if isinstance(appearance, pikepdf.Dictionary) and set(appearance.keys()) - {"/N"}:
                yield (
                    "6.3.3",
                    index + 1,
                    f"{what} has appearances other than N"
                    f" ({', '.join(sorted(set(appearance.keys()) - {'/N'}))})",
                )


def _actions(structure: Structure) -> Iterator[tuple[int | None, str, pikepdf.Dictionary]]:
    """Every action: the catalog's OpenAction, the outline's, the annotations' (followed through Next)."""
    starts: list[tuple[int | None, str, Any]] = [
        (None, "the catalog's OpenAction", structure.pdf.Root.get("/OpenAction"))
    ]
    for index, page in enumerate(structure.pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if isinstance(annot, pikepdf.Dictionary):
                starts.append((index + 1, f"annotation {annot.objgen[0]}", annot.get("/A")))
    outline = structure.pdf.Root.get("/Outlines")
    todo, seen = [outline.get("/First")] if isinstance(outline, pikepdf.Dictionary) else [], set()
    while todo:
        item = todo.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        starts.append((None, f"outline item {item.objgen[0]}", item.get("/A")))
        todo += [item.get("/Next"), item.get("/First")]
    for page, where, action in starts:
        chain = 0
        while isinstance(action, pikepdf.Dictionary) and chain < 100:
            yield page, where, action
            action, chain = action.get("/Next"), chain + 1


def actions(structure: Structure) -> Found:
    """6.5.1, 6.5.2: no Launch, Sound, Movie, ResetForm, ImportData, JavaScript, Hide, SetOCGState,
    Rendition, Trans, GoTo3DView (nor set-state and no-op) actions; Named actions only NextPage,
    PrevPage, FirstPage, LastPage; no JavaScript name tree; no AA in the catalog or on pages."""
    for page, where, action in _actions(structure):
        kind = str(action.get("/S", "/?"))[1:]
        if kind in FORBIDDEN_ACTIONS:
            yield "6.5.1", page, f"{where} has a {kind} action (object {action.objgen[0]})"
        elif kind == "Named" and str(action.get("/N"))[1:] not in (
            "NextPage",
            "PrevPage",
            "FirstPage",
            "LastPage",
        ):
            yield "6.5.1", page, f"{where} has the named action {action.get('/N')}"
    if "/JavaScript" in structure.pdf.Root.get("/Names", {}):
        yield "6.5.1", None, "the catalog's name dictionary has a JavaScript name tree"
    if "/AA" in structure.pdf.Root:
        yield "6.5.2", None, "the catalog has additional actions (AA)"
    for index, page in enumerate(structure.pdf.pages):
        if "/AA" in page.obj:
            yield "6.5.2", index + 1, f"the page (object {page.obj.objgen[0]}) has additional actions (AA)"


def embedded_files(structure: Structure) -> Found:
    """6.8: an embedded file only if it is itself PDF/A (read here as: a PDF whose XMP gives pdfaid),
    with F and UF in its file specification."""
    names = structure.pdf.Root.get("/Names", {}).get("/EmbeddedFiles")
    todo = [names] if isinstance(names, pikepdf.Dictionary) else []
    while todo:
        node = todo.pop()
        todo += list(node.get("/Kids", []))
        entries = list(node.get("/Names", []))
        for name, spec in zip(entries[::2], entries[1::2], strict=False):
            if not isinstance(spec, pikepdf.Dictionary):
                continue
            if not ("/F" in spec and "/UF" in spec):
                yield "6.8", None, f"the embedded file {str(name)!r} (object {spec.objgen[0]}) lacks F or UF"
            data = spec.get("/EF", {}).get("/F")
            body = data.read_bytes() if isinstance(data, pikepdf.Stream) else b""
            if not (body.startswith(b"%PDF-") and b"pdfaid" in body):
                yield (
                    "6.8",
                    None,
                    f"the embedded file {str(name)!r} (object {spec.objgen[0]}) is not a PDF/A file",
                )


def logical_structure(structure: Structure) -> Found:
    """6.7.2.2, 6.7.3.3, 6.7.4 (level A): MarkInfo Marked true, a StructTreeRoot, the catalog's Lang."""
    root = structure.pdf.Root
    if root.get("/MarkInfo", {}).get("/Marked") is not True:
        yield "6.7.2.2", None, "the catalog's MarkInfo does not say Marked true"
    if "/StructTreeRoot" not in root:
        yield "6.7.3.3", None, "the catalog has no StructTreeRoot"
    if not structure.lang:
        yield "6.7.4", None, "the catalog has no Lang: the document's language is not declared"


CHECKS: list[Callable[[Structure], Found]] = [
    file_structure,
    streams,
    metadata,
    extension_schemas,
    info_matches_xmp,
    output_intents,
    colour_spaces,
    images,
    graphics_states,
    fonts,
    annotations,
    actions,
    embedded_files,
    logical_structure,
]
