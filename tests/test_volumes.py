"""Bound volumes: page count, contents and index that hold true, nested outline, page labels, links."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from layout.build.typesetters import typesetter_for
from layout.build.volumes import build_volumes
from layout.checks.preflight import check_objects
from layout.checks.tagged import articles, read_structure
from layout.model.errors import ManifestError
from layout.model.manifest import Volume, load_publication
from layout.pages.bind import read_bound_issue, subset_tag
from layout.project import Project
from layout.typeset.pdf import front_matter_pdf
from layout.typeset.render import issue_numbers, render_volume, volume_context
from tests.conftest import building
from tests.pdfcheck import Reader
from tests.test_bad_input import run_layout
from tests.test_issues import letters, words


@pytest.fixture(scope="session")
def volume(project: Project, shipped: dict) -> tuple[Reader, int]:
    with building(project):
        issue_results, results = build_volumes(project, ["2017"], jobs=2)
    assert all(r.skipped for r in issue_results)  # the issues were built already: not typeset again
    (result,) = results
    assert not result.problems
    reader = Reader(result.output)
    front = sum(1 for label in reader.page_labels if ":" not in label)
    return reader, front


def test_page_count_is_front_matter_plus_issues(volume: tuple, shipped: dict) -> None:
    reader, front = volume
    assert front >= 3
    assert len(reader.pages) == front + sum(len(archive.pages) for _, archive, _ in shipped.values())


def test_page_labels_are_as_printed(volume: tuple, shipped: dict) -> None:
    reader, front = volume
    labels = reader.page_labels
    assert labels[:3] == ["i", "ii", "iii"]
    expected = [f"{n}:{page}" for n in sorted(shipped) for page in range(1, len(shipped[n][1].pages) + 1)]
    assert labels[front:] == expected


def _entries(reader: Reader, front: int, heading: str) -> list[tuple[str, str]]:
    """(title, label) pairs printed in the front matter section that starts with ``heading``."""
    text = "\n".join(reader.texts[:front])
    section = text[text.index(heading) :]
    return re.findall(r"(\S[^\n]*?)\s+(\d+:\d+)\s*$", section, flags=re.MULTILINE)


def test_contents_and_index_entries_point_at_their_articles(volume: tuple) -> None:
    reader, front = volume
    by_label = {label: index for index, label in enumerate(reader.page_labels)}
    for heading in ("Contents", "Index of subjects"):
        entries = _entries(reader, front, heading)
        assert len(entries) >= 40
        for title, label in entries:
            first_words = letters(title)[:20]
            assert first_words in letters(reader.texts[by_label[label]]), (
                heading,
                title,
                label,
            )


def test_outline_nests_issues_and_articles(volume: tuple, shipped: dict) -> None:
    reader, _ = volume
    root, children = reader.outline
    assert root.title == "The Spark 2017"
    issues = [item for item in children if not isinstance(item, list)]
    articles = [item for item in children if isinstance(item, list)]
    assert [i.title for i in issues] == [
        f"The Spark no {n}, {shipped[n][0].date.day} {shipped[n][0].date:%B %Y}" for n in sorted(shipped)
    ]
    for number, issue_articles in zip(sorted(shipped), articles, strict=True):
        assert [a.title for a in issue_articles] == [a.title for a in shipped[number][0].articles]
        for item in issue_articles:
            page = reader.get_destination_page_number(item)
            assert words(item.title) in words(reader.texts[page])


def test_links_resolve(volume: tuple) -> None:
    reader, front = volume
    resolved = 0
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            destination = annotation["/A"]["/D"] if "/A" in annotation else annotation["/Dest"]
            if isinstance(destination, str):  # an issue's own contents link, by name
                target = reader.get_destination_page_number(reader.named_destinations[destination])
            else:
                target = reader.get_page_number(destination[0].get_object())
            assert target is not None and target >= 0
            assert index >= front or target >= front
            resolved += 1
    assert resolved > 80


def test_each_front_matter_entry_is_one_link_to_the_page_it_prints(volume: tuple, shipped: dict) -> None:
    """Read under each link what it says ("21:3", "No 21") and follow it: it lands on that page.

    One link an entry: links to one page never overlap (WeasyPrint makes one for each box
    inside a link; the front matter keeps the outer one).
    """
    reader, front = volume
    labels = reader.page_labels
    rendered = pdfium.PdfDocument(reader.stream.getvalue())
    followed = 0
    for index in range(front):
        text = rendered[index].get_textpage()
        seen: dict[int, list[tuple[float, ...]]] = {}
        for annotation in reader.pages[index].get("/Annots", []):
            annotation = annotation.get_object()
            left, bottom, right, top = (float(v) for v in annotation["/Rect"])
            assert annotation["/A"]["/S"] == "/GoTo"  # it was WeasyPrint's URI action to volume-page:
            target = reader.get_page_number(annotation["/A"]["/D"][0].get_object())
            for x0, y0, x1, y1 in seen.setdefault(target, []):
                assert right <= x0 or x1 <= left or top <= y0 or y1 <= bottom, (labels[index], target)
            seen[target].append((left, bottom, right, top))
            printed = " ".join(text.get_text_bounded(left, bottom, right, top).split())
            folio = re.search(r"(\d+:\d+)$", printed) or re.search(r"\b[Nn]o (\d+)\b", printed)
            assert folio, printed
            expected = folio[1] if ":" in folio[1] else f"{folio[1]}:1"
            assert labels[target] == expected, printed
            followed += 1
    articles = sum(len(issue.articles) for issue, _, _ in shipped.values())
    assert followed >= 2 * articles + len(shipped)  # contents (each issue and article), index


def long_front_matter(project: Project, shipped: dict) -> str:
    """The front matter's HTML for a volume of twenty issues: the shipped ones, five times over."""
    publication = load_publication(project.issues_root, project.root)
    bound = [
        dataclasses.replace(item, issue=item.issue.model_copy(update={"number": 100 + copy * 4 + k}))
        for copy in range(5)
        for k, item in enumerate(
            read_bound_issue(issue, project.archive_path(publication, n))
            for n, (issue, _, _) in sorted(shipped.items())
        )
    ]
    volume = Volume(id="long", title="Long", numbers=tuple(b.issue.number for b in bound))
    return render_volume(project.style_dir(publication.style), volume_context(publication, volume, bound))


