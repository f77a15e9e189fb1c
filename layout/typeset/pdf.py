"""Stage 4: HTML into PDF with WeasyPrint, behind a sandboxed fetcher.

An issue is laid out once, with the bleed its style gives (3 mm in the house style), and written twice:

- the archive edition (PDF/A-2a and PDF/UA-1: tagged, bookmarked, screen-resolution images), cropped to
  the trim so that a reader sees the page as it was printed;
- the print edition, padded to a multiple of 4 pages before the back page, with crop marks
  (``marks``) drawn beyond each page's bleed on a sheet that holds them: 10 mm larger than the trim
  on every side for a 3 mm bleed.

The fetcher lets WeasyPrint read only files below a few folders (the issue's, the style's,
the fonts'): no network, no ``file://`` outside the project, nothing that is not a file.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import io
import mimetypes
import posixpath
import re
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from PIL import Image, ImageCms
from weasyprint import CSS, HTML, Document
from weasyprint.css import ColorProfile
from weasyprint.formatting_structure.boxes import Box, FootnoteAreaBox, ReplacedBox
from weasyprint.images import RasterImage
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .. import engine
from ..model.errors import Problem, TypesetError
from ..paths import PRINT_PROFILE
from ..text.images import press_to_screen
from ..units import MM, blanks_to_fold
from . import archival, tagging
from .colours import PRESS_SPACE, SRGB_SPACE, HouseColours, for_press, house_colours, resolve_number
from .marks import LENGTH as MARK_LENGTH
from .marks import Rect, crop_marks
from .overflow import laid_out_within_bounds
from .speedups import faster_layout

MARK_CLEARANCE = 0.5 * MM  # crop marks start this far beyond the page's bleed, never on its edge
SLUG = 1.5 * MM  # the sheet beyond the crop marks' ends (10 mm beyond the trim with a 3 mm bleed)
REGISTRATION = f"/{PRESS_SPACE} CS 1 1 1 1 SC"  # on every plate, as the house colours are: see colours.py
MAX_FETCH_BYTES = 25_000_000
SCREEN_DPI = 150
LINK_SLACK = 0.01  # CSS px: a box inside a link may overhang it by a rounding error
SRGB_PROFILE = Path(weasyprint.__file__).parent / "pdf" / "sRGB2014.icc"  # the ICC's, as WeasyPrint ships it
PDFX_VERSION = "PDF/X-4"
PRINT_CONDITION = "FOGRA39"
PRINT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004/Amd 1)"
DOCUMENT_ROOT = Path("/layout-document")  # where a document's own folder appears to WeasyPrint
DOCUMENT_URL = DOCUMENT_ROOT.as_uri() + "/"


class Forbidden(FatalURLFetchingError):
    """A document asked for something outside the sandbox: stop the whole rendering."""


class SandboxFetcher(URLFetcher):
    """Serves ``file:`` URLs below the allowed folders and refuses everything else.

    The document's own folder is also served under ``DOCUMENT_URL``, a fixed address, so that
    nothing in the PDF (WeasyPrint names images after their URL) depends on where the project is.
    """

    def __init__(self, roots: tuple[Path, ...], document_dir: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.document_dir = document_dir.resolve() if document_dir else None

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise Forbidden(f"{url}: only files inside the project may be used")
        path = Path(posixpath.normpath(unquote(parts.path)))
        if self.document_dir and path.is_relative_to(DOCUMENT_ROOT):
            path = self.document_dir / path.relative_to(DOCUMENT_ROOT)
        path = path.resolve()
        roots = (*self.roots, self.document_dir) if self.document_dir else self.roots
        if not any(path.is_relative_to(root) for root in roots):
            raise Forbidden(f"{url}: outside the folders a document may read")
        if not path.is_file() or path.stat().st_size > MAX_FETCH_BYTES:
            raise Forbidden(f"{url}: not a readable file of a sensible size")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


class Typesetter:
    """Lays out documents of one house style; keep one per process to reuse fonts and CSS."""

    def __init__(self, style_dir: Path, fonts_dir: Path) -> None:
        engine.start()
        self.style_dir, self.fonts_dir = style_dir, fonts_dir
        self.fonts = FontConfiguration()
        fetcher = SandboxFetcher((style_dir, fonts_dir))
        style = style_dir / "style.css"
        with engine.style_warnings(style) as self.warnings:  # for the style's author: see IssueResult
            self.stylesheet = CSS(filename=style, url_fetcher=fetcher, font_config=self.fonts)
        self.colours = house_colours(style)  # their CMYK values, for the print edition

    def layout(self, html: str, base_dir: Path, source: str) -> Document:
        """Lay out one HTML document whose relative addresses point into ``base_dir``.

        Nothing may be set beyond its column or page (``overflow``): a table that does not fit
        is laid out again spanning the columns or smaller; any other overflow is a TypesetError
        naming the article's file and line (``source`` where no article is to blame).
        """
        fetcher = SandboxFetcher((self.style_dir, self.fonts_dir), document_dir=base_dir)

        def render(extra_css: str) -> Document:
            stylesheets = [self.stylesheet]
            if extra_css:
                stylesheets.append(CSS(string=extra_css, font_config=self.fonts))
            document = HTML(string=html, base_url=DOCUMENT_URL, url_fetcher=fetcher)
            with faster_layout():
                return document.render(font_config=self.fonts, stylesheets=stylesheets)

        try:
            return laid_out_within_bounds(render, source)
        except Forbidden as error:
            raise TypesetError(Problem(source, None, None, str(error))) from None


def words_over(document: Document, pages: int, words: int) -> int:
    """Roughly how many of the ``words`` of ``<main>`` to cut for the document to fit ``pages`` pages.

    The text beyond the last allowed page, less the room left at the foot of that page,
    converted to words at the density ``<main>`` is set at. A first guess: see ``build``.
    """
    if len(document.pages) <= pages:
        return 0
    used, room, main = [], [], 0.0
    for page in document.pages:
        box = page._page_box
        top = box.content_box_y()
        footnotes = [child.position_y for child in box.children if isinstance(child, FootnoteAreaBox)]
        body = box.children[0].children[0]
        used.append(max((_bottom(child) for child in body.children), default=top) - top)
        room.append(min([top + box.height, *footnotes]) - top)
        main += sum(_bottom(c) - c.position_y for c in body.children if c.element_tag == "main")
    over = sum(used[pages:]) - (room[pages - 1] - used[pages - 1])
    return max(1, round(over * words / main)) if main else words


def _bottom(box: Box) -> float:
    """Where a box ends, with the margins its last descendants carry through its bottom edge."""
    bottom = box.position_y + box.margin_height()
    while getattr(box, "children", None):
        box = box.children[-1]
        bottom = max(bottom, box.position_y + box.margin_height())
    return bottom


def identifier(*parts: bytes | str) -> bytes:
    """A PDF file identifier derived from content, so equal inputs give equal bytes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()[:32].encode()


