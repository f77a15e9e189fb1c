"""Stage 2: an article's Markdown body into the HTML the templates place.

CommonMark with tables, footnotes, smart quotes and dashes; raw HTML is off. Beyond plain
Markdown the stage knows these house conventions:

- an image alone in its paragraph is a figure, its title the caption;
- an italic paragraph right under a table is that table's caption;
- footnotes are set where they are called (WeasyPrint floats them to the foot of the page);
- body headings start at level 3, below the article title;
- addresses (https://..., www...., e-mail) and code may break at their punctuation, never with a
  hyphen; an amount keeps its currency sign and its groups of digits together ("R 1 500,00");
- every block element carries ``data-line``, its line in the article's file, so that later stages
  can say where something that does not fit came from.

Untrusted text is checked here, with the line it stands on: image paths that leave the
issue's folder or name another site, missing or broken images, words too long to set, footnotes
that are called but not written (or written but not called), nesting deeper than the style sets,
characters that none of the bundled fonts can print.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from ..model.errors import ManifestError, Problem
from ..model.manifest import Article, FrontMatter, read_text, wording_fields
from ..model.rules import is_link, long_word
from ..paths import FONTS_DIR
from .images import check_image

MAX_LIST_DEPTH = 6  # lists alone, and block quotes and lists together: 5-6 mm each of an 87 mm column
MAX_QUOTE_DEPTH = 4  # a quote's rule and indent take 6.5 mm; beyond four the levels are no longer told apart
PULL_QUOTE_AFTER = 2  # paragraphs
BREAK = "\u200b"  # ZERO WIDTH SPACE: a break opportunity that text extraction leaves out
NO_BREAK = "\u202f"  # NARROW NO-BREAK SPACE: unlike U+00A0 it is not stretched on justified lines
# Where an address or a piece of code may break: after a slash (not inside "//"), before . ? & # = _ ~ %
BREAK_POINTS = re.compile(r"(?<=/)(?=[^/])|(?<=[^/\s])(?=[.?&#=_~%])")
ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]}'’”»]"  # a web address, less the stop after it
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an e-mail address
)
AMOUNT_SPACE = re.compile(
    r"(?<![\w$€£])(R|US\$|\$|€|£) (?=\d)"  # a currency sign and its amount: "R 1 500"
    r"|(?<=\d) (?=\d{3}(?!\d))"  # groups of digits: "15 000", "1 500,00"
)
AFRIKAANS_N = re.compile(r"(?<![\w'‘’])'n(?![\w'])")  # 'n, the Afrikaans article: always ’n
FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
NESTING = {"bullet_list_open": "lists", "ordered_list_open": "lists", "blockquote_open": "block quotes"}
BLOCKS = {
    "paragraph_open",
    "heading_open",
    "blockquote_open",
    "bullet_list_open",
    "ordered_list_open",
    "list_item_open",
    "table_open",
    "fence",
    "code_block",
    "hr",
}


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article body as HTML, with what later stages want to know of it."""

    html: str
    images: tuple[str, ...]
    words: int


@functools.cache
def poem_options() -> OptionsDict:
    """A poem keeps its lines as written: each line break in a stanza is printed as one."""
    return OptionsDict({**parser().options, "breaks": True})


@functools.cache
def parser() -> MarkdownIt:
    """The one Markdown parser of the project."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})  # recognised to be refused
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.validateLink = lambda url: True  # every address is judged by _check_tokens, with its line
    footnote_plugin(md, inline=False)
    md.core.ruler.before("footnote_tail", "footnote_definitions", _footnote_definitions)
    md.core.ruler.before("smartquotes", "afrikaans_n", _afrikaans_n)
    md.core.ruler.push("house_blocks", _house_blocks)
    md.add_render_rule("text", _render_text)
    md.add_render_rule("code_inline", _render_code)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("heading_open", _render_heading)
    md.add_render_rule("heading_close", _render_heading)
    return md


@functools.cache
def _typographer() -> MarkdownIt:
    """Markdown-it's smart quotes and dashes alone, for plain text that is not Markdown."""
    return MarkdownIt("zero", {"typographer": True}).enable(["replacements", "smartquotes"])