def test_a_long_index_runs_on_from_column_to_column(project: Project, shipped: dict) -> None:
    """Twenty issues give subjects longer than a column: none may push the rest of a page empty,
    and each index page but the first names its first and last subjects at its head."""
    publication = load_publication(project.issues_root, project.root)
    html = long_front_matter(project, shipped)
    front = typesetter_for(project, publication.style).layout(
        html, project.style_dir(publication.style), "long"
    )
    reader = PdfReader(io.BytesIO(front_matter_pdf(front, b"0" * 32)))
    # tagged, a line's last word carries its space (ActualText where the line break dropped it)
    pages = [[line.strip() for line in page.extract_text().splitlines()] for page in reader.pages]
    first = next(i for i, lines in enumerate(pages) if "Index of subjects" in lines)
    full = [len(lines) for lines in pages[first:-1]]
    assert len(full) >= 3, full
    assert min(full) >= 0.9 * max(full), full
    subjects = set(publication.subjects.values())
    for lines in pages[first + 1 :]:  # guide words: the subjects at the top and at the foot of the page
        guide = next(line for line in lines if " – " in line)
        top, foot = guide.split(" – ")
        assert {top, foot} <= subjects and top.casefold() <= foot.casefold(), guide
    assert not any(" – " in line for line in pages[first])


def test_index_locators_run_in_after_the_title(volume: tuple) -> None:
    """As in a book's index: "Title, 21:3", and no comma after a title's own stop."""
    reader, front = volume
    text = " ".join(reader.texts[:front])
    index = " ".join(text[text.index("Index of subjects") :].split())
    assert "A new federation and a new workers party? 20:" in index
    assert "We need more libraries, 21:" in index
    assert not re.search(r"[?!.], \d+:\d+", index)


def test_title_page_names_what_the_volume_binds(volume: tuple) -> None:
    reader, _ = volume
    title_page = words(reader.texts[0])
    assert "The Spark 2017 Nos 20 to 23, 21 March 2017 to 19 May 2017" in title_page


@pytest.mark.parametrize(
    ("numbers", "printed"),
    [
        ((21,), "No 21"),
        ((20, 21), "Nos 20 and 21"),
        ((20, 22, 23), "Nos 20, 22 and 23"),
        ((*range(1, 11), *range(12, 21)), "Nos 1 to 10 and 12 to 20"),
    ],
)
def test_issue_numbers_show_the_gaps(numbers: tuple, printed: str) -> None:
    assert issue_numbers(numbers) == printed


