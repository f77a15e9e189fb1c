"""Untrusted images, checked whole before anything is typeset.

Every image an article names is checked here, with the line that names it, before any stage
reads it (``layout check`` and every build run these checks first):

- it must be a file inside the issue's folder, of a kind we print, and not too large;
- a raster image (PNG, JPEG, GIF, WebP) must decode to its last row: WeasyPrint copies a JPEG's
  bytes into the PDF as they are, so a cut-off photo would print partly blank with no error;
- an SVG must be self-contained, declare no DOCTYPE or entities, and be bounded in the work it
  can cause: WeasyPrint draws every ``<use>``, pattern, marker, mask and clip path again each
  time it is referenced, so a few kilobytes that repeat themselves can keep a build busy for
  minutes (a 2.6 KB file of ten levels of ten ``<use>`` did), or recurse without end.

Results are remembered per file (path, size and modification time), so a warm worker or a
second look at the same issue does not decode the same photo again.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import cssselect2
import tinycss2
from PIL import GifImagePlugin, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from ..paths import PRINT_PROFILE
from ..units import PX_PER_MM

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsTransform

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000
OUTSIDE_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)

# The raster kinds we print, opened by their own plugins: Image.open() would refuse a very large
# image as a "decompression bomb" before we could read its size from the header and say so.
RASTER_KINDS = {
    "PNG": PngImagePlugin.PngImageFile,
    "JPEG": JpegImagePlugin.jpeg_factory,
    "GIF": GifImagePlugin.GifImageFile,
    "WEBP": WebPImagePlugin.WebPImageFile,
}
RASTER_ACCEPTS = {
    "PNG": PngImagePlugin._accept,
    "JPEG": JpegImagePlugin._accept,
    "GIF": GifImagePlugin._accept,
    "WEBP": WebPImagePlugin._accept,
}

# Bounds on the work an SVG may cause, measured with WeasyPrint 70 on 2 cores: a shape or a
# letter of text costs about 0.1 ms to draw, a point of a line about 0.015 ms, so each bound is
# a few seconds of build at most. The shipped drawings have under 100 parts, 5 levels, no repeats.
MAX_SVG_BYTES = 5_000_000
MAX_SVG_PARTS = 20_000  # elements drawn, counting every repeat, plus letters of text
MAX_SVG_POINTS = 200_000  # points of lines and shapes, counting every repeat
MAX_SVG_DEPTH = 100  # nesting of elements, through <use> too: WeasyPrint's drawing recurses
MAX_PATTERN_TILES = 100_000  # tiles of one pattern over the drawing (the printer's RIP draws each)
MAX_SVG_SIZE = 1e9  # width, height and viewBox numbers
# Dashes of dashed lines, counting every repeat. WeasyPrint writes a dash pattern as one operator,
# whatever it makes, but poppler (pdftoppm, Evince, Okular) builds each dash as a path of its own:
# at 150 dpi 100,000 dashes took it 0.28 s and 111 MB, 1.9 million (a 160-byte file) 6.4 s and
# 1.6 GB. Ghostscript and pdfium took 0.1-0.2 s at any count.
MAX_SVG_DASHES = 100_000
# Bands of colour in gradients (a pair of neighbouring stops, each time it is repeated), counting
# every element painted. WeasyPrint writes spreadMethod="repeat" or "reflect" as the stops written
# again over the whole painted box; Ghostscript, as the print shop's RIP, draws each band: at
# 150 dpi 350 bands of a radial gradient took it 3.9 s, 14,000 (a 500-byte file) 46 s; poppler
# and pdfium under 0.6 s. The shipped drawings' gradients have 2 to 5 stops.
MAX_GRADIENT_BANDS = 500
GRADIENT_TAGS = ("linearGradient", "radialGradient")
GLYPH_OUTLINE_EMS = 8  # the outline of a letter is under 8 em long: what a dashed letter strokes
DEFAULT_FONT_PX = 16  # WeasyPrint's 12pt

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
LINK_ATTRIBUTES = ("href", "{http://www.w3.org/1999/xlink}href")
URL_ATTRIBUTES = ("fill", "stroke", "clip-path", "mask", "filter")
MARKER_ATTRIBUTES = ("marker", "marker-start", "marker-mid", "marker-end")
TEXT_TAGS = {"text", "tspan", "textPath", "a", "tref"}
SHEET_SAFE_TAGS = {"linearGradient", "radialGradient", "filter"}  # nothing drawn inside them
LOCAL_URL = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
UNIT_PX = {"": 1, "px": 1, "pt": 4 / 3, "pc": 16, "mm": PX_PER_MM, "cm": 10 * PX_PER_MM, "in": 96}
FONT_UNITS = {"em": 1, "rem": 1, "ex": 0.5}  # of the font size, as WeasyPrint counts them
LENGTH = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:%|[a-zA-Z]*)")
TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
PATH_COMMAND = re.compile(r"([MmZzLlHhVvCcSsQqTtAa])([^MmZzLlHhVvCcSsQqTtAa]*)")
PATH_ARITY = {"M": 2, "L": 2, "T": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4}
_SEPARATOR = r"[\s,]*"
ARC_ARGUMENTS = re.compile(  # the two flags are one digit each and need no space after them
    _SEPARATOR.join([f"({NUMBER.pattern})"] * 3 + ["([01])"] * 2 + [f"({NUMBER.pattern})"] * 2)
)

_results: dict[tuple[Path, int, int], str | None] = {}
_truncation_switch = threading.Lock()


def check_image(src: str, issue_dir: Path) -> str | None:
    """Why an image reference may not be used, or None when it is safe and sound."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
        return f"{src!r}: images must be files in the issue's folder, not addresses"
    parts = PurePosixPath(src).parts
    if not src or src.startswith(("/", "\\")) or ".." in parts or "\\" in src:
        return f"{src!r}: images must be given by a relative path inside the issue's folder"
    path = issue_dir / src
    if path.suffix.lower() not in IMAGE_TYPES:
        return f"{src!r}: not an image type we print ({', '.join(sorted(IMAGE_TYPES))})"
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(issue_dir.resolve())
    except FileNotFoundError:
        return f"{src!r}: image file not found"
    except ValueError:
        return f"{src!r}: leads outside the issue's folder"
    if not resolved.is_file():
        return f"{src!r}: not a file"
    stat = resolved.stat()
    if stat.st_size == 0:
        return f"{src!r}: the file is empty"
    if stat.st_size > MAX_IMAGE_BYTES:
        return f"{src!r}: the file is larger than {MAX_IMAGE_BYTES:,} bytes"
    key = (resolved, stat.st_size, stat.st_mtime_ns)
    if key not in _results:
        if len(_results) > 1000:
            _results.clear()
        _results[key] = _check_image_data(resolved)
    problem = _results[key]
    return f"{src!r}: {problem}" if problem else None


