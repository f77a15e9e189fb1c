"""Two fixes to WeasyPrint 70's block layout, for pages that print what the style asks for.

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
  its call.

Both are made only for the WeasyPrint release they were read from (``tests/test_pages.py``).
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import weasyprint
import weasyprint.layout.block as block

PATCHED_RELEASE = "70.0"

_block_container_layout = block.block_container_layout
_linebox_layout = block._linebox_layout  # unpatched, for the tests to show what the patch mends


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


if weasyprint.__version__ == PATCHED_RELEASE:
    block.block_container_layout = _block_container_layout_first_line_once
    block._linebox_layout = _linebox_layout_keeping_notes()
