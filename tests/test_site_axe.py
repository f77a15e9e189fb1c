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


def axe_page(chromium: Browser, width: int) -> Page:
    """A page of ``width`` that has axe in every document it opens, before the document's own
    scripts run: an init script, which took 1 s of a pass over the site's 75 pages where adding a
    script tag to each page once loaded took 9 s of the pass's 34."""
    page = chromium.new_page(viewport={"width": width, "height": 800})
    page.add_init_script(AXE)
    return page


def violations(page: Page, path: Path) -> list[str]:
    """What axe finds on the page at ``path`` (opened in an ``axe_page``): rule, impact and the
    first element of each."""
    page.goto(path.as_uri())
    # every violation with all its elements; of what passes, one element each (resultTypes): a third faster
    options = "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}"
    result = page.evaluate(f"tags => axe.run(document, {options})", STANDARDS)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_page_of_the_site_has_a_wcag_violation(browser: Browser, site: SiteResult, width: int) -> None:  # noqa: F811
    page = axe_page(browser, width)
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
    page = axe_page(browser, WIDTHS["desktop"])
    try:
        found = " ".join(violations(page, broken))
    finally:
        page.close()
    assert "color-contrast" in found and "image-alt" in found
