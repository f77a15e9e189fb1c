"""Stage 5b: imposition, any PDF laid out on sheets for office printers and photocopiers.

Each layout is one entry of ``LAYOUTS``, a ``Layout`` holding all that differs between them:

- ``booklet``: saddle-stitch order, padded to a multiple of 4 with the blanks before the back
  cover; two pages side by side on a landscape sheet, at full size or scaled with ``fit``.
- ``2up``: step and repeat, each page twice on a sheet, to be cut in half.

A new layout is one more entry (and its tests): a function giving the pages of each side, how many
pages a side holds across the sheet, whether creep applies, and its words for the cover note.

Pages are placed by their TrimBox at exact size unless ``fit`` asks otherwise, each source page
stored once as a form XObject. Backs are turned 180° for printers that flip on the long edge.
Creep moves the inner sheets' pages toward the spine, as far as they are blank there, cut at the
fold. Crop marks and a mark at each fold or cut go outside the trim where the sheet leaves room
(``typeset.marks``); the steps to print, fold and cut go to a cover note (see ``build.imposing``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..model.errors import PdfInputError, Problem
from ..typeset.marks import HAIRLINE, Rect, crop_marks
from ..typeset.render import count
from ..units import MM, to_fold

if TYPE_CHECKING:  # pypdf is imported when a PDF is imposed, not by every command that plans one
    from pypdf import PageObject, PdfWriter
    from pypdf.generic import IndirectObject


class Paper(NamedTuple):
    """A paper size in points, portrait."""

    width: float
    height: float


PAPER = {"a5": Paper(148 * MM, 210 * MM), "a4": Paper(210 * MM, 297 * MM), "a3": Paper(297 * MM, 420 * MM)}
BLACK = "0 0 0 1 K"  # an office sheet's marks: black alone, one toner (see typeset.marks)
MARKS = f"{HAIRLINE} {BLACK}"  # how the marks on a side start
MARK_GAP = 3 * MM  # between the pages' trim and their marks
INK = 250  # a grey level below this, of 255, is something printed
ORDERS = ("duplex", "fronts-then-backs", "fronts-then-backs-reversed")
DUPLEX_EDGES = ("short", "long")
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")  # "two pages do not fit"

Sides = list[tuple[int | None, ...]]  # the source pages (1-based; None a blank) of each side, left to right


@dataclass(frozen=True)
class Imposed:
    """What came out: sheets, blanks added, the sheet's name and how to print it, step by step."""

    sheets: int
    blanks: int
    sheet: str
    instructions: tuple[str, ...]


