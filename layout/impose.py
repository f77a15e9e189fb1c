"""Stage 5b: imposition, any PDF laid out on sheets for office printers and photocopiers.

- ``booklet``: saddle-stitch order, padded to a multiple of 4 with the blanks before the back
  cover; two pages side by side on a landscape sheet, at full size or scaled with ``fit``.
- ``2up``: step and repeat, each page twice on a sheet, to be cut in half.

Pages are placed by their TrimBox at exact size unless ``fit`` asks otherwise. Backs are turned
180° for printers that flip on the long edge. Crop and fold marks go outside the trim where the
sheet leaves room; the steps to print, fold and cut go to a cover note (see ``build``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import PdfInputError, Problem
from .render import count

if TYPE_CHECKING:  # pypdf is imported when a PDF is imposed, not by every command that plans one
    from pypdf import PageObject, PdfWriter

MM = 72 / 25.4


class Paper(NamedTuple):
    """A paper size in points, portrait."""

    width: float
    height: float


PAPER = {"a5": Paper(148 * MM, 210 * MM), "a4": Paper(210 * MM, 297 * MM), "a3": Paper(297 * MM, 420 * MM)}
LAYOUTS = ("booklet", "2up")
ORDERS = ("duplex", "fronts-then-backs", "fronts-then-backs-reversed")


@dataclass(frozen=True)
class Plan:
    """How to impose: the layout, the sheet, scaling, duplex edge, print order and creep."""

    layout: str = "booklet"
    sheet: str | None = None  # default: the smallest sheet that takes two pages at full size
    fit: str | None = None  # scale pages to this paper size
    duplex: str = "short"
    order: str = "duplex"
    creep_mm: float = 0.0


@dataclass(frozen=True)
class Imposed:
    """What came out: sheets, blanks added, the sheet's name and how to print it, step by step."""

    sheets: int
    blanks: int
    sheet: str
    instructions: tuple[str, ...]


def booklet_sides(count: int) -> list[tuple[int | None, int | None]]:
    """(left, right) source pages, 1-based, for each side of each sheet; None is a blank.

    The count is padded to a multiple of 4 with blanks before the last page (the back cover).
    """
    total = count + (-count % 4)
    logical = [*range(1, count), *([None] * (total - count)), count] if count > 1 else [1, None, None, None]
    sides = []
    for s in range(total // 4):
        sides.append((logical[total - 2 * s - 1], logical[2 * s]))  # front: N-2s | 2s+1
        sides.append((logical[2 * s + 1], logical[total - 2 * s - 2]))  # back: 2s+2 | N-2s-1
    return sides


def twoup_sides(count: int) -> list[tuple[int | None, int | None]]:
    """Each page twice on its side of a sheet."""
    return [(page, page) for page in range(1, count + 1)]


def read_pages(path: Path) -> list[PageObject]:
    """The pages of a PDF, refusing what cannot be imposed: not a PDF, encrypted, mixed sizes."""
    from pypdf.errors import PdfReadError

    from .pdf import LazyReader

    display = str(path)
    try:
        reader = LazyReader(path)
        if reader.is_encrypted:
            raise PdfInputError(Problem(display, None, None, "the PDF is encrypted: save an unlocked copy"))
        pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError) as error:
        raise PdfInputError(Problem(display, None, None, f"not a readable PDF ({error})")) from None
    if not pages:
        raise PdfInputError(Problem(display, None, None, "the PDF has no pages"))
    sizes = {(round(float(p.trimbox.width)), round(float(p.trimbox.height))) for p in pages}
    if len(sizes) > 1:
        raise PdfInputError(Problem(display, None, None, f"pages of mixed sizes: {sorted(sizes)}"))
    return pages


def _cell(page: PageObject, plan: Plan) -> tuple[float, Paper]:
    """The scale and the size at which each page is placed."""
    size = Paper(float(page.trimbox.width), float(page.trimbox.height))
    scale = PAPER[plan.fit].width / size.width if plan.fit else 1.0
    return scale, Paper(size.width * scale, size.height * scale)


def choose_sheet(source: Path, plan: Plan) -> Plan:
    """``plan`` with its sheet named: as asked, or the smallest that takes two pages at their size."""
    if plan.sheet:
        return plan
    return replace(plan, sheet=_smallest_sheet(_cell(read_pages(source)[0], plan)[1]))


