"""The print edition as a press sees it: separated into its inks by Ghostscript through the
file's own output intent, and read object by object for what PDF/X-4 forbids.

One small scratch issue (a page of text under the red masthead, a drawing, a photo, the back
page's cream box), built once for the module.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from layout.build.issues import build_issues
from layout.model.manifest import load_publication
from layout.project import Project
from layout.typeset.colours import house_colours, undescribed_colours

from .conftest import ARTICLE, ROOT, make_scratch

STYLE = ROOT / "styles" / "spark" / "style.css"
DPI = 72
PLATES = ("Cyan", "Magenta", "Yellow", "Black")
BODY = "The first paragraph of a small article"
Inks = tuple[int, int, int, int]  # 0-255 a plate, as tiffsep writes them (inverted)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch issue's print edition, with an RGB photo beside the conftest's drawing."""
    root = make_scratch(tmp_path_factory.mktemp("print"))
    issue = root / "issues" / "001"
    Image.new("RGB", (60, 40), (30, 120, 200)).save(issue / "figures" / "photo.png")
    (issue / "small.md").write_text(ARTICLE + '\n![A photo](figures/photo.png "A photo")\n')
    project = Project(root=root, out=root / "build")
    (result,) = build_issues(project, [issue], force=True)
    assert not result.problems, [str(p) for p in result.problems]
    return project.print_path(load_publication(project.issues_root, root), 1)


def separate(pdf: Path, page: int, folder: Path) -> list[Image.Image]:
    """Page ``page`` (from 1) in its four plates, through the output intent the file carries."""
    profile = folder / "intent.icc"
    (intent,) = PdfReader(pdf).trailer["/Root"]["/OutputIntents"]
    profile.write_bytes(intent.get_object()["/DestOutputProfile"].get_object().get_data())
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", f"-sOutputICCProfile={profile}",
         f"-r{DPI}", f"-dFirstPage={page}", f"-dLastPage={page}", f"-sOutputFile={folder / 'page.tif'}",
         str(pdf)],
        check=True, capture_output=True,
    )  # fmt: skip
    return [Image.open(folder / f"page({plate}).tif") for plate in PLATES]


def inks_at(plates: list[Image.Image], x: int, y: int) -> Inks:
    """The ink of each plate at a pixel, 0 (none) to 255 (solid)."""
    return tuple(255 - plate.getpixel((x, y)) for plate in plates)  # type: ignore[return-value]


def as_inks(cmyk: tuple[float, ...]) -> Inks:
    return tuple(round(ink * 255) for ink in cmyk)  # type: ignore[return-value]


def count_near(seen: Counter | dict, inks: Inks) -> int:
    """How many pixels of ``seen`` carry ``inks``, give or take Ghostscript's rounding (1 in 255)."""
    close = [n for found, n in seen.items() if max(abs(a - b) for a, b in zip(found, inks, strict=True)) <= 1]
    return sum(close)


def text_pixels(pdf: Path, page: int, text: str) -> list[tuple[int, int]]:
    """The pixels, at ``DPI``, inside the boxes of the characters of ``text`` on ``page``."""
    document = pdfium.PdfDocument(pdf)
    sheet = document[page - 1]
    left, _, _, top = sheet.get_mediabox()
    chars = sheet.get_textpage()
    start = chars.get_text_range().find(text)
    assert start >= 0, text
    pixels = []
    for index in range(start, start + len(text)):
        x0, y0, x1, y1 = chars.get_charbox(index)
        scale = DPI / 72
        for x in range(round((x0 - left) * scale), round((x1 - left) * scale)):
            for y in range(round((top - y1) * scale), round((top - y0) * scale)):
                pixels.append((x, y))
    return pixels


def test_body_text_is_on_the_black_plate_alone(printed: Path, tmp_path: Path) -> None:
    plates = separate(printed, 1, tmp_path)
    inked = [inks for xy in text_pixels(printed, 1, BODY) if any(inks := inks_at(plates, *xy))]
    assert len(inked) > 100, len(inked)
    assert all(inks[:3] == (0, 0, 0) for inks in inked), Counter(i for i in inked if i[:3] != (0, 0, 0))
    assert Counter(inked).most_common(1)[0][0] == (0, 0, 0, 255)  # solid black, not a grey


