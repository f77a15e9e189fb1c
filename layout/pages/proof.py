"""``layout proof``: PNG proofs for looking at an issue as a whole at a glance.

Two images of the print edition, each page cropped to its trim: a contact sheet of every
page in order, and the spreads a reader sees in the folded copy (page 1 alone on the right,
then 2-3, 4-5 ..., the back page alone on the left). Pages are rendered by pypdfium2 and
assembled with Pillow, labelled in the bundled Noto Sans.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from ..files import atomic_path
from ..model.manifest import load_publication
from ..project import Project

PAGE_WIDTH = 240  # pixels per page on the contact sheet and in the spreads
PAGES_PER_ROW = 6
SPREADS_PER_ROW = 3
GAP = 24
LABEL = 22
BACKGROUND = (200, 200, 200)
INK = (40, 40, 40)


def render_pages(pdf_path: Path, width: int = PAGE_WIDTH) -> list[Image.Image]:
    """Every page, cropped to its TrimBox, ``width`` pixels wide."""
    pdf = pdfium.PdfDocument(pdf_path)
    images = []
    for page in pdf:
        media, trim = page.get_mediabox(), page.get_trimbox()
        crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
        scale = width / (trim[2] - trim[0])
        images.append(page.render(scale=scale, crop=crop).to_pil().convert("RGB"))
    return images


def _font(fonts_dir: Path) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = fonts_dir / "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(path), 14) if path.exists() else ImageFont.load_default()


def contact_sheet(pages: list[Image.Image], labels: list[str], font: ImageFont.ImageFont) -> Image.Image:
    """Every page in reading order, ``PAGES_PER_ROW`` to a row, each labelled underneath."""
    width, height = pages[0].size
    columns = min(PAGES_PER_ROW, len(pages))
    rows = -(-len(pages) // columns)
    sheet = Image.new("RGB", (GAP + columns * (width + GAP), GAP + rows * (height + LABEL + GAP)), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for index, (page, label) in enumerate(zip(pages, labels, strict=True)):
        x = GAP + index % columns * (width + GAP)
        y = GAP + index // columns * (height + LABEL + GAP)
        sheet.paste(page, (x, y))
        draw.text((x + width // 2, y + height + 4), label, fill=INK, font=font, anchor="mt")
    return sheet


def spread_pairs(count: int) -> list[tuple[int | None, int | None]]:
    """Pages (from 1) as a folded copy shows them: (None, 1), (2, 3) ... (count, None)."""
    pairs: list[tuple[int | None, int | None]] = [(None, 1)]
    for left in range(2, count + 1, 2):
        pairs.append((left, left + 1 if left + 1 <= count else None))
    return pairs


def spreads(pages: list[Image.Image], font: ImageFont.ImageFont) -> Image.Image:
    """The spreads of the folded copy, ``SPREADS_PER_ROW`` to a row, each labelled."""
    width, height = pages[0].size
    pairs = spread_pairs(len(pages))
    columns = min(SPREADS_PER_ROW, len(pairs))
    rows = -(-len(pairs) // columns)
    spread_width = 2 * width
    sheet = Image.new(
        "RGB", (GAP + columns * (spread_width + GAP), GAP + rows * (height + LABEL + GAP)), BACKGROUND
    )
    draw = ImageDraw.Draw(sheet)
    for index, pair in enumerate(pairs):
        x = GAP + index % columns * (spread_width + GAP)
        y = GAP + index // columns * (height + LABEL + GAP)
        for side, number in enumerate(pair):
            if number is not None:
                sheet.paste(pages[number - 1], (x + side * width, y))
        if None not in pair:
            draw.line([(x + width, y), (x + width, y + height - 1)], fill=BACKGROUND, width=1)  # the spine
        label = "–".join(str(number) for number in pair if number is not None)
        middle = x + width // 2 if pair[1] is None else x + width * 3 // 2 if pair[0] is None else x + width
        draw.text((middle, y + height + 4), label, fill=INK, font=font, anchor="mt")
    return sheet


def write_proofs(
    print_pdf: Path, pages_png: Path, spreads_png: Path, blanks: set[int], fonts_dir: Path
) -> int:
    """Write the contact sheet and the spreads of a print edition; return its page count."""
    pages = render_pages(print_pdf)
    font = _font(fonts_dir)
    labels = [f"{number} (blank)" if number in blanks else str(number) for number in range(1, len(pages) + 1)]
    for image, target in (
        (contact_sheet(pages, labels, font), pages_png),
        (spreads(pages, font), spreads_png),
    ):
        with atomic_path(target) as temporary:
            image.save(temporary, format="PNG", optimize=True)
    return len(pages)


def proof_issue(project: Project, number: int, blanks: range) -> list[Path]:
    """Proofs of issue ``number``, built, whose print edition's pages ``blanks`` are its padding
    to the fold: its contact sheet and spreads, written beside the PDFs."""
    publication = load_publication(project.issues_root, project.root)
    targets = [project.proof_path(publication, number, view) for view in ("pages", "spreads")]
    write_proofs(project.print_path(publication, number), *targets, set(blanks), project.fonts_dir)
    return targets
