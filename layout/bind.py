"""Stage 5a: bound volumes, made from the issues' archive editions without typesetting them again.

Only the front matter (title page, cumulative contents, subject index) is typeset; the issues
are appended with pypdf. Where each article starts is read from the issue PDF's own bookmarks,
so the volume's contents are as true as the issues' are. Front-matter entries are typeset as
links to ``volume-page:NUMBER:FOLIO``; the binder takes them out of the typeset pages and places
them again, as links to pages of the volume, once the issues are merged.

Each issue names its font subsets after the font alone (WeasyPrint's ``RBQAEQ+Charis-SIL``), so
the issues of a volume would give one name to five different subsets, which ISO 32000-1 (9.6.4)
forbids and font-caching RIPs get wrong. The binder names every subset after its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, Fit, NameObject, TextStringObject
from pypdf.xmp import XmpInformation

from .errors import PdfInputError, Problem
from .manifest import Issue, Publication, Volume
from .pdf import LazyReader
from .render import date_span, environment, issue_title, publication_context, run_in, volume_span

LINK_SCHEME = "volume-page:"


class PageLink(NamedTuple):
    """A link for the binder to place: on a page (counted from 0), over a rectangle in PDF points."""

    page: int
    rect: tuple[float, float, float, float]  # left, bottom, right, top
    target: str


@dataclass(frozen=True)
class BoundIssue:
    """An issue as the volume binds it: its archive PDF and where each article starts."""

    issue: Issue
    reader: PdfReader  # read once: parsing an issue costs more than appending it
    pages: int
    folios: tuple[int, ...]  # printed page of each article, in order


def read_bound_issue(issue: Issue, pdf: Path) -> BoundIssue:
    """Read an issue's archive edition: page count and each article's first page."""
    reader = LazyReader(pdf)
    folios = tuple(reader.get_destination_page_number(item) + 1 for item in reader.outline)
    if len(folios) != len(issue.articles):
        raise PdfInputError(Problem(str(pdf), None, None, "its bookmarks do not match the issue's articles"))
    return BoundIssue(issue, reader, len(reader.pages), folios)


def volume_context(publication: Publication, volume: Volume, bound: list[BoundIssue]) -> dict[str, Any]:
    """Everything ``volume.html`` prints: the contents by issue and the subject index."""
    issues, index = [], {}
    for item in bound:
        articles = []
        for article, folio in zip(item.issue.articles, item.folios, strict=True):
            entry = {
                "title": article.title,
                "byline": article.byline,
                "label": f"{item.issue.number}:{folio}",
                "indexed": run_in(article.title, f"{item.issue.number}:{folio}"),
                "href": f"{LINK_SCHEME}{item.issue.number}:{folio}",
            }
            articles.append(entry)
            for tag in article.tags:
                index.setdefault(publication.subjects[tag], []).append(entry)
        issues.append(
            {
                "title": issue_title(publication, item.issue),
                "theme": item.issue.theme,
                "articles": articles,
                "href": f"{LINK_SCHEME}{item.issue.number}:1",
            }
        )
    return {
        **publication_context(publication),
        "title": volume.title,
        "span": volume_span([b.issue for b in bound]),
        "iso_date": bound[-1].issue.date.isoformat(),
        "description": f"{publication.name}, bound volume {volume.id}",
        "keywords": ", ".join(sorted(index)),
        "issues": issues,
        "index": [
            {"subject": subject, "entries": index[subject]} for subject in sorted(index, key=str.lower)
        ],
    }


def render_volume(style_dir: Path, context: dict[str, Any]) -> str:
    """The volume's front matter as HTML."""
    return environment(style_dir).get_template("volume.html").render(context)


def bind(
    front_matter: bytes,
    links: list[PageLink],
    bound: list[BoundIssue],
    publication: Publication,
    volume: Volume,
    target: Path,
) -> int:
    """Merge the typeset front matter and the issues into one PDF, with the front matter's
    ``links`` placed; return its page count."""
    writer = PdfWriter()
    writer.append(LazyReader(BytesIO(front_matter)), import_outline=False)
    front_pages = len(writer.pages)
    starts = {}
    for item in bound:
        starts[item.issue.number] = len(writer.pages)
        writer.append(item.reader, import_outline=False)
    _link_front_matter(writer, links, starts)
    _outline(writer, publication, volume, bound, starts)
    writer.set_page_label(0, front_pages - 1, style="/r")
    for item in bound:
        start = starts[item.issue.number]
        writer.set_page_label(
            start, start + item.pages - 1, style="/D", prefix=f"{item.issue.number}:", start=1
        )
    _describe(writer, publication, volume, bound)
    _name_subsets(writer)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer._ID = _file_identifier(front_matter, bound, volume)
    with open(target, "wb") as handle:
        writer.write(handle)
    return len(writer.pages)


SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")
FONT_PROGRAMS = ("/FontFile2", "/FontFile3", "/FontFile")


def subset_tag(program: bytes) -> str:
    """Six upper-case letters derived from a font subset's program: equal subsets, equal tags."""
    return "".join(chr(65 + byte % 26) for byte in hashlib.sha256(program).digest()[:6])


def _name_subsets(writer: PdfWriter) -> None:
    """Give every embedded font subset a tag of its own content, in the font's BaseFont, its
    descendant's and its descriptor's FontName alike (content streams name fonts by resource,
    so nothing else changes)."""
    for number in range(1, len(writer._objects) + 1):
        font = writer.get_object(number)
        if not isinstance(font, DictionaryObject) or font.get("/Type") != "/Font":
            continue
        parts = [font, *(part.get_object() for part in font.get("/DescendantFonts", ArrayObject()))]
        descriptor = parts[-1].get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        programs = [descriptor[key] for key in FONT_PROGRAMS if key in descriptor]
        name = str(descriptor.get("/FontName", ""))
        if not programs or not SUBSET_TAG.match(name):
            continue
        tagged = NameObject(f"/{subset_tag(programs[0].get_object().get_data())}+{name.lstrip('/')[7:]}")
        descriptor[NameObject("/FontName")] = tagged
        for part in parts:
            if SUBSET_TAG.match(str(part.get("/BaseFont", ""))):
                part[NameObject("/BaseFont")] = tagged


def _file_identifier(front_matter: bytes, bound: list[BoundIssue], volume: Volume) -> ArrayObject:
    """The trailer's /ID, derived from what is bound (the front matter and each issue's own
    identifier), so the same issues give the same bytes."""
    digest = hashlib.sha256(volume.id.encode() + front_matter)
    for item in bound:
        identifier = item.reader.trailer.get("/ID")
        digest.update(bytes(identifier[0].original_bytes) if identifier else str(item.issue.number).encode())
    value = ByteStringObject(digest.digest()[:16])
    return ArrayObject([value, value])


def _link_front_matter(writer: PdfWriter, links: list[PageLink], starts: dict[int, int]) -> None:
    """Place the front matter's links: ``volume-page:21:3`` leads to that page of the volume."""
    for page, rect, target in links:
        number, folio = (int(part) for part in target.removeprefix(LINK_SCHEME).split(":"))
        link = Link(rect=rect, target_page_index=starts[number] + folio - 1, fit=Fit.xyz())
        writer.add_annotation(page, link)


def _outline(
    writer: PdfWriter,
    publication: Publication,
    volume: Volume,
    bound: list[BoundIssue],
    starts: dict[int, int],
) -> None:
    root = writer.add_outline_item(title=volume.title, page_number=0)
    for item in bound:
        start = starts[item.issue.number]
        parent = writer.add_outline_item(
            title=issue_title(publication, item.issue), page_number=start, parent=root
        )
        for article, folio in zip(item.issue.articles, item.folios, strict=True):
            writer.add_outline_item(title=article.title, page_number=start + folio - 1, parent=parent)
    writer.page_mode = "/UseOutlines"


def _pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def _describe(writer: PdfWriter, publication: Publication, volume: Volume, bound: list[BoundIssue]) -> None:
    """Document info and XMP: title, publisher, date range and subjects, from the manifests."""
    issues = [b.issue for b in bound]
    first, last = issues[0].date, issues[-1].date
    subjects = sorted({publication.subjects[t] for i in issues for a in i.articles for t in a.tags})
    writer.add_metadata(
        {
            "/Title": volume.title,
            "/Author": publication.publisher,
            "/Subject": f"{publication.name}, {volume_span(issues)}",
            "/Keywords": ", ".join(subjects),
            "/Creator": "layout",
            "/Producer": "layout (pypdf)",
            "/CreationDate": _pdf_date(last),
            "/ModDate": _pdf_date(last),
        }
    )
    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": volume.title}
    xmp.dc_creator = [publication.publisher]
    xmp.dc_publisher = [publication.publisher]
    xmp.dc_subject = subjects
    xmp.dc_language = [publication.language]
    xmp.dc_coverage = date_span(issues)
    xmp.dc_date = [
        dt.datetime.combine(first, dt.time(), dt.UTC),
        dt.datetime.combine(last, dt.time(), dt.UTC),
    ]
    writer.xmp_metadata = xmp
    stream = writer.root_object["/Metadata"].get_object()  # pypdf leaves out what readers look for
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Lang")] = TextStringObject(publication.language)
