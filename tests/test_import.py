"""``layout import``: Word and LibreOffice documents, HTML, Markdown and e-mail text into articles.

The documents are made here, as Word and LibreOffice make them (python-docx and odfpy, with the
XML python-docx has no call for written in as Word writes it: footnotes, endnotes, links, text
boxes, tracked changes), holding every element the issue names; each is imported into a scratch
issue, which is built, and the archive PDF's words, notes and pictures are compared with the
document's own.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from odf import dc, draw, office, opendocument, style, table, text
from odf.namespaces import XMLNS
from PIL import Image

from layout.build.issues import build_issue
from layout.build.loading import load
from layout.project import Project

from . import pdfcheck
from .conftest import make_scratch
from .test_bad_input import run_layout
from .test_no_network import Listener, listener  # noqa: F401 (a fixture)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NBSP = "\u00a0"


@dataclass
class Expected:
    """What a test document holds, as a reader of it sees it: its words, notes and pictures."""

    title: str = "Workers’ control of the mines"
    byline: str = "Thandi Mokoena"
    words: list[str] = field(default_factory=list)  # the body's words in order, notes apart
    notes: list[str] = field(default_factory=list)  # each note's text, in the order of the calls
    pictures: int = 0

    def add(self, words: str) -> str:
        self.words += words.split()
        return words


def png(colour: str, size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


# --- a .docx, as Word writes one ----------------------------------------------------------------


def _run_xml(words: str, italic: bool = False) -> str:
    props = "<w:rPr><w:i/></w:rPr>" if italic else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{words}</w:t></w:r>'


def _note_call(paragraph, kind: str, number: int) -> None:
    style = "FootnoteReference" if kind == "footnote" else "EndnoteReference"
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{style}"/><w:vertAlign w:val="superscript"/>'
            f'</w:rPr><w:{kind}Reference w:id="{number}"/></w:r>'
        )
    )


def _hyperlink(paragraph, words: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    paragraph._p.append(
        parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}">{_run_xml(words)}</w:hyperlink>')
    )


BULLETS, NUMBERS = 90, 91  # lists of two levels, as Word defines them in numbering.xml


def _numbering_xml(numbering: str) -> str:
    """Word's multi-level list definitions (python-docx's template has single-level ones only)."""
    definitions = ""
    for number, (form, label) in ((BULLETS, ("bullet", "•")), (NUMBERS, ("decimal", "%1."))):
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{form}"/>'
            f'<w:lvlText w:val="{label.replace("1", str(level + 1))}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{720 * (level + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            for level in range(2)
        )
        definitions += (
            f'<w:abstractNum w:abstractNumId="{number}"><w:multiLevelType w:val="multilevel"/>'
            f"{levels}</w:abstractNum>"
        )
    nums = "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>' for n in (BULLETS, NUMBERS))
    opening = numbering.index(">", numbering.index("<w:numbering")) + 1
    return (
        numbering[:opening]
        + definitions
        + numbering[opening:].replace("</w:numbering>", nums + "</w:numbering>")
    )


def _list_item(document, words: str, style_name: str, level: int = 0):
    paragraph = document.add_paragraph(words, style=style_name)
    num_id = {"List Bullet": BULLETS, "List Number": NUMBERS}[style_name]
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )
    return paragraph


def _notes_xml(kind: str, notes: list[str]) -> bytes:
    entries = "".join(
        f'<w:{kind} w:id="{n}"><w:p><w:pPr><w:pStyle w:val="{kind.capitalize()}Text"/></w:pPr>'
        f"<w:r><w:{kind}Ref/></w:r>{_run_xml(' ' + note)}</w:p></w:{kind}>"
        for n, note in enumerate(notes, 1)
    )
    separators = (
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
        f"</w:p></w:{kind}>"
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f"{head}<w:{kind}s {nsdecls('w')}>{separators}{entries}</w:{kind}s>".encode()


def _add_notes_parts(path: Path, footnotes: list[str], endnotes: list[str], lang: str | None) -> None:
    """Word's footnotes.xml and endnotes.xml (python-docx writes neither), with their
    relationships and content types, and the document's language in its styles."""
    with zipfile.ZipFile(path) as package:
        members = {name: package.read(name) for name in package.namelist()}
    relationships = members["word/_rels/document.xml.rels"].decode()
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    added = "".join(
        f'<Relationship Id="rIdNotes{kind}" Type="{base}/{kind}s" Target="{kind}s.xml"/>'
        for kind in ("footnote", "endnote")
    )
    members["word/_rels/document.xml.rels"] = relationships.replace(
        "</Relationships>", added + "</Relationships>"
    ).encode()
    types = members["[Content_Types].xml"].decode()
    overrides = "".join(
        f'<Override PartName="/word/{kind}s.xml" ContentType="application/vnd.openxmlformats-officedocument'
        f'.wordprocessingml.{kind}s+xml"/>'
        for kind in ("footnote", "endnote")
    )
    members["[Content_Types].xml"] = types.replace("</Types>", overrides + "</Types>").encode()
    members["word/footnotes.xml"] = _notes_xml("footnote", footnotes)
    members["word/endnotes.xml"] = _notes_xml("endnote", endnotes)
    members["word/numbering.xml"] = _numbering_xml(members["word/numbering.xml"].decode()).encode()
    if lang:
        styles = members["word/styles.xml"].decode()
        members["word/styles.xml"] = styles.replace(
            'w:lang w:val="en-US"', f'w:lang w:val="{lang}"', 1
        ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


def word_document(path: Path, lang: str | None = None, extra=None) -> Expected:
    """A .docx with every element an article may have; ``extra(document)`` adds more."""
    expected = Expected()
    document = docx.Document()
    document.core_properties.author = "Office User"
    document.add_paragraph(expected.title, style="Title")
    document.add_paragraph(f"By {expected.byline}", style="Subtitle")
    first = document.add_paragraph(expected.add("The miners of Marikana struck for a living wage, and"))
    first.add_run(expected.add(" Business Day ")).italic = True
    first.add_run(expected.add("called the strike"))
    first.add_run(expected.add(" illegal")).bold = True
    first.add_run(".")
    expected.words[-1] += "."
    _note_call(first, "footnote", 1)
    expected.notes.append("The strike began on 10 August 2012.")
    document.add_heading(expected.add("What the strike won"), 1)
    second = document.add_paragraph(
        expected.add(f"The demand was R 12{NBSP}500 a month, “a wage to live on”, in")
    )
    second.add_run(" ")
    _hyperlink(second, expected.add("the union’s statement"), "https://example.org/statement")
    second.add_run(expected.add(" of that week."))
    _note_call(second, "endnote", 1)
    expected.notes.append("An endnote: the statement is kept in the archive.")
    document.add_paragraph(expected.add("An injury to one is an injury to all."), style="Quote")
    _list_item(document, expected.add("first demand"), "List Bullet")
    _list_item(document, expected.add("a point under it"), "List Bullet", level=1)
    _list_item(document, expected.add("second demand"), "List Bullet")
    _list_item(document, expected.add("organise"), "List Number")
    _list_item(document, expected.add("strike"), "List Number")
    document.add_heading(expected.add("Wages"), 2)
    rows = [("Year", "Wage"), ("2012", "R 5 000"), ("2013", "R 12 500")]
    grid = document.add_table(rows=len(rows), cols=2)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            grid.cell(r, c).text = expected.add(cell)
    document.add_paragraph(expected.add("Table 1: Wages"), style="Caption")
    document.add_paragraph(expected.add("A picture with its description follows."))
    document.add_picture(io.BytesIO(png("red")))
    document.inline_shapes[0]._inline.docPr.set("descr", "Miners on the koppie")
    document.add_paragraph(expected.add("Figure 1: The koppie at Marikana"), style="Caption")
    document.add_paragraph(expected.add("And one with none."))
    document.add_picture(io.BytesIO(png("blue")))
    document.inline_shapes[1]._inline.docPr.set("descr", "")
    expected.pictures = 2
    document.add_paragraph(expected.add("The last paragraph, after the pictures."))
    if extra:
        extra(document, expected)
    document.save(path)
    _add_notes_parts(path, [expected.notes[0]], [expected.notes[1]], lang)
    return expected


# --- an .odt, as LibreOffice writes one ---------------------------------------------------------


def _odt_styles(document: opendocument.OpenDocument, lang: str | None) -> dict[str, style.Style]:
    """The named styles LibreOffice gives a new document, and the text styles used here."""
    named = {}
    for name, family in (("Title", "paragraph"), ("Subtitle", "paragraph"), ("Quotations", "paragraph")):
        named[name] = style.Style(name=name, family=family)
        document.styles.addElement(named[name])
    if lang:
        language, _, country = lang.partition("-")
        default = style.DefaultStyle(family="paragraph")
        default.addElement(style.TextProperties(language=language, country=country or "none"))
        document.styles.addElement(default)
    for name, properties in (("Italic", {"fontstyle": "italic"}), ("Bold", {"fontweight": "bold"})):
        named[name] = style.Style(name=name, family="text")
        named[name].addElement(style.TextProperties(**properties))
        document.automaticstyles.addElement(named[name])
    return named


def _bullet_style(document: opendocument.OpenDocument) -> text.ListStyle:
    """A bulleted list's style of two levels, as LibreOffice writes one."""
    bullets = text.ListStyle(name="Bullets")
    for level in (1, 2):
        bullets.addElement(text.ListLevelStyleBullet(level=level, bulletchar="•"))
    document.automaticstyles.addElement(bullets)
    return bullets


def _odt_note(kind: str, number: int, words: str) -> text.Note:
    note = text.Note(id=f"{kind}{number}", noteclass=kind)
    note.addElement(text.NoteCitation(text=str(number)))
    body = text.NoteBody()
    body.addElement(text.P(text=words))
    note.addElement(body)
    return note


def _odt_picture(document: opendocument.OpenDocument, data: bytes, alt: str | None) -> text.P:
    frame = draw.Frame(width="3cm", height="2cm", anchortype="as-char")
    frame.addElement(draw.Image(href=document.addPictureFromString(data, "image/png")))
    if alt:
        from odf.svg import Desc

        frame.addElement(Desc(text=alt))
    paragraph = text.P()
    paragraph.addElement(frame)
    return paragraph


def _odt_captioned(document: opendocument.OpenDocument, expected: Expected) -> text.P:
    """A picture with its caption, as LibreOffice's Insert › Caption makes one: a frame holding a
    text box holding the picture, a line break and 'Illustration 1: ...' (its number a field)."""
    picture = draw.Frame(name="Image3", width="5cm", height="3cm", anchortype="as-char")
    picture.addElement(draw.Image(href=document.addPictureFromString(png("green"), "image/png")))
    caption = text.P()
    caption.addElement(picture)
    caption.addElement(text.LineBreak())
    caption.addText(expected.add("Illustration "))
    caption.addElement(
        text.Sequence(name="Illustration", formula="ooow:Illustration+1", numformat="1", text="1")
    )
    caption.addText(": The koppie")
    expected.add("1: The koppie")
    box = draw.TextBox()
    box.addElement(caption)
    frame = draw.Frame(name="Frame1", width="5cm", anchortype="as-char")
    frame.addElement(box)
    paragraph = text.P()
    paragraph.addElement(frame)
    return paragraph


def odt_document(path: Path, lang: str | None = None, extra=None) -> Expected:
    """An .odt with every element an article may have; ``extra(document, body)`` adds more."""
    expected = Expected()
    document = opendocument.OpenDocumentText()
    styles = _odt_styles(document, lang)
    body = document.text
    body.addElement(text.P(stylename=styles["Title"], text=expected.title))
    body.addElement(text.P(stylename=styles["Subtitle"], text=f"By {expected.byline}"))
    first = text.P(text=expected.add("The miners of Marikana struck for a living wage, and "))
    first.addElement(text.Span(stylename=styles["Italic"], text=expected.add("Business Day")))
    first.addText(expected.add(" called the strike "))
    first.addElement(text.Span(stylename=styles["Bold"], text=expected.add("illegal")))
    first.addText(".")
    expected.words[-1] += "."
    expected.notes.append("The strike began on 10 August 2012.")
    first.addElement(_odt_note("footnote", 1, expected.notes[-1]))
    body.addElement(first)
    body.addElement(text.H(outlinelevel=1, text=expected.add("What the strike won")))
    second = text.P(text=expected.add(f"The demand was R 12{NBSP}500 a month, “a wage to live on”, in "))
    second.addElement(
        text.A(href="https://example.org/statement", text=expected.add("the union’s statement"))
    )
    second.addText(expected.add(" of that week."))
    expected.notes.append("An endnote: the statement is kept in the archive.")
    second.addElement(_odt_note("endnote", 1, expected.notes[-1]))
    body.addElement(second)
    body.addElement(
        text.P(stylename=styles["Quotations"], text=expected.add("An injury to one is an injury to all."))
    )
    bullets = text.List(stylename=_bullet_style(document))
    for words, nested in (("first demand", "a point under it"), ("second demand", None)):
        item = text.ListItem()
        item.addElement(text.P(text=expected.add(words)))
        if nested:
            inner = text.List()
            inner_item = text.ListItem()
            inner_item.addElement(text.P(text=expected.add(nested)))
            inner.addElement(inner_item)
            item.addElement(inner)
        bullets.addElement(item)
    body.addElement(bullets)
    body.addElement(text.H(outlinelevel=2, text=expected.add("Wages")))
    grid = table.Table(name="Wages")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=2))
    head = table.TableHeaderRows()
    for r, row in enumerate([("Year", "Wage"), ("2012", "R 5 000"), ("2013", "R 12 500")]):
        cells = table.TableRow()
        for words in row:
            cell = table.TableCell(valuetype="string")
            cell.addElement(text.P(text=expected.add(words)))
            cells.addElement(cell)
        (head if r == 0 else grid).addElement(cells)
        if r == 0:
            grid.addElement(head)
    body.addElement(grid)
    body.addElement(text.P(text=expected.add("A picture with its description follows.")))
    body.addElement(_odt_picture(document, png("red"), "Miners on the koppie"))
    body.addElement(text.P(text=expected.add("And one with none.")))
    body.addElement(_odt_picture(document, png("blue"), None))
    expected.pictures = 2
    body.addElement(_odt_captioned(document, expected))
    expected.pictures = 3
    body.addElement(text.P(text=expected.add("The last paragraph, after the pictures.")))
    if extra:
        extra(document, body, expected)
    document.save(str(path))
    return expected


