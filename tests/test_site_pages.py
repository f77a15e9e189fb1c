"""Article pages, issue pages and what every page says of itself, read in Debian's Chromium."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from layout.build.loading import load
from layout.model.manifest import find_issue_dirs, load_publication
from layout.project import Project
from layout.site.website import SiteResult, build_site
from tests import test_site
from tests.pdfcheck import article_words, head_words, normal
from tests.test_site import ATOM, NARROW_PHONE, check_accessibility, local_path

browser, page, site = test_site.browser, test_site.page, test_site.site  # test_site's, as fixtures here

pytestmark = pytest.mark.slow


# The words of an article page as the Markdown has them: the kicker (kind and date), the note calls,
# the notes (read apart), the pull quote (a repeat, hidden from screen readers as in print) left
# out; a table's caption read after its table, where the Markdown writes it.
PAGE_WORDS = """() => {
  const article = document.querySelector("article.article-page").cloneNode(true);
  article.querySelectorAll(".kicker, .note-call, .notes-section, .pull-quote").forEach(e => e.remove());
  article.querySelectorAll("caption").forEach(caption => {
    const text = document.createElement("p");
    text.textContent = caption.textContent;
    caption.closest(".table-box").after(text);
    caption.remove();
  });
  document.body.append(article);  // innerText needs the element rendered
  const text = article.innerText;
  article.remove();
  return text;
}"""


@pytest.fixture(scope="module")
def articles(project: Project) -> dict[str, tuple]:
    """Every shipped article by its page's address in the site: (article, issue number)."""
    found = {}
    for directory in find_issue_dirs(project.issues_root):
        issue = load(project, directory).issue
        for article in issue.articles:
            found[f"issues/{issue.number:03d}/{article.slug}/index.html"] = (article, issue.number)
    return found


def words(text: str) -> list[str]:
    return [word for word in (normal(w) for w in text.replace("\u00ad", "").split()) if word]


def open_article(page: Page, link, site: SiteResult) -> str:
    link.click()
    page.wait_for_url(re.compile(r"/issues/\d{3}/[a-z0-9-]+/index\.html$"))
    return local_path(page.url).relative_to(site.root).as_posix()


def test_an_article_page_opens_from_the_index_an_issue_and_a_subject(
    page: Page, site: SiteResult, project: Project, articles: dict
):
    language = load_publication(project.issues_root, project.root).language
    page.goto((site.root / "index.html").as_uri())
    url = open_article(page, page.locator(".latest-contents a").first, site)
    article, number = articles[url]
    assert number == max(n for _, n in articles.values()) and article.position == 1
    check_accessibility(page, language)
    assert page.locator("h1").inner_text() == page.locator(".article-page-title").inner_text()

    page.goto((site.root / "issues" / "021" / "index.html").as_uri())
    titles = page.locator(".contents .article-title a")
    assert titles.count() == len([a for a, n in articles.values() if n == 21])
    url = open_article(page, titles.nth(2), site)
    article, number = articles[url]
    assert (number, article.position) == (21, 3)
    assert page.locator(".printed-in").inner_text().startswith("From The Spark no 21, 22 March 2017, page ")
    page.locator(".printed-in a").click()  # back to its entry in the issue
    assert urlparse(page.url).fragment == f"n21-{article.slug}"

    page.goto((site.root / "subjects" / "syria" / "index.html").as_uri())
    url = open_article(page, page.locator(".article-title a").first, site)
    assert "syria" in articles[url][0].tags
    assert page.locator(".article-about .tags a", has_text="Syria").count() == 1
    assert page.errors == []


def test_notes_are_linked_both_ways(page: Page, site: SiteResult):
    page.goto((site.root / "issues" / "020" / "sassa-scam" / "index.html").as_uri())
    calls = page.locator("a.note-call")
    assert calls.count() == page.locator("ol.notes > li").count() == 2
    for number in (1, 2):
        page.locator(f"#call-{number}").click()
        assert urlparse(page.url).fragment == f"note-{number}"
        assert page.evaluate("document.querySelector(':target').id") == f"note-{number}"
        assert page.locator(f"#note-{number} a.note-back").get_attribute("href") == f"#call-{number}"
        page.locator(f"#note-{number} a.note-back").click()
        assert page.evaluate("document.querySelector(':target').id") == f"call-{number}"
    assert page.locator("#call-1").get_attribute("aria-label") == "Note 1"


