"""The site's stylesheet cut to each kind of page: the rules its pages can use, without comments or spaces.

The house style keeps one stylesheet for the whole site (``site/assets/site.css``), written to be
read. A reader's phone gets, for each kind of page (the index, an issue, an article ...), only the
rules whose selectors name classes, ids and elements found in the pages of that kind or in the
site's scripts, which make the search's results: an article page does not pay for the index's grid
of covers. The test is kept loose on purpose: a rule is dropped only when a class, id or element
it needs is in no page of that kind, so a rule that might apply is never lost (``:hover``,
``:not(...)``, attribute selectors and the like are not looked at).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tinycss2
from tinycss2.ast import AtRule, Node, QualifiedRule, StringToken, WhitespaceToken

GROUPS = ("media", "supports")  # at-rules that hold rules: kept when a rule inside them is
FUNCTIONAL = re.compile(r":(?:not|is|where|has|matches)\([^()]*\)")  # their arguments say nothing needed
PSEUDO = re.compile(r"::?[\w-]+(?:\([^()]*\))?")
ATTRIBUTE = re.compile(r"\[[^\]]*\]")
NEEDED = re.compile(r"([.#]?)(-?[_a-zA-Z][\w-]*)")


class PageNames:
    """The class names, ids and element names some pages (and the scripts they run) use."""

    def __init__(self, pages: Iterable[str], scripts: Iterable[str] = ()) -> None:
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        self.elements: set[str] = set()
        words: set[str] = set()
        for text in pages:
            for value in re.findall(r'\sclass="([^"]*)"', text):
                self.classes.update(value.split())
            self.ids.update(re.findall(r'\sid="([^"]*)"', text))
            self.elements.update(name.lower() for name in re.findall(r"<([a-zA-Z][\w-]*)", text))
            for script in re.findall(r"<script>(.*?)</script>", text, re.DOTALL):
                words.update(re.findall(r"[\w-]+", script))
        for script in scripts:
            words.update(re.findall(r"[\w-]+", script))
        # what a script makes or switches on: any word of it may be a class, id or element
        self.classes |= words
        self.ids |= words
        self.elements |= {word.lower() for word in words}

    def may_match(self, selector: str) -> bool:
        """Whether ``selector`` may match an element of these pages: every class, id and element
        it names outside pseudo-classes and attribute tests is used somewhere in them."""
        while FUNCTIONAL.search(selector):
            selector = FUNCTIONAL.sub("", selector)
        selector = ATTRIBUTE.sub("", PSEUDO.sub("", selector))
        for kind, name in NEEDED.findall(selector):
            names = {".": self.classes, "#": self.ids, "": self.elements}[kind]
            if name not in names:
                return False
        return True


def page_sheet(css: str, names: PageNames) -> str:
    """``css`` with only the rules ``names`` may use, without comments and needless spaces."""
    return "".join(_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), names))


def _rules(rules: list[Node], names: PageNames) -> list[str]:
    kept = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            selectors = _compact(rule.prelude)
            if any(names.may_match(selector) for selector in _split_list(selectors)):
                kept.append(f"{_selector_list(selectors)}{{{_declarations(rule.content)}}}")
        elif isinstance(rule, AtRule) and rule.lower_at_keyword in GROUPS and rule.content is not None:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            if inside := _rules(inner, names):
                kept.append(f"@{rule.at_keyword} {_compact(rule.prelude)}{{{''.join(inside)}}}")
        elif isinstance(rule, AtRule):  # @font-face, @import ...: whatever the pages are
            block = "" if rule.content is None else f"{{{_declarations(rule.content)}}}"
            prelude = _compact(rule.prelude)
            kept.append(f"@{rule.at_keyword}{' ' + prelude if prelude else ''}{block or ';'}")
    return kept


def _declarations(content: list[Node]) -> str:
    parts = []
    for declaration in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        important = "!important" if declaration.important else ""
        parts.append(f"{declaration.name}:{_compact(declaration.value)}{important}")
    return ";".join(parts)


def _compact(tokens: list[Node]) -> str:
    """Tokens written back with each run of spaces as one and none around commas or at either end;
    a string's own spaces untouched."""
    out = []
    for token in tokens:
        if isinstance(token, WhitespaceToken):
            out.append(" ")
        elif isinstance(token, StringToken):
            out.append(token.serialize().replace(",", "\\2c "))  # kept from the comma rule below
        else:
            out.append(re.sub(r"\s+", " ", token.serialize()))
    return re.sub(r" ?, ?", ",", "".join(out).strip())


def _split_list(selectors: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside ``:is(a, b)``)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(selectors):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(selectors[start:index])
            start = index + 1
    return [part.strip() for part in [*parts, selectors[start:]]]


def _selector_list(selectors: str) -> str:
    return re.sub(r"\s*([>+~])\s*", r"\1", ",".join(_split_list(selectors)))