# --- imported, built and read back --------------------------------------------------------------


@dataclass
class Outcome:
    """A document imported into a scratch issue: what the command said and the article it wrote."""

    root: Path
    said: str
    status: int

    @property
    def issue_dir(self) -> Path:
        return self.root / "issues" / "001"

    def article(self):
        project = Project(root=self.root, out=self.root / "build")
        return load(project, self.issue_dir).issue.articles[-1]

    def text(self) -> str:
        return (self.issue_dir / Path(self.article().source).name).read_text()


def imported(tmp_path: Path, *names: str, args: tuple[str, ...] = ()) -> Outcome:
    """``layout import NAMES --issue issues/001`` run in the scratch project at ``tmp_path``."""
    result = run_layout(tmp_path, "import", *names, "--issue", "issues/001", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return Outcome(tmp_path, result.stdout + result.stderr, result.returncode)


def assert_prints_the_document(outcome: Outcome, expected: Expected) -> None:
    """The article has the document's title, byline, words and notes, and the built archive
    edition prints every word and note of it and each of its pictures."""
    article = outcome.article()
    assert (article.title, article.byline) == (expected.title, expected.byline)
    words, notes = pdfcheck.article_words(article)
    head = len(pdfcheck.head_words(article))
    assert words[head:] == [w for w in map(pdfcheck.normal, expected.words) if w]
    assert notes == [w for note in expected.notes for w in map(pdfcheck.normal, note.split()) if w]
    project = Project(root=outcome.root, out=outcome.root / "build")
    result = build_issue(project, outcome.issue_dir)
    assert not result.problems, result.problems
    archive = Path(result.outputs["archive"])
    issue = load(project, outcome.issue_dir).issue
    pages = pdfcheck.read_pdf(archive)
    assert pdfcheck.missing_words(pages, issue, pdfcheck.house_style()) == []
    from layout.checks.tagged import articles, read_structure

    (art,) = [element for element, said in articles(read_structure(archive)) if expected.words[3] in said]
    kinds = [element.standard for element in art.walk()]
    assert kinds.count("Note") == len(expected.notes)
    assert kinds.count("Figure") == expected.pictures
    assert sum(len(page.images) for page in pages) == expected.pictures  # the scratch's own is a drawing


@pytest.mark.slow
def test_a_word_document_prints_every_word_note_and_picture(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    expected = word_document(tmp_path / "mines.docx")
    outcome = imported(tmp_path, "mines.docx", args=("--kind", "analysis"))
    assert outcome.status == 0, outcome.said
    assert (
        "mines.docx: imported as issues/001/workers-control-of-the-mines.md (2 pictures, 2 notes)"
        in outcome.said
    )
    assert "No 1: OK (2 articles" in outcome.said
    text = outcome.text()
    assert "kind: analysis\n" in text and "lang:" not in text  # en-US: the publication's English
    assert f"R 12{NBSP}500" in text and "“a wage to live on”" in text
    assert "*Business Day*" in text and "**illegal**" in text
    assert "\n## What the strike won\n" in text and "\n### Wages\n" in text
    assert "\n> An injury to one is an injury to all.\n" in text
    assert "- first demand\n  - a point under it\n- second demand\n\n1. organise\n2. strike\n" in text
    assert "| Year | Wage |\n| --- | --- |\n| 2012 | R 5 000 |" in text
    assert "[the union’s statement](https://example.org/statement)" in text
    assert (
        '![Miners on the koppie](figures/workers-control-of-the-mines-1.png "Figure 1: The koppie at'
        ' Marikana")' in text
    )
    assert "| 2013 | R 12 500 |\n\n*Table 1: Wages*\n" in text
    line = text.split("\n").index("![](figures/workers-control-of-the-mines-2.png)") + 1
    assert (
        f"workers-control-of-the-mines.md:{line}: image: figures/workers-control-of-the-mines-2.png"
        " has no alt text" in outcome.said
    )
    assert "its properties name 'Office User' as the author" not in outcome.said  # a byline is marked
    assert_prints_the_document(outcome, expected)


@pytest.mark.slow
def test_a_libreoffice_document_prints_every_word_note_and_picture_in_its_language(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    expected = odt_document(tmp_path / "mines.odt", lang="af-ZA")
    outcome = imported(tmp_path, "mines.odt")
    assert outcome.status == 0, outcome.said
    text = outcome.text()
    assert "lang: af-ZA\n" in text and "kind: statement\n" in text
    assert "mines.odt: kind: set to statement: give --kind" in outcome.said
    assert "\n> An injury to one is an injury to all.\n" in text
    assert "- first demand\n  - a point under it\n- second demand\n" in text
    assert "![Miners on the koppie](figures/workers-control-of-the-mines-1.png)" in text
    assert '(figures/workers-control-of-the-mines-3.png "Illustration 1: The koppie")' in text
    assert "text box" not in outcome.said and "field" not in outcome.said
    assert "*Business Day*" in text and "**illegal**" in text and f"R 12{NBSP}500" in text
    assert_prints_the_document(outcome, expected)


# --- what cannot be carried over: said, with where it is --------------------------------------


def _troubles(document, expected: Expected) -> None:
    """A comment, a text box, a DATE field, an embedded object, colour and a font, under a heading."""
    document.add_heading(expected.add("Further trouble"), 1)
    paragraph = document.add_paragraph(expected.add("A paragraph with a comment on it."))
    document.add_comment(paragraph.runs, text="Check this figure with the union", author="Editor")
    boxed = document.add_paragraph(expected.add("A paragraph with a box beside it."))
    boxed._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
            '<v:shape style="width:100pt;height:50pt"><v:textbox>'
            "<w:txbxContent><w:p><w:r><w:t>Boxed aside text</w:t></w:r></w:p></w:txbxContent>"
            "</v:textbox></v:shape></w:pict></w:r>"
        )
    )
    dated = document.add_paragraph(expected.add("Printed on"))
    dated._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">'
            f"{_run_xml(' 1 May 2026')}</w:fldSimple>"
        )
    )
    coloured = document.add_paragraph().add_run(expected.add("Red words in Arial."))
    coloured.font.color.rgb = docx.shared.RGBColor(0xC0, 0, 0)
    coloured.font.name = "Arial"
    document.add_paragraph(expected.add("The end."))
    document.sections[0].header.paragraphs[0].text = "Draft for the editors"  # page furniture, not text
    document.sections[0].footer.paragraphs[0].text = "Workers International Vanguard Party"


