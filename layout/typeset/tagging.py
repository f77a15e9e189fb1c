"""Stage 4b: the logical structure of a tagged PDF, in reading order, as a screen reader follows it.

WeasyPrint 70 tags what each page draws, page by page: an article broken by every page and
column (no 21 had 55 ``Art`` elements for 10 articles), running heads and folios in structure
that nothing reaches, footnotes as spans, and the words of a line run into the next line's. This
module replaces its tree (``patches`` installs it, for that release only) with one made from the
document's HTML elements, whichever pages their boxes fell on:

- one element per HTML element that means something (``article`` an ``Art``, ``p`` a ``P``, ``h2``
  an ``H2``, lists ``L``/``LI``/``Lbl``/``LBody``, tables with ``Scope`` on their headers,
  figures with their alt text and caption, links as ``Link`` holding their annotations), its
  marked content gathered from every page in reading order, ``Lang`` where the language changes;
- a footnote as a ``Note`` (with an ``ID``) right after its call, the call a ``Reference`` holding
  a ``Link`` to the note;
- running heads and folios, leaders and what the HTML hides from readers (``aria-hidden``: a pull
  quote repeats the text) as artifacts, drawn as such;
- where a line break dropped a space, or hyphenation added a hyphen, the line's last text carries
  the words as written (``ActualText``), found by matching the lines against the element's text.

``prepare(document)`` marks the boxes before a tagged write; ``add_tags`` builds the tree when
WeasyPrint has drawn the pages.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import pydyf
from weasyprint.formatting_structure import boxes

ARTIFACT = "_layout_artifact"  # on a box: the property list it is drawn as an artifact with
ACTUAL_TEXT = "_layout_actual_text"  # on a text box: what it reads as, where that differs from its glyphs
SPACE_AFTER = "_layout_space_after"  # on a text box: a line break took the space after it
SAID = "_layout_said"  # on a text box, once drawn: its ActualText, space given back and all
PX = 0.75  # PDF points in a CSS px
OBJECT = "\ufffc"  # stands for a footnote's call in an element's text
CONTEXT = 24  # characters either side of a line break matched against the element's text

HEADER = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Header"})
FOOTER = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Footer"})
LAYOUT = pydyf.Dictionary({"Type": "/Layout"})

TYPES = {
    "article": "Art",
    "section": "Sect",
    "nav": "Sect",
    "p": "P",
    "pre": "P",
    "blockquote": "BlockQuote",
    "ol": "L",
    "ul": "L",
    "li": "LI",
    "table": "Table",
    "caption": "Caption",
    "thead": "THead",
    "tbody": "TBody",
    "tfoot": "TFoot",
    "tr": "TR",
    "th": "TH",
    "td": "TD",
    "figure": "Div",
    "figcaption": "Caption",
    "img": "Figure",
    "{http://www.w3.org/2000/svg}svg": "Figure",
    "code": "Code",
    "q": "Quote",
    **{f"h{level}": f"H{level}" for level in range(1, 7)},
}


# --- before writing: what is drawn as an artifact, and what reads otherwise than it prints ---


def prepare(document: Any) -> None:
    """Mark the boxes of ``document`` for a tagged write: artifacts, and the text of line ends."""
    lines: list[tuple[Element, boxes.LineBox]] = []
    for page in document.pages:
        for box in page._page_box.children:
            if isinstance(box, boxes.MarginBox):
                kind = HEADER if box.at_keyword.startswith("@top") else FOOTER
                for inner in box.descendants():
                    setattr(inner, ARTIFACT, kind)
            else:
                _mark_flow(box, lines, hidden=False)
    _mark_line_ends(lines)


def _parents(document: Any) -> dict[Element, Element]:
    root = document.pages[0]._page_box.children[0].element
    return {child: parent for parent in root.iter() for child in parent}


def _mark_flow(box: Any, lines: list, hidden: bool) -> None:
    """Artifacts where the HTML hides an element from readers, and runs of leader spaces; the
    line boxes of the flow gathered, each with the element whose text it sets."""
    element = box.element
    if element is not None and element.get("aria-hidden") == "true":
        hidden = True
    if isinstance(box, boxes.LineBox):
        lines.append((element, box))
        lines = []  # a first line's text is in a line box of its own, inside the line
    previous_blank = False
    for child in getattr(box, "children", ()):
        if hidden:
            setattr(child, ARTIFACT, LAYOUT)
        if isinstance(child, boxes.TextBox):
            blank = "::" in child.element_tag and not child.text.strip()
            if blank and previous_blank:
                setattr(child, ARTIFACT, LAYOUT)  # a leader: one space of it is read
            previous_blank = blank
        _mark_flow(child, lines, hidden)


def _mark_line_ends(lines: list[tuple[Element, boxes.LineBox]]) -> None:
    """Give the last text of each line the words as written where the break changed them: the
    space it dropped, or the hyphen it added taken off; and a space at the end of each block, so
    that its words do not run into the next element's."""
    texts: dict[Element, str] = {}
    by_element: dict[Element, list[boxes.LineBox]] = {}
    for element, line in lines:
        by_element.setdefault(element, []).append(line)
    for element, element_lines in by_element.items():
        runs = [_line_run(line) for line in element_lines]
        runs = [run for run in runs if run]
        for (before, last), (after, _) in itertools.pairwise(runs):
            if element not in texts:
                texts[element] = _element_text(element)
            _mark_break(last, before, after, texts[element])
        if runs:
            setattr(runs[-1][1], SPACE_AFTER, True)