def _check_image_data(path: Path) -> str | None:
    """What is wrong with the file's content, in words that follow its name, or None."""
    if path.suffix.lower() == ".svg":
        return _check_svg(path)
    return _check_raster(path)


# --- raster images -----------------------------------------------------------------------


def _check_raster(path: Path) -> str | None:
    """A raster image is accepted only of a kind we print, not too large, and decoded to its end."""
    with path.open("rb") as file:
        prefix = file.read(16)
        kind = next((kind for kind, accept in RASTER_ACCEPTS.items() if accept(prefix)), None)
        if kind is None:
            return "not a PNG, JPEG, GIF or WebP image we can read: export it again as PNG or JPEG"
        try:
            file.seek(0)
            with RASTER_KINDS[kind](file, str(path)) as image:
                too_large = _too_many_pixels(image.width, image.height)
                if too_large:
                    return too_large
                if kind == "PNG":
                    image.verify()  # the checksum of every chunk, which decoding does not look at
            file.seek(0)
            with RASTER_KINDS[kind](file, str(path)) as image:
                _decode_whole(image)
        except Exception as error:  # any decoder's complaint is a damaged file, and so said
            truncated = "truncated" in str(error).lower() or isinstance(error, EOFError)
            why = "it ends before its last row" if truncated else "its data cannot be decoded"
            return f"the image is damaged or incomplete ({why}): save or export it again"
    return None