def impose(source: Path, target: Path, plan: Plan) -> Imposed:
    """Lay out ``source`` on sheets as ``plan`` says and write ``target``."""
    from pypdf import PdfWriter, Transformation

    pages = read_pages(source)
    scale, cell = _cell(pages[0], plan)
    sheet_name = plan.sheet or _smallest_sheet(cell)
    portrait = PAPER[sheet_name]
    sheet = Paper(portrait.height, portrait.width)  # landscape
    if 2 * cell.width > sheet.width + 0.5 or cell.height > sheet.height + 0.5:
        raise PdfInputError(
            Problem(
                str(source),
                None,
                None,
                f"two pages do not fit on {sheet_name.upper()}: choose a larger --sheet or --fit",
            )
        )
    sides = booklet_sides(len(pages)) if plan.layout == "booklet" else twoup_sides(len(pages))
    writer = PdfWriter()
    sheets = (len(sides) + 1) // 2  # two sides to a sheet
    for index in print_order(len(sides), plan.order):
        left, right = sides[index]
        back = index % 2 == 1
        shift = _creep(plan, index // 2, sheets) if plan.layout == "booklet" else 0.0
        out = writer.add_blank_page(sheet.width, sheet.height)
        x0, y0 = sheet.width / 2 - cell.width, (sheet.height - cell.height) / 2
        for number, x, push in ((left, x0, shift), (right, sheet.width / 2, -shift)):
            if number is not None:
                _place(out, pages[number - 1], x + push, y0, scale)
        _marks(writer, out, sheet, cell, x0, y0)
        if back and plan.duplex == "long":
            out.add_transformation(Transformation().rotate(180).translate(sheet.width, sheet.height))
    blanks = sum(n is None for side in sides for n in side) if plan.layout == "booklet" else 0
    with open(target, "wb") as handle:
        writer.write(handle)
    return Imposed(sheets, blanks, sheet_name, instructions(plan, sheet_name, sheets))


def instructions(plan: Plan, sheet_name: str, sheets: int) -> tuple[str, ...]:
    """How to print and finish the sheets, step by step, in words a distributor can follow."""
    paper = sheet_name.upper()
    steps = [f"Load {paper} paper and print at actual size (100 %), not “fit to page”."]
    if plan.order == "duplex":
        steps.append(
            f"Print both sides, flipping on the {plan.duplex} edge: {count(sheets, 'sheet')} a copy."
        )
    else:
        backs = "in reverse order" if plan.order.endswith("reversed") else "in the same order"
        fronts, backs_pages = _pages(1, sheets), _pages(sheets + 1, 2 * sheets)
        steps.append(
            f"Print {fronts} (the fronts) on one side. Put the printed stack back in the tray "
            f"to print on its blank side, and print {backs_pages} (the backs, {backs})."
        )
    if plan.layout == "booklet":
        steps.append(
            "Fold each sheet in half, page 1 outside; nest the sheets in the order they came out and "
            "staple twice on the fold."
        )
    else:
        steps.append("Cut each sheet in half along the middle: one sheet makes two copies.")
    return tuple(steps)


def _pages(first: int, last: int) -> str:
    return f"page {first}" if first == last else f"pages {first} to {last}"


def _smallest_sheet(cell: Paper) -> str:
    for name in ("a4", "a3"):
        landscape = PAPER[name]
        if 2 * cell.width <= landscape.height + 0.5 and cell.height <= landscape.width + 0.5:
            return name
    return "a3"


def _creep(plan: Plan, sheet_index: int, sheets: int) -> float:
    """The shift toward the spine of a sheet's pages: 0 outside, the whole creep innermost."""
    if sheets < 2 or not plan.creep_mm:
        return 0.0
    return plan.creep_mm * MM * sheet_index / (sheets - 1)


def _place(sheet: PageObject, page: PageObject, x: float, y: float, scale: float) -> None:
    """Merge ``page``, clipped to its trim, with its trim's lower left corner at (x, y)."""
    from pypdf import Transformation

    page.cropbox = page.trimbox
    trim = page.trimbox
    transform = (
        Transformation().translate(-float(trim.left), -float(trim.bottom)).scale(scale).translate(x, y)
    )
    sheet.merge_transformed_page(page, transform)


def _marks(writer: PdfWriter, sheet: PageObject, paper: Paper, cell: Paper, x0: float, y0: float) -> None:
    """Crop marks at the corners of the pages and a fold or cut mark at the middle, outside the trim."""
    gap, length = 3 * MM, 5 * MM
    ops = ["q 0.3 w 0 0 0 1 K"]
    middle = paper.width / 2
    if y0 >= gap + 1:  # room above and below the pages
        reach = min(length, y0 - gap)
        for x in (x0, middle, x0 + 2 * cell.width):
            ops.append(f"{x:.2f} {y0 - gap:.2f} m {x:.2f} {y0 - gap - reach:.2f} l S")
            ops.append(
                f"{x:.2f} {y0 + cell.height + gap:.2f} m {x:.2f} {y0 + cell.height + gap + reach:.2f} l S"
            )
    if x0 >= gap + 1:
        reach = min(length, x0 - gap)
        for y in (y0, y0 + cell.height):
            ops.append(f"{x0 - gap:.2f} {y:.2f} m {x0 - gap - reach:.2f} {y:.2f} l S")
            outer = x0 + 2 * cell.width + gap
            ops.append(f"{outer:.2f} {y:.2f} m {outer + reach:.2f} {y:.2f} l S")
    # Pages that fill the sheet leave no room outside the trim: no marks, the cover note says where to fold.
    if len(ops) == 1:
        return
    ops.append("Q")
    _append_stream(writer, sheet, "\n".join(ops).encode())


def _append_stream(writer: PdfWriter, sheet: PageObject, data: bytes) -> None:
    """Draw ``data`` over what the sheet already holds, as one more content stream."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, IndirectObject, NameObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    raw = sheet.get(NameObject("/Contents"))
    existing = raw.get_object() if raw is not None else None
    if existing is None:
        parts = []
    elif isinstance(existing, ArrayObject):
        parts = list(existing)
    else:  # streams inside an array must be indirect objects
        parts = [raw if isinstance(raw, IndirectObject) else writer._add_object(existing)]
    sheet[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(stream)])


def print_order(sides: int, order: str) -> list[int]:
    """Which side comes when: in turn for duplex; for one side at a time, fronts then backs."""
    if order == "duplex":
        return list(range(sides))
    backs = list(range(1, sides, 2))
    return [*range(0, sides, 2), *(reversed(backs) if order.endswith("reversed") else backs)]
