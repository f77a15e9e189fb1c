"""The site light and searchable, tried in Debian's headless Chromium as a reader on a phone would.

Pages are served over HTTP from a server on loopback (Pagefind fetches its index, which browsers
refuse from file://), and weighed from the browser's own network log: every response's bytes, as
a host that compresses nothing sends them. The search from disk is tried on file:// as well.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from layout.project import Project
from layout.site.website import SiteResult
from tests.test_site import PHONE, browser, site  # noqa: F401 (fixtures shared, not rebuilt)

pytestmark = pytest.mark.slow

FIRST_VISIT_BUDGET = 150_000  # bytes of a first visit, every request, fonts included
FONT_BUDGET = 45_000  # bytes of web fonts a page of Latin text may ask for
ONE_ARTICLE = "issues/021/more-libraries/index.html"
PAGES = [
    "index.html",
    "issues/021/index.html",
    ONE_ARTICLE,
    "subjects/syria/index.html",
]
CLS_SCRIPT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const shift of list.getEntries()) if (!shift.hadRecentInput) total += shift.value;
  }).observe({type: "layout-shift", buffered: true});
  document.fonts.ready.then(() => setTimeout(() => resolve(total), 500));
})"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: SiteResult) -> Iterator[str]:  # noqa: F811
    """The built site served on loopback, as a host that compresses nothing would serve it."""
    handler = functools.partial(QuietHandler, directory=str(site.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A fresh phone-sized page (nothing cached) that refuses any address off this machine."""
    context = browser.new_context(viewport=PHONE)
    context.route(re.compile(r"^(?!(file:|http://127\.0\.0\.1))"), lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def weigh_first_visit(page: Page, url: str) -> dict[str, int]:
    """Open ``url`` and return the bytes of every response, by address, once the page is quiet."""
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    page.wait_for_load_state("networkidle")
    return {request.url: len(request.response().body()) for request in finished}


@pytest.mark.parametrize("path", PAGES)
def test_a_first_visit_is_light_and_does_not_jump(phone: Page, server: str, path: str):
    weights = weigh_first_visit(phone, server + path)
    total = sum(weights.values())
    assert total < FIRST_VISIT_BUDGET, sorted(weights.items(), key=lambda pair: -pair[1])
    fonts = {url: size for url, size in weights.items() if ".woff2" in url or ".ttf" in url}
    assert fonts and sum(fonts.values()) < FONT_BUDGET, fonts
    assert not any(".ttf" in url or "-ext.woff2" in url for url in fonts), fonts  # Latin: the small files
    assert not any("pagefind" in url or "search-index" in url for url in weights)  # only once a reader types
    shift = phone.evaluate(CLS_SCRIPT)
    assert shift < 0.1, shift
    assert phone.errors == []


OWN_BUDGET = 40_000  # bytes of an article page's own HTML and CSS, for an article of 2,000 words
LONG_ARTICLE = "issues/021/aleppo-masses/index.html"  # 2,272 words, the longest shipped


def test_a_long_article_page_is_light_in_its_own_html_and_css(phone: Page, server: str):
    weights = weigh_first_visit(phone, server + LONG_ARTICLE)
    own = {url: size for url, size in weights.items() if re.search(r"\.(html|css)(\?|$)", url)}
    words = len(phone.locator(".article-body").inner_text().split())
    assert words > 2000, words
    assert sum(own.values()) < OWN_BUDGET, own
    sheet = next(url for url in own if ".css" in url)
    assert "site-article.css" in sheet  # the sheet of article pages, not the whole site's
    used = phone.evaluate("() => [...document.styleSheets].flatMap(s => [...s.cssRules]).length")
    assert used > 50  # the page is styled: the rules it needs are there


def test_every_asset_is_named_with_its_hash_and_the_host_is_told_to_keep_it(site: SiteResult):  # noqa: F811
    page = (site.root / "issues" / "021" / "index.html").read_text()
    css = re.search(r'href="\.\./\.\./(assets/site-issue\.css)\?v=([0-9a-f]{10})"', page)
    assert css, "the stylesheet is linked with its hash"
    fonts = re.findall(r"url\((fonts/[^)?]+)\?v=[0-9a-f]{10}\)", (site.root / css[1]).read_text())
    assert {Path(f).name for f in fonts} >= {"NotoSans-Regular.woff2", "NotoSansDisplay-Bold.woff2"}
    headers = (site.root / "_headers").read_text()
    assert "/assets/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/pdf/*\n  Cache-Control: public, max-age=" in headers
    htaccess = (site.root / ".htaccess").read_text()
    assert "mod_deflate" in htaccess and "immutable" in htaccess


def search(page: Page, query: str) -> str:
    """Type ``query`` into the page's search box; return what the status line says once answered."""
    page.evaluate("document.getElementById('search-status').textContent = ''")  # no earlier answer
    page.fill("#search-input", query)
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && !s.startsWith('Searching'); }"
    )
    return page.locator("#search-status").inner_text()


def test_search_forgives_a_typo_and_lands_on_the_article_at_the_match(phone: Page, server: str):
    phone.goto(server + "issues/022/index.html")
    assert re.match(r"\d+ articles? match", search(phone, "libaries"))
    titles = phone.locator(".result-title a").all_inner_texts()
    assert "We need more libraries" in titles, titles
    phone.get_by_role("link", name="We need more libraries").first.click()
    phone.wait_for_url(re.compile(r"/issues/021/more-libraries/index\.html(#more-libraries-\d+)?$"))
    assert "libraries" in phone.locator("article.article-page").inner_text().lower()
    assert phone.errors == []


def test_a_misspelt_name_is_corrected_from_the_archive_s_words(phone: Page, server: str):
    phone.goto(server + "index.html")
    assert search(phone, "malikhane") == "Nothing has “malikhane”. 1 article matches “malikane”"
    assert phone.locator(".result-title a").all_inner_texts() == ["We respond to Malikane"]


def test_may_day_is_a_phrase_not_two_words_anywhere(phone: Page, server: str, site: SiteResult):  # noqa: F811
    phone.goto(server + "subjects/index.html")
    assert search(phone, "May Day").endswith("match “May Day” as a phrase")
    links = phone.locator(".result-title a").evaluate_all("links => links.map(a => a.pathname)")
    assert links
    for path in links:
        text = " ".join((site.root / path.lstrip("/")).read_text().split())
        assert re.search(r"(?i)\bmay day\b", re.sub(r"<[^>]+>", " ", text)), path


def test_search_from_disk_finds_a_title_and_opens_it(phone: Page, site: SiteResult):  # noqa: F811
    phone.goto((site.root / "issues" / "021" / "index.html").as_uri())
    assert search(phone, "malikane") == "1 article matches “malikane”"
    phone.locator(".result-title a").first.click()
    phone.wait_for_url("**/issues/023/we-respond-to-malikane/index.html")
    assert phone.locator("h1").inner_text() == "We respond to Malikane"
    phone.go_back()
    assert re.match(r"\d+ articles match “aleppo”", search(phone, "aleppo"))
    corrected = search(phone, "aleppp")
    assert corrected.startswith("Nothing has “aleppp”.") and corrected.endswith("match “aleppo”"), corrected
    assert phone.errors == []


def test_the_search_index_for_disk_stays_small(site: SiteResult, project: Project):  # noqa: F811
    index = (site.root / "search-index.js").read_bytes()
    assert len(index) < 20_000  # titles, bylines, subjects: no article text
    assert b"We respond to Malikane" in index and b'"text"' not in index
    words = (site.root / "search" / "words-ma.json").read_text()
    assert '"malikane"' in words
