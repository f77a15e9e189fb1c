"""Issue 18: the archive PDFs are PDF/UA-1 and PDF/A-2 (checks/pdfua.py, checks/pdfa.py), and each
article read back through its tags (layout/checks/tagged.py) gives its words in order.

1. Each checker on a small archive edition (the scratch issue, with a table, a list, a link and a
   photo) broken in one way with pikepdf: the finding names the checkpoint or clause and the page.
   A finding counts only if the unbroken file does not have it too (object numbers aside).
2. Both checkers on every archive PDF the project builds: no findings.
3. Every article of every archive edition read through its tags: its words in order, none run
   together, no hyphenation hyphen left.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from layout.build.issues import build_issues
from layout.build.volumes import build_volumes
from layout.checks.pdfa import check_pdfa
from layout.checks.pdfua import check_pdfua
from layout.checks.preflight import Finding
from layout.checks.tagged import articles, read_structure
from layout.model.manifest import Article, load_publication
from layout.project import Project
from layout.site.website import SiteResult
from layout.typeset.archival import declare
from tests import pdfcheck
from tests.conftest import ARTICLE, building, make_scratch
from tests.test_bad_input import run_layout
from tests.test_hostile import hostile, hostile_build, hostile_project  # noqa: F401 (fixtures)
from tests.test_site import site  # noqa: F401 (the fixture: the site built once in the run)

CALLS_AND_NOTES = frozenset({"Reference", "Note"})  # a footnote call and its note: not the text's words
HYPHENS = ("\u2010", "\u00ad")  # WeasyPrint's hyphenate-character (the style sets no other), soft hyphen
WEASYPRINT_SRGB = Path(__import__("weasyprint").__file__).parent / "pdf" / "sRGB2014.icc"

RICH_ARTICLE = ARTICLE.replace(
    "[^1]: The note.",
    """\
