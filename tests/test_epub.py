"""The EPUBs of the shipped issues and the 2017 volume, read back as a reader's e-reader reads
them, checked by Debian's epubcheck; and the share images."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from layout.build.issues import build_issues
from layout.build.loading import load
from layout.build.volumes import build_volumes
from layout.model.manifest import find_issue_dirs, load_publication, load_volumes
from layout.project import Project
from layout.site.epub import OPS, XHTML, build_epubs, issue_epub
from layout.site.share import ShareText, share_image, write_share_images
from layout.site.website import SiteResult
from layout.typeset.colours import house_colours
from layout.typeset.render import issue_title
from tests.conftest import building, make_scratch
from tests.pdfcheck import article_words, normal
from tests.test_site import site  # noqa: F401  the site built once for this module

pytestmark = pytest.mark.slow

EPUBCHECK = ["java", "-XX:TieredStopAtLevel=1", "-jar", "/usr/share/java/epubcheck.jar"]
NS = {
    "x": XHTML,
    "epub": OPS,
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
SHARE_BUDGET = 100_000  # bytes


@pytest.fixture(scope="module")
def books(project: Project) -> dict:
    """Every shipped issue and volume built, then their EPUBs: key -> (path, loaded issues)."""
    with building(project):
        issues, volumes = build_volumes(project, jobs=2)
    assert all(not r.problems for r in [*issues, *volumes]), [str(p) for r in issues for p in r.problems]
    publication = load_publication(project.issues_root, project.root)
    loaded = [load(project, directory) for directory in find_issue_dirs(project.issues_root)]
    bound = load_volumes(
        project.issues_root, {item.issue.number: item.issue for item in loaded}, project.root
    )
    with building(project):
        made = build_epubs(project, publication, loaded, bound)
    by_number = {item.issue.number: item for item in loaded}
    parts = {volume.id: [by_number[n] for n in volume.numbers] for volume in bound}
    return {key: (path, parts.get(key) or [by_number[key]]) for key, path in made.items()}


def read_book(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def xml(book: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(book.read(name))


def chapters(book: zipfile.ZipFile) -> list[str]:
    """The content documents of the spine that are articles, in reading order."""
    package = xml(book, "EPUB/package.opf")
    hrefs = {item.get("id"): item.get("href") for item in package.iterfind(".//opf:item", NS)}
    spine = [hrefs[ref.get("idref")] for ref in package.iterfind(".//opf:itemref", NS)]
    articles = []
    for href in spine:
        root = xml(book, f"EPUB/{href}")
        if root.xpath("//x:section[@epub:type='chapter']", namespaces=NS):
            articles.append(href)
    return articles


def read_words(root: etree._Element) -> tuple[list[str], list[str]]:
    """A chapter's running words and its notes' words, as read: no kicker, no call or note numbers."""
    root = etree.fromstring(etree.tostring(root))  # a copy to cut
    cut = "//x:p[@class='kicker'] | //x:a[@epub:type='noteref'] | //x:a[@role='doc-backlink']"
    for element in root.xpath(cut, namespaces=NS):
        element.text = ""
    for caption in root.iterfind(".//x:caption", NS):  # set under its table, as in print (caption-side)
        caption.getparent().append(caption)
    notes = root.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    note_words = [w for note in notes for w in map(normal, "".join(note.itertext()).split()) if w]
    for section in root.xpath("//x:section[@class='notes-section']", namespaces=NS):
        section.getparent().remove(section)
    body = root.find(f"{{{XHTML}}}body")
    return [w for w in map(normal, " ".join(body.itertext()).split()) if w], note_words


def test_epubcheck_finds_no_error_and_no_warning(books: dict):
    runs = {
        key: subprocess.Popen(
            [*EPUBCHECK, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for key, (path, _) in books.items()
    }
    assert set(runs) == {20, 21, 22, 23, "2017"}
    for key, run in runs.items():
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, (key, output)
        assert "Messages: 0 fatals / 0 errors / 0 warnings" in output, (key, output)


def test_every_article_reads_word_for_word_in_order_with_its_notes(books: dict):
    for key, (path, loaded) in books.items():
        book = read_book(path)
        articles = [article for item in loaded for article in item.issue.articles]
        hrefs = chapters(book)
        assert len(hrefs) == len(articles), key
        for href, article in zip(hrefs, articles, strict=True):
            words, notes = read_words(xml(book, f"EPUB/{href}"))
            expected, footnotes = article_words(article)
            assert words == expected, (key, article.source)
            assert notes == footnotes, (key, article.source)


def test_notes_are_linked_both_ways(books: dict):
    path, loaded = books[21]
    book = read_book(path)
    linked = 0
    for href in chapters(book):
        root = xml(book, f"EPUB/{href}")
        ids = {element.get("id"): element for element in root.iter() if element.get("id")}
        for call in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            note = ids[call.get("href").removeprefix("#")]
            assert note.tag == f"{{{XHTML}}}aside" and note.get(f"{{{OPS}}}type") == "footnote"
            (back,) = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
            assert back.get("href") == f"#{call.get('id')}"
            linked += 1
    assert linked == sum(
        item.texts[a.slug].html.count('class="footnote"') for item in loaded for a in item.issue.articles
    )
    assert linked >= 5


def test_contents_in_the_issues_order_and_the_volume_nested_by_issue(books: dict, project: Project):
    publication = load_publication(project.issues_root, project.root)
    for key, (path, loaded) in books.items():
        nav = xml(read_book(path), "EPUB/nav.xhtml")
        (toc,) = nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=NS)
        if isinstance(key, str):  # a volume: each issue, its articles under it
            entries = [(item, li) for item, li in zip(loaded, toc.iterfind("x:li", NS), strict=True)]
        else:
            entries = [(loaded[0], None)]
        for item, li in entries:
            if li is not None:
                assert li.find("x:a", NS).text == issue_title(publication, item.issue)
            links = (li.find("x:ol", NS) if li is not None else toc).iterfind("x:li/x:a", NS)
            titles = [normal("".join(a.itertext())) for a in links]
            assert titles == [normal(a.title) for a in item.issue.articles], key
        landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
        assert landmarks == ["cover", "toc", "bodymatter"]


def test_metadata_from_the_manifests_and_accessibility(books: dict, project: Project):
    path, _ = books[21]
    package = xml(read_book(path), "EPUB/package.opf")
    text = {name: [e.text for e in package.iterfind(f".//dc:{name}", NS)] for name in ("title", "language")}
    assert text["title"] == ["The Spark no 21, 22 March 2017"] and text["language"] == ["en-ZA"]
    meta = {}
    for element in package.iterfind(".//opf:meta[@property]", NS):
        meta.setdefault(element.get("property"), []).append(element.text)
    assert meta["dcterms:modified"] == ["2017-03-22T00:00:00Z"]  # the issue's date, not the clock
    assert {"textual"} <= set(meta["schema:accessMode"]) and meta["schema:accessibilityHazard"] == ["none"]
    assert {"tableOfContents", "alternativeText", "structuralNavigation"} <= set(
        meta["schema:accessibilityFeature"]
    )
    assert meta["schema:accessibilitySummary"][0]
    identifier = package.find(".//dc:identifier", NS).text
    assert identifier.startswith("urn:uuid:")
    assert identifier != xml(read_book(books[22][0]), "EPUB/package.opf").find(".//dc:identifier", NS).text


def test_the_same_issue_gives_the_same_bytes(books: dict, project: Project):
    path, (item,) = books[22]
    again = issue_epub(project, load(project, item.directory))
    assert again == path.read_bytes()
    book = read_book(path)
    first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert book.read("mimetype") == b"application/epub+zip"
    day = item.issue.date
    assert {info.date_time for info in book.infolist()} == {(day.year, day.month, day.day, 0, 0, 0)}


def test_figures_packed_at_a_phones_size_with_alt_text(books: dict):
    path, _ = books[22]
    book = read_book(path)
    photos = [name for name in book.namelist() if name.startswith("EPUB/images/0")]
    assert photos == ["EPUB/images/022-campus-march.jpg"]
    with Image.open(io.BytesIO(book.read(photos[0]))) as photo:
        assert photo.width <= 1200
    assert len(book.read(photos[0])) < 150_000  # the source is 574 KB
    for href in chapters(book):
        for image in xml(book, f"EPUB/{href}").iterfind(".//x:img", NS):
            assert image.get("alt", "").strip()
            assert image.getparent().find("x:figcaption", NS) is not None


def test_each_article_in_its_own_language(tmp_path: Path):
    root = make_scratch(tmp_path)
    article = root / "issues" / "001" / "small.md"
    article.write_text(article.read_text().replace("lang: en-ZA", "lang: af-ZA"))
    project = Project(root, tmp_path / "build")
    (result,) = build_issues(project, [root / "issues" / "001"])
    assert not result.problems, result.problems
    book = zipfile.ZipFile(io.BytesIO(issue_epub(project, load(project, root / "issues" / "001"))))
    (href,) = chapters(book)
    chapter = xml(book, f"EPUB/{href}")
    assert (
        chapter.get("lang") == "af-ZA"
        and chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == "af-ZA"
    )
    languages = [e.text for e in xml(book, "EPUB/package.opf").iterfind(".//dc:language", NS)]
    assert languages == ["en-ZA", "af-ZA"]  # the publication's first: the book's own language


def test_share_images_of_every_issue_and_article(project: Project, tmp_path: Path):
    publication = load_publication(project.issues_root, project.root)
    loaded = [load(project, directory) for directory in find_issue_dirs(project.issues_root)]
    names = write_share_images(project, tmp_path, publication, loaded)
    expected = {f"share/{item.issue.number:03d}.png" for item in loaded}
    expected |= {
        f"share/{item.issue.number:03d}-{a.slug}.png" for item in loaded for a in item.issue.articles
    }
    assert set(names) == expected
    for name in names:
        data = (tmp_path / name).read_bytes()
        assert len(data) < SHARE_BUDGET, name
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (1200, 630) and image.format == "PNG"
    colours = house_colours(project.style_dir(publication.style) / "style.css").names
    text = ShareText(publication.name, publication.publisher, "A title " * 40, "No 1 · 1 May 2017")
    drawn = share_image(text, project.fonts_dir, colours)  # too long for four lines: cut with an ellipsis
    assert drawn == share_image(text, project.fonts_dir, colours)
    assert Image.open(io.BytesIO(drawn)).size == (1200, 630)


def test_the_site_offers_every_epub_and_share_image(
    site: SiteResult,  # noqa: F811  (the fixture imported above)
    books: dict,
    project: Project,
):
    publication = load_publication(project.issues_root, project.root)
    for key, (path, loaded) in books.items():
        name = "the-spark-2017.epub" if key == "2017" else f"the-spark-{key:03d}.epub"
        assert (site.root / "epub" / name).read_bytes() == path.read_bytes()
        for item in loaded:
            assert (site.root / "share" / f"{item.issue.number:03d}.png").is_file()
            for article in item.issue.articles:
                assert (site.root / "share" / f"{item.issue.number:03d}-{article.slug}.png").is_file()
    if publication.site_url:  # the issues' feed: the archive edition, then the EPUB
        feed = etree.parse(str(site.root / "feed.atom"))
        atom = {"a": "http://www.w3.org/2005/Atom"}
        for entry in feed.iterfind("a:entry", atom):
            types = [link.get("type") for link in entry.iterfind("a:link[@rel='enclosure']", atom)]
            assert types == ["application/pdf", "application/epub+zip"]