def test_metadata(volume: tuple) -> None:
    reader, _ = volume
    assert reader.metadata.title == "The Spark 2017"
    assert "21 March 2017 to 19 May 2017" in reader.metadata.subject
    assert "Syria" in reader.metadata.keywords
    xmp = reader.xmp_metadata
    assert xmp.dc_title["x-default"] == "The Spark 2017"
    assert reader.trailer["/Root"]["/Lang"] == "en-ZA"


VOLUME_CASES = {
    "missing-issue": (
        'volumes:\n  - id: "x"\n    title: X\n    issues: [1, 99]\n',
        "volumes.yaml:4: volumes[0].issues[1]: there is no issue 99",
    ),
    "claimed-twice": (
        "volumes:\n  - id: a\n    title: A\n    issues: [1]\n  - id: b\n    title: B\n    year: 2017\n",
        "volumes.yaml:5: volumes[1]: issue 1 is already bound in volume a",
    ),
    "empty": (
        "volumes:\n  - id: a\n    title: A\n    year: 1999\n",
        "volumes.yaml:2: volumes[0]: binds no issue",
    ),
}


@pytest.mark.parametrize("name", sorted(VOLUME_CASES))
def test_bad_volumes(scratch: Path, name: str) -> None:
    text, message = VOLUME_CASES[name]
    (scratch / "issues" / "volumes.yaml").write_text(text)
    result = run_layout(scratch, "volume")
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (scratch / "build" / "volumes").exists()


def test_volume_errors_are_manifest_errors(scratch: Path) -> None:
    (scratch / "issues" / "volumes.yaml").write_text("volumes: []\n")
    with pytest.raises(ManifestError):
        build_volumes(Project(root=scratch, out=scratch / "build"))


def test_a_changed_issue_is_bound_again_with_the_front_matter_it_still_fits(scratch: Path) -> None:
    (scratch / "issues" / "volumes.yaml").write_text('volumes:\n  - id: "s"\n    title: S\n    issues: [1]\n')
    project = Project(root=scratch, out=scratch / "build")
    _, (first,) = build_volumes(project)
    volume, kept = Path(first.output), project.stamp_path("volume-s-front").with_suffix(".pdf")
    kept_at = kept.stat().st_mtime_ns
    assert build_volumes(project)[1][0].skipped

    article = scratch / "issues" / "001" / "small.md"
    article.write_text(article.read_text().replace("The first paragraph", "THE first paragraph"))
    issues, (typo,) = build_volumes(project)
    assert not issues[0].skipped and not typo.skipped
    assert kept.stat().st_mtime_ns == kept_at  # no title, subject or page moved: front matter kept
    assert "THE first paragraph" in "".join(page.extract_text() for page in PdfReader(volume).pages)
    bound_with_kept = volume.read_bytes()
    for name in ("volume-s", "volume-s-front"):
        project.stamp_path(name).unlink()
    build_volumes(project)
    assert kept.stat().st_mtime_ns != kept_at
    assert volume.read_bytes() == bound_with_kept  # the same volume as one bound from nothing

    article.write_text(article.read_text().replace("title: A small test article", "title: A renamed article"))
    build_volumes(project)
    reader = PdfReader(volume)
    contents = reader.pages[reader.page_labels.index("1:1") - 1].extract_text()
    assert "A renamed article" in contents and "A small test article" not in contents


