"""What a reader of the printed page would check, read from real PDFs (pypdfium2 and pypdf).

Each check returns a list of findings, one sentence each naming the page and the text, so that a
test asserts ``== []`` and a failure says what is wrong where. The checks know the house style
only by the page margins and the column gap, read from ``styles/spark/style.css``:

- ``contents_findings``: every contents entry's page number is the page where the article's title
  is set (in title type, not a running head);
- ``missing_words``: every word of every article (title, byline, standfirst, body, footnotes,
  captions) is in the PDF's text, in order;
- ``off_page_findings``: every character inside the trim and the page's content area (the margins
  hold one line each: the running head above, the folio below), every image inside the area;
- ``across_column_findings``: nothing set in the gap between two columns, where a column rule is;
- ``notdef_findings``: no character printed with a font's .notdef glyph (the empty box);
- ``running_head_findings``: each page's running head names the article its first line belongs to;
- ``overlap_findings``: no text printed over other text;
- ``stranded_title_findings``: a title is followed on its page by a few lines of its text;
- ``separated_caption_findings``: a table's caption is in the column where its table ends (right
  under it when both are across the columns).

A PDF is read once while it is unchanged: ``read_pdf`` (pdfium's characters and boxes) and
``page_texts`` (pypdf's text of each page, also a ``Reader``'s ``texts``) keep what they read by
the file's path, size and modification time, since the tests read the same shipped pages many times.
"""

from __future__ import annotations

import ctypes
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from layout.model.manifest import Article, Issue
from layout.typeset.render import count

ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
SLACK = 0.5  # points a glyph's advance may pass an edge by (rounding in WeasyPrint and pdfium)
CSS_PX = 0.75  # WeasyPrint draws in CSS pixels: pdfium's font sizes are 4/3 of the size in points
TITLE_PT = 15.0  # article titles are 19 pt; pull quotes, standfirsts and subheads are smaller
MARGIN_BOX_PT = 7.6  # running heads and folios are 7.5 pt
COLUMN_RULE_RGB = (0xC9, 0xC2, 0xB6)
CONTENTS_RGB = (0xF5, 0xEF, 0xE3)  # the cream box of the contents on page 1
# How far pdfium's reading of a colour may be from the style's sRGB value: the print edition sets the
# same colours in CMYK (the rule on black alone), which pdfium reads back as (199, 199, 199) and the
# cream as (243, 239, 228).
COLOUR_SLACK = 20


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page in points, origin at the bottom left of the media box."""

    x0: float
    y0: float
    x1: float
    y1: float

    def mm(self, trim: Box) -> str:
        """Where the box is, in millimetres from the trim's left and top edges."""
        left, right, down = (self.x0 - trim.x0) / MM, (self.x1 - trim.x0) / MM, (trim.y1 - self.y1) / MM
        return f"x {left:.1f}-{right:.1f} mm, y {down:.1f} mm"

    def contains(self, x: float, y: float) -> bool:
        """Whether the point is inside the box."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


@dataclass(frozen=True, slots=True)
class Char:
    """One character: its box (pdfium's loose box across, the ink up and down) and its origin."""

    text: str
    box: Box
    origin: float  # where the glyph's advance starts: its ink may overhang (an italic f)
    baseline: float
    size: float  # points
    font: str
    generated: bool  # a space or line end pdfium inferred, not drawn


@dataclass(slots=True)
class Page:
    """One page: its trim, its characters in drawing order, column rules, shaded boxes, images."""

    number: int
    trim: Box
    chars: list[Char] = field(default_factory=list)
    rules: list[Box] = field(default_factory=list)
    shaded: list[Box] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)

    def text(self, chars: list[Char] | None = None) -> str:
        """The page's text (or that of some of its characters), line ends as spaces."""
        text = "".join(" " if c.text in "\r\n" else c.text for c in (self.chars if chars is None else chars))
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")  # pdfium gives halves


