"""The archive PDFs' structure is what ``layout/typeset/tagging.py`` promises: read back from the files.

One Art per article in the issue's order, holding its title; each footnote a Note with an ID
right after its call, the call a Reference whose Link leads to the note's page; running heads and
folios drawn as Pagination artifacts; each article's language on its Art; headings without a
skipped level; ActualText that gives back the space a line break dropped and takes off the hyphen
hyphenation added. (The standards' own conditions are in test_accessibility.py.)
"""

from __future__ import annotations

import calendar
import itertools
import re
import textwrap
from pathlib import Path

import pikepdf
import pytest

from layout.build.issues import build_issues
from layout.checks.tagged import Element, MarkedRef, ObjectRef, Structure, read_structure
from layout.model.manifest import load_publication
from layout.project import Project
from tests.conftest import make_scratch

NUMBERS = [20, 21, 22, 23]

XHOSA = """\
---
title: Inkululeko yabasebenzi
kind: statement
lang: xh
---

Bonke abantu bazalwa bekhululekile kwaye belingana ngesidima nangokweemfanelo.

#### Umhlathi ongaphantsi

Banesiphiwo sesazela nesizathu.
"""

ENGLISH = """\
---
title: Demands for discussion
kind: statement
lang: en-ZA
---

We put forward the following demands for discussion in every union and every community.[^a]

1. Free services for every household in every township and every village of the country.[^b]
2. Free education from crèche to university, paid for by taxing the profits of the monopolies.

[^a]: A note called in a paragraph.
[^b]: A note called in a list item.
"""


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory: pytest.TempPathFactory) -> Structure:
    """An issue of an English article with notes in a list and an isiXhosa one with a skipped level."""
    root = make_scratch(tmp_path_factory.mktemp("tagging"))
    issue = root / "issues" / "001"
    (issue / "english.md").write_text(ENGLISH)
    (issue / "xhosa.md").write_text(XHOSA)
    (issue / "issue.yaml").write_text(
        textwrap.dedent("""\
        number: 1
        date: 2017-02-01
        articles:
          - file: english.md
          - file: xhosa.md
        """)
    )
    project = Project(root=root, out=root / "build")
    results = build_issues(project, jobs=1, force=True)
    assert not any(r.problems for r in results), [str(p) for r in results for p in r.problems]
    return read_structure(project.archive_path(load_publication(root / "issues", root), 1))


@pytest.fixture(scope="module")
def structures(shipped: dict, project: Project) -> dict[int, Structure]:
    publication = load_publication(project.issues_root, project.root)
    return {number: read_structure(project.archive_path(publication, number)) for number in shipped}


def structure_object(structure: Structure, element: Element) -> pikepdf.Object:
    return structure.pdf.get_object(element.number, 0)


def _of_type(structure: Structure, kind: str) -> list[Element]:
    return [element for element in structure.elements() if element.standard == kind]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.parametrize("number", NUMBERS)
def test_one_art_per_article_in_order_each_with_its_title(
    shipped: dict, structures: dict[int, Structure], number: int
) -> None:
    issue = shipped[number][0]
    arts = _of_type(structures[number], "Art")
    assert len(arts) == len(issue.articles)
    for art, article in zip(arts, issue.articles, strict=True):
        headings = [e for e in art.walk() if re.fullmatch(r"H\d", e.standard)]
        assert _words(headings[0].text()) == _words(article.title)
        assert str(structure_object(structures[number], art).T) == article.title


@pytest.mark.parametrize("number", NUMBERS)
def test_each_note_follows_its_call_whose_link_leads_to_the_note(
    shipped: dict, structures: dict[int, Structure], number: int
) -> None:
    issue, structure = shipped[number][0], structures[number]
    written = sum(len(re.findall(r"^\[\^[^\]]+\]:", a.body, re.M)) for a in issue.articles)
    notes = _of_type(structure, "Note")
    assert len(notes) == written
    assert len({note.id for note in notes}) == len(notes) and all(note.id for note in notes)
    for note in notes:
        siblings = note.parent.kids
        call = siblings[siblings.index(note) - 1]
        assert isinstance(call, Element) and call.standard == "Reference"
        (link,) = [kid for kid in call.kids if isinstance(kid, Element) and kid.standard == "Link"]
        (annotation,) = [kid for kid in link.kids if isinstance(kid, ObjectRef)]
        destination = structure.pdf.get_object(annotation.number, 0).Dest
        pages = {page.obj.objgen: index + 1 for index, page in enumerate(structure.pdf.pages)}
        note_pages = {
            kid.page for element in note.walk() for kid in element.kids if isinstance(kid, MarkedRef)
        }
        assert pages[destination[0].objgen] == min(note_pages)


