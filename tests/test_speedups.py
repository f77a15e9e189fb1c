"""The layout memos change how fast pages are made, never what is on them."""

from __future__ import annotations

import weasyprint
import weasyprint.layout.block
import weasyprint.layout.inline
from weasyprint import HTML

from layout import speedups
from layout.build import Project, load, typesetter_for
from layout.render import render_issue
from layout.typeset import DOCUMENT_URL, SandboxFetcher


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


def test_pages_are_the_same_box_for_box(project: Project) -> None:
    # No 21 has two-column articles over several pages and footnotes; no 23 is the longest.
    for folder in ("021", "023"):
        loaded = load(project, project.issues_root / folder)
        typesetter = typesetter_for(project, loaded.issue.style)
        style_dir = project.style_dir(loaded.issue.style)
        html = render_issue(style_dir, loaded.publication, loaded.issue, loaded.texts)
        fast = typesetter.layout(html, loaded.directory, folder)
        fetcher = SandboxFetcher((style_dir, project.fonts_dir), document_dir=loaded.directory)
        plain = HTML(string=html, base_url=DOCUMENT_URL, url_fetcher=fetcher).render(
            font_config=typesetter.fonts, stylesheets=[typesetter.stylesheet]
        )
        assert len(fast.pages) == len(plain.pages) > 8
        assert _boxes(fast) == _boxes(plain)