def _too_many_pixels(width: int, height: int) -> str | None:
    if width * height <= MAX_IMAGE_PIXELS:
        return None
    return (
        f"{width}×{height} pixels ({width * height / 1e6:,.0f} megapixels) is too large to print: "
        f"at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels, e.g. 8000×5000; "
        "a photo for a column needs about 1100 pixels across at 300 dpi"
    )


def _decode_whole(image: ImageFile.ImageFile) -> None:
    """Decode every row, raising on data that ends early or does not decode.

    WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is imported
    (a build or the warm worker has it), which would make a cut-off file load without a word:
    it is switched off around the decoding, under a lock, and put back. A JPEG is decoded at an
    eighth of its size (``draft``): every byte of its entropy-coded data is still read and
    checked, at a third of the time (a 4000×3000 photo: 18 ms instead of 58 ms).
    """
    if image.format == "JPEG" or image.format == "MPO":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    with _truncation_switch:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


# --- SVG drawings ----------------------------------------------------------------------------


class _Refused(Exception):
    """An SVG found beyond a bound: the message says which, in plain words."""


class _RefuseDoctype(ElementTree.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        # Called when <!DOCTYPE is read, before any entity in it is declared or expanded.
        raise _Refused(
            "the file declares a DOCTYPE or entities (<!DOCTYPE ...>), which we do not read: "
            "save it again as plain SVG (Inkscape: Save As, Plain SVG)"
        )


def _check_svg(path: Path) -> str | None:
    if path.stat().st_size > MAX_SVG_BYTES:
        return (
            f"the drawing is larger than {MAX_SVG_BYTES:,} bytes and would take too long to print: "
            "simplify it or export it as PNG"
        )
    try:
        root = ElementTree.parse(path, parser=ElementTree.XMLParser(target=_RefuseDoctype())).getroot()
    except _Refused as refusal:
        return str(refusal)
    except ElementTree.ParseError as error:
        return f"not a readable SVG ({error})"
    if not root.tag.endswith("svg"):
        return "not an SVG image"
    try:
        _svg_reference(root)
        _svg_sizes(root)
        _SvgWork(root).measure()
    except _Refused as refusal:
        return str(refusal)
    return None


def _svg_reference(root: ElementTree.Element) -> None:
    """An SVG must be self-contained: any reference to another file or address is refused."""
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] == "href" and not value.startswith("#"):
                raise _Refused(f"refers to {value[:60]!r}; an SVG must be self-contained")
        for value in (*element.attrib.values(), element.text or ""):
            if OUTSIDE_REFERENCE.search(value):
                raise _Refused("refers to another file; an SVG must be self-contained")


def _svg_sizes(root: ElementTree.Element) -> None:
    """Width, height and viewBox must be ordinary finite numbers."""
    for element in root.iter():
        for name in ("width", "height", "viewBox"):
            for number in NUMBER.findall(element.get(name, "")):
                if not math.isfinite(float(number)) or abs(float(number)) > MAX_SVG_SIZE:
                    raise _Refused(
                        f"{_local(element.tag)} has {name}={element.get(name)[:40]!r}, too large to print: "
                        "give the drawing an ordinary size"
                    )


@dataclass(frozen=True, slots=True)
class _Work:
    """What drawing an element once costs, with everything it refers to."""

    parts: int
    points: int
    dashes: float
    bands: float
    depth: int
    repeats: bool  # some of it is drawn more than once (a <use>, pattern, marker ...)


@dataclass(frozen=True, slots=True)
class _Stroke:
    """The stroke properties an element inherits, as written, and its font size for em lengths."""

    paint: str = "none"
    width: str = "1"
    dasharray: str = "none"
    font_size: float = DEFAULT_FONT_PX

    def within(self, attributes: dict[str, str]) -> _Stroke:
        """The stroke of an element with these attributes (and style) inside one with this stroke."""

        def own(name: str, inherited: str) -> str:
            value = attributes.get(name, inherited)
            return inherited if value == "inherit" else value

        font_size = self.font_size
        if own("font-size", "1em") != "1em":
            font_size = _length(attributes["font-size"], self.font_size, self.font_size)
        paint, width = own("stroke", self.paint), own("stroke-width", self.width)
        return _Stroke(paint, width, own("stroke-dasharray", self.dasharray), font_size)