A paragraph with [a link](https://example.org/) in it, and a list:

- the first item
- the second item

| Province | Members |
|---|---:|
| Gauteng | 1 500 |
| Limpopo | 900 |

*Members by province*

![A grey square](figures/square.png "A photo")

The last paragraph.

[^1]: The note.""",
)


# --- a small archive edition, and ways to break it --------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch issue's archive edition, with a table, a list, a link and a photo."""
    root = make_scratch(tmp_path_factory.mktemp("small"))
    issue = root / "issues" / "001"
    (issue / "small.md").write_text(RICH_ARTICLE)
    Image.new("RGB", (300, 200), (128, 128, 128)).save(issue / "figures" / "square.png")
    project = Project(root=root, out=root / "build")
    results = build_issues(project, jobs=1, force=True)
    assert not any(r.problems for r in results), [str(p) for r in results for p in r.problems]
    return project.archive_path(load_publication(root / "issues", root), 1)


def _key(finding: Finding) -> tuple[str, int | None, str]:
    """A finding without its numbers, which saving again may change."""
    return finding.check, finding.page, re.sub(r"\d+", "N", finding.message)


def _new_findings(
    source: Path, tmp_path: Path, *breaks: Callable[[pikepdf.Pdf], None]
) -> tuple[list[Finding], list[Finding]]:
    """The findings of both checkers on ``source`` with every break but the last made, and those
    that the last break adds."""

    def saved(name: str, steps: tuple[Callable[[pikepdf.Pdf], None], ...]) -> list[Finding]:
        with pikepdf.open(source) as pdf:
            for step in steps:
                step(pdf)
            pdf.save(tmp_path / name)
        return check_pdfua(tmp_path / name) + check_pdfa(tmp_path / name)

    before = saved("good.pdf", breaks[:-1])
    after = saved("broken.pdf", breaks)
    known = {_key(f) for f in before}
    return before, [f for f in after if _key(f) not in known]


def _elements(pdf: pikepdf.Pdf, kind: str) -> list[pikepdf.Dictionary]:
    """The structure elements of one type (as written), in the file's object order."""
    return [
        o
        for o in pdf.objects
        if isinstance(o, pikepdf.Dictionary) and o.get("/S") == f"/{kind}" and "/P" in o
    ]


def _page_of(pdf: pikepdf.Pdf, element: pikepdf.Dictionary) -> int:
    return next(i + 1 for i, page in enumerate(pdf.pages) if page.obj.objgen == element.Pg.objgen)


def _append_content(pdf: pikepdf.Pdf, data: bytes, page: int = 0) -> None:
    pdf.pages[page].contents_add(pdf.make_stream(data), prepend=False)


def _a_font(pdf: pikepdf.Pdf, page: int = 0) -> str:
    return str(next(iter(pdf.pages[page].Resources.Font.keys())))


def _set_xmp(pdf: pikepdf.Pdf, change: Callable[[bytes], bytes]) -> None:
    pdf.Root.Metadata = pdf.make_stream(change(pdf.Root.Metadata.read_bytes()))


def _declared(pdf: pikepdf.Pdf) -> None:
    """What archival.declare writes: the PDF/A-2a and PDF/UA-1 identifications."""
    _set_xmp(pdf, declare)


def _with_srgb_intent(pdf: pikepdf.Pdf) -> None:
    """An sRGB GTS_PDFA1 output intent, as WeasyPrint's pdf/a variants write it."""
    profile = pdf.make_stream(WEASYPRINT_SRGB.read_bytes(), N=3)
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def _links_printable(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            annot.F = 4


def _images(pdf: pikepdf.Pdf) -> list[tuple[int, pikepdf.Stream]]:
    found = []
    for index, page in enumerate(pdf.pages):
        for xobject in page.Resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Image":
                found.append((index + 1, xobject))
    return found


def _has(findings: list[Finding], check: str, page: int | None, text: str = "") -> bool:
    return any(f.check == check and f.page == page and text in f.message for f in findings)


# --- PDF/UA: one checkpoint broken at a time -------------------------------------------------------


def test_text_outside_marked_content_is_neither_tagged_nor_artifact(small: Path, tmp_path: Path) -> None:
    def untagged_text(pdf: pikepdf.Pdf) -> None:
        _append_content(pdf, f"BT /{_a_font(pdf)[1:]} 12 Tf 100 100 Td <00030003> Tj ET".encode())

    _, new = _new_findings(small, tmp_path, untagged_text)
    assert _has(new, "PDF/UA 01-005", 1, "neither tagged nor artifact"), new


def test_artifacts_and_tagged_content_nested_in_each_other_are_found(small: Path, tmp_path: Path) -> None:
    def nested(pdf: pikepdf.Pdf) -> None:
        _append_content(pdf, b"/P <</MCID 990>> BDC /Artifact BMC 0 0 m 9 9 l S EMC EMC")
        _append_content(pdf, b"/Artifact BMC /P <</MCID 991>> BDC 0 0 m 9 9 l S EMC EMC")

    _, new = _new_findings(small, tmp_path, nested)
    assert _has(new, "PDF/UA 01-003", 1) and _has(new, "PDF/UA 01-004", 1, "MCID 991"), new


def test_an_element_cut_from_the_tree_is_unreachable(small: Path, tmp_path: Path) -> None:
    def cut_paragraph(pdf: pikepdf.Pdf) -> None:
        paragraph = _elements(pdf, "P")[0]
        parent = paragraph.P
        parent.K = pikepdf.Array(
            [k for k in parent.K if not (isinstance(k, pikepdf.Dictionary) and k.objgen == paragraph.objgen)]
        )

    _, new = _new_findings(small, tmp_path, cut_paragraph)
    assert _has(new, "PDF/UA 01-005", 1, "not reachable from the StructTreeRoot"), new


def test_suspects_true_is_found(small: Path, tmp_path: Path) -> None:
    def suspect(pdf: pikepdf.Pdf) -> None:
        pdf.Root.MarkInfo.Suspects = True

    _, new = _new_findings(small, tmp_path, suspect)
    assert _has(new, "PDF/UA 01-007", None), new


def test_a_type_with_no_standard_mapping_and_a_remapped_standard_type(small: Path, tmp_path: Path) -> None:
    def role_maps(pdf: pikepdf.Pdf) -> None:
        _elements(pdf, "P")[0].S = pikepdf.Name("/Paragraph")
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(
            {"/Paragraph": pikepdf.Name("/Para"), "/Span": pikepdf.Name("/P")}
        )

    _, new = _new_findings(small, tmp_path, role_maps)
    assert _has(new, "PDF/UA 02-001", 1, "Paragraph") and _has(new, "PDF/UA 02-004", None, "Span"), new


def test_the_pdfua_identifier_taken_out_is_found(small: Path, tmp_path: Path) -> None:
    def no_pdfuaid(pdf: pikepdf.Pdf) -> None:
        _set_xmp(pdf, lambda xmp: re.sub(rb'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', b"", xmp))

    before, new = _new_findings(small, tmp_path, _declared, no_pdfuaid)
    assert not any(f.check.startswith("PDF/UA 06") for f in before), before
    assert _has(new, "PDF/UA 06-002", None), new


def test_display_doc_title_false_is_found(small: Path, tmp_path: Path) -> None:
    def shown_file_name(pdf: pikepdf.Pdf) -> None:
        pdf.Root.ViewerPreferences.DisplayDocTitle = False

    _, new = _new_findings(small, tmp_path, shown_file_name)
    assert _has(new, "PDF/UA 07-002", None), new


def test_a_table_cell_outside_a_row_and_a_list_item_outside_a_list(small: Path, tmp_path: Path) -> None:
    def misplaced(pdf: pikepdf.Pdf) -> None:
        _elements(pdf, "TR")[0].P.S = pikepdf.Name("/Div")
        _elements(pdf, "LI")[0].P.S = pikepdf.Name("/Div")

    _, new = _new_findings(small, tmp_path, misplaced)
    assert _has(new, "PDF/UA 09-004", 1, "TR element") and _has(new, "PDF/UA 09-005", 1, "LI element"), new


def test_a_lang_that_is_no_language_and_text_of_no_language(small: Path, tmp_path: Path) -> None:
    def bad_tag(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Lang = pikepdf.String("english please")

    def no_language(pdf: pikepdf.Pdf) -> None:
        del pdf.Root.Lang
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/S" in obj and "/Lang" in obj:
                del obj.Lang

    _, new = _new_findings(small, tmp_path, bad_tag)
    assert _has(new, "PDF/UA 11-001", None, "not a language tag"), new
    _, new = _new_findings(small, tmp_path, no_language)
    assert _has(new, "PDF/UA 11-001", 1, "cannot be determined"), new
    assert _has(new, "PDF/A 6.7.4", None), new


def test_a_figure_without_alt_is_found(small: Path, tmp_path: Path) -> None:
    pages: list[int] = []

    def no_alt(pdf: pikepdf.Pdf) -> None:
        figure = next(f for f in _elements(pdf, "Figure") if "/Alt" in f)
        del figure.Alt
        pages.append(_page_of(pdf, figure))

    _, new = _new_findings(small, tmp_path, no_alt)
    assert _has(new, "PDF/UA 13-004", pages[0], "no Alt"), new


def test_headings_that_start_below_h1_or_skip_a_level(small: Path, tmp_path: Path) -> None:
    def subhead_h4(pdf: pikepdf.Pdf) -> None:
        _elements(pdf, "H2")[0].S = pikepdf.Name("/H4")

    def title_h2(pdf: pikepdf.Pdf) -> None:
        for h1 in _elements(pdf, "H1"):
            h1.S = pikepdf.Name("/H2")

    _, new = _new_findings(small, tmp_path, subhead_h4)
    assert _has(new, "PDF/UA 14-003", 1, "H4"), new
    _, new = _new_findings(small, tmp_path, title_h2)
    assert _has(new, "PDF/UA 14-002", 1), new


def test_a_header_cell_without_scope_in_a_table_without_headers(small: Path, tmp_path: Path) -> None:
    def scoped(pdf: pikepdf.Pdf) -> None:
        for th in _elements(pdf, "TH"):
            th.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Column)

    def unscoped(pdf: pikepdf.Pdf) -> None:
        del _elements(pdf, "TH")[0].A

    before, new = _new_findings(small, tmp_path, scoped, unscoped)
    assert not any(f.check == "PDF/UA 15-003" for f in before), before
    assert _has(new, "PDF/UA 15-003", 1, "no Scope"), new


def test_notes_without_an_id_or_with_one_id_twice(small: Path, tmp_path: Path) -> None:
    def two_notes(pdf: pikepdf.Pdf) -> None:
        for paragraph in _elements(pdf, "P")[:3]:
            paragraph.S = pikepdf.Name("/Note")
            paragraph.ID = pikepdf.String("note-1")

    def one_without(pdf: pikepdf.Pdf) -> None:
        del _elements(pdf, "Note")[0].ID

    before, new = _new_findings(small, tmp_path, two_notes, one_without)
    assert _has(before, "PDF/UA 19-004", 1, "note-1"), before
    assert _has(new, "PDF/UA 19-003", 1, "no ID"), new


def test_links_out_of_their_element_without_contents_or_tabs(small: Path, tmp_path: Path) -> None:
    def broken_links(pdf: pikepdf.Pdf) -> None:
        _elements(pdf, "Link")[0].S = pikepdf.Name("/Span")
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                del annot.Contents
            del page.obj.Tabs

    _, new = _new_findings(small, tmp_path, broken_links)
    for point in ("28-011", "28-012", "28-007"):
        assert _has(new, f"PDF/UA {point}", 1), (point, new)


def test_a_font_not_embedded_without_unicode_and_a_notdef_shown(small: Path, tmp_path: Path) -> None:
    def font_broken(pdf: pikepdf.Pdf) -> None:
        font = pdf.pages[0].Resources.Font[_a_font(pdf)]
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]
        del font.ToUnicode
        _append_content(
            pdf, f"/Span <</MCID 992>> BDC BT /{_a_font(pdf)[1:]} 9 Tf 9 9 Td <0000> Tj ET EMC".encode()
        )

    _, new = _new_findings(small, tmp_path, font_broken)
    for check in (
        "PDF/UA 31-009",
        "PDF/UA 31-027",
        "PDF/UA 31-030",
        "PDF/A 6.2.11.4.1",
        "PDF/A 6.2.11.7.2",
        "PDF/A 6.2.11.8",
    ):
        assert _has(new, check, 1), (check, new)


# --- PDF/A: one clause broken at a time ---------------------------------------------------------------


def test_pdfa_identification_and_extension_schema(small: Path, tmp_path: Path) -> None:
    def undeclared(pdf: pikepdf.Pdf) -> None:
        _set_xmp(
            pdf,
            lambda xmp: (
                xmp.replace(b'pdfaid:part="2"', b'pdfaid:part="1"')
                .replace(b"<pdfaid:part>2</pdfaid:part>", b"<pdfaid:part>1</pdfaid:part>")
                .replace(
                    b"</rdf:RDF>",
                    b'<rdf:Description rdf:about="" xmlns:my="urn:my#" my:thing="x"/></rdf:RDF>',
                )
            ),
        )

    before, new = _new_findings(small, tmp_path, _declared, undeclared)
    assert not any(f.check in ("PDF/A 6.6.4", "PDF/A 6.6.2.3.1", "PDF/A 6.6.2.1") for f in before), before
    assert _has(new, "PDF/A 6.6.4", None, "pdfaid:part '1'"), new
    assert _has(new, "PDF/A 6.6.2.3.1", None, "thing of urn:my#"), new


def test_info_that_the_xmp_contradicts(small: Path, tmp_path: Path) -> None:
    def retitled(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo.Title = pikepdf.String("Another title")

    _, new = _new_findings(small, tmp_path, retitled)
    assert _has(new, "PDF/A 6.6.3", None, "/Title"), new


def test_device_colour_only_as_the_output_intent_allows(small: Path, tmp_path: Path) -> None:
    pages: list[int] = []

    def cmyk_image(pdf: pikepdf.Pdf) -> None:
        page, image = _images(pdf)[0]
        image.ColorSpace = pikepdf.Name.DeviceCMYK
        pages.append(page)

    before, new = _new_findings(small, tmp_path, _with_srgb_intent, cmyk_image)
    assert not any(f.check in ("PDF/A 6.2.2", "PDF/A 6.2.3") or "DeviceRGB" in f.message for f in before), (
        before
    )
    assert _has(new, "PDF/A 6.2.4.3", pages[0], "DeviceCMYK is used"), new
    with pikepdf.open(small) as pdf:  # with no output intent, DeviceRGB is not allowed either
        if "/OutputIntents" in pdf.Root:
            del pdf.Root.OutputIntents
        pdf.save(tmp_path / "no-intent.pdf")
    findings = check_pdfa(tmp_path / "no-intent.pdf")
    assert _has(findings, "PDF/A 6.2.2", None) and any("DeviceRGB is used" in f.message for f in findings), (
        findings
    )


def test_interpolated_image_and_transfer_function(small: Path, tmp_path: Path) -> None:
    pages: list[int] = []

    def interpolated(pdf: pikepdf.Pdf) -> None:
        page, image = _images(pdf)[0]
        image.Interpolate = True
        pages.append(page)
        resources = pdf.pages[0].Resources
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        resources.ExtGState["/TRx"] = pikepdf.Dictionary(
            Type=pikepdf.Name.ExtGState, TR=pikepdf.Name.Identity
        )

    _, new = _new_findings(small, tmp_path, interpolated)
    assert _has(new, "PDF/A 6.2.8", pages[0], "Interpolate true"), new
    assert _has(new, "PDF/A 6.2.5", 1, "transfer function"), new


def test_annotations_hidden_or_acting_badly(small: Path, tmp_path: Path) -> None:
    def hidden_script(pdf: pikepdf.Pdf) -> None:
        annot = pdf.pages[0].Annots[0]
        annot.F = 4 | 2
        annot.A = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))

    before, new = _new_findings(small, tmp_path, _links_printable, hidden_script)
    assert not any(f.check == "PDF/A 6.3.2" for f in before), before
    assert _has(new, "PDF/A 6.3.2", 1, "Hidden") and _has(new, "PDF/A 6.5.1", 1, "JavaScript"), new