@dataclass(frozen=True, slots=True)
class Style:
    """What the checks need of the house style: the page margins and the gap between columns."""

    top: float
    right: float
    bottom: float
    left: float
    column_gap: float

    def area(self, page: Page) -> Box:
        """The page's content area: the trim less the margins."""
        t = page.trim
        return Box(t.x0 + self.left, t.y0 + self.bottom, t.x1 - self.right, t.y1 - self.top)


def house_style(css: Path = ROOT / "styles" / "spark" / "style.css") -> Style:
    """Margins of the first ``@page`` rule and the articles' column gap, in points (a ``var()`` read
    from the custom properties the style declares; the margin as CSS's one to four values)."""
    text = css.read_text()
    declared = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", text))
    text = re.sub(r"var\((--[\w-]+)\)", lambda m: declared.get(m[1], m[0]), text)
    margins = re.search(r"@page\s*\{[^}]*?margin:\s*((?:[\d.]+mm\s*){1,4});", text)
    gap = re.search(r"\.article\.columns-2[^{,]*\{[^}]*column-gap:\s*([\d.]+)mm", text)
    assert margins and gap, (
        f"{css}: the page margins or the column gap are no longer where pdfcheck reads them"
    )
    values = [float(v) * MM for v in re.findall(r"[\d.]+", margins[1])]
    top, right, bottom, left = _sides(values)
    return Style(top, right, bottom, left, float(gap.group(1)) * MM)


def _sides(values: list[float]) -> tuple[float, float, float, float]:
    """Top, right, bottom and left from CSS's one to four values of a margin."""
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    return top, right, bottom, values[3] if len(values) > 3 else right


def _colour(obj: pdfium.PdfObject) -> tuple[int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    raw.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a)
    return r.value, g.value, b.value


def _near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= COLOUR_SLACK for a, b in zip(colour, target, strict=True))


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, 128, None)
    return buffer.value.decode("latin-1")


def _file_key(path: Path) -> tuple[str, int, int]:
    """What tells a file's version apart: its path, its modification time and its size."""
    status = path.stat()
    return str(path.resolve()), status.st_mtime_ns, status.st_size


_READ: dict[tuple[str, int, int], list[Page]] = {}
_TEXTS: dict[tuple[str, int, int], tuple[str, ...]] = {}


def read_pdf(path: Path) -> list[Page]:
    """Every page of the PDF with its characters, column rules, shaded boxes and images (read once
    while the file is unchanged: the pages are shared, a caller changes copies of them)."""
    key = _file_key(Path(path))
    if key not in _READ:
        _READ[key] = _read_pages(path)
    return list(_READ[key])


def page_texts(path: Path) -> tuple[str, ...]:
    """pypdf's text of each page (``page.extract_text()``), extracted once while the file is unchanged:
    some 0.1 s a page, and a volume's contents test reads its 35 pages some 300 times."""
    key = _file_key(Path(path))
    if key not in _TEXTS:
        _TEXTS[key] = tuple(page.extract_text() for page in PdfReader(path).pages)
    return _TEXTS[key]


class Reader(PdfReader):
    """pypdf's reader of a PDF file that knows the file, and so its pages' text (``page_texts``)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self.path = Path(path)

    @property
    def texts(self) -> tuple[str, ...]:
        """The text of each page, as ``self.pages[n].extract_text()`` gives it."""
        return page_texts(self.path)


def _read_pages(path: Path) -> list[Page]:
    pdf = pdfium.PdfDocument(path)
    pages = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for index in range(len(pdf)):
        pdf_page = pdf[index]
        page = Page(index + 1, Box(*pdf_page.get_trimbox()))
        textpage = pdf_page.get_textpage()
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            left, _, right, _ = textpage.get_charbox(i, loose=True)
            _, bottom, _, top = textpage.get_charbox(i)
            raw.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            page.chars.append(
                Char(
                    chr(code) if code else "",
                    Box(left, bottom, right, top),
                    x.value,
                    y.value,
                    raw.FPDFText_GetFontSize(textpage.raw, i) * CSS_PX,
                    _font_name(textpage, i),
                    bool(raw.FPDFText_IsGenerated(textpage.raw, i)),
                )
            )
        for obj in pdf_page.get_objects(max_depth=8):
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                page.images.append(Box(*_placed_bounds(obj)))
            elif obj.type == raw.FPDF_PAGEOBJ_PATH:
                box = Box(*_placed_bounds(obj))
                width, height = box.x1 - box.x0, box.y1 - box.y0
                if width < 1 and height > 5 and _near(_colour(obj), COLUMN_RULE_RGB):
                    page.rules.append(box)
                elif _near(_colour(obj), CONTENTS_RGB) and width > 20 * MM and height > 10 * MM:
                    page.shaded.append(box)
        pages.append(page)
    return pages


def _placed_bounds(obj: pdfium.PdfObject) -> tuple[float, float, float, float]:
    """An object's bounds on the page, also for an object inside a form (an SVG drawing)."""
    to_page = pdfium.PdfMatrix()
    form = obj.container
    while form is not None:
        to_page = to_page.multiply(form.get_matrix())
        form = form.container
    return to_page.on_rect(*obj.get_bounds())


