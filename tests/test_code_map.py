"""The package reads as its pipeline (README, "The code"): each stage's modules import only from the
stages before it and from the shared modules beside them, never from a later stage nor the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "layout"
STAGES = ("model", "text", "typeset", "pages", "checks", "build", "site")  # in the pipeline's order


def imported_stages(path: Path) -> set[str]:
    """The parts of ``layout`` a module imports: a stage's name, another top-level module's, or ``cli``."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]  # ("layout", "build")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            names = [*base, *(node.module or "").split(".")] if node.module else [*base]
            parts = [part for part in names if part]
            if parts[:1] == ["layout"] and len(parts) > 1:
                found.add(parts[1])
            elif parts == ["layout"]:  # from layout import x / from .. import x
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "layout" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_imported_stages_reads_relative_and_absolute_imports(tmp_path: Path) -> None:
    """The reader under test finds what each form of import names (else the test below proves nothing)."""
    module = PACKAGE / "typeset" / "pdf.py"
    assert {"model", "paths", "units", "typeset"} <= imported_stages(module)
    assert "pages" in imported_stages(PACKAGE / "build" / "issues.py")
    assert "cli" not in imported_stages(module)


def test_each_stage_imports_only_the_stages_before_it() -> None:
    backwards = []
    for place, stage in enumerate(STAGES):
        later = {*STAGES[place + 1 :], "cli"}
        for path in sorted((PACKAGE / stage).rglob("*.py")):
            for name in sorted(imported_stages(path) & later):
                backwards.append(f"{path.relative_to(ROOT)} imports layout.{name}")
    assert backwards == []


def test_the_shared_modules_import_no_stage_after_the_one_they_need() -> None:
    """files, units, paths and versions need no stage at all: every stage may use them."""
    for name in ("files", "units", "paths", "versions"):
        assert imported_stages(PACKAGE / f"{name}.py") & {*STAGES, "cli"} == set(), name