class _SvgWork:
    """Counts what WeasyPrint would draw, following references as it does, with bounds.

    Each element is counted once for each stroke it inherits and remembered, so ten levels of
    ten <use> cost ten steps, and the count stops as soon as a bound is passed.
    """

    def __init__(self, root: ElementTree.Element) -> None:
        self.root = root
        self.ids: dict[str, ElementTree.Element] = {}
        for element in root.iter():
            if "id" in element.attrib:
                self.ids.setdefault(element.attrib["id"], element)
        self.sheet = _sheet_declarations(root)
        width, height = _viewport(root)
        self.width, self.height, self.diagonal = width, height, math.hypot(width, height) / math.sqrt(2)
        self.memo: dict[tuple[int, _Stroke], _Work] = {}
        self.open: set[int] = set()  # elements being counted: one met again is a cycle

    def measure(self) -> None:
        """Raise _Refused when drawing the SVG would cost more than the bounds allow."""
        self._style_sheets()
        self._patterns()
        self._work(self.root, 0, _Stroke())

    def _work(self, element: ElementTree.Element, depth: int, inherited: _Stroke) -> _Work:
        attributes = self._attributes(element)
        stroke = inherited.within(attributes)
        key = id(element)
        if key in self.open:
            raise _Refused(
                f"this drawing uses a part of itself inside that same part ({_describe(element)}), "
                "which never ends: remove that reference or export it as PNG"
            )
        if (key, stroke) in self.memo:
            work = self.memo[key, stroke]
            if depth + work.depth > MAX_SVG_DEPTH:
                self._too_deep()
            return work
        if depth > MAX_SVG_DEPTH:
            self._too_deep()
        self.open.add(key)
        tag = _local(element.tag)
        letters = _letters(element) if tag in TEXT_TAGS else 0
        parts = 1 + letters
        points = _points(tag, attributes)
        dashes = self._dashes(tag, attributes, stroke, letters)
        bands = self._bands(tag, attributes, stroke.font_size)
        deepest = 0
        repeats = False
        for child in element:
            work = self._work(child, depth + 1, stroke)
            parts, points, dashes = parts + work.parts, points + work.points, dashes + work.dashes
            bands += work.bands
            deepest, repeats = max(deepest, work.depth + 1), repeats or work.repeats
        for target in self._references(attributes):  # a <use> target inherits from the <use>
            work = self._work(target, depth + 1, stroke)
            parts, points, dashes = parts + work.parts, points + work.points, dashes + work.dashes
            bands += work.bands
            deepest, repeats = max(deepest, work.depth + 1), True
        vertices = max(2, points)
        for target in self._markers(attributes):
            work = self._work(target, depth + 1, stroke)
            parts, points = parts + vertices * work.parts, points + vertices * work.points
            dashes, bands = dashes + vertices * work.dashes, bands + vertices * work.bands
            deepest, repeats = max(deepest, work.depth + 1), True
        self.open.discard(key)
        self.memo[key, stroke] = result = _Work(parts, points, dashes, bands, deepest, repeats)
        self._bounds(result)
        return result

    def _references(self, attributes: dict[str, str]) -> list[ElementTree.Element]:
        """The elements this one draws again: its <use> target, patterns, clip paths, masks."""
        names = [attributes[name][1:] for name in LINK_ATTRIBUTES if attributes.get(name, "").startswith("#")]
        names += [m.group(1) for name in URL_ATTRIBUTES for m in LOCAL_URL.finditer(attributes.get(name, ""))]
        return [self.ids[name] for name in names if name in self.ids]

    def _markers(self, attributes: dict[str, str]) -> list[ElementTree.Element]:
        values = (attributes.get(name, "") for name in MARKER_ATTRIBUTES)
        names = [match.group(1) for value in values for match in LOCAL_URL.finditer(value)]
        return [self.ids[name] for name in names if name in self.ids]

    def _attributes(self, element: ElementTree.Element) -> dict[str, str]:
        """Attributes with the style sheets' and style attribute's declarations over them, in
        WeasyPrint's order: sheet, style attribute, then the !important of each."""
        attributes = dict(element.attrib)
        from_style = _declarations(element.get("style", ""))
        from_sheet = self.sheet.get(id(element), ([], []))
        for declarations in (from_sheet[0], from_style[0], from_sheet[1], from_style[1]):
            attributes.update(declarations)
        return attributes

    def _dashes(self, tag: str, attributes: dict[str, str], stroke: _Stroke, letters: int) -> float:
        """How many dashes the element's own stroke makes: its length over its dash pattern's period."""
        width = _length(stroke.width, self.diagonal, stroke.font_size)
        if stroke.paint.strip() in ("", "none") or width == 0:
            return 0.0
        period = self._dash_period(stroke)
        if period is None:
            return 0.0
        if tag in TEXT_TAGS:
            return letters * GLYPH_OUTLINE_EMS * stroke.font_size / period
        return self._stroke_length(tag, attributes, stroke.font_size) / period

    def _dash_period(self, stroke: _Stroke) -> float | None:
        """The length after which the dash pattern repeats, or None for a solid line."""
        values = LENGTH.findall(stroke.dasharray)
        dashes = [_length(value, self.diagonal, stroke.font_size) for value in values]
        if not dashes or any(dash < 0 for dash in dashes) or not any(dashes):
            return None  # WeasyPrint draws these solid
        return sum(dashes) * (2 if len(dashes) % 2 else 1)  # an odd list is repeated to make it even

    def _stroke_length(self, tag: str, attributes: dict[str, str], font_size: float) -> float:
        """At least the length of the element's outline, in its own units."""

        def length(name: str, reference: float) -> float:
            return abs(_length(attributes.get(name, "0"), reference, font_size))

        if tag == "path":
            return _path_length(attributes.get("d", ""))
        if tag in ("polyline", "polygon"):
            numbers = [float(number) for number in NUMBER.findall(attributes.get("points", ""))]
            corners = list(zip(numbers[::2], numbers[1::2], strict=False))
            if tag == "polygon" and corners:
                corners.append(corners[0])
            return sum(math.dist(a, b) for a, b in itertools.pairwise(corners))
        if tag == "rect":
            return 2 * (length("width", self.width) + length("height", self.height))
        if tag == "circle":
            return 2 * math.pi * length("r", self.diagonal)
        if tag == "ellipse":
            return 2 * math.pi * max(length("rx", self.width), length("ry", self.height))
        if tag == "line":
            ends = [("x1", self.width), ("y1", self.height), ("x2", self.width), ("y2", self.height)]
            x1, y1, x2, y2 = (_length(attributes.get(name, "0"), size, font_size) for name, size in ends)
            return math.hypot(x2 - x1, y2 - y1)
        return 0.0

    def _bands(self, tag: str, attributes: dict[str, str], font_size: float) -> float:
        """The bands of colour of the gradients the element is painted with, as WeasyPrint writes them."""
        bands, extent = 0.0, None
        for name in ("fill", "stroke"):
            for match in LOCAL_URL.finditer(attributes.get(name, "")):
                gradient = self._gradient(match.group(1))
                if gradient is None:
                    continue
                if extent is None:  # measured for a painted element only: a path's outline is costly
                    # what it paints reaches across the drawing or its own box, whose diagonal is at
                    # most half its outline
                    outline = self._stroke_length(tag, attributes, font_size)
                    extent = max(math.hypot(self.width, self.height), outline / 2)
                bands += self._gradient_bands(gradient, extent, font_size)
        return bands

    def _gradient(self, name: str) -> tuple[dict[str, str], int] | None:
        """A gradient's attributes and number of stops, with what it takes from those its href names."""
        attributes: dict[str, str] = {}
        stops = 0
        element = self.ids.get(name)
        for _ in range(MAX_SVG_DEPTH):  # a chain of hrefs, which may loop
            if element is None or _local(element.tag) not in GRADIENT_TAGS:
                break
            attributes = {**element.attrib, **attributes, "tag": attributes.get("tag", _local(element.tag))}
            stops = stops or len(_elements(element, "stop"))
            href = next((element.get(key) for key in LINK_ATTRIBUTES if element.get(key)), "")
            element = self.ids.get(href[1:]) if href.startswith("#") else None
        return (attributes, stops) if attributes else None

    def _gradient_bands(self, gradient: tuple[dict[str, str], int], extent: float, font_size: float) -> float:
        """A gradient's stops, times the repeats that cover ``extent`` when it repeats or reflects."""
        attributes, stops = gradient
        bands = max(1, stops - 1)
        if attributes.get("spreadMethod") not in ("repeat", "reflect"):
            return bands
        if attributes.get("gradientUnits") == "userSpaceOnUse":
            width, height, diagonal = self.width, self.height, self.diagonal
        else:  # fractions of the painted box
            width, height, diagonal, extent = 1.0, 1.0, 1.0, math.sqrt(2)

        def length(name: str, default: str, reference: float) -> float:
            return _length(attributes.get(name, default), reference, font_size)

        if attributes["tag"] == "linearGradient":
            start = (length("x1", "0", width), length("y1", "0", height))
            vector = math.dist(start, (length("x2", "100%", width), length("y2", "0", height)))
        else:
            vector = abs(length("r", "50%", diagonal) - length("fr", "0", diagonal))
        vector *= _least_stretch(attributes.get("gradientTransform", ""))
        if vector == 0:
            return bands  # WeasyPrint paints one colour
        return bands * (1 + extent / vector)

    def _bounds(self, work: _Work) -> None:
        if work.parts > MAX_SVG_PARTS:
            if work.repeats:
                raise _Refused(
                    f"this drawing repeats its parts more than {MAX_SVG_PARTS:,} times (<use> inside <use>, "
                    "patterns or markers); it would take minutes to print: simplify it or export it as PNG"
                )
            raise _Refused(
                f"this drawing has more than {MAX_SVG_PARTS:,} parts (shapes and letters); it would take "
                "minutes to print: simplify it or export it as PNG"
            )
        if work.points > MAX_SVG_POINTS:
            raise _Refused(
                f"this drawing has more than {MAX_SVG_POINTS:,} points in its lines and shapes"
                f"{', counting every repeat' if work.repeats else ''}; it would take minutes to print: "
                "simplify it or export it as PNG"
            )
        if not work.dashes <= MAX_SVG_DASHES:  # also when the count is not a number
            raise _Refused(
                f"its dashed lines make more than {MAX_SVG_DASHES:,} dashes"
                f"{', counting every repeat' if work.repeats else ''}; a reader's PDF viewer would take "
                "seconds and gigabytes of memory to show them: use longer dashes (stroke-dasharray) "
                "or a solid line, or export it as PNG"
            )

        if not work.bands <= MAX_GRADIENT_BANDS:
            raise _Refused(
                f"its gradients make more than {MAX_GRADIENT_BANDS:,} bands of colour (many stops, or "
                "spreadMethod repeat or reflect over a short gradient); the print shop's machine would take "
                "minutes to print them: use fewer stops or a longer gradient, or export it as PNG"
            )

    def _too_deep(self) -> None:
        raise _Refused(
            f"this drawing nests its groups more than {MAX_SVG_DEPTH} deep, more than we can print: "
            "ungroup it (Inkscape: Object, Ungroup) or export it as PNG"
        )

    def _style_sheets(self) -> None:
        """A style sheet's url(#...) may name gradients and filters, whose work is bounded.

        Which elements a selector paints with a pattern, mask, clip path or marker would need
        the whole CSS cascade to count; such drawings are refused rather than guessed at.
        """
        for element in _elements(self.root, "style"):
            for match in LOCAL_URL.finditer(element.text or ""):
                target = self.ids.get(match.group(1))
                if target is not None and _local(target.tag) not in SHEET_SAFE_TAGS:
                    raise _Refused(
                        f"its style sheet paints with #{match.group(1)} (a {_local(target.tag)}), whose "
                        "work we cannot bound: set fill, clip-path, mask or marker on the elements "
                        "themselves, or export it as PNG"
                    )

    def _patterns(self) -> None:
        """A pattern's tile is drawn again for each tile over the area it fills: bound the tiles."""
        width, height = _viewport(self.root)
        for element in _elements(self.root, "pattern"):
            tile_width = _length(element.get("width", "0"), 1)
            tile_height = _length(element.get("height", "0"), 1)
            if tile_width <= 0 or tile_height <= 0:
                continue  # WeasyPrint paints nothing with a pattern of no size
            if element.get("patternUnits") == "userSpaceOnUse":
                tiles = (width / tile_width) * (height / tile_height)
            else:  # fractions of the box of what it fills
                tiles = (1 / tile_width) * (1 / tile_height)
            if tiles > MAX_PATTERN_TILES:
                raise _Refused(
                    f"pattern #{element.get('id', '?')} repeats its tile about {tiles:,.0f} times over the "
                    f"drawing (at most {MAX_PATTERN_TILES:,}); it would take minutes to print: "
                    "use larger tiles or export it as PNG"
                )


