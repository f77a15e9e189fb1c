"""After layout: nothing is set beyond its column or its page, and tables too wide are made to fit.

WeasyPrint sets what does not fit anyway: a word longer than its column runs past it, a table
whose cells cannot be narrowed pushes across the column rule, an image taller than the page runs
off its foot. ``overflows`` walks every page's boxes once and measures each line, inline, replaced
and block box against the block it is set in (inside its padding) and against the page's content
area (the bleed for furniture the style pulls out to it with negative margins, like the
masthead), whose foot, on a page with footnotes, is the top of their area: text set over the
notes is an overflow even on the page. Each overflow is located by the ``data-source`` of its
article and the ``data-line`` of its block.

``laid_out_within_bounds`` lays a document out and, where the overflow is in a table, lays it out
again with that table spanning the columns, then set smaller (never under ``MIN_TABLE_POINTS``);
a table still too wide is refused with its line. Documents that fit are laid out once.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element

from weasyprint import Document
from weasyprint.formatting_structure.boxes import (
    Box,
    FootnoteAreaBox,
    InlineBlockBox,
    LineBox,
    MarginBox,
    ParentBox,
    ReplacedBox,
    TableBox,
    TableCellBox,
    TableColumnGroupBox,
    TableRowBox,
    TableRowGroupBox,
    TextBox,
)
from weasyprint.layout.absolute import AbsolutePlaceholder

from ..model.errors import Problem, TypesetError
from ..units import PX_PER_MM

# CSS px. The shipped issues' boxes sit within 0.01 px of their columns: this is rounding slack
# only (0.13 mm), far below what a reader would see.
TOLERANCE = 0.5
PT = 4 / 3  # CSS px in a point
MIN_TABLE_POINTS = 6.5  # the smallest type a table is set in to make it fit
HEAD_FIELDS = {"article-title": "title", "byline": "byline", "standfirst": "standfirst", "kicker": "kind"}
# A line that ends in a digit or a currency sign and a next line that starts with a digit: an
# amount or a number broken at a line end ("R 3" / "200,00").
BROKEN_NUMBER = re.compile(r"(?:\d|\bR|[$€£])$")

TABLE_PARTS = (TableRowGroupBox, TableRowBox, TableColumnGroupBox)  # measured as their table is


@dataclass(frozen=True, slots=True)
class Overflow:
    """One box set beyond its bounds, with where it comes from and what is wrong."""

    problem: Problem
    table: TableFacts | None = None  # the table it is in: one that may be made to fit


@dataclass(frozen=True, slots=True)
class TableFacts:
    """What it takes to make a table fit: where it is, how wide it is and could be."""

    selector: str  # a CSS selector naming the table's element in the document
    problem: Problem  # where the table is, for its refusal
    columns: int
    points: float  # its type size
    width: float  # its border box, CSS px
    text_width: float  # the part of its width that grows with the type: its cells' content
    room: float  # the width of the block it is set in
    full_width: float | None  # set in a column of a multicol box that is its parent: the width it may span


@dataclass(frozen=True, slots=True)
class TableFit:
    """What a table is given to make it fit."""

    span: bool = False
    points: float | None = None

    def css(self, selector: str) -> str:
        rules = ["column-span: all"] if self.span else []
        if self.points is not None:
            rules.append(f"font-size: {self.points:.2f}pt")
        return f"{selector} {{ {'; '.join(rules)} }}\n" if rules else ""


def laid_out_within_bounds(render: Callable[[str], Document], source: str) -> Document:
    """Lay out with ``render(extra_css)`` until nothing is off its column or page, or refuse.

    Tables that do not fit are made to span the columns, then set smaller; every overflow that
    is left is raised at once as a TypesetError naming the article's file and line.
    """
    fits: dict[str, TableFit] = {}
    document = render("")
    while True:
        problems: list[Problem] = []
        refits: dict[str, TableFit | None] = {}
        for overflow in overflows(document, source):
            facts = overflow.table
            if facts is None:
                problems.append(overflow.problem)
            elif facts.selector not in refits:
                fit = fits.get(facts.selector, TableFit())
                refits[facts.selector] = next_fit(fit, facts)
                if refits[facts.selector] is None:
                    problems.append(refusal(facts, fit))
        fixes = {selector: fit for selector, fit in refits.items() if fit is not None}
        if not fixes:
            if problems:
                raise TypesetError(list(dict.fromkeys(problems)))
            return document
        fits.update(fixes)
        document = render("".join(fit.css(selector) for selector, fit in fits.items()))


def next_fit(fit: TableFit, facts: TableFacts) -> TableFit | None:
    """The next thing to try for a table that does not fit, or None when nothing is left.

    First it spans the columns (at the size it would need there, when the measure tells it);
    then it is set smaller, at the size its measure asks for or half a point less, down to
    ``MIN_TABLE_POINTS``.
    """
    if facts.full_width is not None and not fit.span:
        needed = _points_for(facts, facts.full_width)
        return TableFit(span=True, points=needed)
    if facts.points <= MIN_TABLE_POINTS + 0.01:
        return None
    needed = _points_for(facts, facts.room)
    smaller = facts.points - 0.5 if needed is None else min(needed, facts.points - 0.25)
    return replace(fit, points=max(MIN_TABLE_POINTS, smaller))


def _points_for(facts: TableFacts, room: float) -> float | None:
    """The type size at which the table would be ``room`` wide, or None when it is not wider.

    Its cells' content grows with the type; its padding and rules do not.
    """
    if facts.width <= room + TOLERANCE:
        return None
    fixed = facts.width - facts.text_width
    if facts.text_width <= 0 or room <= fixed:
        return MIN_TABLE_POINTS
    return max(MIN_TABLE_POINTS, math.floor(facts.points * (room - fixed) / facts.text_width * 10) / 10)


def refusal(facts: TableFacts, fit: TableFit) -> Problem:
    """The table that cannot be made to fit, in words an editor can act on."""
    where = "the page" if fit.span or facts.full_width is None else "its column"
    message = (
        f"this table has {facts.columns} columns and is too wide for {where} even at "
        f"{MIN_TABLE_POINTS:g} pt: split it or turn it (fewer columns, or its rows as columns)"
    )
    return replace(facts.problem, message=message)


# --- the walk ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What a box is measured against, carried down the tree."""

    source: str
    line: int | None
    field: str | None
    left: float  # the padding box of the block it is set in
    right: float
    noun: str  # what to call that block: column, page, table cell
    page: tuple[float, float, float, float]  # left, top, right, bottom of the area allowed on the page
    foot: str = "below the foot of the page"  # where a box reaches past the bottom of that area
    multicol_width: float | None = None  # set in a column: the width of its multicol box
    table: _TableAt | None = None  # set in a table


