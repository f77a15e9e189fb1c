"""Every page of the site, each opened once on a phone and once on a desktop, and checked there:
axe-core (Deque's accessibility engine, as the audits use it) finds no WCAG 2 A or AA violation at
either width, and does find one on a page made to have one; on the phone, the page's headings,
language and images are in order, it fits the width with body text of 16 px or more and every
link to a file finds it; on the desktop, an article's page reads as its Markdown.

The engine is the axe.min.js that the pinned ``axe-playwright-python`` ships (axe-core 4.12), run
in Debian's Chromium through Playwright.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from playwright.sync_api import Browser, Page

from layout.model.manifest import load_publication
from layout.project import Project
from layout.site.website import SiteResult
from tests.pdfcheck import article_words
from tests.test_site import DESKTOP, NARROW_PHONE, browser, check_accessibility, site  # noqa: F401
from tests.test_site_pages import PAGE_WORDS, articles, words  # noqa: F401 (articles: a fixture)

AXE = (files("axe_playwright_python") / "axe.min.js").read_text()
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_page(chromium: Browser, viewport: dict[str, int]) -> Page:
    """A page of ``viewport`` that has axe in every document it opens, before the document's own
    scripts run: an init script, which took 1 s of a pass over the site's 75 pages where adding a
    script tag to each page once loaded took 9 s of the pass's 34."""
    page = chromium.new_page(viewport=viewport)
    page.add_init_script(AXE)
    return page


def violations(page: Page) -> list[str]:
    """What axe finds on the page open in an ``axe_page``: rule, impact and the first element of each."""
    # every violation with all its elements; of what passes, one element each (resultTypes): a third faster
    options = "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}"
    result = page.evaluate(f"tags => axe.run(document, {options})", STANDARDS)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]


def test_every_page_on_a_phone(browser: Browser, site: SiteResult, project: Project) -> None:  # noqa: F811
    """axe on every page; its headings, language and images, its width, its body text's size, and
    every link to a file found."""
    language = load_publication(project.issues_root, project.root).language
    pages = sorted(site.root.rglob("*.html"))
    assert len(pages) == site.pages
    page = axe_page(browser, NARROW_PHONE)
    found = {}
    for path in pages:
        page.goto(path.as_uri())
        check_accessibility(page, language)
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"], path
        sizes = page.evaluate(
            "[...document.querySelectorAll('.article-body p, .article-body li, .standfirst')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert all(size >= 16 for size in sizes), (path, min(sizes))
        links = page.evaluate(
            "[...document.querySelectorAll('a[href]')].map(a => a.href)"
            ".filter(h => h.startsWith('file:')).map(h => decodeURIComponent(new URL(h).pathname))"
        )
        assert [link for link in links if not Path(link).exists()] == [], path
        if problems := violations(page):
            found[path.relative_to(site.root).as_posix()] = problems
    page.close()
    assert found == {}


def test_every_page_on_a_desktop(browser: Browser, site: SiteResult, articles: dict) -> None:  # noqa: F811
    """axe on every page; an article's title, byline, standfirst and body in the Markdown's words
    and order, its notes in theirs, and its language."""
    page = axe_page(browser, DESKTOP)
    found = {}
    for path in sorted(site.root.rglob("*.html")):
        page.goto(path.as_uri())
        url = path.relative_to(site.root).as_posix()
        if url in articles:
            article, _ = articles[url]
            expected, notes = article_words(article)
            assert words(page.evaluate(PAGE_WORDS)) == expected, url
            called = " ".join(page.locator("ol.notes > li").all_text_contents()).replace("↩︎", "")
            assert words(called) == notes, url
            assert page.locator("article.article-page").get_attribute("lang") == article.lang
        if problems := violations(page):
            found[url] = problems
    page.close()
    assert found == {}
    assert len([url for url in articles if (site.root / url).is_file()]) == len(articles)


def test_axe_finds_a_violation_where_there_is_one(browser: Browser, site: SiteResult, tmp_path: Path) -> None:  # noqa: F811
    """The check can fail: an article page with its title's contrast gone and an image without alt."""
    article = next(site.root.glob("issues/*/*/index.html"))
    broken = tmp_path / "broken.html"  # not in the site, which other tests read meanwhile: based on it
    text = article.read_text().replace("<head>", f'<head><base href="{article.parent.as_uri()}/">', 1)
    text = text.replace("</head>", "<style>h1 { color: #eee !important; }</style></head>", 1)
    broken.write_text(text.replace("</main>", '<img src="x.png"></main>', 1))
    page = axe_page(browser, DESKTOP)
    try:
        page.goto(broken.as_uri())
        found = " ".join(violations(page))
    finally:
        page.close()
    assert "color-contrast" in found and "image-alt" in found
