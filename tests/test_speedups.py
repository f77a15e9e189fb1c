"""The layout memos change how fast pages are made, never what is on them."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import weasyprint
import weasyprint.layout.block
import weasyprint.layout.inline

from layout.build.loading import load
from layout.build.typesetters import typesetter_for
from layout.model.manifest import load_publication
from layout.project import Project
from layout.typeset import pdf, speedups
from layout.typeset.render import render_issue
from tests.test_volumes import long_front_matter

_try_columns = speedups._try_columns


def _boxes(document: weasyprint.Document) -> list[tuple]:
    """Every box on every page: its kind, place, size and text."""
    return [
        (
            index,
            type(box).__name__,
            round(box.position_x, 3),
            round(box.position_y, 3),
            round(box.width or 0, 3),
            round(box.height or 0, 3),
            getattr(box, "text", None),
        )
        for index, page in enumerate(document.pages)
        for box in page._page_box.descendants()
    ]


def test_the_memos_are_installed_for_this_weasyprint() -> None:
    # When WeasyPrint is upgraded this fails: read its column layout again, then move the pin.
    assert weasyprint.__version__ == speedups.PATCHED_RELEASE
    assert weasyprint.layout.inline.split_first_line is speedups._memo_split_first_line
    assert weasyprint.layout.block.block_box_layout is speedups._block_box_layout_looking_ahead
    assert weasyprint.layout.block.columns_layout is speedups._columns_layout_untried


def _fast_and_plain(project: Project, style: str, html: str, folder: Path) -> tuple[list, list]:
    """The boxes of ``html`` laid out by the typesetter with the memos and without (what else it
    does, such as setting a table too wide smaller, done alike both times)."""
    typesetter = typesetter_for(project, style)
    fast = typesetter.layout(html, folder, "fast")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "faster_layout", contextlib.nullcontext)
        plain = typesetter.layout(html, folder, "plain")
    assert len(fast.pages) == len(plain.pages)
    return _boxes(fast), _boxes(plain)


def _issue_html(project: Project, folder: Path) -> tuple[str, str]:
    loaded = load(project, folder)
    style = loaded.issue.style
    return style, render_issue(project.style_dir(style), loaded.publication, loaded.issue, loaded.texts)


def test_pages_are_the_same_box_for_box(project: Project) -> None:
    # No 21 has two-column articles over several pages and footnotes; no 23 is the longest.
    for folder in ("021", "023"):
        style, html = _issue_html(project, project.issues_root / folder)
        fast, plain = _fast_and_plain(project, style, html, project.issues_root / folder)
        assert fast[-1][0] > 8  # pages
        assert fast == plain


def test_columns_balanced_a_pixel_at_a_time_are_the_same_box_for_box(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where WeasyPrint cannot tell how much more the next block needs (the scratch issue's one
    entry in the contents' two columns, its subhead kept with the drawing under it) it balances
    a pixel at a time: 600 sets of the columns. The memos find the same heights by halving."""
    project = Project(root=scratch, out=scratch / "build")
    tries = []
    monkeypatch.setattr(speedups, "_try_columns", lambda *args: tries.append(args) or _try_columns(*args))
    style, html = _issue_html(project, scratch / "issues" / "001")
    fast, plain = _fast_and_plain(project, style, html, scratch / "issues" / "001")
    assert 0 < len(tries) < 100  # trial columns, where WeasyPrint set the columns 600 times
    assert fast == plain


def test_an_index_in_columns_filled_in_turn_is_the_same_box_for_box(project: Project, shipped: dict) -> None:
    # Twenty issues make an index of a dozen pages, each set without trial columns.
    style = load_publication(project.issues_root, project.root).style
    fast, plain = _fast_and_plain(
        project, style, long_front_matter(project, shipped), project.style_dir(style)
    )
    assert fast[-1][0] > 12
    assert fast == plain