def _ink(char: Char) -> bool:
    return not char.generated and bool(char.text.strip()) and char.box.x1 > char.box.x0


def _overhang(char: Char) -> float:
    """How far a glyph's ink may pass the end of its line: a tenth and a half of its size."""
    return max(SLACK, 0.15 * char.size)


def _past(char: Char, left: float, right: float) -> str | None:
    """Which edge of the span from ``left`` to ``right`` the character passes, if any."""
    if char.origin < left - SLACK:
        return "left"
    if char.box.x1 > right + _overhang(char):
        return "right"
    return None


# --- where things are on the page -------------------------------------------------------------------


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into lines by the overlap of their boxes' heights."""
    lines: list[list[Char]] = []
    for char in chars:
        if lines and char.box.y0 < lines[-1][0].box.y1 and char.box.y1 > lines[-1][0].box.y0:
            lines[-1].append(char)
        else:
            lines.append([char])
    return lines


def off_page_findings(pages: list[Page], style: Style, front_page_bleeds: bool = True) -> list[str]:
    """Characters and images outside the content area, except one line of running head and of folio.

    The front page's masthead is set into the top margin and out to the bleed by design.
    """
    findings = []
    for page in pages:
        area = style.area(page)
        above: list[Char] = []
        below: list[Char] = []
        for char in filter(_ink, page.chars):
            box = char.box
            if page.number == 1 and front_page_bleeds and box.y0 > area.y1 - 60 * MM:
                continue
            outside_trim = box.x0 < page.trim.x0 or box.x1 > page.trim.x1 or box.y0 < page.trim.y0
            if outside_trim or box.y1 > page.trim.y1:
                findings.append(f"page {page.number}: {char.text!r} beyond the trim ({box.mm(page.trim)})")
            elif side := _past(char, area.x0, area.x1):
                findings.append(
                    f"page {page.number}: {char.text!r} in the {side} margin ({box.mm(page.trim)}),"
                    f" in {_context(page, char)!r}"
                )
            elif box.y0 > area.y1:
                above.append(char)
            elif box.y1 < area.y0:
                below.append(char)
        for name, band in (("top margin (running head)", above), ("bottom margin (folio)", below)):
            lines = _lines(band)
            if len(lines) > 1 or any(c.size > MARGIN_BOX_PT for c in band):
                text = " / ".join(_span(page, line[0], line[-1]) for line in lines)
                findings.append(
                    f"page {page.number}: the {name} holds more than one 7.5 pt line: {text[:240]!r}"
                )
        for image in page.images:
            if image.x0 < area.x0 - SLACK or image.x1 > area.x1 + SLACK or image.y0 < area.y0 - SLACK:
                findings.append(
                    f"page {page.number}: an image beyond the content area ({image.mm(page.trim)})"
                )
    return _grouped(findings)


