"""Pandoc's document tree (``pandoc -t json``) written as the project's Markdown (layout/text/markdown.py).

Written here rather than by Pandoc's own Markdown writer so that what comes out is exactly what the
text stage reads back: subheads from ``##`` down (the title is front matter), footnotes as
``[^1]`` with their text on one line, pipe tables with an italic caption line under them, figures
as ``![alt](figures/x.png "caption")``, and every character that Markdown would take for markup
escaped, so that a document's ``*`` or ``<`` prints as written. Non-breaking spaces and curly
quotes are kept as the document has them.

What Markdown cannot hold (raw HTML, equations, underlining) is noted, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.rules import is_link

Node = dict[str, Any]
# An image found: its source in the document and its alt text; answers the path written, or None
PlaceImage = Callable[[str, str, str], str | None]

LINE_START = re.compile(r"^(?:[#>]|[-+*](?=\s|$)|\d+[.)](?=\s|$)|[=-]+$)")
ENTITY = re.compile(r"&(?=#?\w+;)")
QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
ALIGN = {"AlignLeft": ":--", "AlignRight": "--:", "AlignCenter": ":-:", "AlignDefault": "---"}


def escape(text: str) -> str:
    """Text as Markdown that prints it as written: markup characters escaped."""
    text = re.sub(r"([\\`*_\[\]<~|])", r"\\\1", text)
    return ENTITY.sub(r"\\&", text)


def escape_line_starts(text: str) -> str:
    """A line that would start a heading, quote, list or rule keeps its first character as text."""
    return "\n".join(LINE_START.sub(_escaped_start, line.lstrip()) for line in text.split("\n"))


def _escaped_start(match: re.Match) -> str:
    start = match.group()
    if start[0].isdigit():  # "1." and "1)": the stop is what makes a list
        return f"{start[:-1]}\\{start[-1]}"
    return "".join(f"\\{character}" for character in start)  # "---" whole: "\---" would be a dash


def plain_text(inlines: list[Node]) -> str:
    """The words of inline nodes, without markup (for titles, bylines, alt text and headings)."""
    parts = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind == "Quoted":
            opening, closing = QUOTES[content[0]["t"]]
            parts.append(opening + plain_text(content[1]) + closing)
        elif kind in ("Code", "Math"):
            parts.append(content[-1])
        elif kind in ("Link", "Span", "Image") or kind in ("Cite",):
            parts.append(plain_text(content[1]))
        elif kind != "Note" and isinstance(content, list):
            parts.append(plain_text(content))
    return " ".join("".join(parts).split())


def blocks_text(blocks: list[Node]) -> str:
    """The words of blocks, one space between paragraphs."""
    words = []
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            words.append(plain_text(content))
        elif kind == "Header":
            words.append(plain_text(content[2]))
        elif kind in ("BlockQuote", "Div"):
            words.append(blocks_text(content if kind == "BlockQuote" else content[1]))
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            words += [blocks_text(item) for item in items]
    return " ".join(word for word in words if word)


@dataclass
class MarkdownWriter:
    """Writes one document's blocks; ``notes`` and ``remarks`` fill as it goes.

    ``remarks`` are what could not be carried over, each with where it was: the paragraph's
    number in the document and the heading it is under."""

    place_image: PlaceImage
    top_heading: int = 1  # the document's level that becomes ``##``
    alts: dict[str, str] = field(default_factory=dict)  # alt text by picture, where the tree has none
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    paragraph: int = 0
    heading: str = ""
    said: set[str] = field(default_factory=set)

    def document(self, blocks: list[Node]) -> str:
        """The body of an article: its blocks, then its footnotes."""
        body = self.blocks(blocks)
        notes = "\n".join(f"[^{n}]: {text}" for n, text in enumerate(self.notes, 1))
        return f"{body}\n\n{notes}\n" if notes else f"{body}\n"

    def where(self) -> str:
        under = f' (under "{self.heading}")' if self.heading else ""
        return f"paragraph {self.paragraph}{under}"

    def remark(self, what: str, once: str | None = None) -> None:
        """Note what was not carried over, at the paragraph being written (once a kind if ``once``)."""
        if once and once in self.said:
            return
        if once:
            self.said.add(once)
        self.remarks.append(f"{self.where()}: {what}")

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, blocks: list[Node], tight: bool = False) -> str:
        written = [text for text in (self.block(block) for block in blocks) if text]
        return ("\n" if tight else "\n\n").join(written)

    def block(self, block: Node) -> str:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            self.paragraph += 1
            return self.paragraph_text(content)
        if kind == "Header":
            self.paragraph += 1
            level, _, inlines = content
            self.heading = plain_text(inlines)
            marks = "#" * min(6, max(2, level - self.top_heading + 2))
            return f"{marks} {self.inlines(inlines).strip()}"
        if kind == "BlockQuote":
            return _prefixed(self.blocks(content), "> ")
        if kind == "BulletList":
            return self.list_items(content, lambda _: "-")
        if kind == "OrderedList":
            start = content[0][0]
            return self.list_items(content[1], lambda n: f"{start + n}.")
        if kind == "Table":
            return self.table(content)
        if kind == "Figure":
            return self.figure(content)
        if kind == "Div":
            return self.blocks(content[1])
        if kind == "LineBlock":
            self.paragraph += 1
            return escape_line_starts(" \\\n".join(self.inlines(line) for line in content))
        if kind == "CodeBlock":
            fence = "`" * max(3, *(len(run) + 1 for run in re.findall(r"`+", content[1])))
            return f"{fence}\n{content[1]}\n{fence}"
        if kind == "HorizontalRule":
            return "* * *"
        if kind == "DefinitionList":
            return "\n\n".join(
                f"**{self.inlines(term)}**\n\n" + "\n\n".join(self.blocks(d) for d in definitions)
                for term, definitions in content
            )
        if kind == "RawBlock":
            self.remark(f"raw {content[0]} was left out: {content[1].strip()[:40]!r}")
            return ""
        self.remark(f"a {kind} was left out")
        return ""

    def paragraph_text(self, inlines: list[Node]) -> str:
        images = [node for node in inlines if node["t"] not in ("Space", "SoftBreak")]
        if len(images) == 1 and images[0]["t"] == "Image":  # alone in its paragraph: a figure
            return self.image(images[0]["c"], caption=images[0]["c"][2][1])
        text = re.sub(r"^(?:\\\n|\s)+|(?:\s|\\\n)+$", "", self.inlines(inlines))  # no break at either end
        return escape_line_starts(text)

    def list_items(self, items: list[list[Node]], marker: Callable[[int], str]) -> str:
        # Word gives each item as a paragraph: a list is tight unless an item has two of them
        tight = all(sum(block["t"] in ("Para", "Plain") for block in item) <= 1 for item in items)
        written = []
        for n, item in enumerate(items):
            mark = marker(n)
            text = self.blocks(item, tight) or ""
            indent = " " * (len(mark) + 1)
            lines = text.split("\n")
            rest = [f"{indent}{line}" if line else "" for line in lines[1:]]
            written.append("\n".join([f"{mark} {lines[0]}", *rest]))
        return ("\n" if tight else "\n\n").join(written)

    def figure(self, content: list) -> str:
        _, caption, blocks = content
        caption_text = blocks_text(caption[1])
        images = [n for b in blocks if b["t"] in ("Plain", "Para") for n in b["c"] if n["t"] == "Image"]
        if len(images) != 1:
            return self.blocks(blocks) + (f"\n\n*{escape(caption_text)}*" if caption_text else "")
        self.paragraph += 1
        return self.image(images[0]["c"], caption=caption_text or images[0]["c"][2][1])

    def table(self, content: list) -> str:
        _, caption, colspecs, head, bodies, foot = content
        rows = [self.row(row) for row in head[1]]
        for body in bodies:
            rows += [self.row(row) for row in body[2] + body[3]]
        rows += [self.row(row) for row in foot[1]]
        width = max([len(colspecs), *(len(row) for row in rows)])
        rows = [row + [""] * (width - len(row)) for row in rows if any(row)]
        if not rows:
            return ""
        aligns = [ALIGN.get(spec[0]["t"], "---") for spec in colspecs] + ["---"] * width
        lines = [_table_row(rows[0]), _table_row(aligns[:width]), *(_table_row(row) for row in rows[1:])]
        caption_text = blocks_text(caption[1])
        return "\n".join(lines) + (f"\n\n*{escape(caption_text)}*" if caption_text else "")

    def row(self, row: list) -> list[str]:
        cells = []
        for cell in row[1]:
            _, _, _, colspan, blocks = cell
            self.paragraph += 1
            texts = [self.inlines(b["c"]).strip() for b in blocks if b["t"] in ("Plain", "Para")]
            if any(b["t"] not in ("Plain", "Para") for b in blocks):
                texts.append(blocks_text([b for b in blocks if b["t"] not in ("Plain", "Para")]))
                self.remark("a list or quote in a table cell is set as plain text in its cell", "cell")
            cells.append(" ".join(texts).replace("\n", " "))
            if colspan > 1:
                self.remark("merged table cells are set as one cell and empty ones", "merged")
                cells += [""] * (colspan - 1)
        return cells

    # --- inlines ---------------------------------------------------------------------------

    def inlines(self, inlines: list[Node]) -> str:
        return "".join(self.inline(node) for node in inlines)

    def inline(self, node: Node) -> str:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            return escape(content)
        if kind in ("Space", "SoftBreak"):
            return " "
        if kind == "LineBreak":
            return "\\\n"
        if kind == "Emph":
            return _delimited(self.inlines(content), "*")
        if kind == "Strong":
            return _delimited(self.inlines(content), "**")
        if kind == "Underline":
            self.remark("underlined text is set in italics", "underline")
            return _delimited(self.inlines(content), "*")
        if kind == "Strikeout":
            return _delimited(self.inlines(content), "~~")
        if kind in ("Superscript", "Subscript", "SmallCaps"):
            return self.inlines(content)
        if kind == "Quoted":
            opening, closing = QUOTES[content[0]["t"]]
            return opening + self.inlines(content[1]) + closing
        if kind == "Cite":
            return self.inlines(content[1])
        if kind == "Code":
            return _code(content[1])
        if kind == "Math":
            self.remark(f"an equation is set as its text: {content[1][:40]!r}")
            return _code(content[1])
        if kind == "RawInline":
            self.remark(f"raw {content[0]} was left out: {content[1].strip()[:40]!r}")
            return ""
        if kind == "Link":
            return self.link(content)
        if kind == "Image":
            return self.image(content, caption="")
        if kind == "Note":
            self.notes.append(" ".join(self.note_paragraphs(content)))
            return f"[^{len(self.notes)}]"
        if kind == "Span":
            return self.inlines(content[1])
        return self.inlines(content) if isinstance(content, list) else ""

    def note_paragraphs(self, blocks: list[Node]) -> list[str]:
        """A note's paragraphs, each on the note's one line (the text stage joins them with a space)."""
        texts = []
        for block in blocks:
            if block["t"] in ("Plain", "Para"):
                texts.append(self.inlines(block["c"]).replace("\\\n", " ").replace("\n", " ").strip())
            elif block["t"] == "Div":
                texts += self.note_paragraphs(block["c"][1])
            else:
                texts.append(escape(blocks_text([block])))
        return [text for text in texts if text]

    def link(self, content: list) -> str:
        _, inlines, (url, _) = content
        text = self.inlines(inlines).strip() or escape(url)
        if is_link(url):
            url = (
                url.replace(" ", "%20")
                .replace("(", "%28")
                .replace(")", "%29")
                .replace("<", "%3C")
                .replace(">", "%3E")
            )
            return f"[{text}]({url})"
        if url.startswith("#"):  # a cross-reference inside the document: its words are kept
            return text
        self.remark(
            f"the link to {url[:60]!r} was left out (its words are kept): only web and mail addresses"
        )
        return text

    def image(self, content: list, caption: str) -> str:
        _, alt_inlines, (src, _) = content
        alt = plain_text(alt_inlines) or self.alts.get(src, "")
        placed = self.place_image(src, alt, self.where())
        if placed is None:
            return ""
        title = f' "{caption.replace(chr(34), "”")}"' if caption else ""
        return f"![{escape(alt)}]({placed}{title})"


def _delimited(text: str, mark: str) -> str:
    """Emphasis that Markdown reads as emphasis: the spaces at its edges moved outside the marks."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _code(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _prefixed(text: str, prefix: str) -> str:
    return "\n".join(f"{prefix}{line}".rstrip() for line in text.split("\n"))


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("\n", " ") or " " for cell in cells) + " |"
