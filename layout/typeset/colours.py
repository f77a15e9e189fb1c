"""The house style's colours for the press: one description, two editions.

A style's ``:root`` names each colour once, with its sRGB value (the archive edition, the site)
and beside it the CMYK value the press prints (``--red: #b01c22; --red-cmyk: device-cmyk(...)``).
An issue is laid out once, in sRGB, and both editions are written from that layout: the print
edition's finisher puts each house colour's CMYK value where its sRGB value was set (``r g b rg``
becomes ``/device-cmyk cs c m y k sc``, the same for strokes) in every content stream. Laying the
print edition out again with CMYK values would double the cost of an issue (measured in the commit that made
this module: a warm layout of no 21 takes 1.6 s, this rewriting 36 ms).

The CMYK values are set in the output intent's own profile (ICCBased, the one copy of it the
file holds), not as DeviceCMYK: both mean the press's values under PDF/X-4, but Ghostscript
separating with ``-sOutputICCProfile=`` that profile takes DeviceCMYK to be its own default CMYK
(SWOP) and converts 100 % K into C40 M39 Y29 K95, while a colour in the output profile itself it
leaves as it is (with ``-dUsePDFX3Profile`` both are left as they are). The overprint of black
text over a tint holds in both (measured on no 21's back page: K 100 over the cream's inks).

A grey or black that is no house colour (a drawing's labels) is set as the black ink alone that
prints as light (gray to K); any other colour (a drawing's own) and every RGB image as
ICC-based sRGB, so the print edition has no DeviceRGB: the RIP converts it through the output
intent like a photo. Text in 100 % black overprints (``/OP true /op true /OPM 1``), so that it
never knocks a white hairline out of a tint under it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pydyf
import tinycss2
import tinycss2.color3

from ..paths import PRINT_PROFILE

Rgb = tuple[int, int, int]  # 0-255 a channel, as a stylesheet writes it
Cmyk = tuple[float, float, float, float]  # 0-1 an ink

CMYK_SUFFIX = "-cmyk"
SRGB_SPACE = "sRGB"  # the colour space's name in the print edition's resources (typeset.pdf.print_edition)
# WeasyPrint's name, in those resources, for the output intent's profile as an ICCBased colour space
PRESS_SPACE = "device-cmyk"
OVERPRINT, KNOCKOUT = "SparkOverprint", "SparkKnockout"  # ExtGState names: black text overprints or not


@dataclass(frozen=True)
class HouseColours:
    """Each house colour: its name, its sRGB value and the CMYK value the press prints."""

    names: dict[str, Rgb]
    cmyk: dict[Rgb, Cmyk]

    def press_value(self, rgb: Rgb) -> Cmyk | None:
        """The CMYK value of an sRGB colour of the house, None for any other colour."""
        return self.cmyk.get(rgb)

    def screen_rule(self) -> str:
        """The colours' sRGB values as a CSS ``:root`` rule: how the site takes them from the one
        description, so that its stylesheet names none of them again."""
        values = "".join(f"  {name}: #{r:02x}{g:02x}{b:02x};\n" for name, (r, g, b) in self.names.items())
        return f"/* The house colours of style.css (layout/typeset/colours.py) */\n:root {{\n{values}}}\n"


def house_colours(stylesheet: Path) -> HouseColours:
    """The colours the ``:root`` rule of ``stylesheet`` describes (read again when it changes)."""
    return _read_house_colours(stylesheet, stylesheet.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_house_colours(stylesheet: Path, version: int) -> HouseColours:
    declared = dict(_root_declarations(stylesheet.read_text()))
    names, cmyk = {}, {}
    for name, value in declared.items():
        if name.endswith(CMYK_SUFFIX):
            continue
        press = declared.get(name + CMYK_SUFFIX)
        rgb = _rgb(value)
        if press is None or rgb is None:
            raise ValueError(f"{stylesheet}: :root: {name} needs an sRGB value and {name}{CMYK_SUFFIX}")
        names[name], cmyk[rgb] = rgb, _device_cmyk(press, f"{stylesheet}: {name}{CMYK_SUFFIX}")
    return HouseColours(names, cmyk)


def _root_declarations(css: str) -> Iterator[tuple[str, list]]:
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True):
                if declaration.type == "declaration":
                    yield declaration.name, [t for t in declaration.value if t.type != "whitespace"]


def _rgb(tokens: list) -> Rgb | None:
    colour = tinycss2.color3.parse_color(tokens[0]) if len(tokens) == 1 else None
    if not isinstance(colour, tinycss2.color3.RGBA) or colour.alpha != 1:
        return None
    return (round(colour.red * 255), round(colour.green * 255), round(colour.blue * 255))


def _device_cmyk(tokens: list, where: str) -> Cmyk:
    function = tokens[0] if len(tokens) == 1 else None
    if function is None or function.type != "function" or function.lower_name != "device-cmyk":
        raise ValueError(f"{where}: write it as device-cmyk(c m y k), each ink from 0 to 1")
    inks = [t.value for t in function.arguments if t.type == "number"]
    if len(inks) != 4 or not all(0 <= ink <= 1 for ink in inks):
        raise ValueError(f"{where}: write it as device-cmyk(c m y k), each ink from 0 to 1")
    return (inks[0], inks[1], inks[2], inks[3])


def undescribed_colours(stylesheet: Path) -> list[str]:
    """The colours ``stylesheet`` sets outside ``:root`` that are no house colour (alpha aside):
    the print edition would carry them as sRGB, not as the CMYK chosen for the press."""
    colours = house_colours(stylesheet)
    found = []
    for rule in tinycss2.parse_stylesheet(stylesheet.read_text(), skip_comments=True):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            continue
        for token in _tokens(getattr(rule, "content", None) or []):
            colour = tinycss2.color3.parse_color(token)
            if isinstance(colour, tinycss2.color3.RGBA):
                rgb = (round(colour.red * 255), round(colour.green * 255), round(colour.blue * 255))
                if colours.press_value(rgb) is None:
                    found.append(token.serialize())
    return found


def _tokens(tokens: list) -> Iterator:
    for token in tokens:
        function = token.type == "function" and token.lower_name in ("rgb", "rgba", "hsl", "hsla")
        named = token.type == "ident" and token.lower_value not in ("currentcolor", "transparent", "inherit")
        if function or token.type == "hash" or (named and tinycss2.color3.parse_color(token)):
            yield token
        for nested in ("content", "arguments"):
            yield from _tokens(getattr(token, nested, None) or [])


# --- the print edition's content streams ----------------------------------------------------

_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_CONTENT = re.compile(
    rb"(?P<string>\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)"  # text strings: passed over as they are
    rb"|(?<![^\s\[\]])(?:(?P<rgb>(?:" + _NUMBER + rb"\s+){3})(?P<op>rg|RG)|(?P<word>BT|ET|q|Q))"
    rb"(?![^\s\[\]()<>/%])",
    re.S,
)


class _ContentRewriter:
    """Rewrites one content stream: house colours to CMYK, other RGB to ICC-based sRGB, and the
    overprint switched on inside text objects while the fill is 100 % black.

    q/Q cannot stand inside a text object, and the overprint is switched off at each ET, so only
    whether the fill is black needs saving with the graphics state.
    """

    def __init__(self, colours: HouseColours) -> None:
        self.colours = colours
        self.black_fill, self.saved = False, []
        self.in_text = self.overprinting = False

    def __call__(self, match: re.Match[bytes]) -> bytes:
        if match["string"] is not None:
            return match[0]
        if match["word"] is not None:
            return self._word(match["word"])
        values = [float(value) for value in match["rgb"].split()]
        return self._colour(values, stroke=match["op"] == b"RG")

    def _word(self, word: bytes) -> bytes:
        if word == b"q":
            self.saved.append(self.black_fill)
        elif word == b"Q":
            self.black_fill = self.saved.pop() if self.saved else False
        elif word == b"BT":
            self.in_text = True
            return word + self._overprint()
        elif word == b"ET":
            self.in_text = False
            return word + self._overprint()
        return word

    def _colour(self, values: list[float], stroke: bool) -> bytes:
        rgb = tuple(round(value * 255) for value in values)
        exact = all(abs(value * 255 - channel) < 0.01 for value, channel in zip(values, rgb, strict=True))
        cmyk = self.colours.press_value(rgb) if exact else None  # type: ignore[arg-type]
        if cmyk is None and values[0] == values[1] == values[2]:
            cmyk = (0, 0, 0, grey_as_black(values[0]))  # a drawing's grey or black: K alone
        space, operands = (SRGB_SPACE, values) if cmyk is None else (PRESS_SPACE, cmyk)
        written = b"/%s %s %s %s" % (
            space.encode(),
            b"CS" if stroke else b"cs",
            b" ".join(pydyf._to_bytes(float(value)) for value in operands),
            b"SC" if stroke else b"sc",
        )
        if not stroke:
            self.black_fill = cmyk == (0, 0, 0, 1)
            written += self._overprint()
        return written

    def _overprint(self) -> bytes:
        wanted = self.in_text and self.black_fill
        if wanted == self.overprinting:
            return b""
        self.overprinting = wanted
        return b" /%s gs" % (OVERPRINT if wanted else KNOCKOUT).encode()


def grey_as_black(level: float) -> float:
    """The black ink (0-1, whole percents) that prints as light as the sRGB grey ``level`` (0-1)
    through the output intent: gray to K, so that a drawing's black and grey text is on one plate."""
    return _grey_ramp()[round(level * 255)]