def across_column_findings(pages: list[Page], style: Style) -> list[str]:
    """Characters and images in the gap between two columns (where a column rule is drawn)."""
    findings = []
    for page in pages:
        for rule in page.rules:
            middle = (rule.x0 + rule.x1) / 2
            gap = Box(middle - style.column_gap / 2, rule.y0, middle + style.column_gap / 2, rule.y1)
            for char in filter(_ink, page.chars):
                box = char.box
                within = box.y1 > gap.y0 + SLACK and box.y0 < gap.y1 - SLACK
                if within and box.x1 > gap.x0 + _overhang(char) and char.origin < gap.x1 - SLACK:
                    findings.append(
                        f"page {page.number}: {char.text!r} set across the column gap ({box.mm(page.trim)}),"
                        f" in {_context(page, char)!r}"
                    )
            for image in page.images:
                across = image.x1 > gap.x0 + SLACK and image.x0 < gap.x1 - SLACK
                if across and image.y1 > gap.y0 + SLACK and image.y0 < gap.y1 - SLACK:
                    findings.append(
                        f"page {page.number}: an image across the column gap ({image.mm(page.trim)})"
                    )
    return _grouped(findings)


def _span(page: Page, first: Char, last: Char) -> str:
    """The text from one character to another, with the spaces between words."""
    return " ".join(page.text(page.chars[page.chars.index(first) : page.chars.index(last) + 1]).split())


