"""Memos and a shortcut that spare WeasyPrint 70 work it repeats when it lays out columns.

WeasyPrint balances a multi-column box by setting its content again and again at growing
heights, and before each try it sets everything after each column at an unlimited height only
to learn how tall the next block is: no 21 set some 5,600 lines, and broke 6,600, to print 1,600.
Inside ``faster_layout()``:

- a line is broken once per layout: ``split_first_line`` is a pure function of its text, style,
  width and spacing, so its result is kept and a copy of its (inactive) Pango layout handed out;
- the look-ahead sets only the next block, not the rest of the column;
- a ``column-fill: auto`` box (the volume's index) is not first set in trial columns: without
  balancing, and without footnotes to make room for, its columns take the full height whatever
  the trial finds, and WeasyPrint sets them again for good after it.

The pages are the same, box for box (``tests/test_speedups.py`` lays the shipped issues out
with and without). The patches are made only for the WeasyPrint release they were read from.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from math import inf
from typing import Any

import weasyprint
import weasyprint.layout.block as block
import weasyprint.layout.inline as inline

from ..versions import release

PATCHED_RELEASE = release("weasyprint")

_lines: dict[tuple, tuple] | None = None  # the line memo of the layout under way, if any
_untried: object = None  # the element of the column-fill: auto box being laid out, if any
_split_first_line = inline.split_first_line
_block_box_layout = block.block_box_layout
_columns_layout = block.columns_layout


@contextlib.contextmanager
def faster_layout() -> Iterator[None]:
    """Lay out with the memos; each layout gets a memo of its own, dropped when it ends."""
    global _lines
    outer, _lines = _lines, {}
    try:
        yield
    finally:
        _lines = outer


def _memo_split_first_line(
    text: str,
    style: Any,
    context: Any,
    max_width: float | None,
    justification_spacing: float,
    is_line_start: bool = True,
    minimum: bool = False,
) -> tuple:
    rest = (max_width, justification_spacing, is_line_start, minimum)
    if _lines is None:
        return _split_first_line(text, style, context, *rest)
    # The style is kept with the result: while it lives, no other style can take its id.
    key = (text, id(style), *rest)
    kept = _lines.get(key)
    if kept is None or kept[0] is not style:
        kept = _lines[key] = (style, _split_first_line(text, style, context, *rest))
    layout, *metrics = kept[1]
    return (copy.copy(layout), *metrics)  # a box may change its layout's text when drawn


def _columns_layout_untried(
    context: Any, box: Any, bottom_space: float, skip_stack: dict | None, *args: Any
) -> tuple:
    global _untried
    if _lines is None or not _fills_at_full_height(box, skip_stack):
        return _columns_layout(context, box, bottom_space, skip_stack, *args)
    outer, _untried = _untried, box.element
    try:
        return _columns_layout(context, box, bottom_space, skip_stack, *args)
    finally:
        _untried = outer


def _fills_at_full_height(box: Any, skip_stack: dict | None) -> bool:
    """Whether columns_layout sets ``box``'s columns at the full height, whatever its trial finds:
    they fill in turn (no balancing, which only the last group of columns skips) and hold no
    footnote (which would shorten them)."""
    if box.style["column_fill"] != "auto":
        return False
    (skip,) = skip_stack.keys() if skip_stack else (0,)
    spans = [child.style["column_span"] == "all" for child in box.children[skip:]]
    if False in spans and True in spans[spans.index(False) :]:
        return False  # a group of columns before a spanning block is balanced
    return not any(getattr(child, "footnote", None) for child in box.descendants())


def _block_box_layout_looking_ahead(
    context: Any, box: Any, bottom_space: float, skip_stack: dict | None, *args: Any, **kwargs: Any
) -> tuple:
    if (
        _untried is not None
        and getattr(box, "is_column", False)
        and box.element is _untried
        and args[4] == []
    ):
        # A trial column (the one set for good gets no adjoining margins, None): answer "empty,
        # all set", and the columns are set once, at the full height the trial would lead to.
        return box.copy_with_children([]), None, {"break": "any", "page": None}, [], False, None
    # columns_layout asks for the height of the block that resumes a column by setting the
    # column's whole remaining content at an unlimited height: give it that block alone.
    if _lines is not None and bottom_space == inf and skip_stack and getattr(box, "is_column", False):
        (resume,) = skip_stack
        end = resume
        while end < len(box.children) - 1 and not box.children[end].is_in_normal_flow():
            end += 1
        box = box.copy_with_children(box.children[: end + 1])
    return _block_box_layout(context, box, bottom_space, skip_stack, *args, **kwargs)


def install() -> None:
    """Put the memos in place (``engine.start`` does, once, after ``patches.install``: the column
    layout wrapped here is the patched one), for the release they were read from only."""
    global _split_first_line, _block_box_layout, _columns_layout
    if weasyprint.__version__ != PATCHED_RELEASE or inline.split_first_line is _memo_split_first_line:
        return  # another release (engine.start refuses it), or installed already
    _split_first_line, _block_box_layout = inline.split_first_line, block.block_box_layout
    _columns_layout = block.columns_layout
    inline.split_first_line = _memo_split_first_line
    block.block_box_layout = _block_box_layout_looking_ahead
    block.columns_layout = _columns_layout_untried