@dataclass(frozen=True, slots=True)
class _TableAt:
    wrapper: Box
    room: float
    multicol_width: float | None  # the table is a child of a multicol box: the width it may span


def overflows(document: Document, source: str) -> list[Overflow]:
    """Every box of ``document`` set beyond its column or its page, in reading order.

    ``source`` names the document where no article does (an issue's folder, a volume's file).
    """
    if not document.pages:
        return []
    root = document.pages[0]._page_box.children[0].element
    walk = _Walk(_parents(root) if root is not None else {})
    for page in document.pages:
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        area = (left, top, left + box.width, top + box.height)
        trim = (0.0, 0.0, box.margin_width(), box.margin_height())
        bleeds = [box.style[f"bleed_{side}"].value for side in ("left", "top", "right", "bottom")]
        walk.bleed = (-bleeds[0], -bleeds[1], trim[2] + bleeds[2], trim[3] + bleeds[3])
        notes = next((c for c in box.children if isinstance(c, FootnoteAreaBox) and c.children), None)
        for child in box.children:
            limits, foot = (trim if isinstance(child, MarginBox) else area), "below the foot of the page"
            if notes is not None and not isinstance(child, (MarginBox, FootnoteAreaBox)):
                # The body ends above the notes' rule: what reaches past it is printed over them.
                limits, foot = (*area[:3], min(area[3], notes.border_box_y())), "into the footnotes"
            walk.block(child, _Bounds(source, None, None, limits[0], limits[2], "page", limits, foot))
    return walk.found