def typographic(text: str) -> str:
    """Curly quotes, dashes and ellipses in a plain string, as the bodies get them: titles,
    bylines, standfirsts, pull quotes, the text of ``publication.yaml``. Nothing else is read as
    Markdown; Afrikaans 'n keeps its apostrophe (’n)."""
    if not text or not re.search(r"['\"]|--|\.\.\.|\([cCrRtTpP]\)|\+-", text):
        return text
    (inline,) = _typographer().parseInline(AFRIKAANS_N.sub("’n", text))
    return "".join(child.content for child in inline.children or ())


def article_text(article: Article, issue_dir: Path) -> ArticleText:
    """Turn an article's body into HTML; raise one ManifestError naming every bad line."""
    env: dict = {}
    tokens = parser().parse(article.body, env)
    front_lines = _front_matter_lines(article, issue_dir)
    problems = _body_problems(tokens, env, article, issue_dir) + _front_matter_problems(article, front_lines)
    if problems:
        raise ManifestError(problems)
    images = [child.attrGet("src") or "" for child in _inline_children(tokens) if child.type == "image"]
    _mark_lines(tokens, article.body_line)
    body, notes = _split_footnotes(tokens, article.body_line)
    env["notes"] = notes
    if article.pull_quote:
        line = front_lines.get("pull_quote", 1)
        _insert_pull_quote(body, typographic(article.pull_quote), line)
    words = sum(len(t.content.split()) for t in _inline_children(tokens) if t.type == "text")
    options = poem_options() if article.kind == "poem" else parser().options
    return ArticleText(parser().renderer.render(body, options, env), tuple(images), words)


