"""Crop marks, and the marks where sheets are folded or cut: hairlines outside the trim, drawn once here.

Two kinds of paper carry them, and they differ in two ways, each an argument:

- the print edition's pages (``pdf``) go to a press: their marks start beyond the page's bleed
  (the artwork there is cut off, a mark inside it would be printed over) and are drawn in
  registration black, on every plate, so that the press can register the plates by them;
- imposed sheets (``pages.impose``) go to an office printer or a photocopier, with no bleed: their
  marks start a little outside the pages and are drawn in black alone, one toner (registration
  black would be four toners' worth of ink on a colour printer), shortened to end at the sheet's edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..units import MM

HAIRLINE = "0.3 w"  # the marks' line width, in points
LENGTH = 5 * MM  # how long each mark is
ROOM = 1.0  # a mark with less room than this beyond its start, in points, is left out


class Rect(NamedTuple):
    """A rectangle in PDF points, as PDF boxes list it."""

    left: float
    bottom: float
    right: float
    top: float


def crop_marks(
    trim: Rect,
    start: float,
    colour: str,
    between: Sequence[float] = (),
    sheet: Rect | None = None,
    length: float = LENGTH,
) -> list[str]:
    """The content-stream lines drawing marks on the lines of ``trim``: two at each corner, and one at
    the head and one at the foot of each vertical line ``between`` pages (where a sheet is folded or
    cut), each from ``start`` points outside the trim outwards, ``length`` long, after ``colour``
    (the colour-setting operator). On a ``sheet`` the marks end at its edge, and those with less than
    ``ROOM`` beyond their start are left out; no lines at all when no mark is left.
    """
    sheet = sheet or Rect(-float("inf"), -float("inf"), float("inf"), float("inf"))
    room = Rect(
        trim.left - sheet.left, trim.bottom - sheet.bottom, sheet.right - trim.right, sheet.top - trim.top
    )
    ticks = []  # (x, y) on the trim line, the direction outwards, the room that way
    for x, y, dx, dy in ((trim.left, trim.bottom, -1, -1), (trim.right, trim.bottom, 1, -1),
                         (trim.left, trim.top, -1, 1), (trim.right, trim.top, 1, 1)):  # fmt: skip
        ticks.append((x, y, dx, 0, room.left if dx < 0 else room.right))
        ticks.append((x, y, 0, dy, room.bottom if dy < 0 else room.top))
    for x in between:
        ticks.extend(((x, trim.bottom, 0, -1, room.bottom), (x, trim.top, 0, 1, room.top)))
    lines = [
        _line(x, y, dx, dy, start, start + min(length, space - start))
        for x, y, dx, dy, space in ticks
        if space - start >= ROOM
    ]
    return [f"{HAIRLINE} {colour}", *lines] if lines else []


def _line(x: float, y: float, dx: int, dy: int, near: float, far: float) -> str:
    return f"{x + dx * near:.2f} {y + dy * near:.2f} m {x + dx * far:.2f} {y + dy * far:.2f} l S"
