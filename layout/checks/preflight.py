"""Preflight of built PDFs: what a printer or an office photocopier would trip over.

Read with pypdfium2, page object by page object (text runs and images, also inside form
XObjects), in the print edition, which is what goes to the printer:

- every font embedded (in the archive edition too);
- each image's effective resolution at its placed size, under 300 dpi;
- text smaller than 7 pt;
- text or images within 5 mm of the trim edge, which office photocopiers do not print;
- contents entries on page 1 without a page number, or with one that is not where the
  article starts.

Read with pypdf, object by object, as a print shop's preflight reads them against ISO 15930-7
(PDF/X-4), in the print edition:

- colour spaces: no uncalibrated DeviceRGB (rg and RG operators, images, shadings, transparency
  groups), in the pages and in every form and pattern they draw;
- rich black in text: text filled with CMYK that has C, M or Y and over 90 % K, or with RGB black,
  which a press prints on four plates, blurred where they misregister;
- annotations (links) inside the bleed box, where PDF/X allows only printer's marks;
- PDF/X-4 keys: the version in the Info dictionary, an output intent with its profile;
- images set to be interpolated (PDF/X forbids it);

and in both editions (and in any PDF, a bound volume for one):

- resources repeated: the same stream content in two objects (a profile or a font embedded twice);
- one font subset name (``ABCDEF+CharisSIL``) given to different subsets, which ISO 32000-1
  (9.6.4) forbids and which font-caching RIPs get wrong.

Every finding names the PDF, the page (as printed, counting from 1) and what and where, with the
object's number where the check reads objects.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from ..pages.copyfit import article_starts
from ..pages.reader import LazyReader
from ..typeset.render import count
from ..units import MM

PRINT_DPI = 300
MIN_TEXT_PT = 7.0
SAFE_MARGIN_MM = 5.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One preflight warning."""

    pdf: str
    page: int | None
    check: str
    message: str

    def __str__(self) -> str:
        page = f" page {self.page}:" if self.page else ""
        return f"{self.pdf}:{page} {self.check}: {self.message}"


@dataclass(frozen=True, slots=True)
class PlacedImage:
    """An image as placed on a page: its pixels, its size on paper and so its resolution."""

    page: int
    pixels: tuple[int, int]
    size_mm: tuple[float, float]

    @property
    def dpi(self) -> float:
        """The lower of the horizontal and vertical effective resolutions."""
        return min(px / (mm / 25.4) for px, mm in zip(self.pixels, self.size_mm, strict=True))


def preflight_issue(print_pdf: Path, archive_pdf: Path, titles: list[str]) -> list[Finding]:
    """Every warning for one issue's two editions."""
    findings = check_fonts(archive_pdf)
    findings += check_fonts(print_pdf)
    findings += check_images(print_pdf)
    findings += check_text_sizes(print_pdf)
    findings += check_safe_margin(print_pdf)
    findings += check_contents(print_pdf, archive_pdf, titles)
    findings += check_press(print_pdf)
    findings += check_objects(archive_pdf)
    return findings


def _shown(path: Path) -> str:
    return os.path.relpath(path)


@dataclass(frozen=True, slots=True)
class Placed:
    """A text run or an image with its matrix and bounds on the page (not in its form's space)."""

    page: int
    obj: pdfium.PdfObject
    matrix: pdfium.PdfMatrix
    bounds: tuple[float, float, float, float]