def _artifact_texts(structure: Structure, page: int, subtype: str) -> str:
    """The text a page draws inside Pagination artifacts of one subtype (Header or Footer)."""
    pdf_page = structure.pdf.pages[page - 1]
    fonts = {name: font for name, font in pdf_page.Resources.Font.items()}
    shown, depth, font = [], [], None
    for operands, operator in pikepdf.parse_content_stream(pdf_page):
        name = str(operator)
        if name == "BDC":
            properties = operands[1]
            depth.append(
                str(operands[0]) == "/Artifact"
                and isinstance(properties, pikepdf.Dictionary)
                and properties.get("/Subtype") == f"/{subtype}"
            )
        elif name == "BMC":
            depth.append(False)
        elif name == "EMC":
            depth.pop()
        elif name == "Tf":
            font = fonts[str(operands[0])]
        elif name == "TJ" and any(depth):
            shown.append(_decode(font, operands[0]))
    return "".join(shown)


def _decode(font: pikepdf.Object, array: pikepdf.Array) -> str:
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    codes = {
        int(source, 16): bytes.fromhex(target).decode("utf-16-be")
        for source, target in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap)
    }
    return "".join(
        codes.get(int.from_bytes(bytes(item)[i : i + 2], "big"), "")
        for item in array
        if isinstance(item, pikepdf.String)
        for i in range(0, len(bytes(item)), 2)
    )


@pytest.mark.parametrize("number", NUMBERS)
def test_running_heads_and_folios_are_pagination_artifacts(
    shipped: dict, structures: dict[int, Structure], number: int
) -> None:
    issue, structure = shipped[number][0], structures[number]
    for page in range(2, len(structure.pages)):  # the back page has no folio
        assert str(page) in _artifact_texts(structure, page, "Footer"), page
    said = "".join(element.text() for element in structure.elements() if element.standard == "Art")
    heads = [_artifact_texts(structure, page, "Header") for page in range(2, len(structure.pages))]
    assert any(heads)  # pages that continue an article name it at their head
    assert f"No {issue.number} ·" not in said  # the folio line is not read as part of an article


def test_an_article_in_another_language_says_so_on_its_art(two_languages: Structure) -> None:
    english, xhosa = _of_type(two_languages, "Art")
    assert two_languages.lang == "en-ZA" and english.language() == "en-ZA"
    assert xhosa.lang == "xh" and xhosa.language() == "xh"


def test_a_note_in_a_list_item_is_a_note_in_its_item(two_languages: Structure) -> None:
    notes = _of_type(two_languages, "Note")
    assert len(notes) == 2
    assert notes[0].parent.standard == "P" and notes[1].parent.standard == "LBody"
    assert _words(notes[1].text()) == ["b", "a", "note", "called", "in", "a", "list", "item"] or _words(
        notes[1].text()
    ) == ["2", "a", "note", "called", "in", "a", "list", "item"]


def test_headings_skip_no_level_where_the_editor_skipped_one(two_languages: Structure) -> None:
    levels = [int(e.standard[1]) for e in two_languages.elements() if re.fullmatch(r"H\d", e.standard)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert 4 not in levels  # the isiXhosa #### under its title (an H2) reads as an H3


@pytest.mark.parametrize("number", NUMBERS)
def test_line_ends_read_as_the_words_as_written(
    shipped: dict, structures: dict[int, Structure], number: int, project: Project
) -> None:
    """Every paragraph's text, read through its tags, is its source's words: no hyphen left from a
    break, and no two words run together where a line broke between them."""
    structure = structures[number]
    paragraphs = [e for e in structure.elements() if e.standard == "P" and e.parent.standard == "Art"]
    said = " ".join(p.text(skip=frozenset({"Reference", "Note"})) for p in paragraphs)
    assert "\u2010" not in said
    source = set(_words(" ".join(calendar.month_name))) | {"sample", "text"}  # a kicker's date, its mark
    for article in shipped[number][0].articles:
        written = [article.body, article.title, article.kind, article.byline or "", article.standfirst or ""]
        source.update(_words(re.sub(r"\[\^[^\]]+\]", " ", " ".join(written))))
    unknown = [word for word in _words(said) if word not in source and not word.isdigit()]
    assert unknown == [], unknown[:20]


def test_the_tagging_test_finds_words_run_together(two_languages: Structure, tmp_path: Path) -> None:
    """The read-back check above fails on a file whose line ends lost their spaces."""
    path = tmp_path / "joined.pdf"
    with pikepdf.open(two_languages.path) as pdf:
        for element in pdf.objects:
            if isinstance(element, pikepdf.Dictionary) and "/ActualText" in element and "/S" in element:
                del element.ActualText
        for page in pdf.pages:
            page.contents_coalesce()
            content = page.Contents.read_bytes()
            page.Contents = pdf.make_stream(re.sub(rb"/ActualText\s*(\(.*?\)|<[0-9A-Fa-f]*>)", b"", content))
        pdf.save(path)
    joined = read_structure(path)
    (english, _) = _of_type(joined, "Art")
    words = _words(english.text(skip=frozenset({"Reference", "Note"})))
    assert not set(_words(ENGLISH)).issuperset(words)