def test_a_stream_with_external_data_is_found(small: Path, tmp_path: Path) -> None:
    """qpdf drops /F from streams it writes: the key goes into the file's bytes, in place of the
    metadata's /Subtype (of the same length, so that no offset moves)."""
    with pikepdf.open(small) as pdf:
        pdf.save(tmp_path / "plain.pdf", qdf=True)
    data = (tmp_path / "plain.pdf").read_bytes()
    assert data.count(b"/Subtype /XML") == 1
    (tmp_path / "external.pdf").write_bytes(data.replace(b"/Subtype /XML", b"/F (abcd.xml)"))
    known = {_key(f) for f in check_pdfa(tmp_path / "plain.pdf")}
    new = [f for f in check_pdfa(tmp_path / "external.pdf") if _key(f) not in known]
    assert _has(new, "PDF/A 6.1.7.1", None, "/F"), new


# --- every archive PDF the project builds -------------------------------------------------------------


@pytest.fixture(scope="module")
def archive_pdfs(
    site: SiteResult,  # noqa: F811 (the fixture imported above): its leaflets, fitted to a sheet
    shipped: dict,
    project: Project,
    hostile_project: Path,  # noqa: F811
    hostile_build: tuple[int, str],  # noqa: F811
) -> dict[str, Path]:
    """The archive editions of nos 20-23 and of the hostile issue, the A5 leaflets of nos 20-23 that
    the site offers (one for each article: a leaflet not built is missing) and the 2017 volume, by
    a short name."""
    publication = load_publication(project.issues_root, project.root)
    pdfs = {f"no{number}": project.archive_path(publication, number) for number in shipped}
    assert hostile_build[0] == 0, hostile_build[1]
    hostile_publication = load_publication(hostile_project / "issues", hostile_project)
    pdfs["hostile"] = Project(root=hostile_project, out=hostile_project / "build").archive_path(
        hostile_publication, 150
    )
    for number, (issue, _, _) in shipped.items():
        for article in issue.articles:
            leaflet = project.leaflet_path(publication, number, article.slug, "a5")
            pdfs[leaflet.stem] = leaflet
    with building(project):
        _, volumes = build_volumes(project, ["2017"], jobs=2)
    pdfs["volume-2017"] = Path(volumes[0].output)
    return pdfs