def _line_run(line: boxes.LineBox) -> tuple[str, boxes.TextBox] | None:
    """A line's text as matched against its element's (a call as OBJECT, markers left out), and
    its last text box that is read."""
    text, last = [], None
    for box in line.descendants():
        if not isinstance(box, boxes.TextBox) or getattr(box, ARTIFACT, None) is not None:
            continue
        if box.element_tag.endswith("::footnote-call"):
            text.append(OBJECT)
        elif "::" not in box.element_tag:
            text.append(box.text)
        last = box
    return ("".join(text).replace("\u00ad", "").lower(), last) if last is not None else None


def _element_text(element: Element) -> str:
    """The text of an element as its lines set it: whitespace collapsed, a footnote as OBJECT."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        parts.append(node.text or "")
        for child in node:
            if "footnote" in (child.get("class") or "").split():
                parts.append(OBJECT)
            elif child.tag == "br":
                parts.append(" ")
            else:
                walk(child)
            parts.append(child.tail or "")

    walk(element)
    return re.sub(r"[ \t\n\r\f]+", " ", "".join(parts)).replace("\u00ad", "").lower()


def _mark_break(last: boxes.TextBox, before: str, after: str, source: str) -> None:
    """Set what ``last`` reads as, from whether the element's text has a space, nothing, or no
    hyphen where its line ``before`` meets the next line ``after``."""
    hyphen = last.style["hyphenate_character"].lower()
    tail, head = before[-CONTEXT:], after[:CONTEXT]
    if (
        hyphen
        and tail.endswith(hyphen)
        and tail + head not in source
        and tail[: -len(hyphen)] + head in source
    ):
        setattr(last, ACTUAL_TEXT, last.text[: -len(hyphen)])
    elif f"{tail} {head}" in source or (tail + head not in source and _words_apart(tail, head)):
        setattr(last, SPACE_AFTER, True)


def _words_apart(tail: str, head: str) -> bool:
    """Where the element's text does not say: lines that end and start a word are two words."""
    return bool(tail and head) and not tail.endswith(("-", "\u2010", "\u2013", "\u2014", "/", "\u200b"))


# --- after drawing: the structure tree -------------------------------------------------------


@dataclass
class Node:
    """A structure element being gathered: its type, its element, its kids in reading order."""

    type: str
    element: Element | None
    kids: list[Any] = field(default_factory=list)  # Node, (page, mcid) or ("annot", page, dict)
    attributes: dict[str, Any] = field(default_factory=dict)