def _body_problems(tokens: list[Token], env: dict, article: Article, issue_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    _check_tokens(tokens, article, issue_dir, problems)
    _check_nesting(tokens, article, problems)
    _check_footnotes(tokens, env, article, problems)
    _check_last_headings(tokens, article, problems)
    problems += glyph_problems(article.body, article.source, article.body_line, "body")
    return sorted(problems, key=lambda problem: problem.line or 0)


def _front_matter_problems(article: Article, lines: dict[str, int]) -> list[Problem]:
    """Characters of the printed front-matter fields that no bundled font has, at their lines."""
    problems = []
    for field in wording_fields(FrontMatter):
        value = getattr(article, field)
        if value:
            line = lines.get(field, 1)
            problems += glyph_problems(" ".join(value.split()), article.source, line, field)
    return problems


def _front_matter_lines(article: Article, issue_dir: Path) -> dict[str, int]:
    """The line of each top-level key of an article's front matter (by reading the file's text)."""
    try:
        text = read_text(issue_dir / Path(article.source).name, article.source)
        head = text.split("\n")[: article.body_line - 1]
    except (OSError, ManifestError):
        return {}
    lines: dict[str, int] = {}
    for number, text in enumerate(head, start=1):
        key = re.match(r"([A-Za-z_]\w*)\s*:", text)
        if key:
            lines.setdefault(key.group(1), number)
    return lines


# --- checks ----------------------------------------------------------------------


def _check_tokens(tokens: list[Token], article: Article, issue_dir: Path, problems: list[Problem]) -> None:
    line = article.body_line
    for token in tokens:
        if token.map:
            line = article.body_line + token.map[0]
        if token.type == "html_block":
            problems.append(_raw_html(article, line, token.content))
        if token.type == "inline":
            problems += _long_words(token, article, line)
            problems += _uncalled_notes(token, article, line)
    in_notes = {id(child) for child in _inline_children(tokens[len(_body(tokens)) :])}
    for child, line in _children_with_lines(tokens, article.body_line):
        if child.type == "image":
            problem = check_image(child.attrGet("src") or "", issue_dir) or _lost_caption(child, in_notes)
            if problem:
                problems.append(Problem(article.source, line, "image", problem))
        elif child.type == "link_open":
            href = child.attrGet("href") or ""
            if not is_link(href):
                message = f"{href!r}: links must be http(s):// or mailto: addresses"
                problems.append(Problem(article.source, line, "link", message))
        elif child.type == "html_inline":
            problems.append(_raw_html(article, line, child.content))


def _lost_caption(image: Token, in_notes: set[int]) -> str | None:
    """A caption is printed only under a figure (an image alone in its paragraph): anywhere else
    its title would be dropped without a word."""
    title = image.attrGet("title")
    if not title or image.meta.get("figure"):
        return None
    src = image.attrGet("src")
    where = f'{src!r}: the caption "{title}" is printed only under an image on a line of its own'
    if id(image) in in_notes:
        return f"{where} in the text, not in a footnote: leave out the caption"
    return f"{where}: put the image in a paragraph by itself, or leave out the caption"


def _raw_html(article: Article, line: int, html: str) -> Problem:
    return Problem(article.source, line, "body", f"raw HTML is not allowed: {html.strip()[:40]!r}")


def _line_in(inline: Token, needle: str, line: int) -> int:
    """The line of ``needle`` in a paragraph that starts at ``line``: of its longest start that is in
    the source as written (``extra*ordinary*`` is set as one word but written with asterisks)."""
    for length in range(min(len(needle), 20), 0, -1):
        where = inline.content.find(needle[:length])
        if where >= 0:
            return line + inline.content.count("\n", 0, where)
    return line


def _runs(inline: Token) -> Iterator[str]:
    """The text of a paragraph as set, in runs that no markup breaks: ``extra*ordinary*`` is one
    run. Code, addresses and the end of a line break a run (code and addresses may break anywhere)."""
    run: list[str] = []
    for child in inline.children or ():
        if child.type == "text":
            run.append(ADDRESS.sub(" ", child.content))
        elif child.type in ("code_inline", "softbreak", "hardbreak", "image", "footnote_ref"):
            run.append(" ")
    yield from "".join(run).split()


def _long_words(inline: Token, article: Article, line: int) -> list[Problem]:
    problems = []
    for word in _runs(inline):
        message = long_word([word])
        if message:
            problems.append(Problem(article.source, _line_in(inline, word, line), "body", message))
    return problems


def _check_nesting(tokens: list[Token], article: Article, problems: list[Problem]) -> None:
    """Lists and block quotes nested deeper than a column can indent them: their text would be
    squeezed to nothing (or lost), so they are refused, once for each outermost too-deep block."""
    stack: list[str] = []
    refused = False
    for token in tokens:
        if token.type in NESTING:
            stack.append(NESTING[token.type])
            quotes = stack.count("block quotes")
            if not refused and (len(stack) > MAX_LIST_DEPTH or quotes > MAX_QUOTE_DEPTH):
                refused = True
                line = article.body_line + (token.map or [0])[0]
                problems.append(Problem(article.source, line, "body", _too_deep(stack)))
        elif token.type.replace("_close", "_open") in NESTING:
            stack.pop()
            refused = refused and bool(stack)


def _too_deep(stack: list[str]) -> str:
    if stack.count("block quotes") > MAX_QUOTE_DEPTH:
        return f"block quotes nested more than {MAX_QUOTE_DEPTH} deep"
    if "block quotes" not in stack:
        return f"lists nested more than {MAX_LIST_DEPTH} deep"
    return f"lists and block quotes nested more than {MAX_LIST_DEPTH} deep, counted together"


def _check_last_headings(tokens: list[Token], article: Article, problems: list[Problem]) -> None:
    """A heading introduces the text after it: one that ends its article would be printed alone at
    the foot of the article (or the top of a column). A rule after it is no text either."""
    blocks = [i for i, token in enumerate(_body(tokens)) if token.level == 0 and token.nesting >= 0]
    for i in reversed(blocks):
        if tokens[i].type == "hr":
            continue
        if tokens[i].type != "heading_open":
            return
        line = article.body_line + (tokens[i].map or [0])[0]
        message = (
            f'the heading "{tokens[i + 1].content}" has no text after it: a heading is printed above'
            " the text it introduces; add that text, or leave the heading out"
        )
        problems.append(Problem(article.source, line, "body", message))


def _footnote_definitions(state) -> None:
    """Core rule, before the footnote plugin gathers the notes: where each note is written and
    which notes the notes call (the plugin keeps only the last of two notes of one label)."""
    definitions: list[tuple[str, int, int]] = []  # label, first line, line after its last
    nested: list[tuple[str, str, int]] = []
    label = None
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            label = token.meta["label"]
            definitions.append((label, *(token.map or (0, 1))))
        elif token.type == "footnote_reference_close":
            label = None
        elif token.type == "inline" and label is not None:
            for child in token.children or ():
                if child.type == "footnote_ref":
                    nested.append((child.meta["label"], label, token.map[0] if token.map else 0))
    state.env["definitions"], state.env["nested"] = definitions, nested


def _check_footnotes(tokens: list[Token], env: dict, article: Article, problems: list[Problem]) -> None:
    """Every note called is written, every note written is called, once each; notes call no notes."""
    at = article.body_line
    first: dict[str, int] = {}
    for label, line, _ in env.get("definitions", []):
        if label in first:
            message = f"the footnote [^{label}] is written twice (lines {at + first[label]} and {at + line})"
            problems.append(Problem(article.source, at + line, "footnote", message))
        first.setdefault(label, line)
    for called, caller, line in env.get("nested", []):
        message = f"a footnote cannot call another footnote ([^{called}] in the text of [^{caller}])"
        problems.append(Problem(article.source, at + line, "footnote", message))
    called: dict[str, int] = {}  # label: the line of its first call
    for child, line in _children_with_lines(_body(tokens), at):
        if child.type != "footnote_ref":
            continue
        label = child.meta["label"]
        if label in called:  # the plugin sets a second call as a mark with no note: it would be lost
            message = (
                f"[^{label}] is called a second time here (first on line {called[label]}): a note is"
                " printed once, at its call; give this place a note of its own"
            )
            problems.append(Problem(article.source, line, "footnote", message))
        called.setdefault(label, line)
    calls = set(called) | {note for note, _, _ in env.get("nested", [])}  # refused above, not here
    for label, line in first.items():
        if label not in calls:
            message = f"the footnote [^{label}] is never called: put [^{label}] in the text where it belongs"
            problems.append(Problem(article.source, at + line, "footnote", message))


def _uncalled_notes(inline: Token, article: Article, line: int) -> list[Problem]:
    """Footnote calls left as text: ``[^2]`` where no note 2 is written prints as ``[^2]``."""
    problems = []
    text = "".join(child.content for child in inline.children or () if child.type == "text")
    for label in dict.fromkeys(FOOTNOTE_CALL.findall(text)):
        message = f"[^{label}] calls a footnote that is not written: add a line '[^{label}]: the note'"
        problems.append(Problem(article.source, _line_in(inline, f"[^{label}]", line), "footnote", message))
    return problems


@functools.cache
def printable() -> frozenset[int]:
    """Every character some bundled font has a glyph for (fontconfig falls back to any of them).

    Reading the fonts' character maps takes a tenth of a second; ``layout check`` should take a few
    hundredths, so the result is kept in the temporary folder under a digest of the fonts' names,
    sizes and times."""
    fonts = sorted(FONTS_DIR.glob("*.ttf"))
    signature = "\n".join(f"{p.name} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in fonts)
    kept = Path(tempfile.gettempdir()) / f"layout-glyphs-{hashlib.sha1(signature.encode()).hexdigest()[:12]}"
    try:
        return frozenset(int(code) for code in kept.read_text().split())
    except (OSError, ValueError):
        pass
    from fontTools.ttLib import TTFont  # only when the fonts changed: its import alone takes 0.07 s

    characters: set[int] = set()
    for path in fonts:
        characters.update(TTFont(path, lazy=True).getBestCmap())
    partial = kept.with_name(f"{kept.name}.{os.getpid()}")
    partial.write_text(" ".join(map(str, sorted(characters))))
    partial.replace(kept)  # whole or not at all, whatever runs at the same time
    return frozenset(characters)


def _prints_nothing(character: str) -> bool:
    """Spaces, joiners, variation selectors and other format characters need no glyph."""
    return character.isspace() or unicodedata.category(character) == "Cf" or "\ufe00" <= character <= "\ufe0f"


def glyph_problems(text: str, path: str, line: int, field: str | None) -> list[Problem]:
    """A problem for each character of ``text`` (starting at ``line`` of ``path``) that no bundled
    font can print: it would come out as an empty box. For bodies, front matter, publication.yaml."""
    fonts = printable()
    missing = {c for c in set(text) if ord(c) not in fonts and not _prints_nothing(c)}
    problems = []
    for character in sorted(missing, key=text.index):
        where = line + text.count("\n", 0, text.index(character))
        name = unicodedata.name(character, "without a name")
        message = (
            f"the character {character!r} (U+{ord(character):04X} {name}) is in none of the fonts we print"
            " with: write it in words or leave it out"
        )
        problems.append(Problem(path, where, field, message))
    return problems


YAML_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_]\w*)\s*:")