class _Walk:
    """One pass over a document's boxes, collecting what is set out of bounds."""

    def __init__(self, parents: dict[int, Element]) -> None:
        self.parents = parents
        self.found: list[Overflow] = []
        self.bleed = (0.0, 0.0, 0.0, 0.0)
        self.tables: dict[int, TableFacts] = {}

    def block(self, box: Box, bounds: _Bounds) -> None:
        """Measure a block-level box against its block and the page, then what it holds."""
        if isinstance(box, AbsolutePlaceholder):
            if box.is_outside_marker:
                return  # a list's marker hangs in the list's padding, outside its item
            box = box._box
        bounds = self._located(box, bounds)
        if _pulled_out(box):
            bounds = replace(bounds, left=self.bleed[0], right=self.bleed[2], noun="page", page=self.bleed)
        if getattr(box, "is_table_wrapper", False):
            at = _TableAt(box, bounds.right - bounds.left, bounds.multicol_width)
            bounds = replace(bounds, table=at, multicol_width=None)
        if not isinstance(box, TABLE_PARTS):
            past = _past(box.border_box_x(), box.border_box_x() + box.border_width(), bounds)
            if past > TOLERANCE:
                what = "table" if bounds.table else "image" if isinstance(box, ReplacedBox) else "block"
                self._report(bounds, f"this {what} is {_mm(past)} wider than its {bounds.noun}", _text(box))
                return  # what it holds overflows with it
        if isinstance(box, ReplacedBox):
            self._image_on_page(box, bounds)
        if not isinstance(box, ParentBox):
            return
        inner = bounds if isinstance(box, (*TABLE_PARTS, TableBox, MarginBox)) else self._inside(box, bounds)
        lines = []
        for child in box.children:
            if isinstance(child, LineBox):
                self.line(child, inner)
                lines.append(child)
            else:
                self.block(child, inner)
        if isinstance(box, TableCellBox) and len(lines) > 1:
            self._broken_number(lines, inner)

    def _inside(self, box: Box, bounds: _Bounds) -> _Bounds:
        """The bounds of what a block holds: inside its padding box."""
        if box.is_column:
            noun, multicol = "column", bounds.right - bounds.left
        else:
            noun = "table cell" if isinstance(box, TableCellBox) else bounds.noun
            multicol = None
        # The padding box, not the content box: a hanging indent (the volume's index) sets a
        # line's start in its block's padding, inside the block all the same.
        left, right = box.padding_box_x(), box.padding_box_x() + box.padding_width()
        return replace(bounds, left=left, right=right, noun=noun, multicol_width=multicol)

    def line(self, line: LineBox, bounds: _Bounds) -> None:
        """Measure one line: every inline box in it against its block, the line against the page."""
        worst: list = [0.0, ""]
        self._inlines(line, bounds, worst)
        if worst[0] > TOLERANCE:
            words = f"this line runs {_mm(worst[0])} past the edge of its {bounds.noun}"
            self._report(bounds, words, worst[1] or _text(line))
        self._on_page(line.position_y, line.position_y + line.height, bounds, "line", line)

    def _inlines(self, parent: Box, bounds: _Bounds, worst: list) -> None:
        for box in parent.children:
            if isinstance(box, TextBox):
                left, right = box.position_x, box.position_x + box.width
                if box.width <= 0 and _printable(box.text):
                    self._report(bounds, "this text was cut off (set in no width)", box.text)
            elif isinstance(box, InlineBlockBox):
                self.block(box, bounds)
                continue
            elif isinstance(box, AbsolutePlaceholder) or not hasattr(box, "border_box_x"):
                continue
            else:
                left, right = box.border_box_x(), box.border_box_x() + box.border_width()
            past = _past(left, right, bounds)
            if past > worst[0]:
                worst[:] = past, _text(box)
            if isinstance(box, ReplacedBox):
                self._on_page(
                    box.border_box_y(), box.border_box_y() + box.border_height(), bounds, "image", ""
                )
            elif isinstance(box, ParentBox):
                self._inlines(box, bounds, worst)

    def _image_on_page(self, box: Box, bounds: _Bounds) -> None:
        self._on_page(box.border_box_y(), box.border_box_y() + box.border_height(), bounds, "image", None)

    def _on_page(self, top: float, bottom: float, bounds: _Bounds, what: str, line: Box | None) -> None:
        above, below = bounds.page[1] - top, bottom - bounds.page[3]
        if below > TOLERANCE or above > TOLERANCE:
            if below > TOLERANCE:
                where = f"{_mm(below)} {bounds.foot}"
            else:
                where = f"{_mm(above)} above the top of the page"
            # Not a table's to fit: setting a table smaller is no cure for where it stands.
            self._report(bounds, f"this {what} runs {where}", "" if line is None else _text(line), fits=False)

    def _broken_number(self, lines: list[LineBox], bounds: _Bounds) -> None:
        texts = [_text(line).strip() for line in lines]
        for before, after in itertools.pairwise(texts):
            if BROKEN_NUMBER.search(before) and after[:1].isdigit():
                self._report(bounds, "an amount in this table is split across lines", f"{before} / {after}")
                return

    def _report(self, bounds: _Bounds, words: str, text: str, fits: bool = True) -> None:
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 50 else f"{shown[:50]}…"
        problem = Problem(bounds.source, bounds.line, bounds.field, f"{words}: “{shown}”" if shown else words)
        facts = None
        if bounds.table is not None and fits:
            facts = self.tables.get(id(bounds.table.wrapper))
            if facts is None:
                facts = self.tables[id(bounds.table.wrapper)] = self._table_facts(bounds.table, problem)
        self.found.append(Overflow(problem, facts))

    def _table_facts(self, at: _TableAt, problem: Problem) -> TableFacts:
        table = next(child for child in at.wrapper.children if isinstance(child, TableBox))
        rows = [
            row for group in table.children if isinstance(group, TableRowGroupBox) for row in group.children
        ]
        cells = max((row.children for row in rows), key=len, default=[])
        return TableFacts(
            selector=_selector(at.wrapper.element, self.parents),
            problem=problem,
            columns=len(cells),
            points=table.style["font_size"] / PT,
            width=at.wrapper.border_width(),
            text_width=sum(cell.width for cell in cells),
            room=at.room,
            full_width=at.multicol_width,
        )

    def _located(self, box: Box, bounds: _Bounds) -> _Bounds:
        """Bounds located at the box's article (``data-source``) and block (``data-line``)."""
        element, tag = box.element, box.element_tag
        if element is None or tag is None or "::" in tag:
            return bounds
        source, line, classes = element.get("data-source"), element.get("data-line"), element.get("class")
        if source:
            bounds = replace(bounds, source=source, line=1, field="body")
        if line and line.isdigit():
            bounds = replace(bounds, line=int(line), field="body")
        for name in (classes or "").split():
            if name in HEAD_FIELDS:
                bounds = replace(bounds, field=HEAD_FIELDS[name])
        return bounds