@functools.lru_cache(maxsize=1)
def _grey_ramp() -> list[float]:
    from PIL import Image, ImageCms  # only when a drawing has a grey: Pillow's colour engine

    lab = ImageCms.createProfile("LAB", 6500)
    to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB")
    inks = ImageCms.buildTransform(ImageCms.getOpenProfile(str(PRINT_PROFILE)), lab, "CMYK", "LAB")
    grey_row = bytes(v for v in range(256) for _ in "rgb")
    black_row = bytes(ink for k in range(101) for ink in (0, 0, 0, round(k * 2.55)))
    greys = ImageCms.applyTransform(Image.frombytes("RGB", (256, 1), grey_row), to_lab)
    blacks = ImageCms.applyTransform(Image.frombytes("CMYK", (101, 1), black_row), inks)
    ramp = [blacks.getpixel((k, 0))[0] for k in range(101)]  # L* of K alone, 0 to 100 %
    return [min(range(101), key=lambda k: abs(ramp[k] - greys.getpixel((v, 0))[0])) / 100 for v in range(256)]


def press_content(content: bytes, colours: HouseColours) -> bytes:
    """A content stream with the house colours in CMYK, other RGB colours as ICC-based sRGB and
    black text overprinting (the resources must name ``SRGB_SPACE``, ``OVERPRINT``, ``KNOCKOUT``)."""
    return _CONTENT.sub(_ContentRewriter(colours), content)