def test_every_font_subset_has_a_name_of_its_own_and_the_file_an_id(volume: tuple, project: Project) -> None:
    # each issue names its subsets after the font alone: five issues gave five subsets one name
    reader, _ = volume
    (bound,) = (project.out / "volumes").glob("*2017.pdf")
    assert check_objects(bound) == []
    names: dict[str, set[bytes]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            (descendant,) = font["/DescendantFonts"]
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            program = descriptor["/FontFile2"].get_object().get_data()
            assert font["/BaseFont"] == descendant.get_object()["/BaseFont"] == descriptor["/FontName"]
            assert descriptor["/FontName"][1:7] == subset_tag(program)
            names.setdefault(descriptor["/FontName"], set()).add(program)
    assert len(names) > 9  # more subsets than the nine fonts the style uses
    assert all(len(programs) == 1 for programs in names.values())
    first, second = reader.trailer["/ID"]
    assert len(first) == len(second) == 16


@dataclasses.dataclass
class Tags:
    """A volume's structure tree as walked from its root, with pikepdf."""

    pdf: pikepdf.Pdf
    elements: list[pikepdf.Dictionary]  # every element reached, in structure order
    marked: dict[tuple[int, int], tuple[int, int]]  # (page number, MCID) -> the element holding it
    objects: dict[tuple[int, int], tuple[int, int]]  # annotation -> the element holding its OBJR
    pages_named: set[tuple[int, int]]  # every /Pg of an element, MCR or OBJR


def _kids(element: pikepdf.Dictionary) -> list:
    kids = element.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def walk_tags(pdf: pikepdf.Pdf) -> Tags:
    """Walk the structure tree from the root, as a screen reader does."""
    page_of = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    tags = Tags(pdf, [], {}, {}, set())
    stack = [(kid, None) for kid in reversed(_kids(pdf.Root.StructTreeRoot))]
    while stack:
        element, inherited = stack.pop()
        page = element.get("/Pg", inherited)
        if page is not None:
            tags.pages_named.add(page.objgen)
        tags.elements.append(element)
        for kid in reversed(_kids(element)):
            if isinstance(kid, int):
                assert (page_of[page.objgen], kid) not in tags.marked
                tags.marked[page_of[page.objgen], kid] = element.objgen
            elif kid.get("/Type") == "/MCR":
                on = kid.get("/Pg", page)
                tags.pages_named.add(on.objgen)
                tags.marked[page_of[on.objgen], int(kid.MCID)] = element.objgen
            elif kid.get("/Type") == "/OBJR":
                tags.pages_named.add(kid.get("/Pg", page).objgen)
                tags.objects[kid.Obj.objgen] = element.objgen
            else:
                assert kid.P.objgen == element.objgen, "each element's /P is the element holding it"
                stack.append((kid, page))
    return tags


def page_mcids(page: pikepdf.Page) -> set[int]:
    """The MCIDs of what a page's content marks, but for artifacts (and what is inside them)."""
    properties = page.obj.Resources.get("/Properties", pikepdf.Dictionary())
    found, open_marks = set(), []
    for operands, operator in pikepdf.parse_content_stream(page, "BMC BDC EMC"):
        if str(operator) == "EMC":
            open_marks.pop()
            continue
        inside_artifact = bool(open_marks) and open_marks[-1]
        artifact = inside_artifact or operands[0] == "/Artifact"
        open_marks.append(artifact)
        if str(operator) == "BDC" and not artifact:
            props = operands[1]
            props = properties[str(props)] if isinstance(props, pikepdf.Name) else props
            if "/MCID" in props:
                found.add(int(props.MCID))
    return found


@pytest.fixture(scope="session")
def tags(volume: tuple) -> Tags:
    reader, _ = volume
    return walk_tags(pikepdf.open(io.BytesIO(reader.stream.getvalue())))


def test_the_structure_reaches_every_page_s_marked_content(tags: Tags) -> None:
    pdf = tags.pdf
    assert pdf.Root.MarkInfo.Marked is True
    for index, page in enumerate(pdf.pages):
        mcids = page_mcids(page)
        assert mcids, f"page {index + 1} marks nothing"
        assert {(index, mcid) for mcid in mcids} <= set(tags.marked), f"page {index + 1}"
    assert len(tags.elements) == len({element.objgen for element in tags.elements})
    assert tags.pages_named <= {page.obj.objgen for page in pdf.pages}  # the volume's copies only


def test_one_part_for_each_issue_in_order_with_its_articles(tags: Tags, shipped: dict) -> None:
    (document,) = _kids(tags.pdf.Root.StructTreeRoot)
    assert document.S == "/Document"
    kids = _kids(document)
    parts = [kid for kid in kids if kid.S == "/Part"]
    assert kids[-len(parts) :] == parts and kids[0].S != "/Part"  # the front matter's elements first
    assert [str(part.T) for part in parts] == [
        f"The Spark no {n}, {shipped[n][0].date.day} {shipped[n][0].date:%B %Y}" for n in sorted(shipped)
    ]
    index = {element.objgen: element for element in tags.elements}
    for part, number in zip(parts, sorted(shipped), strict=True):
        assert str(part.Lang) == str(shipped[number][1].trailer["/Root"]["/Lang"])
        arts = [element for element in tags.elements if element.S == "/Art" and _within(element, part, index)]
        assert len(arts) == len(shipped[number][0].articles), number


def _within(element: pikepdf.Dictionary, ancestor: pikepdf.Dictionary, index: dict) -> bool:
    while "/P" in element and element.P.objgen in index:
        element = element.P
        if element.objgen == ancestor.objgen:
            return True
    return False


def test_every_link_is_in_a_link_element_pointing_at_it(tags: Tags) -> None:
    index = {element.objgen: element for element in tags.elements}
    links = 0
    for page in tags.pdf.pages:
        annotations = page.obj.get("/Annots", [])
        if len(annotations):
            assert page.obj.Tabs == "/S"
        for annotation in annotations:
            assert int(annotation.F) & 4, "PDF/A: annotations are printed"
            if annotation.Subtype == "/Link":
                assert index[tags.objects[annotation.objgen]].S == "/Link"
                links += 1
    assert links > 200  # the front matter's entries, the issues' contents and notes


def test_ids_are_unique_and_in_the_id_tree(tags: Tags) -> None:
    ids = [bytes(element.ID) for element in tags.elements if "/ID" in element]
    assert len(ids) == len(set(ids)) > 10
    tree = pikepdf.NameTree(tags.pdf.Root.StructTreeRoot.IDTree)
    assert sorted(ids) == sorted(bytes(key, "utf-8") if isinstance(key, str) else key for key in tree)
    for element in tags.elements:
        if "/ID" in element:
            assert tree[str(element.ID)].objgen == element.objgen
    for element in tags.elements:
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                assert {bytes(header) for header in attribute.Headers} <= set(ids)


def test_the_parent_tree_leads_back_to_the_elements(tags: Tags) -> None:
    root = tags.pdf.Root.StructTreeRoot
    nums = list(root.ParentTree.Nums)
    keys = [int(key) for key in nums[::2]]
    assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) > keys[-1]
    entries = dict(zip(keys, nums[1::2], strict=True))
    for index, page in enumerate(tags.pdf.pages):
        holders = entries[int(page.obj.StructParents)]
        for (on, mcid), element in tags.marked.items():
            if on == index:
                assert holders[mcid].objgen == element, (index + 1, mcid)
        for annotation in page.obj.get("/Annots", []):
            assert entries[int(annotation.StructParent)].objgen == tags.objects[annotation.objgen]