@contextlib.contextmanager
def _image_resolution(document: Document, dpi: int | None) -> Iterator[None]:
    """Raster images at most ``dpi`` at their placed size for one write (None: whole), as they were after.

    WeasyPrint takes ``dpi`` from the render, when it loads an image, not from ``write_pdf``; the
    layout is shared by both editions, so the archive edition lowers the resolution for its own
    write only. Writing keeps the smaller copy in ``image_data``, which is put back after.
    """
    images = {
        id(box.replacement): box.replacement
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, ReplacedBox) and isinstance(box.replacement, RasterImage)
    }
    saved = [(image, image._dpi, image.image_data) for image in images.values()]
    for image, _, _ in saved:
        image._dpi = dpi
    try:
        yield
    finally:
        for image, before, data in saved:
            image._dpi, image.image_data = before, data


def write_document(document: Document, target: Path, pdf_id: bytes, dpi: int | None = None) -> None:
    """A tagged PDF for keeping and reading (an archive edition, a leaflet, a note): PDF/A-2a
    and PDF/UA-1 in one file (``archival``), its structure made by ``tagging``, raster images at
    most ``dpi`` (None: whole).

    WeasyPrint's ``pdf/a-2a`` writes the tags, the sRGB output intent, the print flag on links
    and the PDF/A identification; the finisher adds PDF/UA's. The output intent's profile is
    added to the layout's for this write only: the print edition, written from the same
    layout, has its own.
    """
    _one_link_each(document)
    tagging.prepare(document)
    profiles = dict(document.color_profiles)
    try:
        with _image_resolution(document, dpi):
            document.write_pdf(
                target, pdf_variant="pdf/a-2a", pdf_identifier=pdf_id, finisher=_finish_archive
            )
    finally:
        document.color_profiles = profiles


