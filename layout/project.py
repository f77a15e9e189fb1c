"""Where a project's things are: its content, styles and fonts, and every output under its build folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .editions import ARCHIVE, IMPOSED_FOLDER, PRINT, Output, edition, imposed_file

if TYPE_CHECKING:
    from .model.manifest import Publication
    from .pages.impose import Plan


@dataclass(frozen=True)
class Project:
    """Where things are: the content, the styles, the fonts and the output folder."""

    root: Path
    out: Path

    @property
    def issues_root(self) -> Path:
        return self.root / "issues"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    def style_dir(self, style: str) -> Path:
        return self.root / "styles" / style

    def issue_output(self, output: Output | str, publication: Publication, number: int) -> Path:
        """Where an issue's output registered in ``layout.editions`` goes (an edition or its name, an
        imposed output by its own plan): ``issues/the-spark-021.pdf``, ``print/the-spark-021.pdf``."""
        entry = edition(output) if isinstance(output, str) else output
        return entry.path(self.out, "issue", f"{publication.slug}-{number:03d}")

    def archive_path(self, publication: Publication, number: int) -> Path:
        """The archive edition: what volumes are bound from and covers are drawn from."""
        return self.issue_output(ARCHIVE, publication, number)

    def print_path(self, publication: Publication, number: int) -> Path:
        """The print edition: what proofs are drawn from and booklets imposed from."""
        return self.issue_output(PRINT, publication, number)

    def imposed_path(self, source: Path, plan: Plan) -> Path:
        """Where ``source`` imposed by ``plan`` (its sheet chosen) goes: named by layout and sheet."""
        return imposed_file(self.out / IMPOSED_FOLDER, source.stem, plan)

    def leaflet_path(self, publication: Publication, number: int, slug: str, size: str) -> Path:
        return self.out / "leaflets" / f"{publication.slug}-{number:03d}-{slug}-{size}.pdf"

    def proof_path(self, publication: Publication, number: int, view: str) -> Path:
        """A PNG proof of the print edition: ``view`` is ``pages`` or ``spreads``."""
        return self.out / "proofs" / f"{publication.slug}-{number:03d}-{view}.png"

    def volume_path(self, publication: Publication, volume_id: str) -> Path:
        return self.out / "volumes" / f"{publication.slug}-{volume_id}.pdf"

    def epub_path(self, publication: Publication, key: int | str) -> Path:
        """The EPUB of an issue (its number) or a volume (its id): ``epub/the-spark-021.epub``."""
        name = f"{key:03d}" if isinstance(key, int) else key
        return self.out / "epub" / f"{publication.slug}-{name}.epub"

    @property
    def places(self) -> list[str]:
        """The project and output folders, as stamps name them."""
        return [str(self.root.resolve()), str(self.out.resolve())]

    def stamp_path(self, name: str) -> Path:
        """Where the build records what an output was made from (see ``read_stamp``)."""
        return self.out / ".state" / f"{name}.json"