def _placed(pdf: pdfium.PdfDocument) -> Iterator[tuple[pdfium.PdfPage, Placed]]:
    """Every text run and image of every page, forms (SVG drawings, for one) included."""
    wanted = [pdfium.raw.FPDF_PAGEOBJ_TEXT, pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    for index in range(len(pdf)):
        page = pdf[index]
        for obj in page.get_objects(filter=wanted, textpage=page.get_textpage()):
            to_page = pdfium.PdfMatrix()
            form = obj.container
            while form is not None:  # an object in a form is placed by the form's matrix
                to_page = to_page.multiply(form.get_matrix())
                form = form.container
            matrix = obj.get_matrix().multiply(to_page)
            yield page, Placed(index + 1, obj, matrix, to_page.on_rect(*obj.get_bounds()))


def check_fonts(path: Path) -> list[Finding]:
    """Fonts used by text on the pages that are not embedded in the file."""
    missing: dict[str, int] = {}
    pdf = pdfium.PdfDocument(path)
    for _, placed in _placed(pdf):
        if isinstance(placed.obj, pdfium.PdfTextObj):
            font = placed.obj.get_font()
            if not font.is_embedded:
                missing.setdefault(font.get_base_name(), placed.page)
    return [
        Finding(_shown(path), page, "font", f"{name} is not embedded (first used here)")
        for name, page in missing.items()
    ]


def placed_images(path: Path) -> list[PlacedImage]:
    """Every image drawn in the PDF, with its size on the page."""
    images = []
    pdf = pdfium.PdfDocument(path)
    for _, placed in _placed(pdf):
        if isinstance(placed.obj, pdfium.PdfImage):
            matrix = placed.matrix  # maps the unit square onto the page, in points
            width, height = math.hypot(matrix.a, matrix.b), math.hypot(matrix.c, matrix.d)
            if width and height:
                images.append(PlacedImage(placed.page, placed.obj.get_px_size(), (width / MM, height / MM)))
    return images


def check_images(path: Path, minimum: float = PRINT_DPI) -> list[Finding]:
    """Images whose effective resolution at their placed size is under ``minimum`` dpi."""
    return [
        Finding(
            _shown(path),
            image.page,
            "image",
            f"{image.pixels[0]}×{image.pixels[1]} px placed at"
            f" {image.size_mm[0]:.0f}×{image.size_mm[1]:.0f} mm is {image.dpi:.0f} dpi (under {minimum:.0f})",
        )
        for image in placed_images(path)
        if image.dpi < minimum
    ]


def _text(obj: pdfium.PdfTextObj) -> str:
    return " ".join(obj.extract().split())


def check_text_sizes(path: Path, minimum: float = MIN_TEXT_PT) -> list[Finding]:
    """Text set smaller than ``minimum`` points: one finding per page and size."""
    runs: dict[tuple[int, float], list[str]] = defaultdict(list)
    pdf = pdfium.PdfDocument(path)
    for _, placed in _placed(pdf):
        if isinstance(placed.obj, pdfium.PdfTextObj):
            matrix = placed.matrix
            size = placed.obj.get_font_size() * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            if size < minimum - 0.05 and _text(placed.obj):
                runs[placed.page, round(size, 1)].append(_text(placed.obj))
    return [
        Finding(
            _shown(path),
            page,
            "text",
            f"{count(len(texts), 'run')} of text at {size} pt: {_sample(texts)!r}",
        )
        for (page, size), texts in sorted(runs.items())
    ]


def _sample(texts: list[str]) -> str:
    """The start of some runs' text; runs of one glyph each (as in SVG drawings) joined as letters."""
    glyphs = sum(len(text) == 1 for text in texts) > len(texts) / 2
    return ("" if glyphs else " ").join(texts)[:40]


def check_safe_margin(path: Path, margin_mm: float = SAFE_MARGIN_MM) -> list[Finding]:
    """Text or images closer than ``margin_mm`` to the trim edge (or beyond it, in the bleed)."""
    closest: dict[tuple[int, str], tuple[float, str]] = {}
    pdf = pdfium.PdfDocument(path)
    for page, placed in _placed(pdf):
        left, bottom, right, top = page.get_trimbox()
        x0, y0, x1, y1 = placed.bounds
        gaps = {"left": x0 - left, "bottom": y0 - bottom, "right": right - x1, "top": top - y1}
        is_text = isinstance(placed.obj, pdfium.PdfTextObj)
        what = f"text {_text(placed.obj)[:30]!r}" if is_text else "an image"
        for side, gap in gaps.items():
            gap_mm = gap / MM
            if gap_mm < margin_mm and gap_mm < closest.get((placed.page, side), (math.inf, ""))[0]:
                closest[placed.page, side] = (gap_mm, what)
    return [
        Finding(
            _shown(path),
            page,
            "margin",
            f"{what} is {gap:.1f} mm from the {side} trim edge"
            f" (photocopiers do not print the outer {margin_mm:.0f} mm)",
        )
        for (page, side), (gap, what) in sorted(closest.items())
    ]


def _words(text: str) -> str:
    """Text with hyphenated line ends joined and white space folded, for comparisons."""
    text = re.sub(r"[\u2010\u00ad\u0002-]\r?\n", "", text)
    return " ".join(text.split())


def check_contents(print_pdf: Path, archive_pdf: Path, titles: list[str]) -> list[Finding]:
    """Contents entries on page 1 without a page number, or pointing to the wrong page."""
    pdf = pdfium.PdfDocument(print_pdf)
    front = _words(pdf[0].get_textpage().get_text_bounded())
    starts = [start.page for start in article_starts(LazyReader(archive_pdf))]
    findings = []
    for position, title in enumerate(titles):
        found = re.search(re.escape(_words(title)) + r"\s*(\d+)?", front)
        where = f"contents entry {title[:40]!r}"
        if not found:
            findings.append(Finding(_shown(print_pdf), 1, "contents", f"{where} is not on the front page"))
        elif not found.group(1):
            findings.append(Finding(_shown(print_pdf), 1, "contents", f"{where} has no page number"))
        elif position < len(starts) and int(found.group(1)) != starts[position]:
            findings.append(
                Finding(
                    _shown(print_pdf),
                    1,
                    "contents",
                    f"{where} says page {found.group(1)} but the article starts on page {starts[position]}",
                )
            )
    return findings


# --- objects: what a print shop's preflight reads in the file (ISO 15930-7, PDF/X-4) -------

RICH_BLACK_K = 0.9  # K over this with any C, M or Y is rich black
RGB_BLACK = 0.2  # an RGB colour with no channel over this separates to four-colour black
FILLED_TEXT = {0, 2, 4, 6}  # text rendering modes that fill the glyphs (Tr)
STROKED_TEXT = {1, 2, 5, 6}
TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}
PRINTER_MARKS = {"/PrinterMark", "/TrapNet"}  # the annotations PDF/X allows inside the bleed
PDFX_CONFORMANCE = {"PDF/X-1a:2001", "PDF/X-1a:2003", "PDF/X-3:2002", "PDF/X-3:2003"}  # X-4 has none
MAX_FORM_DEPTH = 20  # forms drawing forms: deeper than any real file, short of a loop


