"""The archive site, built from the shipped issues and driven in Debian's headless Chromium."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from layout.build.loading import load
from layout.model.errors import LayoutError
from layout.model.manifest import ManifestError, find_issue_dirs, load_publication
from layout.project import Project
from layout.site.downloads import offer
from layout.site.website import SiteResult, build_site
from tests.conftest import ROOT, building

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
NARROW_PHONE = {"width": 360, "height": 740}  # the narrowest phone a page must fit


@pytest.fixture(scope="module")
def site(project: Project, shipped: dict, once: Callable) -> SiteResult:
    """The shipped issues' site, built once in the run: each module that takes this fixture, in
    each worker, reads the same (conftest's ``once``)."""

    def make() -> SiteResult:
        with building(project):
            return build_site(project, project.out / "site", jobs=2)

    return once("site", make)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, site: SiteResult):
    """A page that records every request and refuses any that does not stay on file://."""
    context = browser.new_context(viewport=DESKTOP)
    context.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def local_path(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def check_accessibility(page: Page, language: str) -> None:
    """lang set, one h1 and no heading level skipped, alt text on every image."""
    assert page.evaluate("document.documentElement.lang") == language
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    alts = page.evaluate("[...document.images].map(i => i.getAttribute('alt'))")
    assert all(alt and alt.strip() for alt in alts), alts
    # every image loads: a lazy one starts after the load event that goto waits for, so on a busy
    # machine it may still be loading (a CI run failed so); one that never completes times this out
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=15_000)
    assert page.evaluate("[...document.images].every(i => i.naturalWidth > 0)")


def test_index_to_issue_and_every_download_checks_out(page: Page, site: SiteResult, project: Project):
    publication = load_publication(project.issues_root, project.root)
    page.goto((site.root / "index.html").as_uri())
    check_accessibility(page, publication.language)
    assert page.locator("img").count() == 5  # the latest issue, and each issue's card
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('bold 16px \"Noto Sans\"'))")
    cards = page.locator(".issue-card a")
    assert cards.count() == len(find_issue_dirs(project.issues_root))
    assert "No 23" in cards.first.inner_text()  # newest first
    assert page.locator(".get-involved").inner_text().count("WIVP") >= 2
    assert publication.contact.phone in page.locator(".contacts").inner_text()

    page.get_by_role("link", name=re.compile(r"^Front page of The Spark no 21")).click()
    page.wait_for_url("**/issues/021/index.html")
    check_accessibility(page, publication.language)
    assert page.locator("h1").inner_text() == "No 21"
    downloads = page.locator(".download")
    labels = page.locator(".downloads .download-label, .contents .download-label").all_inner_texts()
    labels = labels[-5:] + labels[:-5]  # the contents with their leaflets come before the downloads
    editions = ["Archive edition", "Print edition", "A5 booklet", "How to print the booklet"]
    assert labels[:5] == [*editions, "EPUB (e-book)"]
    assert labels[5:] == ["A5 leaflet"] * 10  # one per article of no 21
    for index in range(downloads.count()):
        item = downloads.nth(index)
        path = local_path(item.locator("a").evaluate("a => a.href"))
        data = path.read_bytes()
        assert int(item.locator("data.download-size").get_attribute("value")) == len(data)
        assert item.locator(".sha256").text_content() == hashlib.sha256(data).hexdigest()
        if path.suffix == ".epub":  # a book of the issue's articles, not of pages
            assert item.locator("a").get_attribute("type") == "application/epub+zip"
            assert data.startswith(b"PK") and data[30:58] == b"mimetypeapplication/epub+zip"
            assert item.locator(".download-pages").inner_text() == "10 articles"
            continue
        pages = len(PdfReader(path).pages)
        assert item.locator(".download-pages").inner_text() == f"{pages} page{'s' * (pages != 1)}"
    archive = local_path(page.locator(".downloads .download a").first.evaluate("a => a.href"))
    assert archive.read_bytes() == project.archive_path(publication, 21).read_bytes()
    assert archive.relative_to(site.root).as_posix() == "pdf/the-spark-021.pdf"  # a stable address

    assert page.errors == []
    assert [url for url in page.requests if not url.startswith("file://")] == []
    requested = {Path(urlparse(url).path).name for url in page.requests}
    assert {"site-issue.css", "search.js", "NotoSans-Regular.woff2"} <= requested  # search-index.js on typing


