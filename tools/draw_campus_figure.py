"""Draw the poster-like illustration used in The Spark no 22 (sample issue).

A stylised student-worker march at dusk: a glowing sky with poster rays, the
silhouette of a university building, layers of marchers with raised fists and
cream placards ("FEES MUST FALL" and related slogans), a waving front banner,
then paper grain, fine noise and a vignette so that it reads as an image
rather than a flat chart.

Palette: dark red, black and cream. Pillow only (no numpy).

Usage:
    /work/main/.venv/bin/python tools/draw_campus_figure.py [output.jpg]

Default output: issues/022/figures/campus-march.jpg (2400x1500, JPEG q88).
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

W, H = 2400, 1500
SEED = 22
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "issues" / "022" / "figures" / "campus-march.jpg"

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_COND = FONT_DIR / "DejaVuSansCondensed-Bold.ttf"

# Palette
BLACK = (14, 7, 7)
INK = (28, 10, 10)
MAROON = (74, 14, 16)
RED = (150, 24, 28)
BRIGHT_RED = (190, 36, 34)
EMBER = (214, 96, 58)
CREAM = (242, 230, 204)
PAPER = (232, 218, 188)

SLOGANS = [
    ("FEES", "MUST", "FALL"),
    ("FEES MUST", "FALL"),
    ("#FEESMUSTFALL",),
    ("FREE", "EDUCATION", "NOW"),
    ("OUTSOURCING", "MUST FALL"),
    ("WORKERS AND", "STUDENTS", "UNITE"),
    ("FEES MUST", "FALL!"),
    ("EDUCATION", "IS A RIGHT"),
    ("FEES", "MUST", "FALL"),
    ("NO TO", "POLICE ON", "CAMPUS"),
]


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def mix(c1, c2, t: float):
    return tuple(round(lerp(x, y, t)) for x, y in zip(c1, c2))


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


# ---------------------------------------------------------------- background
def sky() -> Image.Image:
    """Vertical gradient plus a cream glow low in the centre, plus rays."""
    stops = [
        (0.00, (16, 6, 8)),
        (0.30, (58, 12, 14)),
        (0.50, (128, 26, 26)),
        (0.60, (190, 74, 48)),
        (0.70, (120, 24, 24)),
        (1.00, (40, 8, 10)),
    ]
    col = Image.new("RGB", (1, H))
    px = col.load()
    for y in range(H):
        t = y / (H - 1)
        for (t0, c0), (t1, c1) in itertools.pairwise(stops):
            if t0 <= t <= t1:
                px[0, y] = mix(c0, c1, (t - t0) / (t1 - t0))
                break
    img = col.resize((W, H), Image.BILINEAR)

    # Radial cream glow (the "sun" behind the building).
    glow_mask = Image.radial_gradient("L").resize((1900, 1300), Image.BICUBIC)
    glow_mask = ImageChops.invert(glow_mask)
    glow_mask = glow_mask.point(lambda v: int(255 * (v / 255) ** 2.2))
    glow = Image.new("RGB", glow_mask.size, CREAM)
    layer = Image.new("RGB", (W, H), (0, 0, 0))
    mask = Image.new("L", (W, H), 0)
    cx, cy = W // 2, 780
    layer.paste(glow, (cx - 950, cy - 650))
    mask.paste(glow_mask, (cx - 950, cy - 650))
    img = Image.composite(layer, img, mask.point(lambda v: int(v * 0.85)))

    # Poster rays radiating from the glow.
    rays = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(rays)
    n = 36
    for i in range(n):
        if i % 2:
            continue
        a0 = math.pi * (i / n) + math.pi
        a1 = math.pi * ((i + 1) / n) + math.pi
        r = 2600
        d.polygon(
            [
                (cx, cy),
                (cx + r * math.cos(a0), cy + r * math.sin(a0)),
                (cx + r * math.cos(a1), cy + r * math.sin(a1)),
            ],
            fill=38,
        )
    rays = rays.filter(ImageFilter.GaussianBlur(6))
    img = Image.composite(Image.new("RGB", (W, H), (255, 214, 170)), img, rays)
    return img


def building(img: Image.Image) -> None:
    """Neo-classical university facade with dome, in dark maroon."""
    sil = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(sil)
    cx, base = W // 2, 900
    # Wings
    d.rectangle([cx - 820, base - 230, cx + 820, base], fill=255)
    d.rectangle([cx - 900, base - 170, cx + 900, base], fill=255)
    # Central block, pediment
    d.rectangle([cx - 420, base - 380, cx + 420, base], fill=255)
    d.polygon(
        [(cx - 470, base - 380), (cx, base - 520), (cx + 470, base - 380)], fill=255
    )
    # Drum and dome
    d.rectangle([cx - 170, base - 640, cx + 170, base - 500], fill=255)
    d.pieslice([cx - 200, base - 840, cx + 200, base - 440], 180, 360, fill=255)
    d.rectangle([cx - 14, base - 900, cx + 14, base - 830], fill=255)
    d.ellipse([cx - 26, base - 925, cx + 26, base - 873], fill=255)
    # Columns: cut gaps so the glow shows between them.
    gaps = ImageDraw.Draw(sil)
    for i in range(9):
        x = cx - 380 + i * 95
        gaps.rectangle([x + 30, base - 350, x + 78, base - 60], fill=70)
    for side in (-1, 1):
        for i in range(6):
            x = cx + side * (470 + i * 62) - (40 if side < 0 else 0)
            gaps.rectangle([x + 8, base - 200, x + 36, base - 80], fill=90)
    # Windows in drum
    for i in range(5):
        x = cx - 130 + i * 58
        gaps.rectangle([x, base - 620, x + 24, base - 540], fill=110)
    # Steps
    for i in range(5):
        d.rectangle(
            [cx - 500 - i * 30, base - 40 + i * 10, cx + 500 + i * 30, base + i * 10],
            fill=255,
        )
    sil = sil.filter(ImageFilter.GaussianBlur(1.5))
    tone = Image.new("RGB", (W, H), (52, 10, 12))
    img.paste(Image.composite(tone, img, sil.point(lambda v: int(v * 0.92))), (0, 0))


# ---------------------------------------------------------------- placards
def placard(lines, w: int, h: int, rng: random.Random, haze: float) -> Image.Image:
    """A cream card with slogan text, a stick, slight shading; RGBA."""
    pad = 12
    card = Image.new("RGBA", (w + 2 * pad, h + 2 * pad + int(h * 0.9)), (0, 0, 0, 0))
    d = ImageDraw.Draw(card)
    # stick
    sx = pad + w // 2
    d.rectangle(
        [sx - max(3, w // 40), pad + h - 4, sx + max(3, w // 40), card.height],
        fill=(70, 44, 30, 255),
    )
    # shadow under the card
    d.rectangle([pad + 6, pad + 8, pad + w + 6, pad + h + 8], fill=(0, 0, 0, 110))
    base = mix(CREAM, PAPER, rng.random())
    # card body with a soft top-to-bottom shade
    body = Image.new("RGB", (w, h), base)
    shade = Image.linear_gradient("L").resize((w, h))
    dark = Image.new("RGB", (w, h), mix(base, (150, 120, 100), 0.55))
    body = Image.composite(dark, body, shade.point(lambda v: int(v * 0.45)))
    bd = ImageDraw.Draw(body)
    red_card = rng.random() < 0.22
    if red_card:
        bd.rectangle([0, 0, w, h], fill=mix(BRIGHT_RED, RED, rng.random()))
        ink = CREAM
    else:
        ink = rng.choice([RED, BRIGHT_RED, INK, RED])
    bd.rectangle(
        [4, 4, w - 5, h - 5],
        outline=ink if not red_card else CREAM,
        width=max(2, w // 90),
    )
    # fit text
    n = len(lines)
    size = int(h / (n * 1.18 + 0.35))
    fpath = FONT_COND if max(len(s) for s in lines) > 7 else FONT_BOLD
    while size > 8:
        f = font(fpath, size)
        widths = [bd.textlength(s, font=f) for s in lines]
        if max(widths) <= w * 0.86:
            break
        size -= 2
    f = font(fpath, size)
    line_h = size * 1.12
    total = line_h * n
    y = (h - total) / 2 + size * 0.04
    for s in lines:
        tw = bd.textlength(s, font=f)
        # slightly rough, hand-painted look: draw twice with tiny jitter
        for _ in range(2):
            jx, jy = rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2)
            bd.text(((w - tw) / 2 + jx, y + jy), s, font=f, fill=ink)
        y += line_h
    # fold crease / wear
    for _ in range(3):
        x = rng.randint(0, w)
        bd.line(
            [(x, 0), (x + rng.randint(-30, 30), h)],
            fill=mix(base, (120, 90, 70), 0.2)
            if not red_card
            else mix(RED, BLACK, 0.2),
            width=1,
        )
    if haze > 0:
        body = Image.blend(body, Image.new("RGB", (w, h), (170, 70, 55)), haze)
    card.paste(body, (pad, pad))
    return card


def paste_rotated(
    img: Image.Image, piece: Image.Image, cx: float, top: float, angle: float
) -> None:
    rot = piece.rotate(angle, resample=Image.BICUBIC, expand=True)
    img.paste(rot, (int(cx - rot.width / 2), int(top)), rot)


# ---------------------------------------------------------------- crowd
def person(
    d: ImageDraw.ImageDraw,
    x: float,
    y: float,
    s: float,
    fill,
    rng: random.Random,
    arm: bool,
) -> None:
    """Head at (x, y) with scale s; body extends to bottom of the canvas."""
    hr = 26 * s
    d.ellipse([x - hr, y - hr * 1.15, x + hr, y + hr * 1.1], fill=fill)
    # hair/hat variation
    kind = rng.random()
    if kind < 0.25:
        d.ellipse(
            [x - hr * 1.15, y - hr * 1.35, x + hr * 1.15, y - hr * 0.1], fill=fill
        )
    elif kind < 0.4:
        d.rectangle(
            [x - hr * 1.25, y - hr * 0.55, x + hr * 1.25, y - hr * 0.35], fill=fill
        )
        d.ellipse([x - hr * 0.9, y - hr * 1.5, x + hr * 0.9, y - hr * 0.3], fill=fill)
    # neck + shoulders
    d.rectangle([x - hr * 0.45, y + hr * 0.6, x + hr * 0.45, y + hr * 1.6], fill=fill)
    sw = hr * rng.uniform(2.1, 2.6)
    d.rounded_rectangle(
        [x - sw, y + hr * 1.35, x + sw, H + 50], radius=int(hr * 1.1), fill=fill
    )
    if arm:
        side = rng.choice((-1, 1))
        sx, sy = x + side * sw * 0.75, y + hr * 1.9
        ex = sx + side * hr * rng.uniform(0.3, 1.2)
        ey = y - hr * rng.uniform(2.4, 3.4)
        d.line([(sx, sy), (ex, ey)], fill=fill, width=max(3, int(hr * 0.75)))
        fr = hr * 0.48
        d.ellipse([ex - fr, ey - fr * 1.2, ex + fr, ey + fr], fill=fill)


def crowd_layer(
    img, rng, y_base, scale, color, rim, n, haze, placard_p, jitter=40, keep_clear=None
):
    """One row of marchers; keep_clear=(x0, x1) leaves that span free of placards."""
    mask = Image.new("L", (W, H), 0)
    rim_mask = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(mask)
    dr = ImageDraw.Draw(rim_mask)
    heads = []
    step = W / n
    for i in range(n + 2):
        x = (i - 0.5) * step + rng.uniform(-step * 0.35, step * 0.35)
        y = y_base + rng.uniform(-jitter, jitter) * scale
        s = scale * rng.uniform(0.88, 1.12)
        heads.append((x, y, s))
    placard_slots = []
    for x, y, s in heads:
        seed = rng.random()
        arm = rng.random() < 0.22
        r1 = random.Random(seed)
        r2 = random.Random(seed)
        # rim light comes from the glow in the centre: offset towards it
        off = 4 * s * (1 if x < W / 2 else -1)
        person(dr, x + off, y - 3 * s, s, 255, r1, arm)
        person(d, x, y, s, 255, r2, arm)
        clear = (
            keep_clear is not None
            and keep_clear[0] - 120 * s < x < keep_clear[1] + 120 * s
        )
        if rng.random() < placard_p and not clear:
            placard_slots.append((x + rng.uniform(-20, 20) * s, y, s))
    rim_mask = ImageChops.subtract(rim_mask, mask).filter(
        ImageFilter.GaussianBlur(1.2 * scale)
    )
    img.paste(Image.composite(Image.new("RGB", (W, H), rim), img, rim_mask), (0, 0))
    img.paste(Image.composite(Image.new("RGB", (W, H), color), img, mask), (0, 0))
    # placards above heads
    for x, y, s in placard_slots:
        w = int(rng.uniform(150, 210) * s)
        h = int(w * rng.uniform(0.62, 0.85))
        lines = rng.choice(SLOGANS)
        card = placard(lines, w, h, rng, haze)
        paste_rotated(img, card, x, y - h - 95 * s, rng.uniform(-9, 9))


def banner(img: Image.Image, rng: random.Random) -> None:
    """Waving front banner carried across the march."""
    bw, bh = 1500, 250
    ban = Image.new("RGB", (bw, bh), CREAM)
    bd = ImageDraw.Draw(ban)
    bd.rectangle([0, 0, bw, 26], fill=RED)
    bd.rectangle([0, bh - 26, bw, bh], fill=RED)
    f = font(FONT_BOLD, 132)
    text = "FEES MUST FALL"
    tw = bd.textlength(text, font=f)
    for dx, dy, c in ((7, 7, MAROON), (0, 0, BRIGHT_RED)):
        bd.text(((bw - tw) / 2 + dx, 30 + dy), text, font=f, fill=c)
    f2 = font(FONT_COND, 34)
    sub = "STUDENTS AND WORKERS  *  FREE EDUCATION  *  END OUTSOURCING"
    tw2 = bd.textlength(sub, font=f2)
    bd.text(((bw - tw2) / 2, bh - 26 - 44), sub, font=f2, fill=INK)
    # wave: shift vertical strips along a sine; shade by slope
    amp, strips = 26, 500
    out = Image.new("RGBA", (bw, bh + 2 * amp + 10), (0, 0, 0, 0))
    sw = bw // strips
    for i in range(strips):
        x0 = i * sw
        strip = ban.crop((x0, 0, x0 + sw, bh))
        ph = 2 * math.pi * i / strips * 2.2
        dy = amp * math.sin(ph)
        slope = math.cos(ph)
        shade = 0.5 + 0.5 * slope
        strip = Image.blend(
            strip, Image.new("RGB", strip.size, (60, 20, 18)), 0.32 * (1 - shade)
        )
        out.paste(strip, (x0, int(amp + dy)))
    out.putalpha(out.getchannel("A").filter(ImageFilter.GaussianBlur(0.9)))
    # poles
    img_rgba = img.convert("RGBA")
    bx, by = (W - bw) // 2, 1060
    d = ImageDraw.Draw(img_rgba)
    for px in (bx - 8, bx + bw - 4):
        d.rectangle([px, by - 20, px + 12, H], fill=(60, 36, 24, 255))
    shadow = Image.new("RGBA", out.size, (0, 0, 0, 0))
    shadow.putalpha(out.getchannel("A").point(lambda v: int(v * 0.45)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(10))
    img_rgba.alpha_composite(shadow, (bx + 14, by + 18))
    img_rgba.alpha_composite(out, (bx, by))
    img.paste(img_rgba.convert("RGB"))


# ---------------------------------------------------------------- finishing
def finish(img: Image.Image) -> Image.Image:
    rnd = random.Random(SEED)
    # Coarse paper mottling (soft light).
    mottle = Image.effect_noise((W // 8, H // 8), 40).resize((W, H), Image.BICUBIC)
    mottle = mottle.filter(ImageFilter.GaussianBlur(6))
    mottle_rgb = Image.merge("RGB", (mottle, mottle, mottle))
    img = Image.blend(img, ImageChops.soft_light(img, mottle_rgb), 0.55)
    # Fine grain.
    grain = Image.effect_noise((W, H), 28)
    grain_rgb = Image.merge("RGB", (grain, grain, grain))
    img = Image.blend(img, ImageChops.overlay(img, grain_rgb), 0.35)
    # Scratches / dust, faint cream.
    dust = Image.new("L", (W, H), 0)
    dd = ImageDraw.Draw(dust)
    for _ in range(260):
        x, y = rnd.uniform(0, W), rnd.uniform(0, H)
        r = rnd.uniform(0.6, 2.2)
        dd.ellipse([x - r, y - r, x + r, y + r], fill=rnd.randint(40, 110))
    for _ in range(18):
        x, y = rnd.uniform(0, W), rnd.uniform(0, H)
        dd.line(
            [(x, y), (x + rnd.uniform(-40, 40), y + rnd.uniform(60, 220))],
            fill=40,
            width=1,
        )
    img = Image.composite(Image.new("RGB", (W, H), CREAM), img, dust)
    # Vignette.
    vig = Image.radial_gradient("L").resize(
        (int(W * 1.45), int(H * 1.6)), Image.BICUBIC
    )
    vig = vig.crop(
        (
            (vig.width - W) // 2,
            (vig.height - H) // 2,
            (vig.width - W) // 2 + W,
            (vig.height - H) // 2 + H,
        )
    )
    vig = vig.point(lambda v: int(255 * min(1.0, (v / 255) ** 1.8 * 1.25)))
    img = Image.composite(
        Image.new("RGB", (W, H), (8, 3, 3)), img, vig.point(lambda v: int(v * 0.8))
    )
    # Warm the whole thing very slightly towards the palette.
    tint = Image.new("RGB", (W, H), (120, 30, 26))
    img = Image.blend(
        img, ImageChops.multiply(img, tint).point(lambda v: min(255, v * 2)), 0.12
    )
    return img


def draw() -> Image.Image:
    rng = random.Random(SEED)
    img = sky()
    building(img)
    # crowd: back to front
    crowd_layer(
        img, rng, 905, 0.55, (104, 30, 28), (200, 110, 80), 46, 0.30, 0.30, jitter=20
    )
    crowd_layer(img, rng, 975, 0.78, (70, 18, 18), (220, 130, 90), 32, 0.18, 0.38)
    crowd_layer(img, rng, 1075, 1.08, (40, 10, 11), (235, 160, 110), 22, 0.07, 0.42)
    banner(img, rng)
    crowd_layer(
        img,
        rng,
        1370,
        1.7,
        BLACK,
        (240, 175, 120),
        12,
        0.0,
        0.9,
        jitter=30,
        keep_clear=(450, 1950),
    )
    return finish(img)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    img = draw()
    img.save(out, "JPEG", quality=88, optimize=True, progressive=True)
    print(
        f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {img.width}x{img.height})"
    )


if __name__ == "__main__":
    main()
