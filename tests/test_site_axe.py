"""axe-core (Deque's accessibility engine, as the audits use it) finds no WCAG 2 A or AA violation on
any page of the site, on a phone and on a desktop, and does find one on a page made to have one.

The engine is the axe.min.js that the pinned ``axe-playwright-python`` ships (axe-core 4.12), run
in Debian's Chromium through Playwright.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from layout.site.website import SiteResult
from tests.test_site import browser, site  # noqa: F401 (fixtures)

AXE = (files("axe_playwright_python") / "axe.min.js").read_text()
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": 360, "desktop": 1280}


def violations(page: Page, path: Path) -> list[str]:
    """What axe finds on the page at ``path``: rule, impact and the first element of each."""
    page.goto(path.as_uri())
    page.add_script_tag(content=AXE)
    # every violation with all its elements; of what passes, one element each (resultTypes): a third faster
    options = "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}"
    result = page.evaluate(f"tags => axe.run(document, {options})", STANDARDS)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_page_of_the_site_has_a_wcag_violation(browser: Browser, site: SiteResult, width: int) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 800})
    found = {}
    for path in sorted(site.root.rglob("*.html")):
        if problems := violations(page, path):
            found[path.relative_to(site.root).as_posix()] = problems
    page.close()
    assert found == {}


def test_axe_finds_a_violation_where_there_is_one(browser: Browser, site: SiteResult, tmp_path: Path) -> None:  # noqa: F811
    """The check can fail: an article page with its title's contrast gone and an image without alt."""
    article = next(site.root.glob("issues/*/*/index.html"))
    broken = tmp_path / "broken.html"  # not in the site, which other tests read meanwhile: based on it
    text = article.read_text().replace("<head>", f'<head><base href="{article.parent.as_uri()}/">', 1)
    text = text.replace("</head>", "<style>h1 { color: #eee !important; }</style></head>", 1)
    broken.write_text(text.replace("</main>", '<img src="x.png"></main>', 1))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        found = " ".join(violations(page, broken))
    finally:
        page.close()
    assert "color-contrast" in found and "image-alt" in found