def overprint_states() -> dict[str, pydyf.Dictionary]:
    """The two graphics states the rewritten content streams switch between."""
    return {
        OVERPRINT: pydyf.Dictionary({"Type": "/ExtGState", "OP": "true", "op": "true", "OPM": 1}),
        KNOCKOUT: pydyf.Dictionary({"Type": "/ExtGState", "OP": "false", "op": "false"}),
    }


def for_press(pdf: pydyf.PDF, pages: list[pydyf.Dictionary], colours: HouseColours, srgb: bytes) -> None:
    """Every content stream of ``pdf`` (its ``pages``' and its forms') rewritten by ``press_content``;
    every DeviceRGB colour space (images, shadings, groups) made the ICC-based sRGB of the stream
    ``srgb`` refers to; no image interpolated (the press prints the pixels as they are)."""
    states = {}
    for name, state in overprint_states().items():
        pdf.add_object(state)
        states[name] = state.reference
    resolve = functools.partial(_resolve, pdf)
    contents = {resolve_number(page["Contents"]): page["Resources"] for page in pages}
    for number, item in enumerate(pdf.objects):
        if isinstance(item, pydyf.Stream) and "Resources" in item.extra:
            contents[number] = item.extra["Resources"]
    for number, resources in contents.items():
        stream = pdf.objects[number]
        content = b"\n".join(pydyf._to_bytes(part) for part in stream.stream)
        stream.stream = [press_content(content, colours)]
        resources = resolve(resources)
        graphics = resolve(resources.setdefault("ExtGState", pydyf.Dictionary()))
        graphics.update(states)
    icc = pydyf.Array(("/ICCBased", srgb))
    _walk(pdf, lambda value: icc if value == "/DeviceRGB" else value)


def resolve_number(reference: bytes | str) -> int:
    """The object number of an indirect reference as pydyf writes it (``b"12 0 R"``)."""
    return int(reference.split()[0])


_REFERENCE = re.compile(rb"\d+ \d+ R")


def _resolve(pdf: pydyf.PDF, value: object) -> object:
    """The object a reference refers to; any other value as it is."""
    written = value.encode() if isinstance(value, str) else value
    if isinstance(written, bytes) and _REFERENCE.fullmatch(written):
        return pdf.objects[resolve_number(written)]
    return value


def _walk(pdf: pydyf.PDF, replace: Callable[[object], object]) -> None:
    """Every value of every dictionary and array of ``pdf`` put through ``replace``; images'
    Interpolate entries taken out."""
    pending: list[object] = list(pdf.objects)
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, pydyf.Stream):
            pending.append(item.extra)
        elif isinstance(item, dict):
            item.pop("Interpolate", None)
            for key, value in item.items():
                item[key] = replace(value)
                pending.append(item[key])
        elif isinstance(item, list):
            for index, value in enumerate(item):
                item[index] = replace(value)
                pending.append(item[index])