def _pulled_out(box: Box) -> bool:
    """Whether the style pulls the box out with negative margins (full-bleed furniture: the masthead)."""
    if box.element_tag in (None, "html", "body"):
        return False
    return any(getattr(box.style[f"margin_{side}"], "value", 0) < 0 for side in ("left", "right", "top"))


def _past(left: float, right: float, bounds: _Bounds) -> float:
    """How far an extent reaches beyond its block and the page, across."""
    page_left, _, page_right, _ = bounds.page
    return max(bounds.left - left, right - bounds.right, page_left - left, right - page_right, 0.0)


def _mm(px: float) -> str:
    mm = px / PX_PER_MM
    return f"{mm:.0f} mm" if mm >= 1 else f"{mm:.1f} mm"


def _text(box: Box) -> str:
    if isinstance(box, TextBox):
        return box.text
    return " ".join(child.text for child in box.descendants() if isinstance(child, TextBox))


def _parents(root: Element) -> dict[int, Element]:
    return {id(child): parent for parent in root.iter() for child in parent}


def _selector(element: Element, parents: dict[int, Element]) -> str:
    """A CSS selector that names ``element`` alone, by its place among its siblings."""
    steps = []
    while id(element) in parents:
        parent = parents[id(element)]
        siblings = [child for child in parent if isinstance(child.tag, str)]
        steps.append(f"{_tag(element)}:nth-child({siblings.index(element) + 1})")
        element = parent
    return " > ".join([_tag(element), *reversed(steps)])


def _tag(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _printable(text: str) -> bool:
    """Whether text has a character that prints: not a space, nor an invisible format character
    (a zero-width space the text stage puts in an address as a break point sits alone in a box of
    no width when a line breaks there)."""
    return any(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)
