"""The layout memos change how fast pages are made, never what is on them."""

from __future__ import annotations

from pathlib import Path

import weasyprint
import weasyprint.layout.block
import weasyprint.layout.inline
from weasyprint import HTML

from layout.build.loading import load
from layout.build.typesetters import typesetter_for
from layout.model.manifest import load_publication
from layout.project import Project
from layout.typeset import speedups
from layout.typeset.pdf import DOCUMENT_URL, SandboxFetcher
from layout.typeset.render import render_issue
from tests.test_volumes import long_front_matter


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
    """The boxes of ``html`` laid out with the memos and without."""
    typesetter = typesetter_for(project, style)
    fast = typesetter.layout(html, folder, "fast")
    fetcher = SandboxFetcher((project.style_dir(style), project.fonts_dir), document_dir=folder)
    plain = HTML(string=html, base_url=DOCUMENT_URL, url_fetcher=fetcher).render(
        font_config=typesetter.fonts, stylesheets=[typesetter.stylesheet]
    )
    assert len(fast.pages) == len(plain.pages)
    return _boxes(fast), _boxes(plain)


def test_pages_are_the_same_box_for_box(project: Project) -> None:
    # No 21 has two-column articles over several pages and footnotes; no 23 is the longest.
    for folder in ("021", "023"):
        loaded = load(project, project.issues_root / folder)
        html = render_issue(
            project.style_dir(loaded.issue.style), loaded.publication, loaded.issue, loaded.texts
        )
        fast, plain = _fast_and_plain(project, loaded.issue.style, html, loaded.directory)
        assert fast[-1][0] > 8  # pages
        assert fast == plain


def test_an_index_in_columns_filled_in_turn_is_the_same_box_for_box(project: Project, shipped: dict) -> None:
    # Twenty issues make an index of a dozen pages, each set without trial columns.
    style = load_publication(project.issues_root, project.root).style
    fast, plain = _fast_and_plain(
        project, style, long_front_matter(project, shipped), project.style_dir(style)
    )
    assert fast[-1][0] > 12
    assert fast == plain