def front_matter_pdf(document: Document, pdf_id: bytes) -> bytes:
    """A volume's front matter, tagged and written as a leaflet is (``write_document``): each entry
    a link to ``volume-page:NUMBER:FOLIO`` in its Link element, which the binder points at the page."""
    pdf = io.BytesIO()
    write_document(document, pdf, pdf_id)  # type: ignore[arg-type]  (WeasyPrint writes to a file too)
    return pdf.getvalue()


def _one_link_each(document: Document) -> None:
    """Keep one link annotation for each link: drop those inside another to the same target.

    WeasyPrint makes one for every box inside a link (a span, a leader, a folio), and tags
    each with its box: a span's annotation then sits in a Span, where PDF/UA-1 (7.18.5) wants
    a Link. The link's own box comes first and covers the others. Fewer annotations also
    spare writing, and the binder, which places each of a volume's front-matter links.
    """
    for page in document.pages:
        kept: dict[str, list[tuple[float, float, float, float]]] = {}
        outer = []
        for link in page.links:
            _, target, (left, top, right, bottom), _ = link  # corners in order (rectangle_aabb)
            others = kept.setdefault(target, [])
            if not any(
                x0 - LINK_SLACK <= left
                and y0 - LINK_SLACK <= top
                and right <= x1 + LINK_SLACK
                and bottom <= y1 + LINK_SLACK
                for x0, y0, x1, y1 in others
            ):
                others.append((left, top, right, bottom))
                outer.append(link)
        page.links[:] = outer


@dataclass(frozen=True)
class Typeset:
    """What an edition (``layout.editions``) is written from: an issue's or a pamphlet's layout, the
    blank page that pads it to the fold, and the house colours for the press."""

    document: Document
    blank: Document
    colours: HouseColours


def archive_edition(typeset: Typeset, target: Path, pdf_id: bytes) -> int:
    """The archive edition: PDF/A-2a and PDF/UA-1 (``write_document``), cropped to the trim,
    screen-resolution images; its pages."""
    write_document(typeset.document, target, pdf_id, SCREEN_DPI)
    return len(typeset.document.pages)


def print_edition(typeset: Typeset, target: Path, pdf_id: bytes) -> int:
    """The print edition: PDF/X-4 with a CMYK output intent, the house colours in the CMYK values of
    ``typeset.colours`` (``Typesetter.colours``), black text overprinting, everything else as
    ICC-based sRGB, full-resolution images, bleed, TrimBox and BleedBox, crop marks, no links; padded
    to a multiple of 4 pages with the blank page before the back page. Its pages.

    Written from a copy of the layout the archive edition was written from, without its links (paper
    has no use for them, and PDF/X rejects annotations inside the bleed).
    """
    pages = list(typeset.document.pages)
    pages[-1:-1] = [typeset.blank.pages[0]] * blanks_to_fold(len(pages))
    pages = [copy.copy(page) for page in pages]
    for page in pages:
        page.links = []
    printed = typeset.document.copy(pages)  # a copy: the archive edition keeps no output intent
    printed.color_profiles = {
        **typeset.document.color_profiles,
        "device-cmyk": _print_profile(),
        SRGB_SPACE: _read_profile(SRGB_PROFILE, SRGB_PROFILE.stat().st_mtime_ns, 3),
    }
    document_id = uuid.UUID(pdf_id.decode())
    finish = functools.partial(_finish_print, document_id=document_id, colours=typeset.colours)
    printed.write_pdf(target, pdf_variant="pdf/x-4", pdf_identifier=pdf_id, finisher=finish)
    return len(pages)