def test_the_red_and_the_tints_have_the_cmyk_values_the_style_chose(printed: Path, tmp_path: Path) -> None:
    colours = house_colours(STYLE)
    press = {name: as_inks(colours.press_value(rgb)) for name, rgb in colours.names.items()}
    front = separate(printed, 1, tmp_path)
    width, height = front[0].size
    seen = Counter(inks_at(front, x, y) for x in range(0, width, 3) for y in range(0, height, 3))
    assert count_near(seen, press["--red"]) > 1000  # the masthead, solid
    assert count_near(seen, press["--grey"]) > 5  # the folio and the byline
    cream_under_black = (*press["--cream"][:3], 255)
    allowed = {(255, 255, 255, 255), press["--cream"], cream_under_black}  # registration, the tint
    rich = {
        inks: n
        for inks, n in seen.items()
        if all(inks) and not any(count_near({inks: 1}, a) for a in allowed)
    }
    assert not rich  # no rich black: the drawing's black (the conftest's circle) on K alone too
    pages = len(PdfReader(printed).pages)
    back = separate(printed, pages, tmp_path)
    seen = Counter(inks_at(back, x, y) for x in range(0, width, 3) for y in range(0, height, 3))
    assert count_near(seen, press["--cream"]) > 1000  # the Get involved box
    assert count_near(seen, cream_under_black) > 20  # black text overprints: no white gap if plates slip


def test_no_rgb_without_a_profile_no_annotations_and_the_pdfx_keys(printed: Path, tmp_path: Path) -> None:
    expanded = tmp_path / "qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(printed), str(expanded)], check=True)
    data = expanded.read_bytes()
    assert b"/DeviceRGB" not in data
    assert not re.search(rb"\s(rg|RG)\s", data)  # every colour operator says its colour space
    assert b"/Annot" not in data  # links are of no use on paper
    assert b"/Interpolate true" not in data
    reader = PdfReader(printed)
    images = [image for page in reader.pages for image in page.images]
    assert images, "the photo"
    for image in images:
        space = image.indirect_reference.get_object()["/ColorSpace"]
        assert space[0] == "/ICCBased" and space[1].get_object()["/N"] == 3  # ICC-tagged sRGB
    assert reader.metadata["/GTS_PDFXVersion"] == "PDF/X-4"
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert "GTS_PDFXConformance" not in xmp  # PDF/X-4 defines no conformance level


def test_crop_marks_start_beyond_the_bleed(printed: Path) -> None:
    """Every mark's end nearest the page lies 0.5 mm or more outside the BleedBox, on the sheet."""
    mm = 72 / 25.4
    for page in PdfReader(printed).pages:
        marks = page["/Contents"][-1].get_object().get_data().decode()  # drawn last, over the page
        lines = re.findall(r"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l S", marks)
        assert len(lines) == 8
        assert page["/Contents"][-1].get_object()["/Filter"] == "/FlateDecode"
        bleed, media = page.bleedbox, page.mediabox
        for x0, y0, x1, y1 in ((float(v) for v in line) for line in lines):
            outside = max(bleed.left - x0, x0 - bleed.right, bleed.bottom - y0, y0 - bleed.top)
            assert outside >= 0.5 * mm - 0.01, (x0, y0)
            assert media.left <= x1 <= media.right and media.bottom <= y1 <= media.top


def test_the_crop_marks_are_stored_once_for_every_page(printed: Path) -> None:
    pages = PdfReader(printed).pages
    assert len(pages) > 1
    assert len({tuple(c.idnum for c in page["/Contents"][::2]) for page in pages}) == 1  # the q and the marks


def test_the_style_sets_only_colours_it_describes() -> None:
    assert undescribed_colours(STYLE) == []
    assert set(house_colours(STYLE).names) >= {"--red", "--ink", "--cream", "--grey"}
    assert house_colours(STYLE).press_value((0x1A, 0x1A, 0x1A)) == (0, 0, 0, 1)  # text black: 100 % K


def test_a_colour_the_style_does_not_describe_is_found(tmp_path: Path) -> None:
    style = tmp_path / "style.css"
    style.write_text(STYLE.read_text() + "\n.new { color: #123456; border: 1pt solid rgb(1, 2, 3); }\n")
    assert undescribed_colours(style) == ["#123456", "rgb(1, 2, 3)"]