def test_it_claims_pdfa_2a_and_pdfua_1_and_says_so_in_info_and_xmp(tags: Tags) -> None:
    pdf = tags.pdf
    meta = pdf.open_metadata()
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("2", "A", "1")
    info = pdf.docinfo
    assert meta["dc:title"] == str(info.Title) == "The Spark 2017"
    assert meta["dc:creator"] == [str(info.Author)]
    assert meta["dc:description"] == str(info.Subject)
    assert meta["pdf:Keywords"] == str(info.Keywords) and meta["pdf:Producer"] == str(info.Producer)
    assert meta["xmp:CreatorTool"] == str(info.Creator)
    assert meta["xmp:CreateDate"] == "2017-05-19T00:00:00Z" and str(info.CreationDate) == "D:20170519000000Z"
    assert meta["dc:language"] == {"en-ZA"} and pdf.Root.Lang == "en-ZA"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3


def test_nothing_is_stored_twice(tags: Tags) -> None:
    streams = [obj for obj in tags.pdf.objects if isinstance(obj, pikepdf.Stream)]
    digests = [(obj.stream_dict.unparse(resolved=True), obj.read_raw_bytes()) for obj in streams]
    assert len(digests) == len(set(digests))
    assert not any(obj.get("/Interpolate") is True for obj in streams)


def test_each_article_reads_in_the_volume_as_in_its_issue(
    volume: tuple, project: Project, shipped: dict
) -> None:
    """Read through the tags (layout.checks.tagged), every article of the volume is heard as in its issue:
    the merged tree leads to the same marked content on the volume's pages."""
    (bound,) = (project.out / "volumes").glob("*2017.pdf")
    publication = load_publication(project.issues_root, project.root)
    heard = [(art.type, text) for art, text in articles(read_structure(bound))]
    expected = [
        (art.type, text)
        for number in sorted(shipped)
        for art, text in articles(read_structure(project.archive_path(publication, number)))
    ]
    assert len(heard) == sum(len(issue.articles) for issue, _, _ in shipped.values())
    assert heard == expected


def test_every_front_matter_page_keeps_its_roman_label(volume: tuple, shipped: dict) -> None:
    reader, _ = volume
    front = len(reader.pages) - sum(len(archive.pages) for _, archive, _ in shipped.values())  # not labels
    roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
    assert 3 <= front <= len(roman)
    assert reader.page_labels[: front + 1] == [*roman[:front], f"{min(shipped)}:1"]