def booklet_sides(count: int) -> Sides:
    """(left, right) source pages, 1-based, for each side of each sheet; None is a blank.

    The count is padded to a multiple of 4 with blanks before the last page (the back cover).
    """
    total = to_fold(count)
    logical = [*range(1, count), *([None] * (total - count)), count] if count > 1 else [1, None, None, None]
    sides = []
    for s in range(total // 4):
        sides.append((logical[total - 2 * s - 1], logical[2 * s]))  # front: N-2s | 2s+1
        sides.append((logical[2 * s + 1], logical[total - 2 * s - 2]))  # back: 2s+2 | N-2s-1
    return sides


def twoup_sides(count: int) -> Sides:
    """Each page twice on its side of a sheet."""
    return [(page, page) for page in range(1, count + 1)]


@dataclass(frozen=True)
class Layout:
    """One way of laying pages on sheets: everything that differs from one layout to another."""

    name: str
    sides: Callable[[int], Sides]  # from the source's page count; a blank (None) is counted as added
    cells: int  # pages side by side on each side of a landscape sheet, each tuple of ``sides`` as long
    creeps: bool  # the sheets are folded and nested, so creep may move the inner ones toward the spine
    finish: str  # the last step of the cover note: what to do with the printed sheets
    note_title: str  # the cover note's title


LAYOUTS = {
    layout.name: layout
    for layout in (
        Layout(
            "booklet",
            booklet_sides,
            cells=2,
            creeps=True,
            finish="Fold each sheet in half, page 1 outside; nest the sheets in the order they came out "
            "and staple twice on the fold.",
            note_title="How to print and fold this booklet",
        ),
        Layout(
            "2up",
            twoup_sides,
            cells=2,
            creeps=False,
            finish="Cut each sheet in half along the middle: one sheet makes two copies.",
            note_title="How to print and cut these sheets",
        ),
    )
}


@dataclass(frozen=True)
class Plan:
    """How to impose: the layout, the sheet, scaling, duplex edge, print order and creep.

    Checked when made: a name that is not one of the choices is a ValueError naming them (the CLI
    offers only the choices, so this is a mistake in the code that made the plan).
    """

    layout: str = "booklet"
    sheet: str | None = None  # default: the smallest sheet that takes a side's pages at full size
    fit: str | None = None  # scale pages to this paper size
    duplex: str = "short"
    order: str = "duplex"
    creep_mm: float = 0.0

    def __post_init__(self) -> None:
        for field, value, choices in (
            ("layout", self.layout, tuple(LAYOUTS)),
            ("sheet", self.sheet, (None, *PAPER)),
            ("fit", self.fit, (None, *PAPER)),
            ("duplex", self.duplex, DUPLEX_EDGES),
            ("order", self.order, ORDERS),
        ):
            if value not in choices:
                names = ", ".join(str(choice) for choice in choices)
                raise ValueError(f"{field}: {value!r} is not one of {names}")
        if self.creep_mm < 0:
            raise ValueError(f"creep: {self.creep_mm} mm: creep cannot be less than 0")
        if self.creep_mm and not self.kind.creeps:
            folded = " or ".join(name for name, layout in LAYOUTS.items() if layout.creeps)
            raise ValueError(f"creep: only folded sheets creep ({folded}), not {self.layout}")

    @property
    def kind(self) -> Layout:
        """The layout this plan names, from ``LAYOUTS``."""
        return LAYOUTS[self.layout]


# The print edition as distributors copy it: A5 pages on A4 sheets, folded and stapled.
PHOTOCOPIER_BOOKLET = Plan("booklet", sheet="a4", fit="a5")


def read_pages(path: Path) -> list[PageObject]:
    """The pages of a PDF, refusing what cannot be imposed: not a PDF, encrypted, mixed sizes."""
    from pypdf.errors import PdfReadError

    from .reader import LazyReader

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
    """``plan`` with its sheet named: as asked, or the smallest that takes a side's pages at their size."""
    if plan.sheet:
        return plan
    return replace(plan, sheet=_smallest_sheet(_cell(read_pages(source)[0], plan)[1], plan.kind.cells))


def impose(source: Path, target: Path, plan: Plan) -> Imposed:
    """Lay out ``source`` on sheets as ``plan`` says and write ``target``.

    Each source page becomes one form XObject, drawn wherever the page goes (twice a side for
    2-up), so every font, image and profile is stored once, as in the source; the sheets carry
    no links (their destinations are not in the file, and a sheet is for paper).
    """
    from pypdf import PdfWriter

    pages = read_pages(source)
    layout = plan.kind
    scale, cell = _cell(pages[0], plan)
    sheet_name = plan.sheet or _smallest_sheet(cell, layout.cells)
    portrait = PAPER[sheet_name]
    sheet = Paper(portrait.height, portrait.width)  # landscape
    if layout.cells * cell.width > sheet.width + 0.5 or cell.height > sheet.height + 0.5:
        raise PdfInputError(
            Problem(
                str(source),
                None,
                None,
                f"{NUMBERS[layout.cells]} pages do not fit on {sheet_name.upper()}: "
                "choose a larger --sheet or --scale",
            )
        )
    sides = layout.sides(len(pages))
    sheets = (len(sides) + 1) // 2  # two sides to a sheet
    margins = _blank_margins(source, pages) if plan.creep_mm else {}  # Plan allows creep only where it folds
    writer = PdfWriter()
    forms: dict[int, IndirectObject] = {}
    middle, y0 = sheet.width / 2, (sheet.height - cell.height) / 2
    edges = [middle + (column - layout.cells / 2) * cell.width for column in range(layout.cells + 1)]
    for index in print_order(len(sides), plan.order):
        shift = _creep(plan, index // 2, sheets)
        turned = index % 2 == 1 and plan.duplex == "long"  # 180°, for printers that flip on the long edge
        ops = [f"-1 0 0 -1 {sheet.width:.3f} {sheet.height:.3f} cm"] if turned else []
        placed = {}
        for column, number in enumerate(sides[index]):
            if number is None:
                continue
            if number not in forms:
                forms[number] = _form(writer, pages[number - 1])
            placed[f"/P{number}"] = forms[number]
            on_left = column < layout.cells / 2  # its spine, where creep pushes it, is to its right
            spine_side = margins[number][1 if on_left else 0] * scale if shift else 0.0
            push = min(shift, spine_side)
            x = edges[column] + push if on_left else edges[column] - push
            clip = (x, edges[column + 1]) if on_left else (edges[column], x + cell.width)
            ops.append(_placement(f"/P{number}", pages[number - 1], scale, cell, (x, y0), clip))
        ops.extend(_marks(sheet, cell, edges, y0))
        _add_sheet(writer, sheet, placed, ops)
    # The source's version, or 1.4 at least: what the forms draw may use 1.4's transparency.
    writer.pdf_header = max(pages[0].pdf.pdf_header, "%PDF-1.4")
    writer.compress_identical_objects()  # pages alike in the source, as blanks are, stored once
    blanks = sum(n is None for side in sides for n in side)
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
    steps.append(plan.kind.finish)
    return tuple(steps)


def _pages(first: int, last: int) -> str:
    return f"page {first}" if first == last else f"pages {first} to {last}"


def _smallest_sheet(cell: Paper, cells: int) -> str:
    for name in ("a4", "a3"):
        landscape = PAPER[name]
        if cells * cell.width <= landscape.height + 0.5 and cell.height <= landscape.width + 0.5:
            return name
    return "a3"


def _creep(plan: Plan, sheet_index: int, sheets: int) -> float:
    """The shift toward the spine of a sheet's pages: 0 outside, the whole creep innermost."""
    if sheets < 2 or not plan.creep_mm:
        return 0.0
    return plan.creep_mm * MM * sheet_index / (sheets - 1)


def _blank_margins(source: Path, pages: list[PageObject]) -> dict[int, tuple[float, float]]:
    """How far in from its left and right trim each page (1-based) is blank, in the page's points.

    Creep moves a page toward the spine and the fold clips it: it may move only as far as the
    page is blank on that side, or the fold would cut what is printed there. Found by drawing
    each page at 1 pixel a point; a pixel short of the first ink, for its anti-aliased edge.
    """
    import pypdfium2 as pdfium

    margins = {}
    document = pdfium.PdfDocument(str(source))
    try:
        for number, page in enumerate(pages, 1):
            drawn = document[number - 1]
            left, bottom, right, top = drawn.get_cropbox()
            trim = page.trimbox
            crop = (
                float(trim.left) - left,
                float(trim.bottom) - bottom,
                right - float(trim.right),
                top - float(trim.top),
            )
            image = drawn.render(scale=1, crop=tuple(max(0.0, c) for c in crop), grayscale=True).to_pil()
            ink = image.point(lambda value: 255 if value < INK else 0).getbbox()
            width = image.width
            margins[number] = (max(0, ink[0] - 1), max(0, width - ink[2] - 1)) if ink else (width, width)
    finally:
        document.close()
    return margins


def _form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """``page`` as a form XObject clipped to its trim, its resources shared with every other page's."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    contents = page.get_contents()  # one stream, or an array, direct or by reference
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    trim = page.trimbox
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(
        FloatObject(float(v)) for v in (*trim.lower_left, *trim.upper_right)
    )
    for key in ("/Resources", "/Group"):  # a page's transparency group stays its form's
        if key in page:
            form[NameObject(key)] = page.raw_get(key).clone(writer)
    return writer._add_object(form.flate_encode())


def _placement(
    name: str,
    page: PageObject,
    scale: float,
    cell: Paper,
    corner: tuple[float, float],
    clip: tuple[float, float],
) -> str:
    """Draw form ``name`` with the lower left corner of its trim at ``corner``, clipped left and right
    to ``clip``.

    A page pushed toward the spine would reach over the fold into its neighbour's half: the clip
    at the fold keeps the two apart (what it cuts off is blank, see ``_blank_margins``).
    """
    x, y = corner
    clip_left, clip_right = clip
    trim = page.trimbox
    dx, dy = x - scale * float(trim.left), y - scale * float(trim.bottom)
    return (
        f"q {clip_left:.3f} {y:.3f} {clip_right - clip_left:.3f} {cell.height:.3f} re W n "
        f"{scale:.5f} 0 0 {scale:.5f} {dx:.3f} {dy:.3f} cm {name} Do Q"
    )


def _marks(paper: Paper, cell: Paper, edges: list[float], y0: float) -> list[str]:
    """Crop marks at the corners of the pages and a fold or cut mark between them, outside the trim.

    Pages that fill the sheet leave no room outside the trim: no marks, the cover note says where to fold.
    """
    trim = Rect(edges[0], y0, edges[-1], y0 + cell.height)
    marks = crop_marks(
        trim, MARK_GAP, BLACK, between=edges[1:-1], sheet=Rect(0, 0, paper.width, paper.height)
    )
    return ["q", *marks, "Q"] if marks else []


def _add_sheet(writer: PdfWriter, paper: Paper, forms: dict[str, IndirectObject], ops: list[str]) -> None:
    """One side of a sheet: ``ops`` drawing ``forms``, as one compressed content stream."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    sheet = writer.add_blank_page(paper.width, paper.height)
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode())
    xobjects = DictionaryObject({NameObject(name): form for name, form in forms.items()})
    sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    sheet[NameObject("/Contents")] = writer._add_object(stream.flate_encode())


def print_order(sides: int, order: str) -> list[int]:
    """Which side comes when: in turn for duplex; for one side at a time, fronts then backs."""
    if order == "duplex":
        return list(range(sides))
    backs = list(range(1, sides, 2))
    return [*range(0, sides, 2), *(reversed(backs) if order.endswith("reversed") else backs)]
