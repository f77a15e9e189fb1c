"""Untrusted images: damaged rasters, oversized ones and SVGs that multiply their own work.

Every attack file is made here as bytes, put in a scratch issue and refused through the command
line, by `check` and by `build`, with exit status 2 and its file, line and message. The SVG
attacks were measured against the real build before they were refused: ten levels of ten <use>
kept it busy past a minute, a pattern of tiny tiles made pdftoppm take 65 s for one page, and
cycles or deep nesting were drawn blank without a word (WeasyPrint swallows the RecursionError).
"""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from layout.text import images
from layout.text.images import MAX_GRADIENT_BANDS, MAX_SVG_DASHES, MAX_SVG_DEPTH, MAX_SVG_PARTS, check_image

from .conftest import ROOT
from .test_bad_input import run_layout

WHERE = "issues/001/small.md:14: image:"
SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 100 100" width="100" height="100">'
)
REPEATS = (
    f"this drawing repeats its parts more than {MAX_SVG_PARTS:,} times (<use> inside <use>, patterns or "
    "markers); it would take minutes to print: simplify it or export it as PNG"
)
CYCLE = (
    "this drawing uses a part of itself inside that same part ({}), which never ends: "
    "remove that reference or export it as PNG"
)
DASHES = (
    f"its dashed lines make more than {MAX_SVG_DASHES:,} dashes{{}}; a reader's PDF viewer would take "
    "seconds and gigabytes of memory to show them: use longer dashes (stroke-dasharray) or a solid line, "
    "or export it as PNG"
)
BANDS = (
    f"its gradients make more than {MAX_GRADIENT_BANDS:,} bands of colour (many stops, or spreadMethod "
    "repeat or reflect over a short gradient); the print shop's machine would take minutes to print them: "
    "use fewer stops or a longer gradient, or export it as PNG"
)
TWO_STOPS = '<stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/>'
DAMAGED = "the image is damaged or incomplete ({}): save or export it again"
TRUNCATED = DAMAGED.format("it ends before its last row")
UNDECODABLE = DAMAGED.format("its data cannot be decoded")


def _svg(body: str, opening: str = SVG_OPEN) -> bytes:
    return f"{opening}{body}</svg>".encode()


def _use_bomb(levels: int = 10, fan: int = 10, href: str = "href") -> bytes:
    """Ten levels of ten <use> of the level below: 2.6 KB that draw a circle 10⁹ times."""
    groups = ['<g id="l0"><circle cx="5" cy="5" r="1"/></g>']
    for level in range(1, levels):
        uses = "".join(f'<use {href}="#l{level - 1}" x="{i % 3}"/>' for i in range(fan))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return _svg(f'<defs>{"".join(groups)}</defs><use {href}="#l{levels - 1}"/>')


