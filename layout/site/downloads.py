"""The archive site's files: every PDF it offers built and copied in, described, and covers from page 1.

A download is described by what a reader checks: its size, its page count and its SHA-256.
Every file is written atomically and only when its bytes change, world-readable for any host.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2
from PIL import Image

from ..build.issues import build_booklets
from ..build.leaflets import build_leaflets
from ..build.volumes import build_volumes
from ..editions import ARCHIVE, IMPOSED, offered_for
from ..files import atomic_path
from ..model.errors import LayoutError, Problem
from ..model.manifest import Publication
from ..project import Project
from ..typeset.render import count

if TYPE_CHECKING:
    from ..build.pamphlets import PamphletResult

PDF_DIR = "pdf"
COVER_DIR = "covers"
COVERS_KEPT = ".state/covers"  # in the build folder: covers made once for each PDF
# Covers in the widths pages show them at: 200 px for a card of the index on a phone (155-205 CSS px),
# 280 for the latest issue's (272), 560 for either on a 2x or 3x screen (10, 18 and 60 KB as WebP).
COVER_WIDTHS = (200, 280, 560)
COVER_SRC = 280  # the one named in src, for a browser that reads no srcset
# WebP quality: at 70 a front page's type and photo look as at 78 (compared side by side at 280 px)
# and each cover is some 13 % lighter: about 9 KB off the index's six, whose first visit was at 150 KB.
COVER_QUALITY = 70


@dataclass(frozen=True)
class Download:
    """A PDF or an EPUB as the site offers it: where it is (relative to the site's root) and what it is."""

    label: str
    url: str
    size: int
    size_text: str
    pages: int
    pages_text: str
    sha256: str
    note: str = ""

    @property
    def media_type(self) -> str:
        return "application/epub+zip" if self.url.endswith(".epub") else "application/pdf"

    @property
    def format(self) -> str:
        """How the site names the file's kind: PDF or EPUB."""
        return "EPUB" if self.url.endswith(".epub") else "PDF"


@dataclass(frozen=True)
class Cover:
    """Thumbnails of a PDF's first page: ``url`` (``width`` by ``height``) and every width of it as
    ``sources``, (address, width) pairs for an ``<img srcset>``."""

    url: str
    width: int
    height: int
    sources: tuple[tuple[str, int], ...]


def write_file(target: Path, data: bytes) -> None:
    """Write ``data`` atomically, leaving the file alone when it already holds these bytes."""
    if target.is_file() and target.read_bytes() == data:
        return
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
        temporary.chmod(0o644)  # mkstemp makes 0600: a web server must be able to read it


def kept(path: Path, make: Callable[[], bytes]) -> bytes:
    """What ``make`` gives, made once and kept at ``path`` (in the build folder's ``.state``,
    under a name that holds the digest of what it is made from); read from there after."""
    if path.is_file():
        return path.read_bytes()
    data = make()
    write_file(path, data)
    return data


def human_size(size: int) -> str:
    """``1.3 MB``, ``152 KB``: decimal units, as browsers and file managers show them."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


def offer(site: Path, source: Path, name: str, label: str, note: str = "") -> Download:
    """Copy a built PDF into the site's ``pdf/`` folder as ``name`` and describe it."""
    if not source.is_file():
        raise LayoutError(
            [Problem(str(source), None, None, f"the site offers it ({label}) but it was not built")]
        )
    data = source.read_bytes()
    write_file(site / PDF_DIR / name, data)
    pages = page_count(data)
    digest = hashlib.sha256(data).hexdigest()
    pages_text = count(pages, "page")
    return Download(
        label, f"{PDF_DIR}/{name}", len(data), human_size(len(data)), pages, pages_text, digest, note
    )


def issue_downloads(
    project: Project, site: Path, publication: Publication, number: int
) -> dict[str, Download]:
    """Every output ``layout.editions`` offers of an issue, copied in as ``STEM-SUFFIX.pdf`` and
    described with its label and note, by the output's name, in the registry's order."""
    stem = f"{publication.slug}-{number:03d}"
    return {
        output.name: offer(
            site,
            project.issue_output(output, publication, number),
            f"{stem}{output.suffix}.pdf",
            *output.offered["issue"],
        )
        for output in offered_for("issue")
    }


def pamphlet_downloads(site: Path, result: PamphletResult) -> list[Download]:
    """Every output ``layout.editions`` offers of a pamphlet that was made (its booklet and note only
    when it was imposed), copied in as ``pamphlets/ID-SUFFIX.pdf``; its note says how many articles."""
    made = dict(result.outputs)
    if result.imposed:
        imposed = result.imposed
        made |= {out.name: imposed.note if out.part == "note" else imposed.output for out in IMPOSED}
    name = Path(made[ARCHIVE.name]).stem
    downloads = []
    for output in offered_for("pamphlet"):
        if output.name in made:
            label, note = output.offered["pamphlet"]
            note = note.format(articles=count(result.articles, "article"))
            downloads.append(
                offer(site, Path(made[output.name]), f"pamphlets/{name}{output.suffix}.pdf", label, note)
            )
    return downloads


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has, from pdfium (its page tree read in C: 0.1 ms, where pypdf
    took 10 ms a file, 3.5 s of a site build at 50 issues that had nothing to do)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def cover(site: Path, source: Path, name: str, folder: Path) -> Cover:
    """Render the first page of ``source`` into ``covers/NAME-WIDTH.webp`` in each of ``COVER_WIDTHS``.

    Each is kept in ``folder`` under the digest of the PDF, so that a site build renders
    again only the covers of what was built again (0.2 s an issue: 40 s at 200 issues)."""
    digest = hashlib.sha256(source.read_bytes() + f"q{COVER_QUALITY}".encode()).hexdigest()[:16]
    sources, size = [], (0, 0)
    for width in COVER_WIDTHS:
        url = f"{COVER_DIR}/{name}-{width}.webp"
        data, height = _cover_image(source, width, folder, name, digest)
        write_file(site / url, data)
        sources.append((url, width))
        if width == COVER_SRC:
            size = (width, height)
    return Cover(f"{COVER_DIR}/{name}-{COVER_SRC}.webp", *size, tuple(sources))


def _cover_image(source: Path, width: int, folder: Path, name: str, digest: str) -> tuple[bytes, int]:
    """The WebP of ``source``'s first page ``width`` pixels wide and its height, made once into ``folder``."""
    path = folder / f"{name}-{digest}-{width}.webp"
    if not path.is_file():
        for older in folder.glob(f"{name}-{'?' * len(digest)}-{width}.webp"):
            older.unlink()  # made from a PDF built before this one

    def make() -> bytes:
        buffer = io.BytesIO()
        first_page(source, width).save(buffer, "WEBP", quality=COVER_QUALITY, method=6)
        return buffer.getvalue()

    data = kept(path, make)
    return data, Image.open(io.BytesIO(data)).height


def first_page(source: Path, width: int) -> Image.Image:
    """The first page of a PDF rendered ``width`` pixels wide, in RGB (covers of the site and the EPUBs)."""
    document = pypdfium2.PdfDocument(source)
    try:
        page = document[0]
        return page.render(scale=width / page.get_width()).to_pil().convert("RGB")
    finally:
        document.close()


def build_pdfs(project: Project, jobs: int = 1) -> list[Problem]:
    """Build every PDF the site offers, skipping what is up to date; raise one LayoutError naming
    every failure. A bad issue stops none of the others: their PDFs are all built first.

    An article of a good issue that cannot be set as a leaflet (a table too wide for A5) does not
    stop the site either: its problems are returned, and the site offers no leaflet of it.
    """
    issues = build_booklets(project, jobs=jobs)  # first: leaflets need the issues to load
    problems = [problem for result in issues for problem in result.problems]
    failed = {result.directory for result in issues if result.problems}
    # a distributor prints one sheet: fitted to it; what runs over is offered as it is, uncounted
    leaflets = build_leaflets(project, jobs=jobs, fit=True, count_over=False)
    problems += [p for result in leaflets if result.directory in failed for p in result.problems]
    warnings = [p for result in leaflets if result.directory not in failed for p in result.problems]
    _, volumes = build_volumes(project, jobs=jobs)
    problems += [problem for result in volumes for problem in result.problems]
    if problems:
        raise LayoutError(list(dict.fromkeys(problems)))  # an issue's problems, once for all its outputs
    return warnings
