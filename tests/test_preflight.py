"""The print shop's preflight (layout/checks/preflight.py) read from objects: each check on a small PDF
made to trip it, and on one like it that passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from layout.checks.preflight import check_annotations, check_colours, check_objects, check_pdfx, check_press

from .test_bad_input import run_layout

MM = 72 / 25.4
K_TEXT = b"0 0 0 1 k BT /F1 9 Tf 20 20 Td (Black on K alone) Tj ET\n"
RED_BOX = b"0 0.9 0.8 0.1 k 10 10 50 20 re f\n"


def _stream(writer: PdfWriter, data: bytes, **entries: object) -> object:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _font(writer: PdfWriter, name: str, program: bytes) -> object:
    """A TrueType font dictionary with an embedded (made-up) program under a subset name."""
    descriptor = DictionaryObject(
        {
            _name("/Type"): _name("/FontDescriptor"),
            _name("/FontName"): _name(name),
            _name("/FontFile2"): _stream(writer, program),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Font"),
                _name("/Subtype"): _name("/TrueType"),
                _name("/BaseFont"): _name(name),
                _name("/FontDescriptor"): writer._add_object(descriptor),
            }
        )
    )


def _image(writer: PdfWriter, space: str, interpolate: bool = False) -> object:
    return _stream(
        writer,
        b"\x80" * (3 if space == "/DeviceRGB" else 1),
        Type=_name("/XObject"),
        Subtype=_name("/Image"),
        Width=NumberObject(1),
        Height=NumberObject(1),
        BitsPerComponent=NumberObject(8),
        ColorSpace=_name(space),
        Interpolate=FloatObject(1) if interpolate else FloatObject(0),
    )


def make_pdf(path: Path, content: bytes = b"", tripped: bool = False) -> Path:
    """An A4 page with a 3 mm bleed, PDF/X-4 keys and an output intent, K-only text and a red box;
    ``content`` is drawn too, and ``tripped`` adds what every object check must find."""
    writer = PdfWriter()
    page = writer.add_blank_page(595.28, 841.89)
    bleed = 3 * MM
    page[_name("/TrimBox")] = ArrayObject([FloatObject(v) for v in (0, 0, 595.28, 841.89)])
    page[_name("/BleedBox")] = ArrayObject(
        [FloatObject(v) for v in (-bleed, -bleed, 595.28 + bleed, 841.89 + bleed)]
    )
    fonts = {_name("/F1"): _font(writer, "/AAAAAA+Charis-SIL", b"program one")}
    images = {_name("/Im1"): _image(writer, "/DeviceGray")}
    forms = {}
    if tripped:
        fonts[_name("/F2")] = _font(writer, "/AAAAAA+Charis-SIL", b"program two")  # one name, two subsets
        images[_name("/Im2")] = _image(writer, "/DeviceRGB", interpolate=True)
        images[_name("/Im3")] = _image(writer, "/DeviceGray")  # the same as /Im1
        form_resources = DictionaryObject({_name("/Font"): DictionaryObject(fonts)})
        forms[_name("/Fm1")] = _stream(  # text in a form, in the colour it is drawn with
            writer,
            b"BT /F1 9 Tf (In a form) Tj ET",
            Type=_name("/XObject"),
            Subtype=_name("/Form"),
            BBox=ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            Resources=form_resources,
        )
        link = DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/Link"),
                _name("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 150, 70)]),
            }
        )
        marks = DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/PrinterMark"),
                _name("/Rect"): ArrayObject([FloatObject(v) for v in (50, 90, 150, 110)]),
            }
        )
        page[_name("/Annots")] = ArrayObject([writer._add_object(link), writer._add_object(marks)])
        content += (
            b"q 0.1 0.1 0.1 rg BT /F1 9 Tf 20 40 Td (Dark grey RGB) Tj ET Q\n"
            b"0.5 0.4 0.4 1 k BT /F1 9 Tf 20 60 Td (Rich black) Tj ET\n"
            b"q 0 0 0 rg /Fm1 Do Q\n"
            b"q 10 0 0 10 200 200 cm /Im2 Do Q q 10 0 0 10 220 200 cm /Im3 Do Q\n"
        )
    page[_name("/Resources")] = DictionaryObject(
        {
            _name("/Font"): DictionaryObject(fonts),
            _name("/XObject"): DictionaryObject({**images, **forms}),
        }
    )
    drawn = K_TEXT + RED_BOX + b"q 10 0 0 10 100 100 cm /Im1 Do Q\n" + content
    page[_name("/Contents")] = _stream(writer, drawn)
    writer._root_object[_name("/OutputIntents")] = ArrayObject(
        [
            DictionaryObject(
                {
                    _name("/Type"): _name("/OutputIntent"),
                    _name("/S"): _name("/GTS_PDFX"),
                    _name("/OutputConditionIdentifier"): TextStringObject("FOGRA39"),
                    _name("/DestOutputProfile"): _stream(writer, b"made-up profile", N=NumberObject(4)),
                }
            )
        ]
    )
    if not tripped:
        writer.add_metadata({"/GTS_PDFXVersion": "PDF/X-4"})
        writer._root_object[_name("/Metadata")] = _stream(
            writer, b"<x:xmpmeta><pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion></x:xmpmeta>"
        )
        writer._ID = ArrayObject([ByteStringObject(b"0" * 16), ByteStringObject(b"0" * 16)])
    else:
        writer.add_metadata({"/GTS_PDFXConformance": "PDF/X-4p"})
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def test_a_clean_pdf_passes(tmp_path: Path) -> None:
    assert check_press(make_pdf(tmp_path / "clean.pdf")) == []


@pytest.fixture
def tripped(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "tripped.pdf", tripped=True)


def test_device_rgb_is_found_in_operators_images_and_forms(tripped: Path) -> None:
    (found,) = [finding for finding in check_colours(tripped) if finding.check == "colour"]
    assert found.page == 1
    assert "DeviceRGB" in found.message
    assert "1 image, 2 rg operators" in found.message
    assert "the page (object " in found.message and "image /Im2 (object " in found.message


def test_rich_black_text_is_found_in_cmyk_rgb_and_forms(tripped: Path) -> None:
    blacks = sorted(f.message for f in check_colours(tripped) if f.check == "rich black")
    assert len(blacks) == 3, blacks
    assert blacks[0].startswith("1 run of text in rich black (C50 M40 Y40 K100) in the page (object ")
    assert "(RGB black 0.00 0.00 0.00) in form /Fm1 (object " in blacks[1]  # the colour it is drawn with
    assert "(RGB black 0.10 0.10 0.10) in the page" in blacks[2]


def test_k_only_text_and_gray_images_pass(tmp_path: Path) -> None:
    # the clean page: K-only text, a red box, a gray image; grey text as K alone is no rich black
    pdf = make_pdf(tmp_path / "grey.pdf", b"0 0 0 0.65 k BT /F1 9 Tf 20 80 Td (Grey) Tj ET\n")
    assert check_colours(pdf) == []


def test_interpolated_images_are_found(tripped: Path) -> None:
    (found,) = [finding for finding in check_colours(tripped) if finding.check == "image"]
    assert found.page == 1 and "image /Im2" in found.message and "/Interpolate true" in found.message


def test_annotations_inside_the_bleed_are_found_but_printer_marks_are_not(tripped: Path) -> None:
    (found,) = check_annotations(tripped)
    assert found.page == 1
    assert found.message.startswith("1 annotation (Link; objects ")
    assert "inside the bleed box" in found.message


def test_missing_and_wrong_pdfx_keys_are_found(tripped: Path) -> None:
    messages = [finding.message for finding in check_pdfx(tripped)]
    assert messages == [
        "the Info dictionary's GTS_PDFXVersion is missing, not PDF/X-4",
        "GTS_PDFXConformance is 'PDF/X-4p', a value no version of PDF/X defines",
        "the XMP metadata does not give pdfxid:GTS_PDFXVersion",
        "the trailer has no /ID",
    ]


def test_repeated_resources_and_reused_subset_names_are_found(tripped: Path) -> None:
    findings = sorted(check_objects(tripped), key=lambda finding: finding.check)
    assert [finding.check for finding in findings] == ["repeated", "subset"]
    repeated, subset = findings
    assert repeated.page == 1 and repeated.message.startswith("the same image (0.0 KB) is stored 2 times")
    assert subset.message.startswith(
        "the font subset name AAAAAA+Charis-SIL is given to 2 different subsets (font descriptors "
    )


def test_a_built_issue_passes_the_press_checks(scratch: Path) -> None:
    # the print edition's colours are CMYK, its text on K alone, without links; neither edition
    # repeats a resource or reuses a subset name: `layout check --pdf` ends clean
    assert run_layout(scratch, "build", "issues/001").returncode == 0
    result = run_layout(scratch, "check", "--pdf", "issues/001")
    assert result.returncode == 0, result.stdout
    assert "No 1: OK (1 article, 14 words)" in result.stdout


def test_text_inside_a_photocopiers_unprinted_5_mm_is_found(tmp_path: Path) -> None:
    from weasyprint import HTML

    from layout.checks.preflight import check_safe_margin

    pages = "".join(
        f'<p style="position: absolute; left: {left}mm; top: 80mm; break-after: page">Margin</p>'
        for left in (4, 6)
    )
    source = tmp_path / "margins.pdf"
    HTML(string=f"<style>@page {{ size: A5; margin: 0 }} p {{ margin: 0 }}</style>{pages}").write_pdf(source)
    found = check_safe_margin(source)
    assert [(finding.page, finding.check) for finding in found] == [(1, "margin")], found
    assert re.fullmatch(
        r"text 'Margin' is 4\.\d mm from the left trim edge \(photocopiers do not print the outer 5 mm\)",
        found[0].message,
    ), found[0].message
