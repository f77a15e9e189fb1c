"""Every kind of PDF the project makes opens cleanly in independent readers.

qpdf (structure), poppler (pdfinfo, pdftotext), pdfium (pypdfium2 renders every page) and
Ghostscript each read every file: archive and print editions, a bound volume, an imposed
booklet and 2-up sheets with their cover notes, leaflets; any error or warning fails the test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from layout.build.volumes import build_volumes
from layout.editions import note_file
from layout.model.manifest import load_publication
from layout.project import Project
from tests.conftest import building, make_scratch
from tests.test_bad_input import run_layout
from tests.test_issues import NUMBERS

KINDS = [
    *(f"archive-{n}" for n in NUMBERS),
    *(f"print-{n}" for n in NUMBERS),
    "volume-2017",
    "booklet",
    "booklet-note",
    "2up",
    "leaflet-a5",
    "leaflet-a4",
    "leaflet-a5-2up",
    "leaflet-a5-2up-note",
]


@pytest.fixture(scope="module")
def pdfs(project: Project, shipped: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of PDF, built from the shipped issues: kind -> path."""
    publication = load_publication(project.issues_root, project.root)
    found = {}
    for number in NUMBERS:
        found[f"archive-{number}"] = project.archive_path(publication, number)
        found[f"print-{number}"] = project.print_path(publication, number)
    with building(project):
        _, (volume,) = build_volumes(project, ["2017"])
    assert not volume.problems, volume.problems
    found["volume-2017"] = Path(volume.output)
    sheets = tmp_path_factory.mktemp("imposed")
    elsewhere = make_scratch(sheets / "project")  # layout impose keeps its records in ./build
    for kind, source, options in (
        ("booklet", project.print_path(publication, 23), ["--scale", "a5", "--duplex", "long"]),
        ("2up", project.archive_path(publication, 20), ["--layout", "2up"]),
    ):
        target = sheets / f"{kind}.pdf"
        result = run_layout(elsewhere, "impose", str(source), *options, "--to", str(target))
        assert result.returncode == 0, result.stderr
        found[kind] = target
    found["booklet-note"] = sheets / "booklet-note.pdf"
    first_of_21 = shipped[21][0].articles[0].slug
    for size in ("a5", "a4"):
        # A5 fitted to a sheet as the site's are: the session's build folder holds one of each name
        layout = ["--fit", "--impose", "2up"] if size == "a5" else []
        args = ["leaflet", "issues/021", "1", "--size", size, *layout, "--out", str(project.out)]
        with building(project):
            result = run_layout(project.root, *args)
        assert result.returncode == 0, result.stderr
        found[f"leaflet-{size}"] = project.leaflet_path(publication, 21, first_of_21, size)
    found["leaflet-a5-2up"] = project.out / "imposed" / f"{found['leaflet-a5'].stem}-2up-a4.pdf"
    found["leaflet-a5-2up-note"] = note_file(found["leaflet-a5-2up"])
    assert all(path.is_file() for path in found.values()), found
    return found


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", KINDS)
def test_qpdf_finds_no_error_and_no_warning(pdfs: dict, kind: str) -> None:
    result = run("qpdf", "--check", str(pdfs[kind]))
    assert result.returncode == 0, result.stdout + result.stderr  # 2: errors, 3: warnings
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_poppler_reads_info_and_text_silently(pdfs: dict, kind: str) -> None:
    info = run("pdfinfo", str(pdfs[kind]))
    assert info.returncode == 0 and info.stderr == "", info.stderr
    assert "Pages:" in info.stdout
    text = run("pdftotext", "-enc", "UTF-8", str(pdfs[kind]), "-")
    assert text.returncode == 0 and text.stderr == "", text.stderr
    assert "Spark" in text.stdout or "SPARK" in text.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_pdfium_renders_every_page(pdfs: dict, kind: str) -> None:
    document = pdfium.PdfDocument(str(pdfs[kind]))
    assert len(document) > 0
    for page in document:
        image = page.render(scale=0.25, grayscale=True).to_pil()
        low, high = image.getextrema()
        assert high > low, "a page rendered as one flat colour"


@pytest.mark.parametrize("kind", KINDS)
def test_ghostscript_interprets_without_complaint(pdfs: dict, kind: str) -> None:
    result = run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", str(pdfs[kind]))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.strip() == "", output  # gs reports repairs and oddities as "**** Warning" / "Error"