def test_subheads_figures_and_tables_are_made_for_a_screen(page: Page, site: SiteResult):
    page.goto((site.root / "issues" / "022" / "feesmustfall-way-forward" / "index.html").as_uri())
    ids = page.evaluate("[...document.querySelectorAll('.article-body h2')].map(h => h.id)")
    assert ids[:3] == [f"feesmustfall-way-forward-{n}" for n in (1, 2, 3)]
    image = page.locator(".article-body figure img")
    natural = page.evaluate(
        "[document.querySelector('.article-body figure img')].map(i => [i.naturalWidth, i.naturalHeight])[0]"
    )
    assert [int(image.get_attribute("width")), int(image.get_attribute("height"))] == [960, 600]
    assert natural[0] * 600 == natural[1] * 960  # shown at its own ratio (its size is the column's)
    assert image.get_attribute("sizes") == "(min-width: 44rem) 42rem, calc(100vw - 2rem)"  # its column
    served = local_path(image.evaluate("i => i.currentSrc"))
    folder = "issues/022/feesmustfall-way-forward/figures/"
    assert served.relative_to(site.root).as_posix() == folder + "campus-march-960.webp"  # desktop, 1x
    candidates = [c.split() for c in image.get_attribute("srcset").split(", ")]
    assert [(url, width) for url, width in candidates] == [
        ("figures/campus-march-480.webp", "480w"),
        ("figures/campus-march-960.webp", "960w"),
    ]
    for url, width in candidates:  # the 574 KB, 2400 px photo made the sizes it is shown at
        with Image.open(site.root / folder / url.removeprefix("figures/")) as photo:
            assert photo.format == "WEBP" and photo.size == (int(width[:-1]), int(width[:-1]) * 10 // 16)
        assert (site.root / folder / url.removeprefix("figures/")).stat().st_size < 80_000
    assert not (site.root / folder / "campus-march.jpg").exists()
    phone = page.context.browser.new_page(viewport=NARROW_PHONE, device_scale_factor=1)
    phone.goto(page.url)
    phone.locator(".article-body figure img").scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelector('.article-body figure img').complete")
    assert phone.evaluate("document.querySelector('.article-body figure img').currentSrc").endswith(
        "-480.webp"
    )
    phone.close()

    page.goto((site.root / "issues" / "020" / "local-elections-2016-workers-party" / "index.html").as_uri())
    box = page.locator(".table-box")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label") == box.locator("caption").inner_text()  # named by its caption
    page.set_viewport_size(NARROW_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"


def test_an_issue_page_shows_its_contents_before_its_downloads_on_a_phone(browser: Browser, site: SiteResult):
    context = browser.new_context(viewport=NARROW_PHONE)
    page = context.new_page()
    page.goto((site.root / "issues" / "021" / "index.html").as_uri())
    top = {
        name: page.locator(name).bounding_box()["y"] for name in (".issue-cover", ".contents", ".downloads")
    }
    assert top[".issue-cover"] < top[".contents"] < top[".downloads"]
    assert top[".contents"] < NARROW_PHONE["height"]  # the contents start on the first screen
    sha = page.locator(".downloads .download-sha").first
    assert sha.evaluate("e => e.tagName") == "DETAILS" and not sha.evaluate("e => e.open")
    assert float(sha.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px")) >= 13
    context.close()


def head(path: Path) -> tuple[dict[str, str], str, list[dict]]:
    """What a link preview's crawler reads of a page, as it reads it: the HTML as served, no script
    run. Its meta tags by property or name and its links by rel (``link:canonical``), its title, and
    its JSON-LD; parsed, not opened in a browser (0.06 s for the site's 75 pages, 18 s in Chromium)."""
    from lxml import html

    document = html.fromstring(path.read_bytes(), parser=html.HTMLParser(encoding="utf-8"))
    tags = {}
    for element in document.iter("meta", "link"):
        if element.tag == "meta" and (key := element.get("property") or element.get("name")):
            tags[key] = element.get("content")
        elif element.tag == "link" and element.get("rel"):
            tags[f"link:{element.get('rel')}"] = element.get("href")
    title = " ".join(document.findtext(".//title").split())
    data = [
        json.loads(script.text)
        for script in document.iter("script")
        if script.get("type") == "application/ld+json"
    ]
    return tags, title, data


def test_every_page_says_what_it_is_in_its_head(site: SiteResult, project: Project):
    base = load_publication(project.issues_root, project.root).site_url
    descriptions = {}
    for path in sorted(site.root.rglob("*.html")):
        tags, title, data = head(path)
        address = base + path.relative_to(site.root).as_posix().removesuffix("index.html")
        assert tags["link:canonical"] == tags["og:url"] == address, path
        assert tags["og:title"] == title  # X takes title, description and image from og:
        assert tags["og:description"] == tags["description"]
        assert not {"twitter:title", "twitter:description", "twitter:image"} & set(tags)
        assert tags["twitter:card"] == "summary_large_image" and tags["og:locale"] == "en_ZA"
        assert re.fullmatch(rf"{re.escape(base)}share/\d{{3}}(-[a-z0-9-]+)?\.png", tags["og:image"])
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert re.fullmatch(r"#[0-9a-f]{6}", tags["theme-color"])
        assert (path.parent / tags["link:icon"]).resolve().is_file()
        descriptions[path] = tags["description"]
        article = "/issues/" in path.as_posix() and path.parent.parent.name.isdigit()
        assert tags["og:type"] == ("article" if article else "website"), path
        if article:
            (news,) = data
            assert news["@type"] == "NewsArticle" and news["headline"] in title
            assert news["isPartOf"]["@type"] == "PublicationIssue" and news["url"] == address
            assert news["datePublished"] == news["isPartOf"]["datePublished"]
        elif path.parent.parent.name == "issues":
            assert [d["@type"] for d in data] == ["PublicationIssue"]
    assert len(set(descriptions.values())) == len(descriptions)  # no two pages share one description
    assert all(20 <= len(text) <= 200 for text in descriptions.values())


def test_a_cmyk_photo_is_shown_in_the_colours_the_archive_edition_gives_it(tmp_path: Path):
    from PIL import ImageCms

    from layout.text.images import press_to_screen
    from layout.text.web import FIGURE_WIDTHS, WebImage, figure_data, image_data

    photo = tmp_path / "press.jpg"  # the house red as a press photographer's CMYK JPEG
    Image.new("CMYK", (1200, 800), (0, 255, 230, 20)).save(photo, quality=95)
    expected = ImageCms.applyTransform(Image.new("CMYK", (1, 1), (0, 255, 230, 20)), press_to_screen())
    expected = expected.getpixel((0, 0))
    naive = Image.new("CMYK", (1, 1), (0, 255, 230, 20)).convert("RGB").getpixel((0, 0))
    assert max(abs(a - b) for a, b in zip(expected, naive, strict=True)) > 20  # the two are told apart
    served = figure_data(WebImage("press.jpg", photo, 960, 640, FIGURE_WIDTHS))
    packed = image_data(WebImage("press.jpg", photo, 1024, 683))
    for data in [*served.values(), packed]:
        with Image.open(io.BytesIO(data)) as image:
            assert image.mode == "RGB"
            shown = image.getpixel((image.width // 2, image.height // 2))
            assert max(abs(a - b) for a, b in zip(shown, expected, strict=True)) <= 6, (shown, expected)
    assert sorted(served) == [480, 960]


def test_a_page_opened_from_disk_with_no_site_url_shares_nothing_it_cannot(scratch: Path):
    path = scratch / "issues" / "publication.yaml"
    path.write_text(re.sub(r"(?m)^site_url:.*\n", "", path.read_text()))
    root = build_site(Project(root=scratch, out=scratch / "build")).root
    text = (root / "issues" / "001" / "small" / "index.html").read_text()
    assert "wa.me/?text=" not in text and 'rel="canonical"' not in text and "og:url" not in text
    assert 'content="../../../share/001-small.png"' in text  # relative: there is no address to give
    assert not (root / "feed-articles.atom").exists()


def test_share_on_whatsapp_and_the_contact_links(page: Page, site: SiteResult, project: Project):
    publication = load_publication(project.issues_root, project.root)
    page.goto((site.root / "issues" / "021" / "more-libraries" / "index.html").as_uri())
    share = page.locator("a.share-whatsapp").get_attribute("href")
    address = f"{publication.site_url}issues/021/more-libraries/"
    assert unquote(share) == f"https://wa.me/?text={page.locator('h1').inner_text()} {address}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("button.share-copy").click()  # shown only where a script can copy
    page.locator(".share-status", has_text="Address copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    links = page.locator(".contact-actions a").evaluate_all("links => links.map(a => a.href)")
    assert links == ["tel:+27822020617", "sms:+27822020617", "https://wa.me/27822020617"]
    involved = page.locator(".get-involved")
    assert involved.locator("a", has_text="Donate").count() == 0  # no address given: plain text
    assert involved.locator(".social").count() == 0  # Facebook and Twitter have no address yet


def test_articles_feed_carries_every_article_in_full(site: SiteResult, articles: dict, project: Project):
    base = load_publication(project.issues_root, project.root).site_url
    feed = ElementTree.parse(site.root / "feed-articles.atom").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}id") for e in entries} == {
        base + url.removesuffix("index.html") for url in articles
    }
    for entry in entries:
        url = entry.findtext(f"{ATOM}id").removeprefix(base) + "index.html"
        article, _ = articles[url]
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        body = html.unescape(re.sub(r"<[^>]+>", " ", content.text))
        assert words(body)[:12] == article_words(article)[0][len(head_words(article)) :][:12], url
    page_head = (site.root / "index.html").read_text()
    assert 'href="feed-articles.atom"' in page_head
