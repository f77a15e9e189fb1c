"""An EPUB 3 of every issue and volume, made from the same text stage as the PDFs.

Each article is one XHTML content document: its kicker, title, byline and standfirst, its body
(subheads one level under the title, figures with their alt text and captions, tables with theirs),
its notes as EPUB footnotes at the end of the chapter, each linked to its call and back, and its
language on the document (``lang`` and ``xml:lang``). An issue's front page, rendered from its
archive edition, is the cover; nav.xhtml holds the contents (a volume's nested by issue) and the
landmarks. Metadata comes from the manifests, with EPUB Accessibility 1.1's schema.org properties.

The bytes are reproducible: no clock is read (``dcterms:modified`` is the issue's date, or a
volume's last issue's), the identifier is a UUID derived from the publication and the issue or
volume, and the zip is written in a fixed order with fixed times, ``mimetype`` first and stored.
An EPUB is made only when its inputs changed (a stamp, as the PDFs have: see ``stamps``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree
from PIL import Image

from ..build.loading import LoadedIssue, input_files
from ..build.stamps import digest_files, read_stamp, write_stamp
from ..files import atomic_path
from ..model.manifest import Article, Issue, Publication, Volume
from ..project import Project
from ..text.markdown import typographic
from ..text.web import image_data, web_body
from ..typeset.colours import house_colours
from ..typeset.render import anchor, count, issue_title, printed_front, under_title, volume_span
from .downloads import Download, first_page, human_size, write_file

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_DIR = "epub"  # in the site and in the build folder
LABEL = "EPUB (e-book)"
MEDIA_TYPES = {".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
COVER_WIDTH = 640  # the front page: its headline readable on a phone when opened, under 150 KB as JPEG
JPEG_QUALITY = 75
NAMESPACE = uuid.UUID("8a0c6d3e-5b1f-4c8e-9a51-2d6c3f7e0b14")  # the project's own: identifiers derive from it
STYLESHEET = """\
body { font-family: serif; line-height: 1.45; margin: 0 0.5em; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.2; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.3em; }
h2 { font-size: 1.2em; margin: 1.2em 0 0.3em; }
h3, h4, h5 { font-size: 1em; }
.kicker { font-family: sans-serif; font-size: 0.8em; text-transform: uppercase; margin: 1em 0 0;
  color: var(--red, #b01c22); }
.byline { font-weight: bold; margin: 0; }
.standfirst { font-size: 1.1em; font-style: italic; }
blockquote { margin: 1em 1.2em; }
figure { margin: 1em 0; }
figure img, .cover img { max-width: 100%; height: auto; }
figcaption, caption { font-size: 0.85em; font-style: italic; }
caption { caption-side: bottom; text-align: left; }  /* under its table, as printed */
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #c9c2b6; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
sup { line-height: 0; }
sup a { text-decoration: none; }
.notes { border-top: 1px solid #c9c2b6; margin-top: 2em; font-size: 0.9em; }
.notes aside p { margin: 0.4em 0; }
.cover { text-align: center; }
nav ol { list-style: none; padding-left: 1em; }
nav li { margin: 0.3em 0; }
"""


@dataclass
class Chapter:
    """One XHTML content document of the book: where it goes, its title and language, its body."""

    href: str
    title: str
    lang: str
    body: etree._Element
    children: list[Chapter] = field(default_factory=list)  # a volume's issue page: the issue's articles
    landmark: str = "bodymatter"


@dataclass
class Book:
    """Everything an EPUB holds before it is written."""

    title: str
    identifier: str
    language: str
    date: dt.date
    publication: Publication
    description: str
    subjects: list[str]
    cover: bytes
    chapters: list[Chapter]  # the top level of the contents; a volume's issues hold their articles
    images: dict[str, bytes] = field(default_factory=dict)  # name inside the book: bytes
    colours: str = ""

    def documents(self) -> list[Chapter]:
        """Every content document in reading order."""
        return [doc for chapter in self.chapters for doc in (chapter, *chapter.children)]


# --- building and offering ------------------------------------------------------------


def issue_epub(project: Project, loaded: LoadedIssue) -> bytes:
    """The EPUB of one issue: its articles in the issue's order."""
    publication, issue = loaded.publication, loaded.issue
    book = Book(
        title=issue_title(publication, issue),
        identifier=identifier(publication, f"issue-{issue.number}"),
        language=publication.language,
        date=issue.date,
        publication=publication,
        description=typographic(issue.theme or "; ".join(a.title for a in issue.articles)),
        subjects=_subjects(publication, [issue]),
        cover=cover_image(project.archive_path(publication, issue.number)),
        chapters=[],
        colours=_colours(project, publication),
    )
    book.chapters = _articles(book, loaded, project.style_dir(publication.style))
    return write_book(book)


def volume_epub(
    project: Project, publication: Publication, volume: Volume, issues: list[LoadedIssue]
) -> bytes:
    """The EPUB of a volume: each issue in order, a page of its own, then its articles."""
    models = [item.issue for item in issues]
    book = Book(
        title=f"{volume.title} ({volume_span(models)})",
        identifier=identifier(publication, f"volume-{volume.id}"),
        language=publication.language,
        date=max(issue.date for issue in models),
        publication=publication,
        description=volume_span(models),
        subjects=_subjects(publication, models),
        cover=cover_image(project.volume_path(publication, volume.id)),
        chapters=[],
        colours=_colours(project, publication),
    )
    for item in issues:
        front = f"images/cover-{item.issue.number:03d}.jpg"
        book.images[front] = cover_image(project.archive_path(publication, item.issue.number))
        page = _issue_page(publication, item.issue, front)
        page.children = _articles(book, item, project.style_dir(publication.style))
        book.chapters.append(page)
    return write_book(book)


def build_epubs(
    project: Project, publication: Publication, loaded: list[LoadedIssue], volumes: list[Volume]
) -> dict[int | str, Path]:
    """Make the EPUB of every issue and volume whose inputs changed; return where each one is."""
    by_number = {item.issue.number: item for item in loaded}
    made: dict[int | str, Path] = {}
    for item in loaded:
        number = item.issue.number
        inputs = [*input_files(project, item), project.archive_path(publication, number)]
        made[number] = _kept(
            project, publication, number, inputs, lambda item=item: issue_epub(project, item)
        )
    for volume in volumes:
        parts = [by_number[n] for n in volume.numbers]
        inputs = [project.volume_path(publication, volume.id), project.issues_root / "volumes.yaml"]
        inputs += [path for part in parts for path in input_files(project, part)]
        inputs += [project.archive_path(publication, n) for n in volume.numbers]
        made[volume.id] = _kept(
            project,
            publication,
            volume.id,
            inputs,
            lambda v=volume, p=parts: volume_epub(project, publication, v, p),
        )
    return made


def _kept(project: Project, publication: Publication, key: int | str, inputs: list[Path], make) -> Path:
    """The EPUB ``make`` gives, written only when its inputs' digest differs from the last one's."""
    target = project.epub_path(publication, key)
    stamp = project.stamp_path(f"epub-{key}")
    digest = digest_files(sorted(set(inputs)))
    if read_stamp(stamp, digest, [target]) is None:
        data = make()
        with atomic_path(target) as temporary:
            temporary.write_bytes(data)
        write_stamp(stamp, digest=digest)
    return target


def offer_epub(site: Path, source: Path, articles: int) -> Download:
    """Copy a built EPUB into the site's ``epub/`` folder and describe it as a download."""
    data = source.read_bytes()
    name = f"{EPUB_DIR}/{source.name}"
    write_file(site / name, data)
    digest = hashlib.sha256(data).hexdigest()
    note = "For e-readers and phones: the text reflows to the screen, with contents and linked notes."
    return Download(
        LABEL, name, len(data), human_size(len(data)), 0, count(articles, "article"), digest, note
    )


def offer_epubs(
    project: Project,
    site: Path,
    publication: Publication,
    loaded: list[LoadedIssue],
    volumes: list[Volume],
    issues: list[dict],
    bound: list[dict],
) -> list[str]:
    """Make what is out of date, put every EPUB in the site, and give each issue and volume entry
    its ``epub`` download; return the site's names of the files written."""
    made = build_epubs(project, publication, loaded, volumes)
    articles = {item.issue.number: len(item.issue.articles) for item in loaded}
    for entry in issues:
        entry["epub"] = offer_epub(site, made[entry["number"]], articles[entry["number"]])
    by_id = {volume.id: volume for volume in volumes}
    for entry in bound:
        total = sum(articles[n] for n in by_id[entry["id"]].numbers)
        entry["epub"] = offer_epub(site, made[entry["id"]], total)
    return [entry["epub"].url for entry in [*issues, *bound]]


def identifier(publication: Publication, key: str) -> str:
    """A stable ``urn:uuid:``, the same for the same publication and issue or volume in every build."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{publication.slug}/{key}')}"


def cover_image(pdf: Path) -> bytes:
    """The first page of a PDF as a JPEG for an e-reader's screen."""
    return _jpeg(first_page(pdf, COVER_WIDTH))


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return buffer.getvalue()


def _colours(project: Project, publication: Publication) -> str:
    return house_colours(project.style_dir(publication.style) / "style.css").screen_rule()


def _subjects(publication: Publication, issues: list[Issue]) -> list[str]:
    tags = dict.fromkeys(tag for issue in issues for article in issue.articles for tag in article.tags)
    return [publication.subjects[tag] for tag in tags]


# --- content documents ----------------------------------------------------------------


def _articles(book: Book, loaded: LoadedIssue, style_dir: Path) -> list[Chapter]:
    """Each article of an issue as a chapter, its figures added to the book's images."""
    chapters = []
    for article in loaded.issue.articles:
        web = web_body(loaded.texts[article.slug], article, loaded.directory)
        sources = {}
        for image in web.images:  # at the size the site serves: a phone's, not the press's
            name = f"images/{loaded.issue.number:03d}-{image.path.name}"
            book.images.setdefault(name, image_data(image))
            sources[image.src] = f"../{name}"
        href = f"text/{anchor(loaded.issue, article)}.xhtml"
        body = article_body(article, web.html, sources, style_dir, loaded.publication.subjects)
        chapters.append(Chapter(href, typographic(article.title), article.lang, body))
    return chapters


def article_body(
    article: Article, web_html: str, sources: dict[str, str], style_dir: Path, subjects: dict[str, str]
) -> etree._Element:
    """An article as the ``<body>`` content of its XHTML document: its head (what is printed under
    its title from the house style in ``style_dir``, as in print and on the site), its web text (see
    ``layout.text.web``) and its notes as EPUB footnotes, linked both ways.

    ``sources`` maps each image's address in the web text to its address in the book.
    """
    front = printed_front(article, subjects)
    kicker = " · ".join(filter(None, [front["kind"], front["date"]]))
    head = [
        f'<p class="kicker">{html.escape(kicker)}</p>',
        f'<h1 id="title">{html.escape(front["title"])}</h1>',
        under_title(style_dir, front),
    ]
    fragment = lxml.html.fragment_fromstring("".join(head) + web_html, create_parent="section")
    fragment.attrib.update({"class": "article", "data-epub-type": "chapter", "aria-labelledby": "title"})
    for element in fragment.xpath("//aside[contains(@class, 'pull-quote')]"):  # print's repetition
        element.drop_tree()
    for image in fragment.iter("img"):
        image.set("src", sources[image.get("src")])
        for name in ("loading", "decoding"):  # not in EPUB 3's XHTML (the reader has the whole book)
            image.attrib.pop(name, None)
    for call in fragment.xpath("//a[@class='note-call']"):
        call.attrib.update({"data-epub-type": "noteref", "role": "doc-noteref"})
    for notes in fragment.xpath("//section[@class='notes-section']"):
        _footnotes(notes)
    return _as_xhtml(fragment)


def _footnotes(section: lxml.html.HtmlElement) -> None:
    """The web text's list of notes as EPUB footnotes (``aside``, which e-readers show at the call),
    each led by its number, a link back to its call."""
    listing = section.find("ol")
    for item in listing.findall("li"):
        number = item.get("id").removeprefix("note-")
        for back in item.xpath("a[@class='note-back']"):
            back.drop_tree()
        aside = lxml.html.Element("aside", {"id": item.get("id"), "data-epub-type": "footnote"})
        aside.set("role", "doc-footnote")
        paragraph = etree.SubElement(aside, "p")
        link = etree.SubElement(paragraph, "a", {"href": f"#call-{number}", "role": "doc-backlink"})
        link.text = f"{number}."
        link.tail = " " + (item.text or "").lstrip()
        paragraph.extend(list(item))
        if len(paragraph) > 1:
            paragraph[-1].tail = (paragraph[-1].tail or "").rstrip()
        else:
            link.tail = link.tail.rstrip()
        listing.addprevious(aside)
    listing.drop_tree()


def _as_xhtml(fragment) -> etree._Element:
    """An lxml.html tree as XHTML elements, ``data-epub-type`` as ``epub:type``."""
    markup = etree.tostring(fragment, method="xml", encoding="unicode")
    element = etree.fromstring(markup.replace("<section", f'<section xmlns="{XHTML}"', 1))
    for node in element.iter():
        kind = node.attrib.pop("data-epub-type", None)
        if kind:
            node.set(f"{{{OPS}}}type", kind)
    return element


def _issue_page(publication: Publication, issue: Issue, front: str) -> Chapter:
    """A volume's page for one issue: its title, theme and front page, before its articles."""
    title = issue_title(publication, issue)
    theme = f'<p class="standfirst">{html.escape(typographic(issue.theme))}</p>' if issue.theme else ""
    markup = (
        f'<section xmlns="{XHTML}" xmlns:epub="{OPS}" epub:type="part" class="cover" aria-labelledby="title">'
        f'<h1 id="title">{html.escape(title)}</h1>{theme}'
        f'<p><img src="../{front}" alt="The front page of {html.escape(title)}"/></p></section>'
    )
    return Chapter(
        f"text/issue-{issue.number:03d}.xhtml", title, publication.language, etree.fromstring(markup)
    )


# --- the package ----------------------------------------------------------------------


def write_book(book: Book) -> bytes:
    """The EPUB's bytes: the same book gives the same bytes."""
    files: dict[str, bytes] = {
        "META-INF/container.xml": _container(),
        "EPUB/package.opf": _package(book),
        "EPUB/nav.xhtml": _nav(book),
        "EPUB/cover.xhtml": _cover(book),
        "EPUB/style.css": (book.colours + STYLESHEET).encode(),
        "EPUB/images/cover.jpg": book.cover,
    }
    for document in book.documents():
        files[f"EPUB/{document.href}"] = _document(
            document.title, document.lang, document.body, "../style.css"
        )
    for name, data in sorted(book.images.items()):
        files[f"EPUB/{name}"] = data
    when = (book.date.year, book.date.month, book.date.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("mimetype", when, zipfile.ZIP_STORED), b"application/epub+zip")
        for name, data in files.items():
            archive.writestr(_entry(name, when, zipfile.ZIP_DEFLATED), data)
    return buffer.getvalue()


def _entry(name: str, when: tuple, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = compression
    info.create_system = 3  # Unix, on any machine
    info.external_attr = 0o644 << 16
    return info


def _container() -> bytes:
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
        b'  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>'
        b"</rootfiles>\n</container>\n"
    )


def _document(title: str, lang: str, body: etree._Element, stylesheet: str) -> bytes:
    """A whole XHTML content document around ``body``'s element."""
    head = (
        f'<html xmlns="{XHTML}" xmlns:epub="{OPS}" lang="{lang}" xml:lang="{lang}">'
        f'<head><meta charset="utf-8"/><title>{html.escape(title)}</title>'
        f'<link rel="stylesheet" type="text/css" href="{stylesheet}"/></head><body/></html>'
    )
    root = etree.fromstring(head)
    root.find(f"{{{XHTML}}}body").append(body)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        + etree.tostring(root, encoding="utf-8")
        + b"\n"
    )


def _cover(book: Book) -> bytes:
    markup = (
        f'<section xmlns="{XHTML}" xmlns:epub="{OPS}" epub:type="cover" class="cover"'
        ' aria-labelledby="title">'
        f'<h1 id="title">{html.escape(book.title)}</h1>'
        f'<p><img src="images/cover.jpg" alt="The front page of {html.escape(book.title)}"/></p>'
        f"<p>{html.escape(typographic(book.publication.publisher))}</p></section>"
    )
    return _document(book.title, book.language, etree.fromstring(markup), "style.css")


def _nav(book: Book) -> bytes:
    """The contents (a volume's nested by issue) and the landmarks."""

    def items(chapters: list[Chapter]) -> str:
        entries = []
        for chapter in chapters:
            nested = f"<ol>{items(chapter.children)}</ol>" if chapter.children else ""
            entries.append(f'<li><a href="{chapter.href}">{html.escape(chapter.title)}</a>{nested}</li>')
        return "".join(entries)

    first = book.documents()[0].href
    markup = (
        f'<section xmlns="{XHTML}" xmlns:epub="{OPS}">'
        f'<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-title">'
        f'<h1 id="toc-title">Contents</h1><ol>{items(book.chapters)}</ol></nav>'
        f'<nav epub:type="landmarks" id="landmarks" aria-label="Landmarks" hidden="hidden"><ol>'
        f'<li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
        f'<li><a epub:type="toc" href="nav.xhtml#toc">Contents</a></li>'
        f'<li><a epub:type="bodymatter" href="{first}">Start reading</a></li>'
        f"</ol></nav></section>"
    )
    return _document(f"Contents: {book.title}", book.language, etree.fromstring(markup), "style.css")


ACCESSIBILITY = (  # EPUB Accessibility 1.1: what the book offers a reader who cannot see it, or see it well
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),  # the cover and figures, each also described in words
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityHazard", "none"),
)
SUMMARY = (
    "Text with headings in order, contents as navigation, notes linked to their calls and back, the"
    " language of each article marked, and every image described in words. No colour carries"
    " meaning and nothing moves, flashes or plays sound."
)


def _package(book: Book) -> bytes:
    """The package document: metadata, every resource, and the reading order."""
    e = html.escape
    languages = dict.fromkeys([book.language, *(d.lang for d in book.documents())])
    meta = [
        f'<dc:identifier id="uid">{book.identifier}</dc:identifier>',
        f"<dc:title>{e(book.title)}</dc:title>",
        f"<dc:creator>{e(book.publication.publisher)}</dc:creator>",
        f"<dc:publisher>{e(book.publication.publisher)}</dc:publisher>",
        *(f"<dc:language>{language}</dc:language>" for language in languages),
        f"<dc:date>{book.date.isoformat()}</dc:date>",
        f"<dc:description>{e(book.description)}</dc:description>",
        *(f"<dc:subject>{e(subject)}</dc:subject>" for subject in book.subjects),
        f'<meta property="dcterms:modified">{book.date.isoformat()}T00:00:00Z</meta>',
        *(f'<meta property="{name}">{value}</meta>' for name, value in ACCESSIBILITY),
        f'<meta property="schema:accessibilitySummary">{SUMMARY}</meta>',
        '<meta name="cover" content="cover-image"/>',
    ]
    manifest = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>',
        '<item id="style" href="style.css" media-type="text/css"/>',
        '<item id="cover-image" href="images/cover.jpg" media-type="image/jpeg" properties="cover-image"/>',
    ]
    documents = book.documents()
    for index, document in enumerate(documents, start=1):
        manifest.append(f'<item id="c{index}" href="{document.href}" media-type="application/xhtml+xml"/>')
    for index, name in enumerate(sorted(book.images), start=1):
        media = MEDIA_TYPES[Path(name).suffix]
        manifest.append(f'<item id="i{index}" href="{name}" media-type="{media}"/>')
    spine = ['<itemref idref="cover"/>', '<itemref idref="nav"/>']
    spine += [f'<itemref idref="c{index}"/>' for index in range(1, len(documents) + 1)]
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"'
        f' xml:lang="{book.language}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n  '
        + "\n  ".join(meta)
        + "\n</metadata>\n<manifest>\n  "
        + "\n  ".join(manifest)
        + "\n</manifest>\n<spine>\n  "
        + "\n  ".join(spine)
        + "\n</spine>\n</package>\n"
    )
    return text.encode()