def manifest_glyph_problems(text: str, path: str) -> list[Problem]:
    """Characters of a YAML manifest (``publication.yaml``, ``issue.yaml``) that no bundled font
    has, each at its line and under the key that line sets; comments are not printed."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        value = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if value.strip():
            key = YAML_KEY.match(value)
            problems += glyph_problems(value, path, number, key.group(1) if key else None)
    return problems


# --- house conventions ---------------------------------------------------------------


def _inline_children(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield from token.children or ()


def _children_with_lines(tokens: list[Token], body_line: int) -> Iterator[tuple[Token, int]]:
    """Each inline child of ``tokens`` with its line in the article's file: the line its block
    starts on, and one more after each line break within the block."""
    line = body_line
    for token in tokens:
        if token.map:
            line = body_line + token.map[0]
        inner = line
        for child in token.children or ():
            yield child, inner
            inner += child.type in ("softbreak", "hardbreak")


def _body(tokens: list[Token]) -> list[Token]:
    """The tokens of the running text, without the footnotes' block at the end."""
    cut = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    return tokens[:cut]


def _afrikaans_n(state) -> None:
    """Core rule: 'n is an apostrophe and n (’n), which smart quotes would take for an opening quote."""
    for child in _inline_children(state.tokens):
        if child.type == "text" and "'n" in child.content:
            child.content = AFRIKAANS_N.sub("’n", child.content)


