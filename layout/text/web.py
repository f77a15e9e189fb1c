"""The web text of an article: the print body of the text stage, made for a screen.

One text stage, two outputs: :func:`layout.text.markdown.article_text` makes the body the PDFs print,
and this module turns that same HTML into what an article page (and the EPUB) shows:

- each footnote, set in print as a ``<span class="footnote">`` at its call, becomes a numbered
  call ``<a class="note-call" href="#note-N" id="call-N">`` and an item of ``<ol class="notes">``
  at the end, which links back to its call;
- subheads carry ids (``SLUG-1``, ``SLUG-2``: the article's slug and the subhead's place) and
  come one level up, under the page's ``h1`` title (print sets them under an issue's ``h2``);
- figures get their image's width and height (no jump when it loads) and load lazily below the
  first screen; rasters wider than a page shows them are made smaller when copied into the site;
- tables sit in a box that scrolls sideways on a phone instead of widening the page;
- the break opportunities print puts in addresses and code (zero-width spaces) are taken out,
  so that an address copied from the page is the address; the style breaks them instead.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import lxml.html
from lxml.html import HtmlElement
from PIL import Image

from ..model.manifest import Article
from .markdown import BREAK, ArticleText

MAX_IMAGE_WIDTH = 1024  # px: 1.5 times the widest the article column shows a figure (42rem of 16 px)
# A photo on an article page: 480 px for a phone's column (328-390 CSS px at 1x, or 240 at 2x),
# 960 for the widest column (672 CSS px) or a phone at 2x-3x; WebP, made once and kept.
FIGURE_WIDTHS = (480, 960)
FIGURE_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"  # the column's width, from site.css
EAGER_BLOCKS = 3  # a figure among the first blocks of the body is on the first screen: not lazy
NOTES_HEADING = "Notes"


@dataclass(frozen=True, slots=True)
class WebImage:
    """An image of the body: its ``src`` (relative to the article's page), its file, its size."""

    src: str
    path: Path
    width: int
    height: int
    widths: tuple[int, ...] = ()  # on an article page: the widths it is served in (figure_name)


@dataclass(frozen=True, slots=True)
class WebBody:
    """An article's body for a screen, with what its page needs to know of it."""

    html: str
    images: tuple[WebImage, ...]
    notes: int
    headings: tuple[tuple[str, str], ...]  # (id, text) of each subhead, in order


def web_body(
    text: ArticleText, article: Article, issue_dir: Path | None = None, responsive: bool = False
) -> WebBody:
    """The web text of ``article`` from its print body ``text``.

    ``issue_dir`` is the article's issue folder: given, each image's size is read from its file
    and returned for copying (an image's ``src`` is relative to that folder, and to the article's
    page once copied beside it). ``responsive`` (an article page, not an EPUB) names each photo in
    the widths of ``FIGURE_WIDTHS`` in an ``srcset``, to be made by :func:`figure_data`."""
    root = lxml.html.fragment_fromstring(text.html.replace(BREAK, ""), create_parent="div")
    for element in root.iter():
        element.attrib.pop("data-line", None)
    notes = _notes(root)
    headings = _headings(root, article.slug)
    images = _figures(root, issue_dir, responsive)
    _tables(root)
    if notes:
        root.append(_notes_list(notes))
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return WebBody((root.text or "") + body, tuple(images), len(notes), tuple(headings))


def _notes(root: HtmlElement) -> list[HtmlElement]:
    """Replace each footnote by its numbered call; return the notes' contents, in call order."""
    notes = []
    for number, span in enumerate(root.xpath('//span[@class="footnote"]'), start=1):
        call = lxml.html.Element(
            "a", {"class": "note-call", "href": f"#note-{number}", "id": f"call-{number}"}
        )
        call.text = str(number)
        label = lxml.html.Element("sup")
        label.append(call)
        call.set("aria-label", f"Note {number}")
        label.tail = span.tail
        span.tail = None
        span.getparent().replace(span, label)
        notes.append(span)
    return notes


def _notes_list(notes: list[HtmlElement]) -> HtmlElement:
    """The notes at the end of the article, each with a link back to its call."""
    section = lxml.html.Element("section", {"class": "notes-section", "aria-labelledby": "notes-heading"})
    heading = lxml.html.Element("h2", {"id": "notes-heading"})
    heading.text = NOTES_HEADING
    listing = lxml.html.Element("ol", {"class": "notes"})
    for number, note in enumerate(notes, start=1):
        item = lxml.html.Element("li", {"id": f"note-{number}"})
        item.text = note.text
        item.extend(list(note))
        back = lxml.html.Element("a", {"class": "note-back", "href": f"#call-{number}"})
        back.set("aria-label", f"Back to the text of note {number}")
        back.text = "↩\ufe0e"  # the text arrow, not an emoji
        back.tail = None
        if len(item):
            item[-1].tail = (item[-1].tail or "") + " "
        else:
            item.text = (item.text or "") + " "
        item.append(back)
        listing.append(item)
    section.extend([heading, listing])
    return section


def _headings(root: HtmlElement, slug: str) -> list[tuple[str, str]]:
    """Ids on the subheads, one level up (print's h3 under an issue's h2 is a page's h2)."""
    found = []
    for number, heading in enumerate(root.xpath("//h3|//h4|//h5|//h6"), start=1):
        heading.tag = f"h{int(heading.tag[1]) - 1}"
        heading.set("id", f"{slug}-{number}")
        found.append((heading.get("id"), " ".join(heading.text_content().split())))
    return found


def _figures(root: HtmlElement, issue_dir: Path | None, responsive: bool) -> list[WebImage]:
    """Width, height and lazy loading on each image; the images to copy (when ``issue_dir`` is known)."""
    images: dict[str, WebImage] = {}
    blocks = list(root)
    for img in root.iter("img"):
        block = next(b for b in [img, *img.iterancestors()] if b.getparent() is root)
        if blocks.index(block) >= EAGER_BLOCKS:
            img.set("loading", "lazy")
        img.set("decoding", "async")
        src = img.get("src") or ""
        if issue_dir is None:
            continue
        if src not in images:
            images[src] = _web_image(src, issue_dir / PurePosixPath(src), responsive)
        image = images[src]
        if image.widths:
            img.set("src", figure_name(src, image.widths[-1]))
            img.set("srcset", ", ".join(f"{figure_name(src, width)} {width}w" for width in image.widths))
            img.set("sizes", FIGURE_SIZES)
        img.set("width", str(image.width))
        img.set("height", str(image.height))
    return list(images.values())


def _web_image(src: str, path: Path, responsive: bool) -> WebImage:
    """An image as a page shows it; a raster on an article page in each width it is served in, up
    to its own, its width and height those of the widest (the ratio that keeps its place)."""
    if not responsive or path.suffix.lower() == ".svg":
        return WebImage(src, path, *shown_size(path))
    with Image.open(path) as image:
        width, height = image.size
    widths = tuple(sorted({min(width, wanted) for wanted in FIGURE_WIDTHS}))
    return WebImage(src, path, widths[-1], round(height * widths[-1] / width), widths)


def figure_name(src: str, width: int) -> str:
    """Where the site serves ``src`` ``width`` pixels wide: ``figures/photo-480.webp``."""
    return f"{PurePosixPath(src).with_suffix('')}-{width}.webp"


def _tables(root: HtmlElement) -> None:
    """Each table in a box that scrolls sideways on a narrow screen, reachable by keyboard."""
    for number, table in enumerate(root.xpath("//table"), start=1):
        caption = table.find("caption")
        label = " ".join(caption.text_content().split()) if caption is not None else f"Table {number}"
        box = lxml.html.Element("div", {"class": "table-box", "role": "region", "tabindex": "0"})
        box.set("aria-label", label)
        box.tail, table.tail = table.tail, None
        table.getparent().replace(table, box)
        box.append(table)


def shown_size(path: Path) -> tuple[int, int]:
    """The width and height in CSS pixels an image is shown at, at most ``MAX_IMAGE_WIDTH`` wide
    (the size :func:`image_data` makes it): a raster's pixels, an SVG's width and height or viewBox."""
    if path.suffix.lower() == ".svg":
        return _svg_size(path)
    with Image.open(path) as image:
        width, height = image.size
    if width > MAX_IMAGE_WIDTH:
        return MAX_IMAGE_WIDTH, round(height * MAX_IMAGE_WIDTH / width)
    return width, height


def _svg_size(path: Path) -> tuple[int, int]:
    from xml.etree import ElementTree

    root = ElementTree.parse(path).getroot()  # checked safe by layout.text.images before any stage
    number = re.compile(r"^\s*([\d.]+)\s*(px)?\s*$")
    width, height = (number.match(root.get(name) or "") for name in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return 600, 400  # an SVG that gives no size scales to the column anyway


def image_data(image: WebImage) -> bytes:
    """The bytes an EPUB packs for ``image``: a raster wider than it is shown made smaller (same
    format; a CMYK photo in RGB, through the press's profile), anything else as it is."""
    data = image.path.read_bytes()
    if image.path.suffix.lower() == ".svg":
        return data
    with Image.open(io.BytesIO(data)) as original:
        if original.width <= image.width and original.mode != "CMYK":
            return data
        smaller = screen_colours(original).resize((image.width, image.height), Image.Resampling.LANCZOS)
        kind = original.format or "PNG"
        buffer = io.BytesIO()
        options = {"quality": 78, "optimize": True} if kind in ("JPEG", "WEBP") else {"optimize": True}
        smaller.save(buffer, kind, **options)
    return buffer.getvalue()


def figure_data(image: WebImage) -> dict[int, bytes]:
    """``image`` as WebP in each of its widths (an article page's ``srcset``), by width: the
    colours converted once, each width made from the whole image."""
    with Image.open(image.path) as original:
        screen = screen_colours(original)
        files = {}
        for width in image.widths:
            height = round(original.height * width / original.width)
            sized = (
                screen.resize((width, height), Image.Resampling.LANCZOS) if width < original.width else screen
            )
            buffer = io.BytesIO()
            sized.save(buffer, "WEBP", quality=78, method=4)
            files[width] = buffer.getvalue()
    return files


def screen_colours(image: Image.Image) -> Image.Image:
    """``image`` in colours a screen shows: a CMYK photo through the press's profile (FOGRA39) to
    sRGB, as the archive edition converts it (:func:`layout.text.images.press_to_screen`), not by
    Pillow's naive formula; a palette in RGB; anything else as it is."""
    if image.mode == "CMYK":
        from PIL import ImageCms

        from .images import press_to_screen

        return ImageCms.applyTransform(image, press_to_screen())
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    return image
