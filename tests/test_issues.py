"""The shipped issues, checked in their real PDFs: contents, bookmarks, boxes, fonts."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.pdfcheck import Reader

MM = 72 / 25.4
NUMBERS = (20, 21, 22, 23)


def words(text: str) -> str:
    """Text with hyphenated line ends joined and white space folded, for comparisons."""
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return " ".join(text.split())


def contents_pages(reader: Reader, titles: list[str]) -> dict[str, int]:
    """The page number the contents box on page 1 prints after each title."""
    front = words(reader.texts[0])
    claimed = {}
    for title in titles:
        match = re.search(re.escape(words(title)) + r"\s*(\d+)", front)
        assert match, f"{title!r} is not in the contents"
        claimed[title] = int(match.group(1))
    return claimed


@pytest.mark.parametrize("number", NUMBERS)
def test_contents_page_numbers_are_true(shipped: dict, number: int) -> None:
    issue, archive, printed = shipped[number]
    titles = [article.title for article in issue.articles]
    claimed = contents_pages(archive, titles)
    assert list(claimed.values()) == sorted(claimed.values())
    for reader in (archive, printed):
        for title, page in claimed.items():
            assert words(title) in words(reader.texts[page - 1]), (title, page)


@pytest.mark.parametrize("number", NUMBERS)
def test_contents_entries_link_to_their_articles(shipped: dict, number: int) -> None:
    issue, archive, _ = shipped[number]
    claimed = contents_pages(archive, [a.title for a in issue.articles])
    targets = []
    for annotation in archive.pages[0].get("/Annots", []):
        annotation = annotation.get_object()
        name = annotation.get("/Dest")
        if annotation.get("/Subtype") == "/Link" and isinstance(name, str):  # a note's call: [page ...]
            targets.append(archive.get_destination_page_number(archive.named_destinations[name]))
    assert sorted(set(targets)) == sorted({page - 1 for page in claimed.values()})


@pytest.mark.parametrize("number", NUMBERS)
def test_bookmarks_are_the_articles_in_order(shipped: dict, number: int) -> None:
    issue, archive, _ = shipped[number]
    outline = archive.outline
    assert [item.title for item in outline] == [article.title for article in issue.articles]
    for item in outline:
        page = archive.get_destination_page_number(item)
        assert words(item.title) in words(archive.texts[page])


@pytest.mark.parametrize("number", NUMBERS)
def test_print_edition_boxes_and_page_count(shipped: dict, number: int) -> None:
    _, archive, printed = shipped[number]
    assert len(printed.pages) % 4 == 0
    assert 8 <= len(printed.pages) <= 16
    added = len(printed.pages) - len(archive.pages)
    assert 0 <= added < 4
    for page in printed.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert math.isclose(trim.width, 210 * MM, abs_tol=0.5)
        assert math.isclose(trim.height, 297 * MM, abs_tol=0.5)
        for side in ("left", "bottom"):
            assert math.isclose(getattr(trim, side) - getattr(bleed, side), 3 * MM, abs_tol=0.05)
        for side in ("right", "top"):
            assert math.isclose(getattr(bleed, side) - getattr(trim, side), 3 * MM, abs_tol=0.05)
        assert media.width > bleed.width and media.height > bleed.height  # room for crop marks
    statement = "Without exception, ALL the parties"
    assert statement in words(printed.texts[-1])
    for blank in printed.texts[len(printed.pages) - 1 - added : -1]:
        assert blank.strip() == ""


@pytest.mark.parametrize("number", NUMBERS)
def test_archive_edition_is_tagged_and_described(shipped: dict, number: int) -> None:
    issue, archive, _ = shipped[number]
    root = archive.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-ZA"
    assert root["/PageMode"] == "/UseOutlines"
    assert archive.page_labels[:3] == ["1", "2", "3"]
    info = archive.metadata
    assert info.title == f"The Spark no {issue.number}, {issue.date.day} {issue.date:%B %Y}"
    assert info.author == "Workers International Vanguard Party"
    assert info.creation_date.date() == issue.date
    assert info.keywords
    for page in archive.pages:  # cropped to the trim: a reader sees the printed page
        assert math.isclose(page.mediabox.width, 210 * MM, abs_tol=0.5)


def link_tags(reader: PdfReader) -> list[str]:
    """The structure type that holds each link annotation (PDF/UA-1 7.18.5 wants ``/Link``)."""
    parents = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]
    assert "/Kids" not in parents  # WeasyPrint writes one flat number tree
    nums = parents["/Nums"]
    by_key = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2)}
    return [
        by_key[annotation.get_object()["/StructParent"]].get_object()["/S"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]


@pytest.mark.parametrize("number", NUMBERS)
def test_every_link_is_one_annotation_tagged_and_described(shipped: dict, number: int) -> None:
    _, archive, _ = shipped[number]
    tags = link_tags(archive)
    assert len(tags) >= len(shipped[number][0].articles)
    assert set(tags) == {"/Link"}
    described = {a.get_object()["/Contents"] for a in archive.pages[0]["/Annots"]}
    assert {a.title for a in shipped[number][0].articles} <= described  # what a screen reader says


def _fonts(resources, seen: set) -> list:
    found = []
    for font in (resources or {}).get("/Font", {}).values():
        font = font.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            found.append(font)
    for xobject in (resources or {}).get("/XObject", {}).values():
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            found += _fonts(xobject["/Resources"], seen)
    return found


@pytest.mark.parametrize("number", NUMBERS)
def test_every_font_is_embedded(shipped: dict, number: int) -> None:
    _, archive, printed = shipped[number]
    for reader in (archive, printed):
        seen: set = set()
        fonts = [f for page in reader.pages for f in _fonts(page.get("/Resources"), seen)]
        assert fonts
        for font in fonts:
            descriptor_owner = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descriptor_owner["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            assert not any(name in font["/BaseFont"] for name in ("DejaVu", "Liberation")), font["/BaseFont"]


def test_shipped_issues_have_their_titles_and_dates(shipped: dict) -> None:
    assert sorted(shipped) == list(NUMBERS)
    assert [shipped[n][0].date.isoformat() for n in NUMBERS] == [
        "2017-03-21",
        "2017-03-22",
        "2017-03-23",
        "2017-05-19",
    ]
    assert [len(shipped[n][0].articles) for n in NUMBERS] == [9, 10, 10, 14]
    assert shipped[23][0].articles[12].title == "Mayday message to Lalit on ‘smart cities’."


def letters(text: str) -> str:
    """Only the letters of a text: footnote numbers, quotes and spacing vary between source and PDF."""
    return "".join(c for c in text.lower() if c.isalpha())


def test_no_text_is_lost(shipped: dict) -> None:
    """WeasyPrint's columns can drop content at page breaks: every article's last words must print."""
    for issue, archive, _ in shipped.values():
        text = letters(" ".join(archive.texts))
        for article in issue.articles:
            paragraphs = [
                p for p in article.body.split("\n\n") if p.strip() and not p.startswith(("[^", "!["))
            ]
            tail = re.sub(r"\[\^[^\]]+\]|\(http\S+\)", "", paragraphs[-1]).split()[-4:]
            assert letters(" ".join(tail)) in text, (article.slug, tail)


def test_archive_images_are_at_screen_resolution_and_print_images_whole(shipped: dict) -> None:
    _, archive, printed = shipped[22]  # the JPEG of the #FeesMustFall march, 2400 x 1500 pixels
    # WeasyPrint shares one resource dictionary between pages: each image is listed on every page
    (on_screen,) = {image.image.size for page in archive.pages for image in page.images}
    (in_print,) = {image.image.size for page in printed.pages for image in page.images}
    assert in_print == (2400, 1500)
    width_mm = on_screen[0] / 150 * 25.4  # at 150 dpi: the width it is placed at
    assert 80 < width_mm < 95 and on_screen[1] < 400


# --- footnotes: each note printed, once, on the page of its call -------------------------------

NOTES = {  # the word a note is called after -> the note
    "Kiwi": "Note one of three, set at the foot.",
    "Yak": "Note two of three, at its own foot.",
    "Emu": "Note three of three, the last of them.",
}


def noted_article() -> str:
    """An article over several pages calling a note in its first, middle and last paragraphs."""
    from tests.test_pages import article, prose

    calls = [f"{word}.[^{n}]" for n, word in enumerate(NOTES, 1)]
    body = f"{prose(60)} {calls[0]} {prose(500, 1)}\n\n{prose(500, 2)} {calls[1]} {prose(300, 3)}\n\n"
    body += f"{prose(600, 4)} {calls[2]} {prose(60, 5)}\n\n"
    body += "\n".join(f"[^{n}]: {note}" for n, note in enumerate(NOTES.values(), 1))
    return article("Notes on three pages", body)


def notes_and_calls(pdf: Path) -> dict[str, tuple[list[int], list[int]]]:
    """For each note: the pages (1-based) its call's word prints on, and the pages its text prints on."""
    pages = [letters(page.extract_text()) for page in PdfReader(pdf).pages]
    return {
        word: (
            [n for n, text in enumerate(pages, 1) if letters(word) in text],
            [n for n, text in enumerate(pages, 1) if letters(note) in text],
        )
        for word, note in NOTES.items()
    }


def test_every_note_prints_once_on_the_page_of_its_call(tmp_path: Path) -> None:
    from layout.build.issues import build_issue
    from layout.project import Project
    from tests.test_pages import scratch_issue

    scratch_issue(tmp_path, {"notes.md": noted_article()})
    result = build_issue(Project(tmp_path, tmp_path / "build"), tmp_path / "issues" / "001")
    assert not result.problems, result.problems
    for edition in result.outputs.values():
        found = notes_and_calls(Path(edition))
        assert all(len(calls) == 1 and notes == calls for calls, notes in found.values()), (edition, found)
        assert len({calls[0] for calls, _ in found.values()}) == 3, found  # each on a page of its own
