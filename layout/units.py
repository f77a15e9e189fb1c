"""Units and the print trade's arithmetic, each written once.

PDF files measure in points (1/72 inch), WeasyPrint's boxes in CSS pixels (1/96 inch), editors and
printers in millimetres; a saddle-stitched copy is folded from sheets of four pages.
"""

from __future__ import annotations

MM = 72 / 25.4  # PDF points in a millimetre
PX_PER_MM = 96 / 25.4  # CSS pixels in a millimetre
PAGES_PER_FOLD = 4  # one sheet folded once: two leaves, four pages


def blanks_to_fold(pages: int) -> int:
    """How many blank pages make ``pages`` a whole number of folded sheets."""
    return -pages % PAGES_PER_FOLD


def to_fold(pages: int) -> int:
    """The page count of the folded copy: ``pages`` padded up to a multiple of 4."""
    return pages + blanks_to_fold(pages)
