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
  the trial finds, and WeasyPrint sets them again for good after it;
- where balancing grows the columns a pixel at a time (it does when it cannot tell how much
  more the next block needs: a subhead kept with the photo under it), and a pixel more changed
  nothing, the next height at which something changes is found by doubling the step, then
  halving it, not by setting the columns at every pixel between (``balancing_height``: a short
  article with a subhead over a photo set its columns some 600 times: its layout took 1.2 s,
  now 0.2 s).

The pages are the same, box for box (``tests/test_speedups.py`` lays nos 21 and 23, the volume's
index and such a short article out with and without). The patches are made only for the
WeasyPrint release they were read from.
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
_last_try: tuple | None = None  # the column box balanced, the height it tries next, its columns' last try
_split_first_line = inline.split_first_line
_block_box_layout = block.block_box_layout
_columns_layout = block.columns_layout


@contextlib.contextmanager
def faster_layout() -> Iterator[None]:
    """Lay out with the memos; each layout gets a memo of its own, dropped when it ends, as is
    the last balancing try it saw."""
    global _lines, _last_try
    outer, _lines = _lines, {}
    try:
        yield
    finally:
        _lines, _last_try = outer, None


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


# --- balancing by more than a pixel ---------------------------------------------------------------

# How WeasyPrint's columns_layout grows its columns while balancing, and what it is compiled with
# instead (by ``patches``, with its fixes, into one function): the same, but where it knows no step.
BALANCING_STEP = (
    "                add_height = 1 if lost_space == inf else lost_space\n"
    "                height += add_height\n"
)
BALANCING_STEP_FOUND = (
    "                height = height + lost_space if lost_space < inf else balancing_height(\n"
    "                    context, column_box, skip_stack, containing_block, page_is_empty,\n"
    "                    first_letter_style, first_line_style, count, current_position_y, height,\n"
    "                    max_height, columns_signature(new_boxes, consumed_heights, column_skip_stack))\n"
)


def columns_signature(boxes: list, consumed_heights: list, skip_stack: dict | None) -> tuple:
    """What a try of the columns came to: how many were set, their heights and blocks, where the
    content resumes. Two tries alike lead balancing to the same next step."""
    return len(boxes), tuple(consumed_heights), tuple(len(box.children) for box in boxes), skip_stack


def balancing_height(
    context: Any,
    column_box: Any,
    skip_stack: dict | None,
    containing_block: Any,
    page_is_empty: bool,
    first_letter_style: Any,
    first_line_style: Any,
    count: int,
    position_y: float,
    height: float,
    max_height: float,
    tried: tuple,
) -> float:
    """The next height at which columns_layout sets its columns to balance them, where it knows no
    better step than a pixel: ``height + 1``, as WeasyPrint; inside ``faster_layout()``, once a
    pixel more changed nothing, the first height a whole number of pixels on at which the columns
    come out otherwise (``columns_signature``), or the first past ``max_height``. Every height
    between them would have set the columns as ``tried`` did, and balancing would have stepped on.

    Found by setting trial columns 2, 4, 8... pixels on, then halving between the last alike and
    the first not. That assumes more room never sets less in a column, as holds for a flow set in
    order; the pages come out the same box for box (tests/test_speedups.py). Each height is
    reached by adding a pixel at a time, as WeasyPrint adds them, so that it is the same to the bit.
    """
    global _last_try
    following = _plus_pixels(height, 1)
    last, _last_try = _last_try, (column_box, following, tried)
    if _lines is None or last is None or last[0] is not column_box or last[1] != height or last[2] != tried:
        return following

    columns = (context, column_box, skip_stack, containing_block, page_is_empty)
    columns += (first_letter_style, first_line_style, count, position_y)

    def alike(pixels: int) -> bool:
        taller = _plus_pixels(height, pixels)
        return taller <= max_height and _try_columns(columns, taller) == tried

    same, step = 0, 1
    while alike(same + step):
        same, step = same + step, step * 2
    other = same + step
    while other - same > 1:
        middle = (same + other) // 2
        same, other = (middle, other) if alike(middle) else (same, middle)
    _last_try = None
    return _plus_pixels(height, other)


def _plus_pixels(height: float, pixels: int) -> float:
    for _ in range(pixels):
        height += 1
    return height


def _try_columns(columns: tuple, height: float) -> tuple:
    """The columns set at ``height`` as a try of columns_layout's balancing sets them (without
    its look-ahead, which only measures the next block), then taken back: what they came to.
    ``columns`` are the arguments of ``balancing_height`` before ``height``."""
    context, column_box, skip_stack, containing_block, page_is_empty, *styles, count, position_y = columns
    shapes = len(context.excluded_shapes)
    resume_at, boxes, consumed_heights = skip_stack, [], []
    for _ in range(count):
        new_box, resume_at, *_ = block.block_box_layout(
            context, column_box, context.page_bottom - position_y - height, resume_at,
            containing_block, page_is_empty, [], [], [], *styles, discard=False, max_lines=None,
        )  # fmt: skip
        if new_box is None:
            resume_at = {0: None}
            break
        boxes.append(new_box)
        in_flow = [child for child in new_box.children if child.is_in_normal_flow()]
        consumed = 0
        if in_flow:
            consumed = in_flow[-1].margin_height() + in_flow[-1].position_y - position_y
            consumed -= in_flow[-1].margin_bottom
        consumed_heights.append(consumed)
        if resume_at is None:
            break
    block.remove_placeholders(context, boxes, [], [])
    del context.excluded_shapes[shapes:]
    return columns_signature(boxes, consumed_heights, resume_at)


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