def test_the_subjects_page_offers_the_declared_pamphlets(page: Page, site: SiteResult, project: Project):
    page.goto((site.root / "subjects" / "index.html").as_uri())
    section = page.locator("section[aria-labelledby=pamphlets-title]")
    titles = section.locator("h3").all_inner_texts()
    assert titles == ["Syria 11 articles", "#FeesMustFall 8 articles", "We need libraries 2 articles"]
    libraries = section.locator("ul").nth(2).locator(".download")
    labels = libraries.locator(".download-label").all_inner_texts()
    assert labels == ["Pamphlet", "Pamphlet as an A5 booklet", "How to print the booklet"]
    pamphlet = local_path(libraries.first.locator("a").evaluate("a => a.href"))
    text = "".join(page.extract_text() for page in PdfReader(pamphlet).pages)
    assert "We need libraries" in text and "The Spark no 21" in text and "The Spark no 23" in text
    assert page.errors == []


def test_volume_page_names_what_the_volume_binds(page: Page, site: SiteResult, project: Project):
    publication = load_publication(project.issues_root, project.root)
    page.goto((site.root / "volumes" / "2017" / "index.html").as_uri())
    check_accessibility(page, publication.language)
    assert page.locator(".page-theme").inner_text() == "Nos 20 to 23, 21 March 2017 to 19 May 2017"
    assert page.errors == []


