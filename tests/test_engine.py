"""The one explicit set-up (layout/engine.py): nothing happens on import, the style's author hears
what WeasyPrint ignored in the style with file and line, and an unread release is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layout import versions
from tests.test_bad_input import run_layout

ROOT = Path(__file__).resolve().parent.parent

IMPORT_ONLY = """
import os, sys
import layout.typeset.pdf, layout.build.issues, layout.cli, layout.site.website
import weasyprint.layout.block as block
print(os.environ.get("FONTCONFIG_FILE"), block.block_container_layout.__module__)
from layout import engine
engine.start()
print(os.environ.get("FONTCONFIG_FILE") is not None, block.block_container_layout.__module__)
"""


def test_importing_the_pipeline_changes_nothing_until_it_is_started() -> None:
    env = {key: value for key, value in os.environ.items() if key != "FONTCONFIG_FILE"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ONLY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    before, after = done.stdout.splitlines()
    assert before == "None weasyprint.layout.block"  # no fontconfig file, WeasyPrint's own layout
    assert after == "True layout.typeset.patches"


def test_the_style_s_author_hears_what_weasyprint_ignored_with_file_and_line(scratch: Path) -> None:
    (scratch / "styles").unlink()
    shutil.copytree(ROOT / "styles", scratch / "styles")
    style = scratch / "styles" / "spark" / "style.css"
    lines = style.read_text().count("\n")
    with style.open("a") as css:
        css.write(".masthead { colr: red; }\np { font-size: banana; }\n")
    built = run_layout(scratch, "build")
    assert built.returncode == 0, built.stderr
    warnings = [line for line in built.stderr.splitlines() if line.startswith("warning: ")]
    assert any(f"styles/spark/style.css:{lines + 1}:" in w and "colr" in w for w in warnings), built.stderr
    assert any(f"styles/spark/style.css:{lines + 2}:" in w and "banana" in w for w in warnings), built.stderr


def test_a_release_the_project_was_not_read_against_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(versions.READ_FOR, "pydyf", ("0.1.0", "the page list"))
    (line,) = versions.unread_releases()
    assert line.startswith("pydyf 0.13.0 is installed, but layout was written for 0.1.0")