def _mark_lines(tokens: list[Token], body_line: int) -> None:
    """``data-line`` on every block element: its line in the article's file."""
    for token in tokens:
        if token.type in BLOCKS and token.map:
            token.attrSet("data-line", str(body_line + token.map[0]))


def set_text(text: str) -> str:
    """Body text as HTML: escaped, an amount's sign and digit groups held together by no-break
    spaces, addresses in a ``url`` span that may break at their punctuation and is never hyphenated."""
    parts = []
    last = 0
    for match in ADDRESS.finditer(text):
        parts.append(html.escape(_hold_amounts(text[last : match.start()])))
        parts.append(f'<span class="url">{html.escape(BREAK_POINTS.sub(BREAK, match.group()))}</span>')
        last = match.end()
    parts.append(html.escape(_hold_amounts(text[last:])))
    return "".join(parts)


def _hold_amounts(text: str) -> str:
    return AMOUNT_SPACE.sub(lambda match: match.group().replace(" ", NO_BREAK), text)


def _render_text(self, tokens, idx, options, env) -> str:
    return set_text(tokens[idx].content)


def _render_code(self, tokens, idx, options, env) -> str:
    """Code breaks at its punctuation like an address (and anywhere, by the style), never hyphenated."""
    token = tokens[idx]
    return f"<code{self.renderAttrs(token)}>{html.escape(BREAK_POINTS.sub(BREAK, token.content))}</code>"


def _house_blocks(state) -> None:
    """Core rule: lone images become figures, italic lines under tables their captions.

    An image alone in its paragraph is a figure wherever the paragraph is (a list item, a block
    quote), but not in a footnote, whose text is set inline at its call."""
    tokens = state.tokens
    captions = []
    notes = len(_body(tokens))  # where the footnotes' block starts
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i : i + 3]
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        children = inline.children or []
        if len(children) == 1 and children[0].type == "image" and i < notes:
            opening.tag = closing.tag = "figure"
            opening.hidden = closing.hidden = False  # a tight list's paragraphs are not printed
            children[0].meta["figure"] = True
        elif (
            i > 0
            and tokens[i - 1].type == "table_close"
            and len(children) >= 3
            and children[0].type == "em_open"
            and children[-1].type == "em_close"
        ):
            inline.children = children[1:-1]
            opening.attrSet("class", "table-caption")
            opening.tag = closing.tag = "caption"
            captions.append(i)
    # A caption is its table's <caption> (the style sets it under the table): it goes where its
    # table goes, and PDF/UA tags it as the table's. The last first, so the indices still hold.
    for i in reversed(captions):
        caption = tokens[i : i + 3]
        del tokens[i : i + 3]
        table = max(j for j in range(i) if tokens[j].type == "table_open")
        tokens[table + 1 : table + 1] = caption


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    src = html.escape(token.attrGet("src") or "")
    img = f'<img src="{src}" alt="{alt}">'
    title = token.attrGet("title")
    if token.meta.get("figure") and title:
        return f"{img}<figcaption>{html.escape(typographic(title))}</figcaption>"
    return img