def _elements(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    """The elements of a kind, in the SVG namespace or none."""
    return [*root.iter(f"{SVG_NAMESPACE}{tag}"), *root.iter(tag)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _describe(element: ElementTree.Element) -> str:
    name = element.get("id")
    return f'<{_local(element.tag)} id="{name}">' if name else f"<{_local(element.tag)}>"


Declarations = tuple[list[tuple[str, str]], list[tuple[str, str]]]  # normal, !important


def _declarations(css: str) -> Declarations:
    """A style attribute's or rule's declarations, read as WeasyPrint reads them (tinycss2)."""
    normal: list[tuple[str, str]] = []
    important: list[tuple[str, str]] = []
    for declaration in tinycss2.parse_blocks_contents(css):
        if declaration.type == "declaration" and not declaration.name.startswith("-"):
            value = tinycss2.serialize(declaration.value).strip()
            (important if declaration.important else normal).append((declaration.lower_name, value))
    return normal, important


def _sheet_declarations(root: ElementTree.Element) -> dict[int, Declarations]:
    """What the drawing's <style> sheets declare for each element they match, as WeasyPrint
    matches them (cssselect2), by the element's id()."""
    sheets = [
        element.text
        for element in root.iter(f"{SVG_NAMESPACE}style")
        if element.get("type", "text/css") == "text/css" and element.text
    ]
    if not sheets:
        return {}
    matcher = cssselect2.Matcher()
    for sheet in sheets:
        for rule in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.parser.SelectorError:
                continue  # WeasyPrint skips it too
            for selector in selectors:
                if selector.pseudo_element is None and not selector.never_matches:
                    matcher.add_selector(selector, _declarations(rule.content))
    matched: dict[int, Declarations] = {}
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        rules = [rule[-1] for rule in matcher.match(wrapper)]
        if rules:
            normal = [item for declarations in rules for item in declarations[0]]
            important = [item for declarations in rules for item in declarations[1]]
            matched[id(wrapper.etree_element)] = (normal, important)
    return matched


def _letters(element: ElementTree.Element) -> int:
    """Letters of text WeasyPrint lays out one by one: the element's own text and its children's tails."""
    return len(element.text or "") + sum(len(child.tail or "") for child in element)


def _points(tag: str, attributes: dict[str, str]) -> int:
    """About how many points a shape has (pairs of numbers in its path or points)."""
    if tag == "path":
        return len(NUMBER.findall(attributes.get("d", ""))) // 2
    if tag in ("polyline", "polygon"):
        return len(NUMBER.findall(attributes.get("points", ""))) // 2
    return 0


def _length(value: str, reference: float, font_size: float = DEFAULT_FONT_PX) -> float:
    """An SVG length in px, a percentage of ``reference``; 0 for what cannot be read."""
    match = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%|[a-zA-Z]*)\s*", value)
    if not match:
        return 0.0
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit == "%":
        return number / 100 * reference
    if unit in FONT_UNITS:
        return number * FONT_UNITS[unit] * font_size
    return number * UNIT_PX.get(unit, 1)


def _least_stretch(transform: str) -> float:
    """How little a transform attribute can stretch a length: its matrix's smallest singular value."""
    a, b, c, d = 1.0, 0.0, 0.0, 1.0
    for name, arguments in TRANSFORM.findall(transform):
        numbers = [float(number) for number in NUMBER.findall(arguments)] or [0.0]
        if name == "matrix" and len(numbers) >= 4:
            m = numbers[:4]
        elif name == "scale":
            m = [numbers[0], 0, 0, numbers[1] if len(numbers) > 1 else numbers[0]]
        elif name == "rotate":
            angle = math.radians(numbers[0])
            m = [math.cos(angle), math.sin(angle), -math.sin(angle), math.cos(angle)]
        elif name == "skewX":
            m = [1, 0, math.tan(math.radians(numbers[0])), 1]
        elif name == "skewY":
            m = [1, math.tan(math.radians(numbers[0])), 0, 1]
        else:
            continue  # translate and incomplete matrices stretch nothing
        a, b, c, d = a * m[0] + c * m[1], b * m[0] + d * m[1], a * m[2] + c * m[3], b * m[2] + d * m[3]
    squares, determinant = a * a + b * b + c * c + d * d, a * d - b * c
    return math.sqrt(max(0.0, (squares - math.sqrt(max(0.0, squares * squares - 4 * determinant**2))) / 2))


def _path_length(d: str) -> float:
    """At least the length of a path: its segments, each curve's control polygon (which is never
    shorter than the curve) and each arc's whole ellipse, in the path's own units."""
    x = y = start_x = start_y = 0.0
    control: tuple[float, float] | None = None  # the last curve's second control point, for S and T
    total = 0.0
    for letter, arguments in PATH_COMMAND.findall(d):
        command, relative = letter.upper(), letter.islower()
        if command == "Z":
            total += math.hypot(start_x - x, start_y - y)
            x, y, control = start_x, start_y, None
            continue
        if command == "A":
            for rx, ry, _, _, _, end_x, end_y in ARC_ARGUMENTS.findall(arguments):
                to = (float(end_x) + x * relative, float(end_y) + y * relative)
                radius = max(abs(float(rx)), abs(float(ry)), math.dist((x, y), to) / 2)
                total += 2 * math.pi * radius
                (x, y), control = to, None
            continue
        numbers = [float(number) for number in NUMBER.findall(arguments)]
        arity = PATH_ARITY[command]
        for start in range(0, len(numbers) - arity + 1, arity):
            group = numbers[start : start + arity]
            if command == "H":
                corners = [(group[0] + x * relative, y)]
            elif command == "V":
                corners = [(x, group[0] + y * relative)]
            else:
                corners = [(group[i] + x * relative, group[i + 1] + y * relative) for i in range(0, arity, 2)]
            if command in ("S", "T"):  # the first control point is the last one's mirror image
                mirror = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                corners.insert(0, mirror)
            if command == "M" and start == 0:
                (x, y), (start_x, start_y) = corners[-1], corners[-1]
            else:  # a moveto's further pairs are lines
                total += sum(math.dist(a, b) for a, b in itertools.pairwise([(x, y), *corners]))
                x, y = corners[-1]
            control = corners[-2] if command in ("C", "S", "Q", "T") else None
    return total


def _viewport(root: ElementTree.Element) -> tuple[float, float]:
    """The drawing's size in its own units: the viewBox, or else its width and height."""
    box = [float(n) for n in NUMBER.findall(root.get("viewBox", ""))]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        return box[2], box[3]
    return _length(root.get("width", "100"), 100) or 100.0, _length(root.get("height", "100"), 100) or 100.0


@functools.lru_cache(maxsize=1)
def press_to_screen() -> ImageCmsTransform:
    """The press's colours (``paths.PRINT_PROFILE``, FOGRA39) to sRGB, relative colorimetric: how a
    CMYK photo is shown on a screen, in the archive edition and on the site alike."""
    from PIL import ImageCms

    press = ImageCms.getOpenProfile(str(PRINT_PROFILE))
    return ImageCms.buildTransform(press, ImageCms.createProfile("sRGB"), "CMYK", "RGB", renderingIntent=1)