class TreeBuilder:
    """Gathers the marked content of every page under the HTML elements it came from."""

    def __init__(self, document: Any) -> None:
        self.parents = _parents(document)
        root = document.pages[0]._page_box.children[0].element
        self.root = Node("Document", root)
        self.nodes: dict[Any, Node] = {root: self.root}
        self.notes = 0

    def container(self, element: Element | None) -> Node:
        """The node that holds what ``element`` sets: its own, or its nearest ancestor's."""
        while element is not None:
            node = self.node(element)
            if node is not None:
                return self.nodes.get(("body", element), node)
            element = self.parents.get(element)
        return self.root

    def node(self, element: Element) -> Node | None:
        """The node of ``element``, made on first use in its ancestor's kids; None for an element
        that means nothing by itself (a ``div``, an ``em``)."""
        if element in self.nodes:
            return self.nodes[element]
        kind = _type_of(element)
        if kind is None:
            return None
        parent = self.container(self.parents.get(element))
        node = Node(kind, element)
        self.nodes[element] = node
        parent.kids.append(node)
        if kind == "LI":  # its marker a Lbl, the rest its body
            body = Node("LBody", element)
            self.nodes[("body", element)] = body
            node.kids.append(body)
        return node

    def add(self, page: int, box: Any, mcid: int) -> None:
        """Put a drawn box's marked content in its place."""
        tag = box.element_tag
        if tag.endswith("::footnote-call"):
            holder = self.call(box.element)
        elif tag.endswith("::footnote-marker") or tag.endswith("::marker"):
            holder = self.label(box.element)
        else:
            holder = self.container(box.element)
        actual = getattr(box, SAID, None)
        if actual is not None:  # said in the structure too, for readers that look there
            span = Node("Span", None, [(page, mcid)], {"ActualText": pydyf.String(actual)})
            holder.kids.append(span)
        else:
            holder.kids.append((page, mcid))

    def call(self, footnote: Element) -> Node:
        """A footnote's call: a Reference holding a Link to the note, the Note right after it."""
        key = ("call", footnote)
        if key not in self.nodes:
            parent = self.container(self.parents.get(footnote))
            link = Node("Link", footnote)
            parent.kids.append(Node("Reference", footnote, [link]))
            self.nodes[key] = link
            self.notes += 1
            note = Node("Note", footnote, attributes={"ID": pydyf.String(f"note-{self.notes}")})
            self.nodes[footnote] = note
            parent.kids.append(note)
        return self.nodes[key]

    def label(self, element: Element) -> Node:
        key = ("label", element)
        if key not in self.nodes:
            owner = self.node(element) or self.container(element)
            label = Node("Lbl", element)
            owner.kids.insert(0, label)
            self.nodes[key] = label
        return self.nodes[key]


def _type_of(element: Element) -> str | None:
    if element.tag == "a" and element.get("href"):
        return "Link"
    if element.tag == "span":
        if "footnote" in (element.get("class") or "").split():
            return "Note"
        return "Span" if element.get("lang") else None
    return TYPES.get(element.tag)


def add_tags(pdf: pydyf.PDF, document: Any, pdf_version: Any, page_streams: list) -> None:
    """Write the structure tree of ``document`` (WeasyPrint's ``add_tags``, replaced)."""
    builder = TreeBuilder(document)
    calls: dict[Element, tuple[int, Any]] = {}
    notes: dict[Element, tuple[int, Any]] = {}
    for number, (page, stream) in enumerate(zip(document.pages, page_streams, strict=True)):
        tags = stream._tags
        written = {bytes(ref) for ref in _page(pdf, number).get("Annots", ())}
        for box in _drawn(page._page_box):
            if box in tags:
                builder.add(number, box, tags.pop(box)["mcid"])
            if getattr(box, "footnote", None) is not None:
                calls[box.element] = number, box
            elif isinstance(box, boxes.FootnoteAreaBox):
                notes.update((note.element, (number, note)) for note in box.children)
            annotation = box.link_annotation
            if annotation is not None and annotation.reference in written:
                link = builder.container(box.element)
                if link.type == "Link":  # the outer box of a link holds its annotation
                    link.kids.append(("annot", number, annotation))
                    written.discard(annotation.reference)
    for footnote, (number, call) in calls.items():
        if footnote in notes:
            annotation = _link_to(pdf, document, number, call, *notes[footnote])
            builder.nodes[("call", footnote)].kids.append(("annot", number, annotation))
    _Writer(pdf, document, builder).write()


def _link_to(pdf: pydyf.PDF, document: Any, number: int, call: Any, page: int, note: Any) -> pydyf.Dictionary:
    """A link annotation from a footnote's call to its note."""
    height, to_height = document.pages[number].height, document.pages[page].height
    left, top = call.position_x, call.position_y
    rect = [left * PX, (height - top - call.height) * PX, (left + call.width) * PX, (height - top) * PX]
    annotation = pydyf.Dictionary(
        {
            "Type": "/Annot",
            "Subtype": "/Link",
            "Rect": pydyf.Array(rect),
            "BS": pydyf.Dictionary({"W": 0}),
            "F": 4,  # printed: PDF/A asks it of every annotation
            "Contents": pydyf.String(f"Note {_text(call)}"),
            "Dest": pydyf.Array(
                [
                    pdf.page_references[page],
                    "/XYZ",
                    note.position_x * PX,
                    (to_height - note.position_y) * PX,
                    0,
                ]
            ),
        }
    )
    pdf.add_object(annotation)
    page_dict = _page(pdf, number)
    page_dict.setdefault("Annots", pydyf.Array()).append(annotation.reference)
    return annotation


def _page(pdf: pydyf.PDF, number: int) -> pydyf.Dictionary:
    return pdf.objects[int(pdf.pages["Kids"][number * 3])]