def test_comments_text_boxes_fields_and_colours_are_reported_where_they_are(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    expected = word_document(tmp_path / "mines.docx", extra=_troubles)
    outcome = imported(tmp_path, "mines.docx")
    assert outcome.status == 0, outcome.said
    said = outcome.said
    assert re.search(
        r'mines.docx: paragraph \d+ \(under "Further trouble"\): a comment was left out: '
        r"'Check this figure with the union'",
        said,
    )
    assert re.search(
        r'paragraph \d+ \(under "Further trouble"\): a text box was left out .*\'Boxed aside text\'', said
    )
    assert re.search(
        r'paragraph \d+ \(under "Further trouble"\): a DATE field was left out \(it showed \'1 May 2026\'\)',
        said,
    )
    assert said.count("colours, fonts and sizes set by hand are not carried over") == 1
    assert "the page header was left out ('Draft for the editors')" in said
    assert "the page footer was left out ('Workers International Vanguard Party')" in said
    assert "Check this figure" not in outcome.text() and "Draft for" not in outcome.text()
    words, _ = pdfcheck.article_words(outcome.article())
    assert words[len(pdfcheck.head_words(outcome.article())) :] == [
        w for w in map(pdfcheck.normal, expected.words) if w
    ]


def _tracked(document, expected: Expected) -> None:
    paragraph = document.add_paragraph("Words kept, ")
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="91" w:author="Sipho" w:date="2026-11-02T10:00:00Z">'
            f"{_run_xml('words added')}</w:ins>"
        )
    )