def _photo(width: int, height: int, kind: str) -> bytes:
    noise = Image.effect_noise((max(1, width // 8), max(1, height // 8)), 60).resize((width, height))
    buffer = io.BytesIO()
    noise.convert("RGB").save(buffer, kind)
    return buffer.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels, with one tiny row of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 3]


BAD = {
    # name: (file name, bytes, message after the file name)
    "use-bomb": ("bomb.svg", _use_bomb(), REPEATS),
    "use-bomb-xlink": ("bomb.svg", _use_bomb(href="xlink:href"), REPEATS),
    "use-of-itself": (
        "self.svg",
        _svg('<g id="a"><circle r="1"/><use href="#a"/></g>'),
        CYCLE.format('<g id="a">'),
    ),
    "use-in-a-ring": (
        "ring.svg",
        _svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'),
        CYCLE.format('<g id="a">'),
    ),
    "nested-groups": (
        "deep.svg",
        _svg("<g>" * 100_000 + '<circle r="1"/>' + "</g>" * 100_000),
        f"this drawing nests its groups more than {MAX_SVG_DEPTH} deep, more than we can print: "
        "ungroup it (Inkscape: Object, Ungroup) or export it as PNG",
    ),
    "nested-through-use": (
        "deep-use.svg",
        _svg(
            '<defs><g id="d">'
            + "<g>" * 60
            + "<circle r='1'/>"
            + "</g>" * 60
            + "</g></defs>"
            + "<g>" * 60
            + '<use href="#d"/>'
            + "</g>" * 60
        ),
        f"this drawing nests its groups more than {MAX_SVG_DEPTH} deep, more than we can print: "
        "ungroup it (Inkscape: Object, Ungroup) or export it as PNG",
    ),
    "pattern-of-tiny-tiles": (
        "tiles.svg",
        _svg(
            '<defs><pattern id="p" width="0.001" height="0.001" patternUnits="userSpaceOnUse">'
            '<rect width="0.0005" height="0.0005"/></pattern></defs>'
            '<rect width="100" height="100" fill="url(#p)"/>'
        ),
        "pattern #p repeats its tile about 10,000,000,000 times over the drawing (at most 100,000); "
        "it would take minutes to print: use larger tiles or export it as PNG",
    ),
    "pattern-painting-itself": (
        "pattern.svg",
        _svg(
            '<defs><pattern id="p" width="10" height="10" patternUnits="userSpaceOnUse">'
            '<rect width="5" height="5" style="fill: url(#p)"/></pattern></defs>'
            '<rect width="100" height="100" fill="url(#p)"/>'
        ),
        CYCLE.format('<pattern id="p">'),
    ),
    "pattern-from-a-style-sheet": (
        "sheet.svg",
        _svg(
            '<style>rect { fill: url(#p) }</style><defs><pattern id="p" width="10" height="10">'
            '<rect width="5" height="5"/></pattern></defs><rect width="100" height="100"/>'
        ),
        "its style sheet paints with #p (a pattern), whose work we cannot bound: set fill, clip-path, "
        "mask or marker on the elements themselves, or export it as PNG",
    ),
    "markers-on-many-points": (
        "markers.svg",
        _svg(
            '<defs><marker id="m">'
            + '<circle r="1"/>' * 50
            + '</marker></defs><polyline marker-mid="url(#m)" '
            'points="' + " ".join(f"{i % 100},{i % 97}" for i in range(2_000)) + '"/>'
        ),
        REPEATS,
    ),
    "clip-path-repeated": (
        "clip.svg",
        _svg(
            '<defs><clipPath id="c">'
            + '<circle r="1"/>' * 300
            + "</clipPath></defs>"
            + '<rect width="1" height="1" clip-path="url(#c)"/>' * 100
        ),
        REPEATS,
    ),
    "huge-text": (
        "text.svg",
        _svg('<text x="0" y="10">' + "a" * 1_000_000 + "</text>"),
        f"this drawing has more than {MAX_SVG_PARTS:,} parts (shapes and letters); it would take minutes "
        "to print: simplify it or export it as PNG",
    ),
    "billion-laughs": (
        "laughs.svg",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(8))
        + b"]>"
        + _svg('<text y="10">&i;</text>'),
        "the file declares a DOCTYPE or entities (<!DOCTYPE ...>), which we do not read: "
        "save it again as plain SVG (Inkscape: Save As, Plain SVG)",
    ),
    # 160 bytes that poppler (pdftoppm, Evince, Okular) took 6.4 s and 1.6 GB to show: 1.9 million dashes
    "dashes-on-a-path": (
        "dash.svg",
        _svg(
            '<path d="M0 0 L10 10 L0 10 L10 0" stroke="black" stroke-width="0.1" stroke-dasharray="0.00001"/>'
        ),
        DASHES.format(""),
    ),
    "dashes-inherited-from-style": (
        "dash-style.svg",
        _svg(
            '<g style="stroke: black; stroke-dasharray: 0.0001 !important" stroke-dasharray="5">'
            '<rect width="100" height="100"/></g>'
        ),
        DASHES.format(""),
    ),
    "dashes-from-a-style-sheet": (
        "dash-sheet.svg",
        _svg('<style>.grid { stroke: black; stroke-dasharray: 0.001 }</style><circle class="grid" r="50"/>'),
        DASHES.format(""),
    ),
    "dashes-in-ems-of-a-tiny-font": (
        "dash-em.svg",
        _svg('<g font-size="0.001"><line x2="100" stroke="black" stroke-dasharray="0.01em"/></g>'),
        DASHES.format(""),
    ),
    "dashes-through-use": (  # 500 dashes, drawn 300 times
        "dash-use.svg",
        _svg(
            '<defs><line id="d" x2="100" stroke="black" stroke-dasharray="0.1"/></defs>'
            + "".join(f'<use href="#d" y="{i % 100}"/>' for i in range(300))
        ),
        DASHES.format(", counting every repeat"),
    ),
    "dashed-letters": (
        "dash-text.svg",
        _svg(
            '<text y="50" font-size="10" stroke="black" stroke-dasharray="0.0001">'
            + "Spark " * 20
            + "</text>"
        ),
        DASHES.format(""),
    ),
    # 500 bytes that Ghostscript (as the print shop's RIP) took 46 s to draw: 7,000 rings of two colours
    "gradient-repeated-in-rings": (
        "rings.svg",
        _svg(
            '<defs><radialGradient id="g" gradientUnits="userSpaceOnUse" cx="50" cy="50" r="0.01" '
            f'spreadMethod="repeat">{TWO_STOPS}</radialGradient></defs>'
            '<rect width="100" height="100" fill="url(#g)"/>'
        ),
        BANDS,
    ),
    "gradient-reflected-by-a-shrinking-transform": (
        "stripes.svg",
        _svg(
            '<defs><linearGradient id="g" spreadMethod="reflect" gradientTransform="rotate(20) scale(0.001)">'
            f'{TWO_STOPS}</linearGradient></defs><circle cx="50" cy="50" r="40" stroke="url(#g)"/>'
        ),
        BANDS,
    ),
    "gradient-of-many-stops-on-many-shapes": (  # 100 stops, painted 150 times
        "stops.svg",
        _svg(
            '<defs><linearGradient id="g" x2="0.5">'
            + "".join(
                f'<stop offset="{i / 100}" stop-color="#{i * 2:02x}00{i % 2 * 255:02x}"/>' for i in range(100)
            )
            + "</linearGradient></defs>"
            + "".join(
                f'<rect x="{i % 20 * 5}" y="{i // 20 * 10}" width="5" height="10" fill="url(#g)"/>'
                for i in range(150)
            )
        ),
        BANDS,
    ),
    "truncated-jpeg": ("photo.jpg", _cut(_photo(1200, 900, "JPEG")), TRUNCATED),
    "truncated-png": ("photo.png", _cut(_photo(600, 400, "PNG")), TRUNCATED),
    "truncated-gif": ("photo.gif", _cut(_photo(600, 400, "GIF")), TRUNCATED),
    "damaged-webp": ("photo.webp", _cut(_photo(600, 400, "WEBP")), UNDECODABLE),
    "30000-pixels-square": (
        "huge.png",
        _png_header(30_000, 30_000),
        "30000×30000 pixels (900 megapixels) is too large to print: at most 40 megapixels, e.g. 8000×5000; "
        "a photo for a column needs about 1100 pixels across at 300 dpi",
    ),
    "tiff-named-png": (
        "scan.png",
        _photo(40, 30, "TIFF"),
        "not a PNG, JPEG, GIF or WebP image we can read: export it again as PNG or JPEG",
    ),
}


def _use(scratch: Path, names: list[str]) -> None:
    """Point the scratch article at the named bad images, one figure a paragraph from line 14 on."""
    issue = scratch / "issues" / "001"
    figures = []
    for name in names:
        file, data, _ = BAD[name]
        (issue / "figures" / f"{name}-{file}").write_bytes(data)
        figures.append(f"![{name}](figures/{name}-{file})")
    article = issue / "small.md"
    article.write_text(
        article.read_text().replace('![A drawing](figures/dot.svg "A caption")', "\n\n".join(figures))
    )


@pytest.mark.parametrize("name", sorted(BAD))
def test_check_refuses_the_image_with_its_line(scratch: Path, name: str) -> None:
    _use(scratch, [name])
    result = run_layout(scratch, "check", "issues/001")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    file, _, message = BAD[name]
    assert f"{WHERE} 'figures/{name}-{file}': {message}\n" in result.stdout + result.stderr


def test_build_refuses_every_bad_image_at_once_and_writes_nothing(scratch: Path) -> None:
    names = sorted(BAD)
    _use(scratch, names)
    result = run_layout(scratch, "build", "issues/001", "-j", "1")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for index, name in enumerate(names):
        file, _, message = BAD[name]
        line = 14 + 2 * index
        assert f"issues/001/small.md:{line}: image: 'figures/{name}-{file}': {message}" in result.stderr
    assert not list((scratch / "build").rglob("*.pdf"))


@pytest.mark.slow
def test_a_sound_photo_builds_into_a_pdf_that_qpdf_passes(scratch: Path) -> None:
    issue = scratch / "issues" / "001"
    (issue / "figures" / "photo.jpg").write_bytes(_photo(1200, 900, "JPEG"))
    article = issue / "small.md"
    article.write_text(article.read_text().replace("figures/dot.svg", "figures/photo.jpg"))
    result = run_layout(scratch, "build", "issues/001", "-j", "1")
    assert result.returncode == 0, result.stderr
    for pdf in (scratch / "build").rglob("*.pdf"):
        qpdf = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert qpdf.returncode == 0 and "invalid" not in qpdf.stdout + qpdf.stderr, qpdf.stdout + qpdf.stderr


@pytest.mark.parametrize(
    "path",
    [
        "issues/020/figures/fee-increases.svg",
        "issues/023/figures/protest-placard.svg",
        "issues/022/figures/campus-march.jpg",
    ],
)
def test_the_shipped_images_are_accepted(path: str) -> None:
    issue_dir = ROOT / Path(path).parents[1]
    assert check_image(str(Path(path).relative_to(issue_dir.relative_to(ROOT))), issue_dir) is None


def test_sound_drawings_with_repeats_and_patterns_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    drawing = _svg(
        '<defs><g id="tick"><line x1="0" y1="0" x2="0" y2="2" stroke="black"/></g>'
        '<pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0,4 L4,0"/></pattern>'
        '<marker id="dot"><circle r="1"/></marker></defs>'
        + "".join(f'<use href="#tick" x="{i}"/>' for i in range(100))
        + '<rect width="100" height="50" fill="url(#hatch)"/>'
        + '<polyline marker-mid="url(#dot)" points="0,0 10,10 20,0"/>'
        # a dashed grid of 40 lines and a dotted curve: about 2,000 dashes
        + "".join(
            f'<line x1="{i % 20 * 5}" x2="{i % 20 * 5}" y2="100" stroke="grey" stroke-dasharray="2 2"/>'
            for i in range(40)
        )
        + '<path d="M0 50 C25 0 75 100 100 50" fill="none" stroke="red" stroke-dasharray="0.5"/>'
        # a three-stop fill and a reflected one, ten bars each
        + f'<linearGradient id="sky"><stop offset="0"/>{TWO_STOPS}</linearGradient>'
        + f'<radialGradient id="glow" r="10%" spreadMethod="reflect">{TWO_STOPS}</radialGradient>'
        + "".join(f'<rect x="{i * 5}" width="4" height="50" fill="url(#sky)"/>' for i in range(10))
        + "".join(f'<rect x="{i * 5}" y="50" width="4" height="50" fill="url(#glow)"/>' for i in range(10))
    )
    (tmp_path / "figures" / "chart.svg").write_bytes(drawing)
    assert check_image("figures/chart.svg", tmp_path) is None


def test_a_damaged_file_is_refused_even_where_weasyprint_lets_pillow_load_truncated_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WeasyPrint sets this for the whole process when imported: a build and the warm worker run with it.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    (tmp_path / "cut.jpg").write_bytes(_cut(_photo(800, 600, "JPEG")))
    assert check_image("cut.jpg", tmp_path) == f"'cut.jpg': {TRUNCATED}"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_a_file_changed_after_its_check_is_checked_again(tmp_path: Path) -> None:
    photo = _photo(800, 600, "JPEG")
    (tmp_path / "photo.jpg").write_bytes(photo)
    assert check_image("photo.jpg", tmp_path) is None
    assert any(key[0].name == "photo.jpg" for key in images._results)  # remembered ...
    (tmp_path / "photo.jpg").write_bytes(_cut(photo))
    assert check_image("photo.jpg", tmp_path) == f"'photo.jpg': {TRUNCATED}"