def _drawn(box: Any) -> Iterator[Any]:
    """The boxes of a page in reading order: the flow, then the footnotes; margins left out."""
    yield box
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.MarginBox):
            yield from _drawn(child)


class _Writer:
    """The gathered nodes as PDF structure elements, the parent tree, and the notes' links."""

    def __init__(self, pdf: pydyf.PDF, document: Any, builder: TreeBuilder) -> None:
        self.pdf, self.document, self.builder = pdf, document, builder
        self.parent_tree: dict[int, dict[int, Any]] = {n: {} for n in range(len(document.pages))}
        self.objects: list[tuple[Any, Any]] = []  # (annotation, element) in order
        self.ids: list[tuple[str, Any]] = []
        self.language = document.metadata.lang or ""
        self.heading = 0  # the level of the last heading written

    def write(self) -> None:
        pdf = self.pdf
        mapping = pydyf.Dictionary({})
        pdf.add_object(mapping)
        root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": mapping.reference})
        pdf.add_object(root)
        document = self.element(self.builder.root, root.reference, self.language)
        root["K"] = pydyf.Array([document.reference])
        if self.ids:
            names = pydyf.Array()
            for identifier, reference in sorted(self.ids):
                names.extend([pydyf.String(identifier), reference])
            root["IDTree"] = pydyf.Dictionary({"Names": names})
        numbers = pydyf.Array()
        for page, mcids in self.parent_tree.items():
            numbers.extend([page, pydyf.Array([mcids[i] for i in sorted(mcids)])])
        for key, (annotation, element) in enumerate(self.objects, start=len(self.parent_tree)):
            annotation["StructParent"] = key
            numbers.extend([key, element])
        mapping["Nums"] = numbers
        root["ParentTreeNextKey"] = len(self.parent_tree) + len(self.objects)
        pdf.catalog["StructTreeRoot"] = root.reference
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        pdf.catalog["Lang"] = pydyf.String(self.language)

    def element(self, node: Node, parent: Any, language: str) -> pydyf.Dictionary:
        kind = node.type
        if re.fullmatch(r"H[1-6]", kind):  # no level skipped (ISO 14289-1, 7.4.2): as the outline reads
            self.heading = min(int(kind[1]), self.heading + 1)
            kind = f"H{self.heading}"
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{kind}", "P": parent})
        self.pdf.add_object(element)
        lang = node.element.get("lang") if node.element is not None else None
        if lang and lang != language:
            element["Lang"] = pydyf.String(lang)
            language = lang
        element.update(node.attributes)
        if "ID" in node.attributes:
            self.ids.append((str(node.attributes["ID"].string), element.reference))
        self.describe(node, element)
        kids, first_page = pydyf.Array(), None
        for kid in node.kids:
            if isinstance(kid, Node):
                if _has_content(kid):
                    kids.append(self.element(kid, element.reference, language).reference)
                continue
            if kid[0] == "annot":
                _, page, annotation = kid
                self.objects.append((annotation, element.reference))
                reference = pydyf.Dictionary(
                    {"Type": "/OBJR", "Obj": annotation.reference, "Pg": self.pdf.page_references[page]}
                )
                self.pdf.add_object(reference)
                kids.append(reference.reference)
                continue
            page, mcid = kid
            first_page = page if first_page is None else first_page
            self.parent_tree[page][mcid] = element.reference
            if page == first_page:
                kids.append(mcid)
            else:
                kids.append(
                    pydyf.Dictionary({"Type": "/MCR", "Pg": self.pdf.page_references[page], "MCID": mcid})
                )
        if first_page is not None:
            element["Pg"] = self.pdf.page_references[first_page]
        element["K"] = kids
        return element

    def describe(self, node: Node, element: pydyf.Dictionary) -> None:
        """What a type needs besides its kids: a figure's alt text, a header cell's scope."""
        html = node.element
        if node.type == "Figure":
            alt = html.get("alt") if html.tag == "img" else _svg_title(html)
            if alt:
                element["Alt"] = pydyf.String(alt)
        elif node.type == "TH":
            scope = "/Row" if html.get("scope") == "row" else "/Column"
            element["A"] = pydyf.Dictionary({"O": "/Table", "Scope": scope})
        elif node.type == "Art" and html.get("data-title"):
            element["T"] = pydyf.String(html.get("data-title"))


def _text(box: Any) -> str:
    return "".join(inner.text for inner in box.descendants() if isinstance(inner, boxes.TextBox)).strip()


def _svg_title(element: Element) -> str | None:
    title = element.find("{http://www.w3.org/2000/svg}title")
    return title.text if title is not None else None


def _has_content(node: Node) -> bool:
    return any(not isinstance(kid, Node) or _has_content(kid) for kid in node.kids)
