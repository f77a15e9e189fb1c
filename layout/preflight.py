"""Preflight of built PDFs: what a printer or an office photocopier would trip over.

Read with pypdfium2, page object by page object (text runs and images, also inside form
XObjects), in the print edition, which is what goes to the printer:

- every font embedded (in the archive edition too);
- each image's effective resolution at its placed size, under 300 dpi;
- text smaller than 7 pt;
- text or images within 5 mm of the trim edge, which office photocopiers do not print;
- contents entries on page 1 without a page number, or with one that is not where the
  article starts.

Every finding names the PDF, the page (as printed, counting from 1) and what and where.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from .copyfit import article_starts
from .pdf import LazyReader
from .render import count

MM = 72 / 25.4
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
