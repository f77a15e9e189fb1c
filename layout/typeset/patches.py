"""Fixes to WeasyPrint 70's block and column layout, for pages that print what the style asks for.

Unlike ``speedups``, these change the pages, each in one narrow case:

- ``::first-line`` style is applied to the first line of a block's every fragment:
  ``block_container_layout`` takes the box's first-line style whether the box starts or
  resumes (after a column or page break), so an article's opening paragraph came back in small
  capitals at the top of the next column ("BE FORGOTTEN. PROSECUTE…"). A resumed block
  (``skip_stack`` given) now lays out without it, as CSS says: only the first formatted line of
  the element is its first line.
- ``footnote-policy: line`` is not honoured where a line is kept for widows and orphans:
  ``_linebox_layout`` then moves the page's last footnotes to the next page to make room, with
  their calls left behind (in an A5 leaflet a note called on page 1 was set on page 2). The
  footnotes are moved there only when every footnote on the page has the policy ``auto``, which
  allows it; otherwise the lines break as they would without footnotes, and the note stays with
  its call. Columns have the same fault: ``columns_layout`` sets its columns for good at a
  height that made room for fewer notes than they call, then moves the notes that do not fit
  to the next page, their calls left in the columns (a two-column article, 2 of 36 places of a
  call near the foot of page 1). The columns are then set again to end above the first line
  that calls such a note, and that line goes to the next page with its note, as the policy says
  (a few tries at most, each ending the columns higher; the first makes room for the notes).
- A block that spans the columns (``column-span: all``: a wide table) is printed over the
  footnotes: while ``columns_layout`` runs, ``context.in_column`` keeps notes from raising the
  page's foot (the columns take their notes' height off their own), but the spanning block is
  laid out against that unraised foot, so the notes called in the columns above it, and in it,
  get no room (the hostile issue's 8-column table ran three rows into notes 14-16). Each part of
  a multicol box, a spanning block or a set of columns, now starts with the page's foot above
  the notes called so far, and a spanning block is laid out as outside columns, its own notes
  raising the foot; the foot is put back before WeasyPrint's own reckoning at the end. A table
  that then does not fit (tables are not broken: ``break-inside: avoid``) goes to the next page.

- ``column-span`` of a table goes to the table inside its wrapper box, which the columns never
  see: a table with ``column-span: all`` stayed in its column (``overflow`` spans a table too
  wide for its column). The wrapper is the multicol box's child, so the property is the wrapper's.

And one in how it tags what it draws, for the archive PDFs (``tagging``):

- ``add_tags`` is replaced by ``tagging.add_tags``, whose tree follows the HTML elements across
  pages instead of each page's boxes, and ``Stream.marked`` draws what ``tagging.prepare``
  marked as an artifact as one (running heads and folios as Pagination, leaders and hidden
  elements as Layout), and a line's last text with the ``ActualText`` it reads as.

They are made only for the WeasyPrint release they were read from (``tests/test_pages.py``).
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any

import pydyf
import weasyprint
import weasyprint.layout.block as block
import weasyprint.layout.column as column
import weasyprint.pdf as pdf_output
from weasyprint.css import properties
from weasyprint.formatting_structure.boxes import LineBox
from weasyprint.pdf.stream import Stream

from ..versions import release
from . import speedups, tagging

PATCHED_RELEASE = release("weasyprint")

_block_container_layout = block.block_container_layout
_linebox_layout = block._linebox_layout  # unpatched, for the tests to show what the patch mends
_columns_layout = block.columns_layout  # unpatched, for the tests
_columns_layout_above_notes = _columns_layout  # WeasyPrint's, with the notes' room given to each part
COLUMN_TRIES = 4  # sets of the columns at most, to keep their notes with their calls


def _block_container_layout_first_line_once(
    context: Any,
    box: Any,
    bottom_space: float,
    skip_stack: dict | None,
    page_is_empty: bool,
    absolute_boxes: list,
    fixed_boxes: list,
    adjoining_margins: list | None,
    first_letter_style: dict | None,
    first_line_style: dict | None,
    discard: bool,
    max_lines: int | None,
) -> tuple:
    rest = (absolute_boxes, fixed_boxes, adjoining_margins)
    if skip_stack is None or (box.first_line_style is None and box.first_letter_style is None):
        return _block_container_layout(
            context, box, bottom_space, skip_stack, page_is_empty, *rest,
            first_letter_style, first_line_style, discard, max_lines,
        )  # fmt: skip
    # A resumed fragment: its first line is not the element's. The box is shared by every
    # layout of the document (pages are laid out again), so its styles are put back after.
    kept = box.first_line_style, box.first_letter_style
    box.first_line_style = box.first_letter_style = None
    try:
        return _block_container_layout(
            context, box, bottom_space, skip_stack, page_is_empty, *rest, None, None, discard, max_lines
        )
    finally:
        box.first_line_style, box.first_letter_style = kept


_REPORT = "report = not context.in_column and can_break_now and not could_break_before"
_AUTO_ONLY = " and all(note.style['footnote_policy'] == 'auto' for note in context.current_page_footnotes)"


def _linebox_layout_keeping_notes() -> Any:
    """WeasyPrint's ``_linebox_layout`` with the one condition changed (see the module's docstring).

    The function is long and the condition a local, so it is compiled again from its source with
    the condition extended; it must be found exactly once, or nothing is patched.
    """
    source = textwrap.dedent(inspect.getsource(_linebox_layout))
    if source.count(_REPORT) != 1:
        raise RuntimeError("WeasyPrint's _linebox_layout is not the one this patch was read from")
    namespace: dict[str, Any] = {}
    code = compile(source.replace(_REPORT, _REPORT + _AUTO_ONLY), block.__file__, "exec")
    exec(code, block.__dict__, namespace)
    return namespace["_linebox_layout"]


_PARTS_LOOP = "    for index, column_children_or_block in columns_and_blocks:\n"
_ABOVE_NOTES = (
    "    _page_bottom = context.page_bottom\n"
    + _PARTS_LOOP
    + "        _above_the_notes(context, _page_bottom, footnote_area_heights[0], column_children_or_block)\n"
)
_FINAL_RECKONING = "    # Report footnotes above the defined footnotes height\n"
_FOOT_PUT_BACK = "    context.page_bottom, context.in_column = _page_bottom, True\n" + _FINAL_RECKONING


def _columns_layout_with_notes_above() -> Any:
    """WeasyPrint's ``columns_layout`` with each part set above the notes (see the module's docstring).

    Compiled again from its source with two lines added, each where a line is found exactly once,
    and, being compiled, with the balancing step of ``speedups`` in its loop (which alone changes
    no page: ``speedups.balancing_height``).
    """
    source = textwrap.dedent(inspect.getsource(column.columns_layout))
    edits = {_PARTS_LOOP: _ABOVE_NOTES, _FINAL_RECKONING: _FOOT_PUT_BACK}
    edits[speedups.BALANCING_STEP] = speedups.BALANCING_STEP_FOUND
    if any(source.count(line) != 1 for line in edits):
        raise RuntimeError("WeasyPrint's columns_layout is not the one this patch was read from")
    for line, replacement in edits.items():
        source = source.replace(line, replacement)
    namespace: dict[str, Any] = {}
    scope = {
        **column.__dict__,
        "_above_the_notes": _above_the_notes,
        "balancing_height": speedups.balancing_height,
        "columns_signature": speedups.columns_signature,
    }
    exec(compile(source, column.__file__, "exec"), scope, namespace)
    return namespace["columns_layout"]


def _above_the_notes(context: Any, page_bottom: float, area_before: float, part: Any) -> None:
    """Before a part of a multicol box: the page's foot raised by the notes called since it began
    (``area_before`` was their area's height then), and a spanning block (not a list of the
    columns' children) laid out as outside the columns, so that its own notes raise the foot."""
    area = context.current_footnote_area
    context.page_bottom = page_bottom + area_before - (0 if area.height == "auto" else area.margin_height())
    context.in_column = isinstance(part, list)


def _columns_layout_keeping_notes(
    context: Any, box: Any, bottom_space: float, skip_stack: dict | None, containing_block: Any,
    page_is_empty: bool, absolute_boxes: list, fixed_boxes: list, *rest: Any,
) -> tuple:  # fmt: skip
    page_bottom = context.page_bottom
    for attempt in range(COLUMN_TRIES):
        waiting = list(context.reported_footnotes)
        result = _columns_layout_above_notes(
            context, box, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes,
            fixed_boxes, *rest,
        )  # fmt: skip
        moved = [note for note in context.reported_footnotes if note not in waiting]
        moved = [note for note in moved if note.style["footnote_policy"] != "auto"]
        if result[0] is None or not moved:
            return result
        ids = {id(note) for note in moved}
        lines = [line for line in result[0].descendants() if isinstance(line, LineBox) and _calls(line, ids)]
        if not lines:
            return result
        block.remove_placeholders(context, [result[0]], absolute_boxes, fixed_boxes)
        if attempt == 0:  # first make room at the foot of the page for the notes the columns call
            bottom_space += _room_for(context, moved)
        else:  # then end the columns above the first line that calls one
            bottom_space = max(bottom_space, page_bottom - min(line.position_y for line in lines))
    return result


def _room_for(context: Any, notes: list) -> float:
    """How much higher the page's foot comes with ``notes`` set in its footnote area."""
    foot = context.page_bottom
    for note in notes:
        context.layout_footnote(note)
    room = foot - context.page_bottom
    for note in notes:
        context.unlayout_footnote(note)
    return room


def _calls(line: Any, notes: set[int]) -> bool:
    """Whether the line calls one of the ``notes`` (ids of footnote boxes) under a policy not ``auto``."""
    return any(
        getattr(box, "footnote", None) is not None
        and id(box.footnote) in notes
        and box.footnote.style["footnote_policy"] != "auto"
        for box in line.descendants()
    )


@contextlib.contextmanager
def _marked_as_prepared(self: Stream, box: Any, tag: str) -> Iterator[None]:
    """``Stream.marked``, drawing an artifact as one, the space a line break took after a box as
    an invisible space glyph at the end of its text (or, where its font has none to give, as
    ActualText), and a box's ActualText in its property list."""
    if self._tags is None:
        yield
        return
    artifact = getattr(box, tagging.ARTIFACT, None)
    if artifact is not None:
        pydyf.Stream.begin_marked_content(self, "Artifact", artifact)
    else:
        properties = pydyf.Dictionary({"MCID": len(self._tags)})
        self._tags[box] = {"tag": tag, "mcid": properties["MCID"]}
        pydyf.Stream.begin_marked_content(self, tag, properties)
        start = len(self.stream)
    try:
        yield
    finally:
        if artifact is None:
            said = getattr(box, tagging.ACTUAL_TEXT, None)
            if getattr(box, tagging.SPACE_AFTER, False) and (not _space_after(self, start) or said):
                said = (box.text if said is None else said) + " "
            elif not getattr(box, "text", "x").strip() and not any(
                _ends(op, b"] TJ") for op in self.stream[start:]
            ):
                said = " "  # a space between two styles that draws no glyph is still a space
            setattr(box, tagging.SAID, said)
            if said is not None:
                properties["ActualText"] = pydyf.String(said)
        pydyf.Stream.end_marked_content(self)


def _space_after(stream: Stream, start: int) -> bool:
    """Put the space glyph of the font last used since ``start`` at the end of the last text
    shown since then (``[<...>] TJ``, as ``draw_text`` writes it); whether it could."""
    operations = stream.stream
    shown = next(
        (i for i in range(len(operations) - 1, start - 1, -1) if _ends(operations[i], b"] TJ")), None
    )
    chosen = next((i for i in range(shown or start, start - 1, -1) if _ends(operations[i], b" Tf")), None)
    if shown is None or chosen is None:
        return False
    name = bytes(operations[chosen]).split()[0][1:].decode()
    font = next((font for font in stream._fonts.values() if font.hash == name), None)
    glyph = next((g for g, text in font.to_unicode.items() if text == " "), None) if font else None
    if glyph is None or font.bitmap:
        return False
    operations[shown] = bytes(operations[shown])[: -len(b"] TJ")] + f"<{glyph:04x}>] TJ".encode()
    return True


def _ends(operation: Any, suffix: bytes) -> bool:
    return isinstance(operation, bytes | bytearray) and operation.endswith(suffix)


def install() -> None:
    """Put the fixes in place (``engine.start`` does, once), for the release they were read from only."""
    global _columns_layout_above_notes
    installed = block.block_container_layout is not _block_container_layout
    if weasyprint.__version__ != PATCHED_RELEASE or installed:
        return  # another release (engine.start refuses it), or installed already
    pdf_output.add_tags = tagging.add_tags
    Stream.marked = _marked_as_prepared
    properties.TABLE_WRAPPER_BOX_PROPERTIES.add("column_span")
    block.block_container_layout = _block_container_layout_first_line_once
    block._linebox_layout = _linebox_layout_keeping_notes()
    _columns_layout_above_notes = _columns_layout_with_notes_above()
    block.columns_layout = _columns_layout_keeping_notes