def overlap_findings(pages: list[Page], cell: float = 2 * MM) -> list[str]:
    """Lines of text printed over each other: glyphs of two baselines whose ink boxes overlap by a
    third or more of the smaller (a table drawn over the footnotes, a title over its next line)."""
    findings = []
    for page in pages:
        grid: dict[tuple[int, int], list[Char]] = {}
        for char in filter(_ink, page.chars):
            box = char.box
            for gx in range(int(box.x0 // cell), int(box.x1 // cell) + 1):
                for gy in range(int(box.y0 // cell), int(box.y1 // cell) + 1):
                    grid.setdefault((gx, gy), []).append(char)
        clashes: dict[int, tuple[Char, Char]] = {}
        for chars in grid.values():
            for i, one in enumerate(chars):
                for other in chars[i + 1 :]:
                    if abs(one.baseline - other.baseline) > 0.5 and _overlap(one.box, other.box) > 1 / 3:
                        clashes.setdefault(id(one), (one, other))
        for one, other in list(clashes.values())[:1]:
            findings.append(
                f"page {page.number}: text printed over other text ({one.box.mm(page.trim)}):"
                f" {_context(page, one)!r} over {_context(page, other)!r}"
                + (f" (and {len(clashes) - 1} more glyphs)" if len(clashes) > 1 else "")
            )
    return findings


def _overlap(one: Box, other: Box) -> float:
    """The area two boxes share, as a part of the smaller one's."""
    width = min(one.x1, other.x1) - max(one.x0, other.x0)
    height = min(one.y1, other.y1) - max(one.y0, other.y0)
    smaller = min((one.x1 - one.x0) * (one.y1 - one.y0), (other.x1 - other.x0) * (other.y1 - other.y0))
    return width * height / smaller if width > 0 and height > 0 and smaller > 0 else 0.0


def _context(page: Page, char: Char) -> str:
    """The line of text around a character, to find it in the source."""
    index = page.chars.index(char)
    start = max(0, index - 40)
    return " ".join(page.text(page.chars[start : index + 10]).split())


def _grouped(findings: list[str]) -> list[str]:
    """One finding per page and kind, with a count: an overflowing line gives one, not forty."""
    grouped: dict[str, list[str]] = {}
    for finding in findings:
        key = re.sub(r"'.*?' (?=beyond|in the|set across)", "", finding.split(" (")[0])
        grouped.setdefault(key, []).append(finding)
    return [
        items[0] if len(items) == 1 else f"{items[0]} (and {len(items) - 1} more like it)"
        for items in grouped.values()
    ]


# --- glyphs -----------------------------------------------------------------------------------------


def _cmap_pairs(data: bytes) -> dict[int, str]:
    """The single-code mappings of a CMap stream: code -> destination (hex text or a CID)."""
    pairs: dict[int, str] = {}
    for block in re.findall(rb"begin(?:bf|cid)char(.*?)end(?:bf|cid)char", data, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\d+)", block):
            pairs[int(code, 16)] = target.decode()
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                pairs[code] = f"<{start + offset:04x}>"
    return pairs


def _unicode(target: str) -> str:
    hexes = target.strip("<>")
    return bytes.fromhex(hexes).decode("utf-16-be", "replace") if hexes else ""


def _fonts(resources: object, seen: set[int]) -> list:
    """Every font of a resource dictionary and of the forms in it."""
    found = []
    resources = resources.get_object() if isinstance(resources, IndirectObject) else resources
    for font in (resources or {}).get("/Font", {}).values():
        if font.idnum not in seen:
            seen.add(font.idnum)
            found.append(font.get_object())
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.idnum not in seen:
            seen.add(xobject.idnum)
            found += _fonts(xobject.get_object().get("/Resources"), seen)
    return found


def notdef_characters(path: Path) -> dict[str, str]:
    """Characters drawn with a .notdef glyph (glyph 0, the empty box): character -> font name.

    A character no font has is drawn by WeasyPrint with a code that its font's encoding maps to
    CID 0 (and CIDs are glyph ids: CIDToGIDMap /Identity); with /Identity-H, code 0 is glyph 0.
    """
    reader = PdfReader(path)
    seen: set[int] = set()
    missing: dict[str, str] = {}
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            name = str(font.get("/BaseFont", "?")).split("+")[-1]
            to_unicode = _cmap_pairs(font["/ToUnicode"].get_data()) if "/ToUnicode" in font else {}
            encoding = font.get("/Encoding")
            encoding = encoding.get_object() if encoding is not None else None
            if isinstance(encoding, StreamObject):
                codes = [code for code, cid in _cmap_pairs(encoding.get_data()).items() if cid == "0"]
            elif encoding == "/Identity-H":
                codes = [0] if 0 in to_unicode else []
            else:
                codes = []
            for code in codes:
                missing[_unicode(to_unicode.get(code, "")) or f"code {code}"] = name
    return missing


def notdef_findings(path: Path, pages: list[Page]) -> list[str]:
    """Each character printed as an empty box, with the pages it is on."""
    findings = []
    for text, font in notdef_characters(path).items():
        where = [page.number for page in pages if text in page.text()]
        points = " ".join(f"U+{ord(c):04X}" for c in text)
        findings.append(
            f"pages {where}: {text!r} ({points}) has no glyph in {font}: it prints as an empty box"
        )
    return findings


# --- the issue's own text ------------------------------------------------------------------------------


def normal(text: str) -> str:
    """Letters, marks and digits only, composed and case-folded: what must survive typesetting.

    Quotes, dashes, spaces, hyphens and the footnote calls' punctuation are the typesetter's to
    change; letters are not.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LMN")


FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]]+)\]:[ \t]*", re.M)


def split_footnotes(body: str) -> tuple[str, dict[str, str]]:
    """The body without its footnote definitions, and the definitions by label."""
    notes: dict[str, str] = {}
    kept: list[str] = []
    label = None
    for line in body.splitlines():
        match = FOOTNOTE_DEFINITION.match(line)
        if match:
            label = match.group(1)
            notes[label] = line[match.end() :]
        elif label is not None and (line.startswith(("    ", "\t")) or not line.strip()):
            notes[label] += "\n" + line
        else:
            label = None
            kept.append(line)
    return "\n".join(kept), notes


def printed_words(markdown: str) -> list[str]:
    """The words of a Markdown text as a reader sees them printed, in order, normalised.

    Markup goes (footnote calls, link addresses, image addresses and descriptions, code ticks,
    list numbers, table rules); a figure's title is its printed caption.
    """
    text = re.sub(r"!\[[^\]]*\]\(\S+?(?:\s+\"([^\"]*)\")?\)", r" \1 ", markdown)
    text = re.sub(r"\[\^[^\]]+\]", " ", text)
    text = re.sub(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)", r"\1", text)
    text = re.sub(r"<((?:https?://|mailto:)[^>\s]+|[^>\s@]+@[^>\s]+)>", r" \1 ", text)
    text = re.sub(r"^\s*\d+[.)]\s", " ", text, flags=re.M)  # list numbers are the typesetter's
    text = html.unescape(text)
    return [word for word in (normal(w) for w in text.split()) if word]


def article_words(article: Article) -> tuple[list[str], list[str]]:
    """An article's printed words in order (title, byline, standfirst, body) and its footnotes' words.

    Footnotes are set at the foot of the page where they are called: their words come in the
    order of the calls, not of the definitions.
    """
    body, notes = split_footnotes(article.body)
    calls = list(dict.fromkeys(re.findall(r"\[\^([^\]]+)\](?!:)", body)))
    footnotes = [word for label in calls if label in notes for word in printed_words(notes[label])]
    return head_words(article) + printed_words(body), footnotes


def head_words(article: Article) -> list[str]:
    """The words of an article's head: title, byline and standfirst."""
    return printed_words(" ".join(filter(None, (article.title, article.byline, article.standfirst))))


@dataclass(frozen=True, slots=True)
class Stream:
    """The issue's printed text, normalised into one string, with the page of each position."""

    text: str
    pages: list[int]  # page number at each position of text
    breaks: frozenset[int]  # positions where a line ends inside a word (before its hyphen, if shown)
    lines: list[tuple[int, int, str]]  # the line of each position: page, baseline, column or "across"

    def find(self, word: str, start: int) -> tuple[int, int] | None:
        """Where the word starts and ends from ``start`` on; a word hyphenated at a page's foot
        may have that page's footnotes between its two halves."""
        end = start + WINDOW + len(word)
        position = self.text.find(word, start, end)
        if position >= 0:
            return position, position + len(word)
        for cut in range(2, len(word) - 1):
            head = self.text.find(word[:cut], start, end)
            while head >= 0:
                if head + cut in self.breaks:
                    tail = self.text.find(word[cut:], head + cut, head + cut + WINDOW)
                    if tail >= 0:
                        return head, tail + len(word) - cut
                head = self.text.find(word[:cut], head + 1, end)
        return None

    def page_at(self, position: int) -> int:
        """The page number of a position in the stream."""
        return self.pages[min(position, len(self.pages) - 1)]


def body_stream(pages: list[Page], style: Style) -> Stream:
    """The text of every page's content area in drawing order, margins and contents box left out."""
    text: list[str] = []
    numbers: list[int] = []
    breaks: set[int] = set()
    lines: list[tuple[int, int, str]] = []
    length = 0
    for page in pages:
        area = style.area(page)
        centre = (area.x0 + area.x1) / 2
        across = {round(c.baseline) for c in page.chars if _ink(c) and c.box.x0 < centre < c.box.x1}
        for index, char in enumerate(page.chars):
            middle = ((char.box.x0 + char.box.x1) / 2, (char.box.y0 + char.box.y1) / 2)
            if char.generated or not area.contains(*middle):
                continue
            if any(box.contains(char.box.x0, char.box.y0) for box in page.shaded):
                continue
            following = page.chars[index + 1].text if index + 1 < len(page.chars) else "\n"
            kept = normal(char.text)
            if following in "\r\n" and char.text.strip():  # a line that ends inside a word: with
                # its hyphen, or with ActualText that takes the hyphen off (a line ending between
                # words ends with the space ActualText gives it)
                breaks.add(length if char.text in HYPHENS else length + len(kept))
            text.append(kept)
            numbers += [page.number] * len(kept)
            baseline = round(char.baseline)
            column = "across" if baseline in across else "left" if char.origin < centre else "right"
            lines += [(page.number, baseline, column)] * len(kept)
            length += len(kept)
    return Stream("".join(text), numbers, frozenset(breaks), lines)


HYPHENS = "-\u2010\u00ad\u0002"  # pdfium gives a hyphen WeasyPrint added at a line end as U+0002 at times


WINDOW = 12_000  # characters a word may be found after the previous: a page of footnotes is ~5,000


@dataclass(slots=True)
class Alignment:
    """Where an issue's words were found in its PDF: per article, the stream positions of its words."""

    found: dict[str, list[int]] = field(default_factory=dict)
    by_word: dict[str, list[int | None]] = field(default_factory=dict)  # None: not found
    missing: list[str] = field(default_factory=list)


def _follow(
    stream: Stream, words: list[str], cursor: int, where: str, alignment: Alignment
) -> list[int | None]:
    """Find the words one after the other; report the runs of words that are not found."""
    positions: list[int | None] = []
    lost: list[str] = []
    for word in words:
        found = stream.find(word, cursor)
        if found is None:
            lost.append(word)
            positions.append(None)
            continue
        position, end = found
        if lost:
            before = f"before page {stream.page_at(position)}"
            alignment.missing.append(f"{where}: {len(lost)} words missing {before}: {_words(lost)!r}")
            lost = []
        positions.append(position)
        cursor = end
    if lost:
        alignment.missing.append(f"{where}: its last {len(lost)} words are missing: {_words(lost)!r}")
    return positions


def _words(words: list[str]) -> str:
    """The first dozen of some words, for a message."""
    return " ".join(words[:12]) + (" ..." if len(words) > 12 else "")


def align(pages: list[Page], issue: Issue, style: Style) -> Alignment:
    """Every article's words looked for in the PDF, in the issue's order; footnotes in theirs."""
    stream = body_stream(pages, style)
    alignment = Alignment()
    text_cursor = note_cursor = 0
    for article in issue.articles:
        words, notes = article_words(article)
        by_word = _follow(stream, words, text_cursor, f"{article.source} (text)", alignment)
        positions = [position for position in by_word if position is not None]
        alignment.by_word[article.slug], alignment.found[article.slug] = by_word, positions
        if positions:
            note_cursor = max(note_cursor, positions[0])
            text_cursor = positions[-1]
        in_notes = _follow(stream, notes, note_cursor, f"{article.source} (footnotes)", alignment)
        note_positions = [position for position in in_notes if position is not None]
        if note_positions:
            note_cursor = note_positions[-1]
    return alignment


def missing_words(pages: list[Page], issue: Issue, style: Style) -> list[str]:
    """Runs of an article's words that are not in the PDF where they should be."""
    return align(pages, issue, style).missing


# --- contents and running heads ------------------------------------------------------------------------


def title_pages(pages: list[Page]) -> dict[int, str]:
    """The normalised text set in title type on each page."""
    return {page.number: normal(page.text([c for c in page.chars if c.size >= TITLE_PT])) for page in pages}


def contents_findings(pages: list[Page], issue: Issue) -> list[str]:
    """Contents entries on page 1 without a number, or whose number is not the page of the title."""
    front = normal(page_one_contents(pages[0]))
    titled = title_pages(pages)
    findings = []
    for article in issue.articles:
        found = re.search(re.escape(normal(article.title)) + r"(\d+)", front)
        if not found:
            findings.append(f"contents: {article.title[:50]!r} has no entry with a page number")
            continue
        claimed = int(found.group(1))
        where = [number for number, text in titled.items() if normal(article.title) in text]
        if claimed not in where:
            findings.append(f"contents: {article.title[:50]!r} says page {claimed}, the title is on {where}")
    return findings


def page_one_contents(page: Page) -> str:
    """The text inside the contents box (the shaded box) of the front page."""
    return page.text([c for c in page.chars if any(b.contains(c.box.x0, c.box.y0) for b in page.shaded)])


def running_heads(pages: list[Page], style: Style) -> dict[int, str]:
    """The text in each page's top margin."""
    heads = {}
    for page in pages:
        top = style.area(page).y1
        heads[page.number] = " ".join(
            page.text([c for c in page.chars if c.box.y0 > top and not c.generated]).split()
        )
    return heads


def first_articles(pages: list[Page], issue: Issue, style: Style) -> dict[int, Article]:
    """The article the first line of each page belongs to (by where its words were found)."""
    alignment = align(pages, issue, style)
    stream = body_stream(pages, style)
    first: dict[int, tuple[int, Article]] = {}
    for article in issue.articles:
        for position in alignment.found.get(article.slug, []):
            page = stream.page_at(position)
            if page not in first or position < first[page][0]:
                first[page] = (position, article)
    return {page: article for page, (_, article) in first.items()}


def running_head_findings(pages: list[Page], issue: Issue, style: Style) -> list[str]:
    """Pages whose running head is not the title of the article of their first line."""
    heads = running_heads(pages, style)
    findings = []
    for number, article in sorted(first_articles(pages, issue, style).items()):
        head = heads.get(number, "")
        if number == 1 or not head:
            continue  # the front page has the masthead; the back page and blanks have no head
        shortened = head.endswith("…") and normal(article.title).startswith(normal(head))  # one line at most
        if normal(head) != normal(article.title) and not shortened:
            findings.append(
                f"page {number}: the running head is {head[:60]!r}, the page starts in {article.title[:60]!r}"
            )
    return findings


KEPT_WITH_TITLE = 3  # lines of text under a title on its page, at the least


def stranded_title_findings(pages: list[Page], issue: Issue, style: Style) -> list[str]:
    """Titles set on a page with fewer than a few lines of their article's text under them.

    The lines are counted in the column where the text starts: one line at the foot of the
    first column with the rest in the second is a title left with one line.
    """
    alignment = align(pages, issue, style)
    stream = body_stream(pages, style)
    titled = title_pages(pages)
    findings = []
    for article in issue.articles:
        body = alignment.found.get(article.slug, [])[len(head_words(article)) :]
        where = [number for number, text in titled.items() if normal(article.title) in text and number > 1]
        where = where or [1]  # an article that starts on the front page, under the contents
        lines = {stream.lines[position] for position in body}
        first = stream.lines[body[0]] if body else None
        under = {line for line in lines if first and line[0] == where[0] and line[2] == first[2]}
        goes_on = any(line[0] > where[0] for line in lines)  # a short article may balance 2 + 2
        if goes_on and len(under) < KEPT_WITH_TITLE:
            findings.append(
                f"page {where[0]}: {article.title[:60]!r} has {count(len(under), 'line')} of its text"
                " under it in the column where the text starts, and goes on on the next page"
            )
    return findings


# Points between the baselines of a table's last row and its caption when the caption is set right
# under it (15 in the hostile issue: the cell's padding, its rule and 1 mm); a caption across the
# columns is with its table, which is across them too, only so close.
CAPTION_UNDER = 24
TABLE_AND_CAPTION = re.compile(r"((?:^[ \t]*\|.*\n)+)[ \t]*\n?[ \t]*([*_][^*_\n].*[*_])[ \t]*$", re.M)


def separated_caption_findings(pages: list[Page], issue: Issue, style: Style) -> list[str]:
    """Table captions set in another column or on another page than the end of their table, or,
    set across the columns, not right under it."""
    alignment = align(pages, issue, style)
    stream = body_stream(pages, style)
    findings = []
    for article in issue.articles:
        body, _ = split_footnotes(article.body)
        found = alignment.by_word[article.slug]
        head = len(head_words(article))
        for table in TABLE_AND_CAPTION.finditer(body):
            last = head + len(printed_words(body[: table.end(1)])) - 1
            first = head + len(printed_words(body[: table.start(2)]))
            if last >= len(found) or first >= len(found) or found[last] is None or found[first] is None:
                continue  # a missing word is reported by missing_words
            row, caption = stream.lines[found[last]], stream.lines[found[first]]
            if not _with_its_table(row, caption):
                findings.append(
                    f"{article.source}: the caption {table.group(2).strip('*_')[:50]!r} is set apart from its"
                    f" table: the table ends {_place(row)}, the caption is {_place(caption)}"
                )
    return findings


def _with_its_table(row: tuple[int, int, str], caption: tuple[int, int, str]) -> bool:
    """Whether a caption's first line is set with its table's last: in its column of its page or,
    across the columns (a table that spans them: its cells fall on either side), right under it."""
    if caption[2] == "across":
        return row[0] == caption[0] and 0 < row[1] - caption[1] <= CAPTION_UNDER
    return (row[0], row[2]) == (caption[0], caption[2])


def _place(line: tuple[int, int, str]) -> str:
    """Where a line is, in words: 'in the left column of page 4', 'across the columns of page 5'."""
    page, _, column = line
    where = "across the columns" if column == "across" else f"in the {column} column"
    return f"{where} of page {page}"
