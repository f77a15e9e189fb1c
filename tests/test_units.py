"""The print trade's arithmetic, written once (layout/units.py) for every stage that folds or measures."""

from __future__ import annotations

import math

from layout.units import MM, PX_PER_MM, blanks_to_fold, to_fold


def test_a_folded_copy_is_a_whole_number_of_sheets() -> None:
    assert [to_fold(n) for n in range(1, 10)] == [4, 4, 4, 4, 8, 8, 8, 8, 12]
    assert [blanks_to_fold(n) for n in range(1, 10)] == [3, 2, 1, 0, 3, 2, 1, 0, 3]


def test_a_millimetre_in_points_and_pixels() -> None:
    assert math.isclose(210 * MM, 595.2756, abs_tol=1e-3)  # A4's width in a PDF
    assert math.isclose(25.4 * PX_PER_MM, 96)  # an inch is 96 CSS px