class ShippedProfile(ColorProfile):
    """An ICC profile embedded as the file holds it (Pillow's re-encoding doubles its size)."""

    def __init__(self, path: Path, components: tuple[list[str], ...]) -> None:
        self.data = path.read_bytes()
        super().__init__(io.BytesIO(self.data), path.name, "relative-colorimetric", components)
        # Compressed once, as pydyf would (level 9), not again at every write: see _finish_print.
        compressor = zlib.compressobj(level=9)
        self.deflated = compressor.compress(self.data) + compressor.flush()

    @property
    def content(self) -> bytes:
        return self.data


def _print_profile() -> ShippedProfile:
    return _read_profile(PRINT_PROFILE, PRINT_PROFILE.stat().st_mtime_ns, 4)  # read again if it is replaced


@functools.lru_cache(maxsize=2)
def _read_profile(path: Path, version: int, channels: int) -> ShippedProfile:
    components = (["c"], ["m"], ["y"], ["k"]) if channels == 4 else (["r"], ["g"], ["b"])
    return ShippedProfile(path, components)


# --- finishers: small edits of the PDF objects before WeasyPrint writes them -------------


def _pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def _label_pages(pdf: pydyf.PDF) -> None:
    """Page labels 1, 2, 3... as printed; open viewers with the bookmarks shown."""
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/D"})])})
    pdf.catalog["PageMode"] = "/UseOutlines"


def _finish_archive(document: Document, pdf: pydyf.PDF) -> None:
    for page in _pages(pdf):
        page["MediaBox"] = page["TrimBox"]
        del page["BleedBox"]
    _label_pages(pdf)
    _describe_links(document)
    if "Metadata" in pdf.catalog:  # a tagged write: say what it is
        metadata = pdf.objects[resolve_number(pdf.catalog["Metadata"])]
        metadata.stream = [archival.declare(b"".join(metadata.stream))]
        _calibrated_cmyk(pdf)
        for item in pdf.objects:  # PDF/A (6.2.8.1): images are not interpolated
            if isinstance(item, pydyf.Stream):
                item.extra.pop("Interpolate", None)


def _calibrated_cmyk(pdf: pydyf.PDF) -> None:
    """A CMYK photo (a JPEG as a press photographer sends it) converted to sRGB through the
    press's profile, as a reader's screen shows it: PDF/A (ISO 19005-2, 6.2.4.3) allows
    DeviceCMYK only under a CMYK output intent, and the archive's is sRGB. (Embedding the CMYK
    profile instead cost the file 130 KB.) Only JPEGs can be CMYK among the images an article
    may use (``images``)."""
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.extra.get("ColorSpace") == "/DeviceCMYK":
            data = b"".join(getattr(part, "data", part) for part in item.stream)  # WeasyPrint's LazyImage
            with Image.open(io.BytesIO(data)) as photo:  # Pillow undoes Adobe's inversion
                screen = ImageCms.applyTransform(photo, press_to_screen())
            encoded = io.BytesIO()
            screen.save(encoded, format="JPEG", quality=90)
            item.stream = [encoded.getvalue()]
            item.extra["ColorSpace"] = "/DeviceRGB"
            item.extra.pop("Decode", None)


