"""Share images: the picture a link to an issue or an article shows on WhatsApp, Facebook and the like.

1200 x 630 pixels (what Open Graph and Twitter's large card show whole): the masthead on the
house red, the title in Charis SIL as large as fits, the issue and its date under it. Drawn with
Pillow and the bundled fonts (no browser, no WeasyPrint: a few milliseconds an image), as a PNG
of few colours, some 20-40 KB. Each is kept in the build folder under a digest of what it shows,
so that an image is drawn once and drawn again only when its text changes; the same text gives
the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..build.loading import LoadedIssue
from ..model.manifest import Publication
from ..project import Project
from ..text.markdown import typographic
from ..typeset.colours import house_colours
from ..typeset.render import long_date
from .downloads import kept, write_file

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
BAND = 168  # the masthead's red band
TITLE_SIZES = (72, 64, 56, 50, 44, 40)  # pixels: the largest that sets the title in four lines at most
TITLE_LINES = 4
COLOURS = 48  # a palette this small keeps the PNG near 30 KB; the type stays smooth
SHARE_DIR = "share"
FONTS = {
    "masthead": "NotoSansDisplay-Bold.ttf",
    "title": "CharisSIL-Bold.ttf",
    "line": "NotoSans-Bold.ttf",
    "publisher": "NotoSans-Regular.ttf",
}


@dataclass(frozen=True)
class ShareText:
    """What one share image says."""

    masthead: str  # the publication's name, set in capitals as on the front page
    publisher: str
    title: str
    line: str  # ``No 21 · 22 March 2017``, with the article's kind before it


def share_image(text: ShareText, fonts_dir: Path, colours: dict[str, tuple[int, int, int]]) -> bytes:
    """The PNG of one share image, in the house colours (``--red``, ``--paper``, ``--cream``,
    ``--ink`` and ``--grey`` of the style's ``:root``)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["--cream"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, BAND), fill=colours["--red"])
    masthead = _font(fonts_dir, "masthead", 88)
    draw.text((MARGIN, 24), text.masthead.upper(), font=masthead, fill=colours["--paper"])
    publisher = _font(fonts_dir, "publisher", 24)
    draw.text((MARGIN, BAND - 44), text.publisher, font=publisher, fill=colours["--paper"])
    size, lines = _fit_title(draw, text.title, fonts_dir)
    title = _font(fonts_dir, "title", size)
    top = BAND + 40
    for line in lines:
        draw.text((MARGIN, top), line, font=title, fill=colours["--ink"])
        top += round(size * 1.18)
    footer = _font(fonts_dir, "line", 30)
    draw.line((MARGIN, HEIGHT - 92, WIDTH - MARGIN, HEIGHT - 92), fill=colours["--red"], width=4)
    draw.text((MARGIN, HEIGHT - 72), text.line, font=footer, fill=colours["--grey"])
    buffer = io.BytesIO()
    image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, "PNG", optimize=True
    )
    return buffer.getvalue()


def _font(fonts_dir: Path, role: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts_dir / FONTS[role]), size)


def _fit_title(draw: ImageDraw.ImageDraw, title: str, fonts_dir: Path) -> tuple[int, list[str]]:
    """The largest size at which the title fits the width in ``TITLE_LINES`` lines, and its lines;
    a title too long even at the smallest size ends its last line with an ellipsis."""
    room = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        lines = _wrap(draw, title, _font(fonts_dir, "title", size), room)
        if len(lines) <= TITLE_LINES:
            return size, lines
    font = _font(fonts_dir, "title", TITLE_SIZES[-1])
    lines = _wrap(draw, title, font, room)[:TITLE_LINES]
    last = lines[-1]
    while draw.textlength(last + " …", font=font) > room:
        last = last.rsplit(" ", 1)[0]
    return TITLE_SIZES[-1], [*lines[:-1], last + " …"]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, room: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= room:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def write_share_images(
    project: Project, site: Path, publication: Publication, loaded: list[LoadedIssue]
) -> list[str]:
    """Write the share image of every issue (``share/NNN.png``) and article (``share/NNN-SLUG.png``)
    into the site; return their names there."""
    colours = house_colours(project.style_dir(publication.style) / "style.css").names
    how = hashlib.sha256(repr(colours).encode() + Path(__file__).read_bytes())
    for name in sorted(set(FONTS.values())):
        how.update((project.fonts_dir / name).read_bytes())
    written = []
    for item in loaded:
        issue = item.issue
        when = f"No {issue.number} · {long_date(issue.date)}"
        summary = issue.theme or "; ".join(article.title for article in issue.articles[:3])
        wanted = {f"{issue.number:03d}.png": _text(publication, summary, when)}
        for article in issue.articles:
            line = f"{article.kind.capitalize()} · {when}"
            wanted[f"{issue.number:03d}-{article.slug}.png"] = _text(publication, article.title, line)
        for name, text in wanted.items():
            write_file(site / SHARE_DIR / name, _kept(project, text, colours, how.hexdigest()))
            written.append(f"{SHARE_DIR}/{name}")
    return written


def _text(publication: Publication, title: str, line: str) -> ShareText:
    return ShareText(publication.name, typographic(publication.publisher), typographic(title), line)


def _kept(project: Project, text: ShareText, colours: dict, how: str) -> bytes:
    """The image of ``text``, drawn once and kept under a digest of what it shows and ``how``
    (this code, the fonts and the colours)."""
    digest = hashlib.sha256(repr((text, how)).encode())
    path = project.out / ".state" / "share" / f"{digest.hexdigest()[:20]}.png"
    return kept(path, lambda: share_image(text, project.fonts_dir, colours))