def test_tracked_changes_not_accepted_are_refused_saying_how_to_accept_them(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    word_document(tmp_path / "changed.docx", extra=_tracked)

    def odt_change(document, body, expected) -> None:
        changes = text.TrackedChanges()
        region = text.ChangedRegion(qattributes={(XMLNS, "id"): "ct1"})
        change = text.Insertion()
        info = office.ChangeInfo()
        info.addElement(dc.Creator(text="Sipho"))
        change.addElement(info)
        region.addElement(change)
        changes.addElement(region)
        body.insertBefore(changes, body.firstChild)
        paragraph = text.P(text="Words kept, ")
        paragraph.addElement(text.ChangeStart(changeid="ct1"))
        paragraph.addText("words added")
        paragraph.addElement(text.ChangeEnd(changeid="ct1"))
        body.addElement(paragraph)

    odt_document(tmp_path / "changed.odt", extra=odt_change)
    before = (tmp_path / "issues" / "001" / "issue.yaml").read_text()
    outcome = imported(tmp_path, "changed.docx", "changed.odt")
    assert outcome.status == 2
    assert re.search(
        r"changed.docx: has changes that are tracked and not yet accepted "
        r"\(paragraph \d+ \(under \"Wages\"\): an insertion by Sipho",
        outcome.said,
    )
    assert "in Word, Review › Accept › Accept All Changes" in outcome.said
    assert "changed.odt: has changes that are tracked and not yet accepted" in outcome.said
    assert "in LibreOffice, Edit › Track Changes › Manage…, then Accept All" in outcome.said
    assert (tmp_path / "issues" / "001" / "issue.yaml").read_text() == before
    assert sorted(p.name for p in (tmp_path / "issues" / "001").iterdir()) == [
        "figures",
        "issue.yaml",
        "small.md",
    ]


# --- untrusted files -----------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return path


def _lying_bomb(path: Path) -> Path:
    """A .docx whose document.xml says it is 1 KB and inflates to 50 MB (its headers patched)."""
    word_document(path)
    with zipfile.ZipFile(path) as package:
        members = {name: package.read(name) for name in package.namelist()}
    members["word/document.xml"] = b"<" + b" " * 50_000_000
    _zip(path, members)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        member = package.getinfo("word/document.xml")
    small = (1000).to_bytes(4, "little")
    data[member.header_offset + 22 : member.header_offset + 26] = small  # the local header
    central = data.find(b"word/document.xml", data.find(b"PK\x01\x02")) - 46
    data[central + 24 : central + 28] = small  # the central directory's record
    path.write_bytes(bytes(data))
    return path


def test_files_that_are_not_what_they_say_or_are_unsafe_are_refused_each_with_why(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    (tmp_path / "letter.docx").write_text("Dear comrades, this is plain text.\n")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    (tmp_path / "locked.docx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    (tmp_path / "old.docx").write_bytes(ole + b"\x00" * 1024)
    _zip(tmp_path / "bomb.docx", {"[Content_Types].xml": b"x", "word/document.xml": b"\x00" * 150_000_000})
    _lying_bomb(tmp_path / "liar.docx")
    _zip(tmp_path / "escape.docx", {"[Content_Types].xml": b"x", "../../etc/cron.d/x": b"x"})
    _zip(
        tmp_path / "other.odt",
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"},
        zipfile.ZIP_STORED,
    )
    word_document(tmp_path / "mines.docx")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "empty.txt").write_text("\n\n")
    names = ["letter.docx", "locked.docx", "old.docx", "bomb.docx", "liar.docx", "escape.docx", "other.odt"]
    outcome = imported(tmp_path, *names, "report.pdf", "empty.txt", "mines.docx")
    assert outcome.status == 2
    said = outcome.said
    assert "letter.docx: is not a .docx document: it is plain text: rename it .txt" in said
    assert "locked.docx: is encrypted (it has a password): open it, remove the password" in said
    assert (
        "old.docx: is an old Word (.doc) file, not .docx: open it in Word or LibreOffice and save it as .docx"
        in said
    )
    assert "bomb.docx: is a zip bomb: 'word/document.xml' would unpack" in said
    assert "liar.docx: is a zip bomb: 'word/document.xml' unpacks to more than it says" in said
    assert "escape.docx: holds a path that leads outside it ('../../etc/cron.d/x')" in said
    assert "other.odt: is not an .odt document" in said
    assert "report.pdf: cannot be imported: give a .docx, .odt, .html, .htm, .md or .txt file" in said
    assert "empty.txt: has no text to import" in said
    assert "mines.docx: imported as issues/001/workers-control-of-the-mines.md" in said  # the others aside
    assert not (tmp_path / "etc").exists()


def test_an_article_or_picture_that_exists_is_never_overwritten(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    word_document(tmp_path / "mines.docx")
    kept = tmp_path / "issues" / "001" / "workers-control-of-the-mines.md"
    kept.write_text("the editor's own work\n")
    outcome = imported(tmp_path, "mines.docx")
    assert outcome.status == 2
    assert (
        "mines.docx: would be written to issues/001/workers-control-of-the-mines.md, which exists"
        in outcome.said
    )
    assert kept.read_text() == "the editor's own work\n"


# --- HTML, Markdown and e-mail text -------------------------------------------------------------


@pytest.fixture
def web(listener: Listener, monkeypatch: pytest.MonkeyPatch) -> Listener:  # noqa: F811 (the fixture)
    """test_no_network's listener, also the proxy of every address: an import must reach it never."""
    proxy = listener.url("").rstrip("/")
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy)
    return listener


def test_an_e_mail_saved_as_html_is_imported_and_nothing_in_it_is_fetched(
    tmp_path: Path, web: Listener
) -> None:
    address = web.url("").rstrip("/")
    make_scratch(tmp_path)
    (tmp_path / "beside.png").write_bytes(png("red"))
    inline = __import__("base64").b64encode(png("blue")).decode()
    (tmp_path / "mail.html").write_text(
        f"""<html><head><title>Fwd: report</title><style>p {{ color: red }}</style>
        <script>fetch("{address}/script")</script><link rel="stylesheet" href="{address}/style.css"></head>
        <body><h1>The Durban dockworkers</h1><p>By Lindiwe Zulu</p>
        <p>The <em>dockworkers</em> met on <strong>Friday</strong>.<sup>1</sup> See
        <a href="https://example.org/docks">the union</a> &amp; <a href="javascript:alert(1)">this</a>.</p>
        <blockquote><p>No work without pay.</p></blockquote>
        <p><img src="{address}/tracker.png" alt="a tracker"></p>
        <p><img src="beside.png" alt="The harbour"></p>
        <p><img src="data:image/png;base64,{inline}" alt="A crane"></p>
        <ul><li>one<ul><li>under one</li></ul></li><li>two</li></ul>
        <table><tr><th>Ship</th><th>Days</th></tr><tr><td>Maersk | Line</td><td>4</td></tr></table>
        </body></html>"""
    )
    outcome = imported(tmp_path, "mail.html", args=("--kind", "report"))
    assert outcome.status == 0, outcome.said
    assert web.connections == 0
    text = outcome.text()
    assert text.startswith("---\ntitle: The Durban dockworkers\nbyline: Lindiwe Zulu\nkind: report\n---\n")
    assert "The *dockworkers* met on **Friday**.1 See [the union](https://example.org/docks) & this." in text
    assert "![The harbour](figures/the-durban-dockworkers-1.png)" in text
    assert "![A crane](figures/the-durban-dockworkers-2.png)" in text
    assert "| Maersk \\| Line | 4 |" in text and "- one\n  - under one\n- two" in text
    assert "fetch" not in text and "color" not in text
    assert f"the picture at '{address}/tracker.png' is on the web: it was not fetched" in outcome.said
    assert "the link to 'javascript:alert(1)' was left out (its words are kept)" in outcome.said


def test_markdown_with_and_without_front_matter_and_an_e_mail_as_text(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "kliptown.png").write_bytes(png("red"))
    (tmp_path / "plain.md").write_text(
        "# Land and the Freedom Charter\n\nThe land shall be *shared*.[^1]\n\n"
        "![Kliptown, 1955](pictures/kliptown.png)\n\n[^1]: 1955.\n"
    )
    (tmp_path / "fronted.md").write_text(
        "---\ntitle: Housing now  # the working title\ntags: [syria]\n---\n\nHomes for all.\n"
    )
    (tmp_path / "mail.txt").write_text(
        "Subject: Re: Fwd: Report from the Cape Town branch\nFrom: Sipho <sipho@example.org>\n\n"
        "By Sipho Dlamini\n\nComrades, the branch met on Sunday and\nagreed on three things:\n\n"
        "- to picket the\n  council on Monday\n- to print 500 leaflets\n\n"
        "> Will the council listen?\n> We doubt it.\n\nOnly 2 * 3 people came <late>.\n\n"
        "-- \nSipho\n072 000 0000\n"
    )
    outcome = imported(tmp_path, "plain.md", "fronted.md", "mail.txt", args=("--lang", "xh"))
    assert outcome.status == 0, outcome.said
    folder = tmp_path / "issues" / "001"
    assert (folder / "land-and-the-freedom-charter.md").read_text() == (
        "---\ntitle: Land and the Freedom Charter\nkind: statement\nlang: xh\n---\n\n"
        "The land shall be *shared*.[^1]\n\n![Kliptown, 1955](figures/land-and-the-freedom-charter-1.png)\n\n"
        "[^1]: 1955.\n"
    )
    assert (folder / "figures" / "land-and-the-freedom-charter-1.png").read_bytes() == png("red")
    assert (folder / "housing-now.md").read_text() == (
        "---\ntitle: Housing now  # the working title\ntags: [syria]\nkind: statement\nlang: xh\n---\n\n"
        "Homes for all.\n"
    )
    mail = (folder / "report-from-the-cape-town-branch.md").read_text()
    assert mail == (
        "---\ntitle: Report from the Cape Town branch\nbyline: Sipho Dlamini\nkind: statement\nlang: xh\n"
        "---\n\n"
        "Comrades, the branch met on Sunday and agreed on three things:\n\n"
        "- to picket the council on Monday\n- to print 500 leaflets\n\n"
        "> Will the council listen? We doubt it.\n\nOnly 2 \\* 3 people came \\<late>.\n"
    )
    assert "mail.txt: line 18: the signature after '-- ' was left out" in outcome.said
    assert "No 1: OK (4 articles" in outcome.said


def test_the_issue_keeps_its_comments_and_layout_and_bad_options_are_refused(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    manifest = tmp_path / "issues" / "001" / "issue.yaml"
    manifest.write_text(
        "# yaml-language-server: $schema=../../schemas/issue.schema.json\nnumber: 1\ndate: 2017-02-01\n"
        "articles:\n    - file: small.md   # the first\n      columns: 1\n"
        "# the end of the list\ntheme: Land\n"
    )
    (tmp_path / "a.md").write_text("# A short piece\n\nIts text.\n")
    assert imported(tmp_path, "a.md").status == 0
    assert manifest.read_text() == (
        "# yaml-language-server: $schema=../../schemas/issue.schema.json\nnumber: 1\ndate: 2017-02-01\n"
        "articles:\n    - file: small.md   # the first\n      columns: 1\n    - file: a-short-piece.md\n"
        "# the end of the list\ntheme: Land\n"
    )
    refused = imported(tmp_path, "a.md", args=("--lang", "isiXhosa"))
    assert refused.status == 2
    assert (
        "--lang: 'isiXhosa' is not a language code such as en-ZA, af-ZA, zu-ZA or xh: did you mean xh?"
        in refused.said
    )


def test_a_linked_picture_in_a_word_document_is_reported_and_not_fetched(
    tmp_path: Path, web: Listener
) -> None:
    address = web.url("").rstrip("/")
    make_scratch(tmp_path)

    def linked(document, expected: Expected) -> None:
        document.add_heading(expected.add("From the web"), 1)
        document.add_picture(io.BytesIO(png("green")))
        blip = document.inline_shapes[-1]._inline.xpath(".//a:blip")[0]
        relationship = document.part.relate_to(
            f"{address}/photo.png", RELATIONSHIP_TYPE.IMAGE, is_external=True
        )
        del blip.attrib[f"{{{R_NS}}}embed"]
        blip.set(f"{{{R_NS}}}link", relationship)
        document.add_paragraph(expected.add("After it."))

    word_document(tmp_path / "linked.docx", extra=linked)
    outcome = imported(tmp_path, "linked.docx")
    assert outcome.status == 0, outcome.said
    assert web.connections == 0
    assert re.search(
        r'paragraph \d+ \(under "From the web"\): a linked picture .* was not fetched', outcome.said
    )
    assert "photo.png" not in outcome.text() and outcome.text().count("](figures/") == 2


def test_comments_and_text_boxes_in_a_libreoffice_document_are_reported_where_they_are(
    tmp_path: Path,
) -> None:
    make_scratch(tmp_path)

    def troubles(document, body, expected: Expected) -> None:
        body.addElement(text.H(outlinelevel=1, text=expected.add("Further trouble")))
        commented = text.P(text=expected.add("A paragraph with a comment on it."))
        note = office.Annotation()
        note.addElement(dc.Creator(text="Editor"))
        note.addElement(text.P(text="Check this figure with the union"))
        commented.addElement(note)
        body.addElement(commented)
        boxed = text.P(text=expected.add("A paragraph with a box beside it."))
        frame = draw.Frame(width="4cm", height="2cm", anchortype="paragraph")
        box = draw.TextBox()
        box.addElement(text.P(text="Boxed aside text"))
        frame.addElement(box)
        boxed.addElement(frame)
        body.addElement(boxed)
        body.addElement(text.P(text=expected.add("The end.")))
        layout = style.PageLayout(name="pm1")
        document.automaticstyles.addElement(layout)
        master = style.MasterPage(name="Standard", pagelayoutname=layout)
        header = style.Header()
        header.addElement(text.P(text="Draft for the editors"))
        master.addElement(header)
        document.masterstyles.addElement(master)

    expected = odt_document(tmp_path / "mines.odt", extra=troubles)
    outcome = imported(tmp_path, "mines.odt")
    assert outcome.status == 0, outcome.said
    assert re.search(
        r'mines.odt: paragraph \d+ \(under "Further trouble"\): a comment was left out: '
        r"'Check this figure with the union'",
        outcome.said,
    )
    assert re.search(
        r'paragraph \d+ \(under "Further trouble"\): a text box was left out .*\'Boxed aside text\'',
        outcome.said,
    )
    assert "the page header was left out ('Draft for the editors')" in outcome.said
    assert "Check this figure" not in outcome.text()
    words, _ = pdfcheck.article_words(outcome.article())
    head = len(pdfcheck.head_words(outcome.article()))
    assert words[head:] == [w for w in map(pdfcheck.normal, expected.words) if w]


def test_what_markdown_would_take_for_markup_prints_as_the_document_has_it(tmp_path: Path) -> None:
    make_scratch(tmp_path)
    lines = [
        "Prices *rose* by 5% & more_than_that [as expected] <b>not bold</b> `not code` ~~kept~~ a|b",
        "&amp; \\o/ ![not](a.png)",  # a literal [^1] the text stage refuses: no note of that name
        "1. Not a list",
        "# Not a heading",
        "> Not a quote",
        "- Not a bullet",
        "---",
    ]
    document = docx.Document()
    document.add_paragraph("Markup in the text", style="Title")
    for line in lines:
        document.add_paragraph(line)
    document.add_paragraph("A line").add_run().add_break()
    document.save(tmp_path / "markup.docx")
    outcome = imported(tmp_path, "markup.docx")
    assert outcome.status == 0, outcome.said
    project = Project(root=tmp_path, out=tmp_path / "build")
    html = load(project, outcome.issue_dir).texts["markup-in-the-text"].html
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", html, re.DOTALL)
    printed = [
        __import__("html").unescape(re.sub(r"<[^>]+>", "", p)).replace("\u200b", "") for p in paragraphs
    ]
    assert printed == [*lines, "A line"]