def _describe_links(document: Document) -> None:
    """A tagged link's description (its Contents) is the text it links, not its target's name:
    a screen reader reads "On the attempted coup in Turkey", not "n21-attempted-coup-in-turkey"."""
    for page in document.pages:
        for *_, box in page.links:
            annotation, element = getattr(box, "link_annotation", None), box.element
            text = " ".join("".join(element.itertext()).split()) if element is not None else ""
            if annotation is not None and "Contents" in annotation and text:
                annotation["Contents"] = pydyf.String(text)


def _finish_print(document: Document, pdf: pydyf.PDF, document_id: uuid.UUID, colours: HouseColours) -> None:
    for_press(pdf, _pages(pdf), colours, document.color_profiles[SRGB_SPACE].pdf_reference)
    marked: dict[tuple[float, ...], tuple[pydyf.Stream, pydyf.Stream]] = {}  # one copy a trim and bleed
    for page in _pages(pdf):
        left, bottom, right, top = trim = tuple(page["TrimBox"])
        start = _bleed(page) + MARK_CLEARANCE
        edge = start + MARK_LENGTH + SLUG
        page["MediaBox"] = pydyf.Array([left - edge, bottom - edge, right + edge, top + edge])
        key = (*trim, start)
        if key not in marked:
            marks = [b"Q", *(line.encode() for line in crop_marks(Rect(*trim), start, REGISTRATION))]
            marked[key] = pydyf.Stream([b"q"], compress=True), pydyf.Stream(marks, compress=True)
            for stream in marked[key]:
                pdf.add_object(stream)
        save, marks = marked[key]
        page["Contents"] = pydyf.Array([save.reference, page["Contents"], marks.reference])
    _label_pages(pdf)
    profile = _print_profile()
    for stream in pdf.objects:
        if isinstance(stream, pydyf.Stream) and stream.stream == [profile.data]:
            stream.stream, stream.compress = [profile.deflated], False
            stream.extra["Filter"] = "/FlateDecode"
    (intent,) = pdf.catalog["OutputIntents"]
    intent["OutputConditionIdentifier"] = pydyf.String(PRINT_CONDITION)
    intent["RegistryName"] = pydyf.String("http://www.color.org")
    intent["Info"] = pydyf.String(PRINT_CONDITION_INFO)
    pdf.info["GTS_PDFXVersion"] = pydyf.String(PDFX_VERSION)  # where preflights of PDF/X-3 habits look too
    _pdfx_metadata(pdf, document_id)


def _pdfx_metadata(pdf: pydyf.PDF, document_id: uuid.UUID) -> None:
    """The XMP as PDF/X-4 (ISO 15930-7) defines it: WeasyPrint's carries a random DocumentID,
    derived from the content instead, and a GTS_PDFXConformance, which only PDF/X-1a and X-3
    define (as "PDF/X-1a:2003" and the like), taken out."""
    metadata = pdf.objects[resolve_number(pdf.catalog["Metadata"])]
    steady = f"xmp.did:{document_id}".encode()
    metadata.stream = [
        re.sub(rb"<pdfx:GTS_PDFXConformance>[^<]*</pdfx:GTS_PDFXConformance>", b"", part)
        for part in (re.sub(rb"xmp\.did:[0-9a-f-]{36}", steady, part) for part in metadata.stream)
    ]


def _bleed(page: pydyf.Dictionary) -> float:
    """How far the page's artwork runs beyond its trim, as its style set it (``@page { bleed }``):
    the MediaBox WeasyPrint wrote beyond the TrimBox, on its widest side. Not the BleedBox, which
    WeasyPrint puts at most 10 pt (3.5 mm) beyond the trim, however wide the bleed."""
    boxes = zip(page["MediaBox"], page["TrimBox"], strict=True)
    return max(abs(float(media) - float(trim)) for media, trim in boxes)