def test_search_from_disk_finds_a_word_of_one_title(page: Page, site: SiteResult, project: Project):
    """From disk the search reads titles, bylines and subjects (tests/test_site_search.py: the web)."""
    titles = {}
    for directory in find_issue_dirs(project.issues_root):
        for article in load(project, directory).issue.articles:
            titles[article.title] = set(re.findall(r"[a-z]{9,}", article.title.lower()))
    counts = Counter(word for words in titles.values() for word in words)
    title, word = next((t, w) for t, words in titles.items() for w in sorted(words) if counts[w] == 1)

    page.goto((site.root / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Search the archive").press_sequentially(word)
    results = page.locator("#search-results .result")
    results.first.wait_for()
    assert results.locator(".result-title").all_inner_texts() == [title]
    assert page.locator("#search-status").inner_text().startswith("1 article matches")
    results.locator("a").first.press("Enter")  # a result is followed from the keyboard
    page.wait_for_url("**/issues/*/*/index.html")
    assert page.locator("h1").inner_text() == title
    assert [url for url in page.requests if not url.startswith("file://")] == []


def test_screenshots_of_index_and_issue(browser: Browser, site: SiteResult, project: Project):
    """Phone and desktop pictures of the index and an issue page, for a person to look at."""
    folder = project.out / "screenshots"
    folder.mkdir(exist_ok=True)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for page_path in ("index.html", "issues/021/index.html"):
            page.goto((site.root / page_path).as_uri())
            page.evaluate("document.fonts.ready")
            shot = folder / f"{page_path.replace('/', '-').removesuffix('.html')}-{name}.png"
            page.screenshot(path=shot, full_page=True)
            with Image.open(shot) as image:
                assert image.width == viewport["width"] and image.height >= viewport["height"]
        context.close()


def test_atom_feed_and_sitemap(site: SiteResult, project: Project):
    publication = load_publication(project.issues_root, project.root)
    base = publication.site_url
    feed = ElementTree.parse(site.root / "feed.atom").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    numbers = [int(re.search(r"no (\d+)", e.findtext(f"{ATOM}title")).group(1)) for e in entries]
    assert (
        numbers
        == sorted(numbers, reverse=True)
        == sorted((int(d.name) for d in find_issue_dirs(project.issues_root)), reverse=True)
    )
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)
    for entry, number in zip(entries, numbers, strict=True):
        assert entry.findtext(f"{ATOM}id") == f"{base}issues/{number:03d}/"
        enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
        assert enclosure.get("type") == "application/pdf"
        path = site.root / enclosure.get("href").removeprefix(base)
        assert int(enclosure.get("length")) == path.stat().st_size
        assert path.read_bytes() == project.archive_path(publication, number).read_bytes()
    urls = [u.findtext(f"{SITEMAP}loc") for u in ElementTree.parse(site.root / "sitemap.xml").getroot()]
    assert len(urls) == len(set(urls)) == site.pages
    for url in urls:
        assert url.startswith(base) and (site.root / url.removeprefix(base) / "index.html").is_file()


def test_covers_are_small_webp_of_page_one(site: SiteResult):
    covers = sorted((site.root / "covers").iterdir())
    assert covers
    for path in covers:
        assert path.stat().st_size < 100_000
        with Image.open(path) as image:
            width = int(path.stem.rsplit("-", 1)[1])  # covers/NAME-WIDTH.webp
            assert image.format == "WEBP" and image.width == width and image.height > image.width
            assert image.getpixel((image.width // 2, 10))[0] > 150  # the red masthead of page 1


def test_fonts_are_served_small_and_whole_where_the_licence_asks(site: SiteResult, project: Project):
    from fontTools.ttLib import TTFont

    fonts = site.root / "assets" / "fonts"
    css = (site.root / "assets" / "site-article.css").read_text()
    for name in ("NotoSans-Regular", "NotoSans-Bold", "NotoSansDisplay-Bold"):
        web = fonts / f"{name}.woff2"
        assert f"url(fonts/{name}.woff2?v=" in css
        assert web.stat().st_size * 5 < (project.fonts_dir / f"{name}.ttf").stat().st_size
        font = TTFont(web)
        assert font.flavor == "woff2"
        cmap = font.getBestCmap()
        assert all(ord(letter) in cmap for letter in "AZaz09êôšḓḽṅṋṱ–—“”‘’€…")  # South Africa's letters too
        assert "GPOS" in font and "GSUB" in font  # kerning and ligatures kept
    assert not list(fonts.glob("CharisSIL*"))  # 270 KB a face even as WOFF2: the reader's own serif instead
    assert not list(fonts.glob("NotoSans*.ttf"))


AGAIN = """
import sys
from pathlib import Path
from layout.project import Project
from layout.site.website import build_site
root, out, site = map(Path, sys.argv[1:])
build_site(Project(root, out), site)
"""


def test_same_inputs_give_the_same_site(site: SiteResult, project: Project, tmp_path: Path):
    """Built again elsewhere, years later by the clock, in another time zone: the same bytes."""
    again = tmp_path / "again"
    clock = [shutil.which("faketime"), "2031-07-04 23:30:00"] if shutil.which("faketime") else []
    env = {
        **os.environ,
        "PYTHONPATH": str(project.root),
        "TZ": "Pacific/Kiritimati",
        "SOURCE_DATE_EPOCH": "1",
    }
    command = [*clock, sys.executable, "-c", AGAIN, str(project.root), str(project.out), str(again)]
    with building(project):  # it builds the PDFs it offers in the session's folder, if any is out of date
        subprocess.run(command, env=env, check=True, timeout=600)
    ours = {p.relative_to(site.root): p.read_bytes() for p in site.root.rglob("*") if p.is_file()}
    theirs = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert ours.keys() == theirs.keys() and ours == theirs
    assert all(oct(p.stat().st_mode)[-3:] == "644" for p in again.rglob("*") if p.is_file())


def test_a_missing_download_is_an_error(tmp_path: Path):
    with pytest.raises(LayoutError) as error:
        offer(tmp_path, tmp_path / "the-spark-099-booklet.pdf", "x.pdf", "A5 booklet")
    assert "A5 booklet" in str(error.value.problems[0]) and not (tmp_path / "pdf").exists()


def test_site_url_must_be_an_http_address(scratch: Path):
    path = scratch / "issues" / "publication.yaml"
    path.write_text(path.read_text().replace("site_url: https://", "site_url: ftp://"))
    with pytest.raises(ManifestError) as error:
        load_publication(scratch / "issues", scratch)
    assert [p.field for p in error.value.problems] == ["site_url"]


def test_an_issue_taken_out_leaves_the_site_with_it(scratch: Path):
    second = scratch / "issues" / "002"
    shutil.copytree(scratch / "issues" / "001", second)
    manifest = second / "issue.yaml"
    manifest.write_text(manifest.read_text().replace("number: 1", "number: 2").replace("02-01", "03-01"))
    (scratch / "issues" / "volumes.yaml").write_text(
        'volumes:\n  - id: "2017"\n    title: T\n    year: 2017\n'
    )
    project = Project(root=scratch, out=scratch / "build")
    root = build_site(project).root
    theirs = root / "notes.txt"  # put there by someone else: never the build's to remove
    theirs.write_text("kept")
    of_two = {p.relative_to(root) for p in root.rglob("*the-spark-002*")} | {Path("issues/002/index.html")}
    assert len(of_two) >= 5 and all((root / p).is_file() for p in of_two)  # page, PDFs, leaflet, cover

    shutil.rmtree(second)
    build_site(project)
    assert not any((root / p).exists() for p in of_two) and not (root / "issues" / "002").exists()
    assert theirs.read_text() == "kept"
    index = (root / "index.html").read_text()
    assert "issues/001/index.html" in index and "issues/002/" not in index
    for page in root.rglob("*.html"):  # what is left links only to what is there
        for link in re.findall(r'(?:href|src)="([^"#]+)"', page.read_text()):
            if not re.match(r"[a-z]+:", link):
                assert (page.parent / unquote(link.split("?")[0])).exists(), (page, link)  # ?v=hash


def test_the_site_takes_the_house_colours_from_the_one_description(site: SiteResult) -> None:
    from layout.typeset.colours import house_colours

    served = (site.root / "assets" / "site-index.css").read_text()
    own = (ROOT / "styles" / "spark" / "site" / "assets" / "site.css").read_text()
    for name, (r, g, b) in house_colours(ROOT / "styles" / "spark" / "style.css").names.items():
        assert re.search(rf"{name}:#{r:02x}{g:02x}{b:02x}[;}}]", served), name
        assert not re.search(rf"^\s*{name}:", own, re.MULTILINE), f"site.css names {name} again"
    assert served.index(":root") < served.index("@font-face")  # before the site's own sheet


def test_the_site_offers_each_output_the_edition_registry_offers(site: SiteResult, project: Project):
    """An issue's downloads and a pamphlet's are the registry's offered entries, in its order, each
    with its label and note, at its stable address and with the bytes the build wrote."""
    import lxml.html

    from layout.editions import offered_for

    publication = load_publication(project.issues_root, project.root)
    page = lxml.html.parse(str(site.root / "issues" / "021" / "index.html"))
    items = page.xpath("//section[contains(@class, 'downloads')]//li[@class='download']")
    pdfs = [item for item in items if item.xpath("string(.//a/@href)").endswith(".pdf")]
    offered = offered_for("issue")
    label, note = "string(.//*[@class='download-label'])", "string(.//p[@class='download-note'])"
    shown = [(item.xpath(label), item.xpath(note)) for item in pdfs]
    assert shown == [output.offered["issue"] for output in offered]
    for item, output in zip(pdfs, offered, strict=True):
        href = item.xpath("string(.//a/@href)")
        assert href == f"../../pdf/the-spark-021{output.suffix}.pdf", href
        built = project.issue_output(output, publication, 21)
        assert (site.root / "pdf" / Path(href).name).read_bytes() == built.read_bytes(), output.name
    subjects = lxml.html.parse(str(site.root / "subjects" / "index.html"))
    shelves = subjects.xpath("//section[@aria-labelledby='pamphlets-title']//ul[li[@class='download']]")
    labels = [o.offered["pamphlet"][0] for o in offered_for("pamphlet")]
    assert shelves and all(shelf.xpath(".//*[@class='download-label']/text()") == labels for shelf in shelves)