def _report(findings: list[Finding]) -> str:
    """Findings counted by check, then the first few, for a failing assertion."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.check] = counts.get(finding.check, 0) + 1
    return f"{counts}\n" + "\n".join(map(str, findings[:8]))


def test_every_archive_pdf_meets_pdfua(archive_pdfs: dict[str, Path]) -> None:
    assert [name for name, path in archive_pdfs.items() if not path.is_file()] == []  # a leaflet not built
    findings = [f for path in archive_pdfs.values() for f in check_pdfua(path)]
    assert not findings, _report(findings)


def test_every_archive_pdf_meets_pdfa(archive_pdfs: dict[str, Path]) -> None:
    findings = [f for path in archive_pdfs.values() for f in check_pdfa(path)]
    assert not findings, _report(findings)


# --- each article read back through its tags ------------------------------------------------------------


def _read_back_problems(article: Article, text: str, notes: str) -> list[str]:
    """What is wrong with an article's text as its tags give it: words missing or out of order (a
    word run together with the next is missing too), hyphenation hyphens left in."""
    problems = [
        f"hyphenation hyphen left in {m.group()!r}"
        for m in re.finditer(rf"\w+[{''.join(HYPHENS)}]\s*\w+", text + notes)
    ]
    words, footnotes = pdfcheck.article_words(article)
    for expected, tagged in ((words, text), (footnotes, notes)):
        heard = [w for w in (pdfcheck.normal(token) for token in tagged.split()) if w]
        position = 0
        for index, word in enumerate(expected):
            try:
                position = heard.index(word, position) + 1
            except ValueError:
                near = " ".join(expected[index : index + 6])
                problems.append(
                    f"{article.source}: {word!r} not heard in order"
                    f" (at {near!r}; {len(expected) - index} words left)"
                )
                break
    return problems


@pytest.mark.parametrize("number", [20, 21, 22, 23, 150], ids=["no20", "no21", "no22", "no23", "hostile"])
def test_each_article_reads_back_through_its_tags(number: int, request: pytest.FixtureRequest) -> None:
    if number == 150:
        built = request.getfixturevalue("hostile")
        issue, path = built.issue, built.paths["archive"]
    else:
        project, shipped = request.getfixturevalue("project"), request.getfixturevalue("shipped")
        issue = shipped[number][0]
        path = project.archive_path(load_publication(project.issues_root, project.root), number)
    found = articles(read_structure(path))
    assert len(found) == len(issue.articles), f"{len(found)} Art elements for {len(issue.articles)} articles"
    problems = []
    for article, (element, _) in zip(issue.articles, found, strict=True):
        notes = "".join(e.text() for e in element.walk() if e.standard == "Note")
        problems += _read_back_problems(article, element.text(skip=CALLS_AND_NOTES), notes)
    assert not problems, "\n".join(problems[:12])


def test_the_read_back_finds_words_run_together_and_hyphens_left(shipped: dict) -> None:
    """The read-back check fails on a text with two words run together or a hyphen kept."""
    article = shipped[21][0].articles[0]
    words, footnotes = pdfcheck.article_words(article)
    good, notes = " ".join(words), " ".join(footnotes)
    assert _read_back_problems(article, good, notes) == []
    joined = good.replace(f" {words[5]} {words[6]} ", f" {words[5]}{words[6]} ", 1)
    assert any("not heard" in p for p in _read_back_problems(article, joined, notes))
    long_word = next(word for word in words if len(word) > 7)
    hyphenated = good.replace(long_word, f"{long_word[:3]}\u2010{long_word[3:]}", 1)
    assert any("hyphenation hyphen" in p for p in _read_back_problems(article, hyphenated, notes))


def test_layout_check_pdf_runs_both_checks_on_the_archive_edition(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    assert run_layout(root, "build", "issues/001").returncode == 0
    clean = run_layout(root, "check", "--pdf", "issues/001")
    archive = next((root / "build" / "issues").glob("*.pdf"))
    with pikepdf.open(archive, allow_overwriting_input=True) as pdf:
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        del pdf.Root.MarkInfo
        pdf.save(archive)
    broken = run_layout(root, "check", "--pdf", "issues/001")
    assert "PDF/UA" not in clean.stdout and "PDF/A" not in clean.stdout, clean.stdout
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "PDF/UA 07-002" in broken.stdout and "PDF/A 6.7.2.2" in broken.stdout, broken.stdout