def _render_heading(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    level = min(6, max(3, int(token.tag[1]) + 1))
    return f"<h{level}{self.renderAttrs(token)}>" if token.nesting == 1 else f"</h{level}>\n"


def _split_footnotes(tokens: list[Token], body_line: int) -> tuple[list[Token], dict[int, tuple[str, int]]]:
    """Cut the footnote block off the end; render each note's text (and find its line) for its call site."""
    body = _body(tokens)
    notes: dict[int, list[str]] = {}
    lines: dict[int, int] = {}
    current = None
    for token in tokens[len(body) :]:
        if token.type == "footnote_open":
            current = token.meta["id"]
        elif token.type == "inline" and current is not None:
            notes.setdefault(current, []).append(
                parser().renderer.renderInline(token.children or [], parser().options, {})
            )
            lines.setdefault(current, body_line + (token.map or [0])[0])
    return body, {key: (" ".join(parts), lines[key]) for key, parts in notes.items()}


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta  # each note is called once (_check_footnotes refuses a second call)
    text, line = env["notes"].get(meta["id"], ("", 0))
    return f'<span class="footnote" data-line="{line}">{text}</span>'


def _insert_pull_quote(tokens: list[Token], text: str, line: int) -> None:
    closes = [i for i, t in enumerate(tokens) if t.type == "paragraph_close" and t.level == 0]
    where = closes[min(PULL_QUOTE_AFTER, len(closes)) - 1] + 1 if closes else len(tokens)
    aside = Token("html_block", "", 0)
    quote = f"<p>{html.escape(text)}</p>"
    aside.content = f'<aside class="pull-quote" aria-hidden="true" data-line="{line}">{quote}</aside>\n'
    tokens.insert(where, aside)


def without_last_words(body: str, count: int) -> str:
    """A Markdown body less the last ``count`` words of its running text: a leaflet's trial cut.

    The notes whose calls are cut go too (a note never called is refused); a heading or a code
    block that the cut would end in goes whole (a heading left last is refused, and a fence left
    open would take in the notes); every line kept stays on its line, so that a problem of the
    shortened text is reported where it is written."""
    env: dict = {}
    tokens = parser().parse(body, env)
    lines = body.split("\n")
    note_lines = {n: label for label, first, stop in env["definitions"] for n in range(first, stop)}
    running = [n for n in range(len(lines)) if n not in note_lines]
    # each word of the running text: its line and where it ends
    words = [(n, word.end()) for n in running for word in re.finditer(r"\S+", lines[n])]
    keep = max(1, len(words) - count)
    if keep >= len(words):
        return body
    whole = [t.map for t in tokens if t.type in ("heading_open", "fence") and t.map]
    while span := next((s for s in whole if s[0] <= words[keep - 1][0] < s[1]), None):
        first = next(i for i, (n, _) in enumerate(words) if n >= span[0])
        if first == 0:
            break
        keep = first
    last, end = words[keep - 1]
    called = _calls_on(lines, running)
    for n in running:
        if n > last:
            lines[n] = ""
    lines[last] = lines[last][:end] + ("" if lines[last][end - 1] in ".!?" else ".")
    for n in [n for n, label in note_lines.items() if label in called - _calls_on(lines, running)]:
        lines[n] = ""
    return "\n".join(lines)


def _calls_on(lines: list[str], numbers: list[int]) -> set[str]:
    """The labels of the footnotes called on these lines."""
    return {label for n in numbers for label in FOOTNOTE_CALL.findall(lines[n])}