BODY_PT = 9.4  # the house style's body text (html { font: 9.4pt ... })


def body_text_pixels(pdf: Path, page: int) -> list[tuple[int, int]]:
    """The pixels, at ``DPI``, inside the boxes of every character set at the body size on ``page``."""
    sheet = pdfium.PdfDocument(pdf)[page - 1]
    left, _, _, top = sheet.get_mediabox()
    chars, scale, pixels = sheet.get_textpage(), DPI / 72, []
    for index in range(chars.count_chars()):
        if abs(pdfium.raw.FPDFText_GetFontSize(chars.raw, index) * 0.75 - BODY_PT) > 0.05:
            continue  # pdfium gives sizes in CSS pixels
        if not chars.get_text_range(index, 1).isalnum():
            continue  # a list's bullets are red by design
        x0, y0, x1, y1 = chars.get_charbox(index)
        for x in range(round((x0 - left) * scale), round((x1 - left) * scale)):
            pixels.extend((x, y) for y in range(round((top - y1) * scale), round((top - y0) * scale)))
    return pixels


@pytest.mark.parametrize("number", [20, 21, 22, 23])
def test_every_shipped_print_edition_sets_its_body_text_on_black_alone(
    shipped: dict, project: Project, tmp_path: Path, number: int
) -> None:
    printed = project.print_path(load_publication(project.issues_root, ROOT), number)
    plates = separate(printed, 2, tmp_path)
    inked = [inks for xy in body_text_pixels(printed, 2) if any(inks := inks_at(plates, *xy))]
    assert len(inked) > 5000, len(inked)  # a page of running text
    assert all(inks[:3] == (0, 0, 0) for inks in inked), Counter(i for i in inked if i[:3] != (0, 0, 0))


@pytest.fixture(scope="module", params=[5, 1], ids=["5mm", "1mm"])
def bled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[float, Path]:
    """The scratch issue's print edition under a copy of the house style whose pages bleed 5 (or 1) mm,
    and that bleed in points."""
    import shutil

    bleed = request.param
    root = make_scratch(tmp_path_factory.mktemp(f"bleed{bleed}"))
    (root / "styles").unlink()  # the shared styles: the copy is this project's own
    shutil.copytree(ROOT / "styles" / "spark", root / "styles" / "spark")
    style = root / "styles" / "spark" / "style.css"
    house = "--bleed: 3mm;"  # the style's one bleed, which its pages and mastheads use
    text = style.read_text()
    assert text.count(house) == 1
    style.write_text(text.replace(house, f"--bleed: {bleed}mm;"))
    project = Project(root=root, out=root / "build")
    (result,) = build_issues(project, [root / "issues" / "001"], force=True)
    assert not result.problems, [str(p) for p in result.problems]
    return bleed * 72 / 25.4, project.print_path(load_publication(project.issues_root, root), 1)


def test_crop_marks_start_beyond_the_bleed_the_style_sets(bled: tuple[float, Path]) -> None:
    """Every crop mark starts 0.5 mm beyond the style's bleed (not the BleedBox's at most 10 pt) and
    runs 5 mm out, on a sheet that holds it: read from the marks stream, in points."""
    bleed, printed = bled
    mm = 72 / 25.4
    for page in PdfReader(printed).pages:
        trim, media = page.trimbox, page.mediabox
        marks = page["/Contents"][-1].get_object().get_data().decode()
        lines = re.findall(r"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l S", marks)
        assert len(lines) == 8
        for x0, y0, x1, y1 in ((float(v) for v in line) for line in lines):
            near = max(trim.left - x0, x0 - trim.right, trim.bottom - y0, y0 - trim.top)
            far = max(trim.left - x1, x1 - trim.right, trim.bottom - y1, y1 - trim.top)
            assert near == pytest.approx(bleed + 0.5 * mm, abs=0.01), (x0, y0)
            assert far - near == pytest.approx(5 * mm, abs=0.02), (x0, y0, x1, y1)
            assert media.left < x1 < media.right and media.bottom < y1 < media.top
        assert float(trim.left) - float(media.left) == pytest.approx(bleed + 7 * mm, abs=0.01)  # 1.5 mm spare
