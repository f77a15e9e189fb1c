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

They are made only for the WeasyPrint release they were read from (``tests/test_pages.py``).
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import weasyprint
import weasyprint.layout.block as block
from weasyprint.formatting_structure.boxes import LineBox

PATCHED_RELEASE = "70.0"

_block_container_layout = block.block_container_layout
_linebox_layout = block._linebox_layout  # unpatched, for the tests to show what the patch mends
_columns_layout = block.columns_layout
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


def _columns_layout_keeping_notes(
    context: Any, box: Any, bottom_space: float, skip_stack: dict | None, containing_block: Any,
    page_is_empty: bool, absolute_boxes: list, fixed_boxes: list, *rest: Any,
) -> tuple:  # fmt: skip
    page_bottom = context.page_bottom
    for attempt in range(COLUMN_TRIES):
        waiting = list(context.reported_footnotes)
        result = _columns_layout(
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


if weasyprint.__version__ == PATCHED_RELEASE:
    block.block_container_layout = _block_container_layout_first_line_once
    block._linebox_layout = _linebox_layout_keeping_notes()
    block.columns_layout = _columns_layout_keeping_notes
