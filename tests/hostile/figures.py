"""The hostile issue's large and odd images, made when it is built: kept out of the repository.

``python -m tests.hostile.figures FOLDER`` writes them into ``FOLDER/figures`` (a copy of
``tests/hostile/issue``). They are drawn, not photographed: gradients, shapes and noise at
the sizes and in the modes that editors send (a 12-megapixel photograph, a greyscale and a CMYK
JPEG, a PNG with transparency, a tall narrow banner and a wide panorama).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter


def _photograph(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    """A sky over a crowd of shapes, with grain, at ``size``: like a photograph to a JPEG encoder."""
    width, height = size
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(image)
    step = max(8, width // 60)
    for i, x in enumerate(range(0, width, step)):  # figures and taxis along the ground
        tall = height // 3 + (i * 7919) % (height // 4)
        shade = 30 + (i * 37) % 60
        draw.rectangle((x, height - tall, x + step * 3 // 4, height), fill=(shade, shade // 2, shade // 3))
    grain = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(image.filter(ImageFilter.GaussianBlur(2)), grain, 0.08)


def _fist(size: int) -> Image.Image:
    """A red raised fist, roughly drawn, on a transparent ground."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (176, 28, 34, 255)
    draw.rounded_rectangle((size * 0.3, size * 0.15, size * 0.7, size * 0.55), radius=size // 12, fill=red)
    draw.rectangle((size * 0.38, size * 0.5, size * 0.62, size * 0.95), fill=red)
    for i in range(4):  # the knuckles, half transparent where they overlap the ground
        x = size * (0.3 + i * 0.1)
        draw.ellipse((x, size * 0.1, x + size * 0.1, size * 0.22), fill=(176, 28, 34, 160))
    return image


def make_figures(issue: Path) -> list[Path]:
    """Write the generated images into ``issue/figures`` and return their paths."""
    figures = issue / "figures"
    figures.mkdir(exist_ok=True)
    made = {
        "taxi-rank.jpg": _photograph((4000, 3000), (240, 200, 90), (60, 50, 60)),
        "mayday-grey.jpg": _photograph((1600, 1000), (220, 220, 220), (40, 40, 40)).convert("L"),
        "letaba-panorama.jpg": _photograph((6000, 900), (120, 170, 230), (40, 90, 40)),
        "coal-cmyk.jpg": _photograph((1800, 1200), (200, 120, 80), (20, 20, 25)).convert("CMYK"),
        "fist-transparent.png": _fist(800),
        "banner-tall.png": _photograph((300, 3000), (176, 28, 34), (245, 239, 227)).convert("P", palette=1),
    }
    paths = []
    for name, image in made.items():
        path = figures / name
        image.save(path, quality=85) if path.suffix == ".jpg" else image.save(path, optimize=True)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for made in make_figures(Path(sys.argv[1])):
        print(made)
