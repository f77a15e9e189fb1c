"""Same inputs, same bytes: a second build, elsewhere and at another time, changes nothing.

The session's build (the repository, today) is compared with a build of a copy of the project
in another folder, run under faketime years later with another time zone and SOURCE_DATE_EPOCH:
every issue, print edition, pamphlet, volume and imposed booklet must be byte-identical.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from layout.build.pamphlets import build_declared
from layout.build.volumes import build_volumes
from layout.editions import editions_for
from layout.model.manifest import load_publication
from layout.project import Project
from tests.conftest import ROOT, building, make_scratch
from tests.test_bad_input import run_layout
from tests.test_issues import NUMBERS

ISSUE_EDITIONS = editions_for("issue")  # each in the folder the registry gives it
EDITION_FOLDERS = tuple(dict.fromkeys(edition.folders["issue"] for edition in ISSUE_EDITIONS))
PAMPHLET_FOLDERS = tuple(dict.fromkeys(edition.folders["pamphlet"] for edition in editions_for("pamphlet")))
KINDS = (*EDITION_FOLDERS, *PAMPHLET_FOLDERS, "volumes", "booklets", "leaflets", "imposed")
DECLARED_PAMPHLETS = 3  # issues/pamphlets.yaml's, which a build of every issue makes
BOOKLET = ["impose", "{out}/print/the-spark-021.pdf", "--scale", "a5", "--to", "{out}/booklets/021.pdf"]
LEAFLET = ["leaflet", "issues/021", "1", "--fit", "--impose", "2up", "--out", "{out}"]


def extras(out: Path) -> list[list[str]]:
    """Besides issues and volumes: a booklet, a leaflet on 2-up sheets, each with its cover note."""
    return [[arg.format(out=out) for arg in args] for args in (BOOKLET, LEAFLET)]


def _run(project_root: Path, env: dict, args: list[str]) -> subprocess.CompletedProcess:
    faketime = shutil.which("faketime")
    prefix = [faketime, "2031-07-04 23:30:00"] if faketime else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "layout", *args],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project copied to another folder and built there, at another (fake) time."""
    copy = tmp_path_factory.mktemp("elsewhere") / "spark"
    for folder in ("issues", "styles", "fonts"):
        shutil.copytree(ROOT / folder, copy / folder)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TZ": "Pacific/Kiritimati",
        "SOURCE_DATE_EPOCH": "1900000000",
    }
    for args in (["build", "-j", "2"], ["volume", "-j", "2"], *extras(copy / "build")):
        result = _run(copy, env, args)
        assert result.returncode == 0, result.stderr
    return copy / "build"


@pytest.fixture(scope="module")
def first_build(project: Project, shipped: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with building(project):
        _, volumes = build_volumes(project, ["2017"])
        pamphlets = build_declared(project, jobs=2)  # as the build of every issue makes them (the site did)
    assert not any(v.problems for v in volumes) and not any(p.problems for p in pamphlets)
    elsewhere = make_scratch(tmp_path_factory.mktemp("cwd"))  # layout impose keeps its records in ./build
    booklet, leaflet = extras(project.out)
    for cwd, args in ((elsewhere, booklet), (ROOT, leaflet)):
        with building(project):
            result = run_layout(cwd, *args)
        assert result.returncode == 0, result.stderr
    return project.out


def test_every_output_is_byte_identical(first_build: Path, second_build: Path) -> None:
    first = {p.relative_to(first_build) for kind in KINDS for p in (first_build / kind).glob("*.pdf")}
    second = {p.relative_to(second_build) for kind in KINDS for p in (second_build / kind).glob("*.pdf")}
    assert second, "the second build wrote nothing"
    assert first >= second
    # issues' editions, a volume, the extras, and each pamphlet's editions, booklet and its note
    pamphlets = DECLARED_PAMPHLETS * (len(PAMPHLET_FOLDERS) + 2)
    assert len(second) == len(ISSUE_EDITIONS) * len(NUMBERS) + 6 + pamphlets
    different = [
        str(p) for p in sorted(second) if (first_build / p).read_bytes() != (second_build / p).read_bytes()
    ]
    assert different == []


def test_no_machine_path_or_build_time_in_any_output(second_build: Path) -> None:
    for pdf in sorted(second_build.rglob("*.pdf")):
        data = pdf.read_bytes()
        assert str(second_build.parent).encode() not in data, pdf
        for stamp in (b"D:2031", b"2031-07-0", f"D:{dt.date.today():%Y%m}".encode()):
            assert stamp not in data, (pdf, stamp)  # neither the fake clock nor today


def test_print_edition_declares_pdf_x4_with_a_cmyk_output_intent(project: Project, shipped: dict) -> None:
    publication = load_publication(project.issues_root, project.root)
    for number in NUMBERS:
        reader = PdfReader(project.print_path(publication, number))
        root = reader.trailer["/Root"]
        (intent,) = [item.get_object() for item in root["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFX"
        assert intent["/OutputConditionIdentifier"] == "FOGRA39"
        profile = intent["/DestOutputProfile"].get_object().get_data()
        assert profile[16:20] == b"CMYK" and profile[12:16] == b"prtr"  # an output profile for CMYK
        assert profile == (ROOT / "icc" / "spark-fogra39.icc").read_bytes()
        xmp = reader.xmp_metadata.stream.get_data().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert reader.metadata["/Trapped"] == "/False"
        for page in reader.pages:  # PDF/X: every page says where it is trimmed
            assert "/TrimBox" in page and "/BleedBox" in page
        archive = PdfReader(project.archive_path(publication, number))  # PDF/A: sRGB, not the press's
        (intent,) = [item.get_object() for item in archive.trailer["/Root"]["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFA1"
        assert intent["/DestOutputProfile"].get_object().get_data()[16:20] == b"RGB "


def test_the_profile_ships_with_its_licence() -> None:
    readme = (ROOT / "icc" / "README.md").read_text()
    assert "Permission is granted to anyone to use this software for any purpose" in readme
    assert "colprof" in readme and "FOGRA39L" in readme