class Space(NamedTuple):
    """A colour space as the checks see it: what its values mean, and whether DeviceRGB is in it
    (itself, or as the base of an indexed space or the alternate of a spot colour)."""

    kind: str  # "rgb", "cmyk", "gray" or "other" (patterns, spots, indexed, Lab)
    device_rgb: bool


DEVICE_SPACES = {
    "/DeviceRGB": Space("rgb", True),
    "/RGB": Space("rgb", True),  # the inline image abbreviations
    "/DeviceCMYK": Space("cmyk", False),
    "/CMYK": Space("cmyk", False),
    "/DeviceGray": Space("gray", False),
    "/G": Space("gray", False),
    "/CalRGB": Space("rgb", False),
    "/CalGray": Space("gray", False),
}
ICC_KINDS = {1: "gray", 3: "rgb", 4: "cmyk"}
OTHER = Space("other", False)


def colour_space(value: Any, resources: DictionaryObject | None) -> Space:
    """What a colour space operand or ``/ColorSpace`` entry is, named resources looked up."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, NameObject):
        if value in DEVICE_SPACES:
            return DEVICE_SPACES[value]
        named = _resource(resources, "/ColorSpace", value)
        return OTHER if named is None or named == value else colour_space(named, None)
    if not isinstance(value, ArrayObject) or not value:
        return OTHER
    family = value[0]
    if family == "/ICCBased":
        return Space(ICC_KINDS.get(int(value[1].get_object().get("/N", 0)), "other"), False)
    if family in ("/CalRGB", "/CalGray"):
        return DEVICE_SPACES[family]
    if family in ("/Indexed", "/I", "/Pattern") and len(value) > 1:
        return Space("other", colour_space(value[1], resources).device_rgb)
    if family in ("/Separation", "/DeviceN") and len(value) > 2:
        return Space("other", colour_space(value[2], resources).device_rgb)
    return OTHER


def _resource(resources: DictionaryObject | None, category: str, name: str) -> Any:
    """A named resource (``/x0`` of ``/XObject``), or None."""
    if not resources:
        return None
    table = resources.get(category)
    return table.get_object().get(name) if table is not None else None


@dataclass
class _Graphics:
    """The part of the graphics state the colour checks follow (saved by q, restored by Q)."""

    fill: tuple[Space, tuple[float, ...]] = (DEVICE_SPACES["/DeviceGray"], (0.0,))
    stroke: tuple[Space, tuple[float, ...]] = (DEVICE_SPACES["/DeviceGray"], (0.0,))
    render_mode: int = 0

    def copy(self) -> _Graphics:
        return _Graphics(self.fill, self.stroke, self.render_mode)


INITIAL_VALUES = {"rgb": (0.0, 0.0, 0.0), "cmyk": (0.0, 0.0, 0.0, 1.0), "gray": (0.0,)}


@dataclass
class _Tally:
    """What walking the content streams found: per page, what was used how often, and where
    (the page's own content, a form, an image: in the order found)."""

    device_rgb: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    rgb_places: dict[int, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    rich_black: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    black_places: dict[tuple[int, str], dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    interpolated: dict[tuple[int, str], None] = field(default_factory=dict)

    def rgb(self, page: int, where: str, what: str) -> None:
        self.device_rgb[page][what] += 1
        self.rgb_places[page][where] = None

    def black(self, page: int, where: str, colour: str) -> None:
        self.rich_black[page, colour] += 1
        self.black_places[page, colour][where] = None


def _places(places: dict[str, None], shown: int = 3) -> str:
    """``the page (object 7), form /x0 (object 78), form /x1 (object 80) and 21 more``."""
    named = list(places)
    more = f" and {len(named) - shown} more" if len(named) > shown else ""
    return ", ".join(named[:shown]) + more


def rich_black(colour: tuple[Space, tuple[float, ...]]) -> str | None:
    """The colour, as a press would be told it, if it is rich black; None if not."""
    space, values = colour
    if space.kind == "cmyk" and len(values) == 4:
        cyan, magenta, yellow, black = values
        if black > RICH_BLACK_K and max(cyan, magenta, yellow) > 0:
            return " ".join(f"{plate}{value * 100:.0f}" for plate, value in zip("CMYK", values, strict=True))
    if space.kind == "rgb" and len(values) == 3 and max(values) <= RGB_BLACK:
        return "RGB black " + " ".join(f"{value:.2f}" for value in values)
    return None


class _Walker:
    """Follows the colour state through a page's content and every form and pattern it draws."""

    def __init__(self, reader: PdfReader, tally: _Tally) -> None:
        self.reader, self.tally = reader, tally
        self.parsed: dict[int, list[tuple[list[Any], bytes]]] = {}

    def page(self, number: int, page: Any) -> None:
        where = f"the page (object {page.indirect_reference.idnum})"
        self._group(number, where, page.get("/Group"))
        contents = page.get_contents()
        if contents is not None:
            self._run(number, where, contents.operations, page.get("/Resources"), _Graphics(), 0)

    def _operations(self, stream: StreamObject) -> list[tuple[list[Any], bytes]]:
        number = stream.indirect_reference.idnum if stream.indirect_reference else id(stream)
        if number not in self.parsed:
            self.parsed[number] = ContentStream(stream, self.reader).operations
        return self.parsed[number]

    def _group(self, page: int, where: str, group: Any) -> None:
        if group is not None and colour_space(group.get_object().get("/CS"), None).device_rgb:
            self.tally.rgb(page, where, "transparency group")

    def _run(
        self,
        page: int,
        where: str,
        operations: list[tuple[list[Any], bytes]],
        resources: Any,
        state: _Graphics,
        depth: int,
    ) -> None:
        resources = resources.get_object() if resources is not None else None
        saved: list[_Graphics] = []
        for operands, operator in operations:
            if operator == b"q":
                saved.append(state.copy())
            elif operator == b"Q" and saved:
                state = saved.pop()
            elif operator in TEXT_SHOWING:
                self._text(page, where, state)
            elif operator == b"Tr" and operands:
                state.render_mode = int(operands[0])
            elif operator in (b"g", b"G", b"rg", b"RG", b"k", b"K"):
                kind = {b"g": "/DeviceGray", b"rg": "/DeviceRGB", b"k": "/DeviceCMYK"}[operator.lower()]
                self._set(state, operator.isupper(), DEVICE_SPACES[kind], operands)
                if kind == "/DeviceRGB":
                    self.tally.rgb(page, where, f"{operator.decode()} operator")
            elif operator in (b"cs", b"CS") and operands:
                space = colour_space(operands[0], resources)
                self._set(state, operator == b"CS", space, INITIAL_VALUES.get(space.kind, ()))
                if space.device_rgb:
                    self.tally.rgb(page, where, f"{operator.decode()} operator")
            elif operator in (b"sc", b"scn", b"SC", b"SCN"):
                stroke = operator.isupper()
                space = (state.stroke if stroke else state.fill)[0]
                self._set(state, stroke, space, [value for value in operands if not isinstance(value, str)])
                if operands and isinstance(operands[-1], NameObject):
                    self._pattern(page, operands[-1], resources, depth)
            elif operator == b"sh" and operands:
                self._shading(page, where, _resource(resources, "/Shading", operands[0]))
            elif operator == b"Do" and operands:
                self._draw(page, operands[0], resources, state, depth)
            elif operator == b"INLINE IMAGE":
                settings = operands[0].get("settings", {}) if operands else {}
                space = settings.get("/CS", settings.get("/ColorSpace"))
                if space is not None and colour_space(space, resources).device_rgb:
                    self.tally.rgb(page, where, "inline image")

    @staticmethod
    def _set(state: _Graphics, stroke: bool, space: Space, values: Any) -> None:
        colour = (space, tuple(float(value) for value in values))
        if stroke:
            state.stroke = colour
        else:
            state.fill = colour

    def _text(self, page: int, where: str, state: _Graphics) -> None:
        painted = []
        if state.render_mode in FILLED_TEXT:
            painted.append(state.fill)
        if state.render_mode in STROKED_TEXT:
            painted.append(state.stroke)
        for colour in painted:
            black = rich_black(colour)
            if black:
                self.tally.black(page, where, black)

    def _draw(self, page: int, name: str, resources: Any, state: _Graphics, depth: int) -> None:
        reference = _resource(resources, "/XObject", name)
        if reference is None:
            return
        xobject = reference.get_object()
        where = f"{xobject.get('/Subtype', '/XObject')[1:].lower()} {name} (object {_number(reference)})"
        if xobject.get("/Subtype") == "/Image":
            if (
                not xobject.get("/ImageMask")
                and colour_space(xobject.get("/ColorSpace"), resources).device_rgb
            ):
                self.tally.rgb(page, where, "image")
            if xobject.get("/Interpolate"):
                self.tally.interpolated[page, where] = None
        elif xobject.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH:
            self._group(page, where, xobject.get("/Group"))
            own = xobject.get("/Resources", resources)  # a form without resources uses its page's
            self._run(page, where, self._operations(xobject), own, state.copy(), depth + 1)

    def _pattern(self, page: int, name: str, resources: Any, depth: int) -> None:
        reference = _resource(resources, "/Pattern", name)
        if reference is None or depth >= MAX_FORM_DEPTH:
            return
        pattern = reference.get_object()
        where = f"pattern {name} (object {_number(reference)})"
        if pattern.get("/PatternType") == 2:
            self._shading(page, where, pattern.get("/Shading"))
        elif isinstance(pattern, StreamObject):
            own = pattern.get("/Resources", resources)
            self._run(page, where, self._operations(pattern), own, _Graphics(), depth + 1)

    def _shading(self, page: int, where: str, shading: Any) -> None:
        if shading is not None and colour_space(shading.get_object().get("/ColorSpace"), None).device_rgb:
            self.tally.rgb(page, where, "shading")


def _resolved(value: Any) -> Any:
    """The object an entry refers to (pypdf's ``get`` leaves references as they are)."""
    return value.get_object() if isinstance(value, IndirectObject) else value


def _number(reference: Any) -> int | str:
    return reference.idnum if isinstance(reference, IndirectObject) else "direct"


def check_colours(path: Path) -> list[Finding]:
    """DeviceRGB anywhere in the pages, rich black in text, and images set to be interpolated."""
    reader = LazyReader(path)
    tally = _Tally()
    walker = _Walker(reader, tally)
    for index, page in enumerate(reader.pages):
        walker.page(index + 1, page)
    shown = _shown(path)
    findings = [
        Finding(
            shown,
            page,
            "colour",
            "DeviceRGB (RGB without a profile, which the press cannot separate as meant): "
            + ", ".join(count(uses, what) for what, uses in sorted(found.items()))
            + f", in {_places(tally.rgb_places[page])}",
        )
        for page, found in tally.device_rgb.items()
    ]
    findings += [
        Finding(
            shown,
            page,
            "rich black",
            f"{count(runs, 'run')} of text in rich black ({colour}) in"
            f" {_places(tally.black_places[page, colour])}: it prints on four plates, with coloured"
            " fringes where they misregister; set it as K alone",
        )
        for (page, colour), runs in tally.rich_black.items()
    ]
    findings += [
        Finding(
            shown, page, "image", f"{where} is to be interpolated (/Interpolate true), which PDF/X forbids"
        )
        for page, where in tally.interpolated
    ]
    return findings


def _box(page: Any, name: str) -> tuple[float, float, float, float]:
    box = page.get(name) or page.get("/TrimBox") or page.mediabox
    left, bottom, right, top = (float(value) for value in box)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def check_annotations(path: Path) -> list[Finding]:
    """Annotations (links, for one) inside a page's bleed box, where PDF/X allows printer's marks only."""
    findings = []
    for index, page in enumerate(LazyReader(path).pages):
        left, bottom, right, top = _box(page, "/BleedBox")
        inside = []
        for reference in _resolved(page.get("/Annots")) or []:
            annotation = reference.get_object()
            x0, y0, x1, y1 = (float(value) for value in _resolved(annotation.get("/Rect")) or (0, 0, 0, 0))
            overlaps = (
                min(x0, x1) < right and max(x0, x1) > left and min(y0, y1) < top and max(y0, y1) > bottom
            )
            if overlaps and annotation.get("/Subtype") not in PRINTER_MARKS:
                inside.append((str(annotation.get("/Subtype", "/Annot"))[1:], _number(reference)))
        if inside:
            kinds = " and ".join(sorted({kind for kind, _ in inside}))
            numbers = ", ".join(str(number) for _, number in inside[:5]) + ", …" * (len(inside) > 5)
            findings.append(
                Finding(
                    _shown(path),
                    index + 1,
                    "annotation",
                    f"{count(len(inside), 'annotation')} ({kinds}; objects {numbers}) inside the bleed box,"
                    " where PDF/X allows only printer's marks: a printed page has no use for links",
                )
            )
    return findings


def check_pdfx(path: Path) -> list[Finding]:
    """The PDF/X-4 keys where every preflight looks for them: Info and XMP, output intent, IDs, boxes."""
    reader = LazyReader(path)
    shown, problems = _shown(path), []
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    version = str(info.get("/GTS_PDFXVersion", ""))
    if not version.startswith("PDF/X-4"):
        problems.append(f"the Info dictionary's GTS_PDFXVersion is {version or 'missing'}, not PDF/X-4")
    conformance = info.get("/GTS_PDFXConformance")
    if conformance is not None and str(conformance) not in PDFX_CONFORMANCE:
        problems.append(f"GTS_PDFXConformance is {str(conformance)!r}, a value no version of PDF/X defines")
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None or b"GTS_PDFXVersion" not in metadata.get_object().get_data():
        problems.append("the XMP metadata does not give pdfxid:GTS_PDFXVersion")
    intents = _resolved(reader.trailer["/Root"].get("/OutputIntents")) or []
    intents = [intent.get_object() for intent in intents]
    if not any(intent.get("/S") == "/GTS_PDFX" and "/DestOutputProfile" in intent for intent in intents):
        problems.append("there is no GTS_PDFX output intent with its profile")
    if "/ID" not in reader.trailer:
        problems.append("the trailer has no /ID")
    findings = [Finding(shown, None, "pdf/x", problem) for problem in problems]
    findings += [
        Finding(
            shown, index + 1, "pdf/x", f"the page (object {page.indirect_reference.idnum}) has no TrimBox"
        )
        for index, page in enumerate(reader.pages)
        if "/TrimBox" not in page and "/ArtBox" not in page
    ]
    return findings


def _used_objects(reader: PdfReader) -> Iterator[tuple[int | None, int, Any]]:
    """Every indirect object that the pages' resources and the output intents use: the first page
    (from 1; None for the output intents) that uses it, its number and the object."""
    seen: set[int] = set()
    starts: list[tuple[int | None, Any]] = [(None, reader.trailer["/Root"].get("/OutputIntents"))]
    starts += [(index + 1, page.raw_get("/Resources")) for index, page in enumerate(reader.pages)]
    for page, start in starts:
        todo = [start]
        while todo:
            item = todo.pop()
            if isinstance(item, IndirectObject):
                if item.idnum in seen:
                    continue
                seen.add(item.idnum)
                obj = item.get_object()
                yield page, item.idnum, obj
                item = obj
            if isinstance(item, DictionaryObject):  # streams too
                todo.extend(value for key, value in item.items() if key not in ("/Parent", "/P"))
            elif isinstance(item, ArrayObject):
                todo.extend(item)


def _stream_kind(stream: StreamObject) -> str:
    """What a stream is, in the words of a finding."""
    if stream.get("/Subtype") in ("/Image", "/Form"):
        return str(stream["/Subtype"])[1:].lower()
    if stream.get("/N") in (1, 3, 4):  # the colour components of an ICC profile
        return "ICC profile"
    return "stream"


def check_objects(path: Path) -> list[Finding]:
    """Resources stored twice (the same stream content in two objects), and one subset name given
    to different font subsets."""
    reader = LazyReader(path)
    copies: dict[tuple[bytes, str], list[tuple[int | None, int, int]]] = defaultdict(list)
    subsets: dict[str, dict[bytes, list[tuple[int | None, int]]]] = defaultdict(lambda: defaultdict(list))
    for page, number, obj in _used_objects(reader):
        if isinstance(obj, StreamObject):
            data = obj.get_data()
            shape = tuple(str(obj.get(key)) for key in ("/Subtype", "/Width", "/Height", "/BitsPerComponent"))
            copies[hashlib.sha256(data).digest(), repr(shape)].append((page, number, len(data)))
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/FontDescriptor":
            program = obj.get("/FontFile2") or obj.get("/FontFile3") or obj.get("/FontFile")
            name = str(obj.get("/FontName", ""))
            if program is not None and re.match(r"/?[A-Z]{6}\+", name):
                digest = hashlib.sha256(program.get_object().get_data()).digest()
                subsets[name.lstrip("/")][digest].append((page, number))
    shown, findings = _shown(path), []
    for found in copies.values():
        if len(found) > 1:
            kind = _stream_kind(reader.get_object(found[0][1]))
            numbers = ", ".join(str(number) for _, number, _ in found[:8]) + ", …" * (len(found) > 8)
            findings.append(
                Finding(
                    shown,
                    found[1][0],
                    "repeated",
                    f"the same {kind} ({found[0][2] / 1024:,.1f} KB) is stored {len(found)} times"
                    f" (objects {numbers}): once is enough",
                )
            )
    for name, programs in subsets.items():
        if len(programs) > 1:
            first = [places[0] for places in programs.values()]
            numbers = ", ".join(str(number) for _, number in first)
            findings.append(
                Finding(
                    shown,
                    first[1][0],
                    "subset",
                    f"the font subset name {name} is given to {len(programs)} different subsets (font"
                    f" descriptors {numbers}): each needs a name of its own (ISO 32000-1, 9.6.4), or a RIP"
                    " that caches fonts prints one subset's glyphs for another's",
                )
            )
    return findings


def check_press(path: Path) -> list[Finding]:
    """Everything a print shop's preflight reads in the objects of a print edition."""
    return check_colours(path) + check_annotations(path) + check_pdfx(path) + check_objects(path)
