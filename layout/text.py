"""Stage 2: an article's Markdown body into the HTML the templates place.

CommonMark with tables, footnotes, smart quotes and dashes; raw HTML is off. Beyond plain
Markdown the stage knows four house conventions:

- an image alone in its paragraph is a figure, its title the caption;
- an italic paragraph right under a table is that table's caption;
- footnotes are set where they are called (WeasyPrint floats them to the foot of the page);
- body headings start at level 3, below the article title.

Untrusted text is checked here, with the line it stands on: image paths that leave the
issue's folder or name another site, missing or broken images, words too long to set.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .errors import ManifestError, Problem
from .images import check_image
from .manifest import MAX_WORD, Article

MAX_LIST_DEPTH = 6
PULL_QUOTE_AFTER = 2  # paragraphs


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article body as HTML, with what later stages want to know of it."""

    html: str
    images: tuple[str, ...]
    words: int


@functools.cache
def parser() -> MarkdownIt:
    """The one Markdown parser of the project."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})  # recognised to be refused
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.validateLink = lambda url: True  # every address is judged by _check_tokens, with its line
    footnote_plugin(md, inline=False)
    md.core.ruler.push("house_blocks", _house_blocks)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("heading_open", _render_heading)
    md.add_render_rule("heading_close", _render_heading)
    return md


def article_text(article: Article, issue_dir: Path) -> ArticleText:
    """Turn an article's body into HTML; raise one ManifestError naming every bad line."""
    env: dict = {}
    tokens = parser().parse(article.body, env)
    problems: list[Problem] = []
    images = _check_tokens(tokens, article, issue_dir, problems)
    if problems:
        raise ManifestError(problems)
    body, notes = _split_footnotes(tokens)
    env["notes"] = notes
    if article.pull_quote:
        _insert_pull_quote(body, article.pull_quote)
    words = sum(len(t.content.split()) for t in _inline_children(tokens) if t.type == "text")
    return ArticleText(parser().renderer.render(body, parser().options, env), tuple(images), words)


# --- checks ----------------------------------------------------------------------


def _check_tokens(
    tokens: list[Token], article: Article, issue_dir: Path, problems: list[Problem]
) -> list[str]:
    images: list[str] = []
    depth = 0
    line = article.body_line
    for token in tokens:
        if token.map:
            line = article.body_line + token.map[0]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == MAX_LIST_DEPTH + 1:
                problems.append(
                    Problem(article.source, line, "body", f"lists nested more than {MAX_LIST_DEPTH} deep")
                )
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "html_block":
            problems.append(_raw_html(article, line, token.content))
        for child in token.children or ():
            if child.type == "image":
                src = child.attrGet("src") or ""
                problem = check_image(src, issue_dir)
                if problem:
                    problems.append(Problem(article.source, line, "image", problem))
                else:
                    images.append(src)
            elif child.type == "link_open":
                href = child.attrGet("href") or ""
                if not re.match(r"^(https?://|mailto:)[^\s]+$", href):
                    problems.append(
                        Problem(
                            article.source,
                            line,
                            "link",
                            f"{href!r}: links must be http(s):// or mailto: addresses",
                        )
                    )
            elif child.type == "html_inline":
                problems.append(_raw_html(article, line, child.content))
            elif child.type == "text":
                long = next((w for w in child.content.split() if len(w) > MAX_WORD), None)
                if long:
                    problems.append(
                        Problem(
                            article.source,
                            line,
                            "body",
                            f"a word of {len(long)} characters cannot be set: {long[:30]}…",
                        )
                    )
    return images


def _raw_html(article: Article, line: int, html: str) -> Problem:
    return Problem(article.source, line, "body", f"raw HTML is not allowed: {html.strip()[:40]!r}")


# --- house conventions ---------------------------------------------------------------


def _inline_children(tokens: list[Token]):
    for token in tokens:
        yield from token.children or ()


def _house_blocks(state) -> None:
    """Core rule: lone images become figures, italic lines under tables their captions."""
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i : i + 3]
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        children = inline.children or []
        if len(children) == 1 and children[0].type == "image":
            opening.tag = closing.tag = "figure"
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


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    src = html.escape(token.attrGet("src") or "")
    img = f'<img src="{src}" alt="{alt}">'
    title = token.attrGet("title")
    if token.meta.get("figure") and title:
        return f"{img}<figcaption>{html.escape(title)}</figcaption>"
    return img


def _render_heading(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    level = min(6, max(3, int(token.tag[1]) + 1))
    return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _split_footnotes(tokens: list[Token]) -> tuple[list[Token], dict[int, str]]:
    """Cut the footnote block off the end; render each note's text for its call site."""
    cut = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    notes: dict[int, list[str]] = {}
    current = None
    for token in tokens[cut:]:
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
        elif token.type == "inline" and current is not None:
            current.append(parser().renderer.renderInline(token.children or [], parser().options, {}))
    return tokens[:cut], {key: " ".join(parts) for key, parts in notes.items()}


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    if meta.get("subId", 0) > 0:  # a note called twice is set once
        return ""
    return f'<span class="footnote">{env["notes"].get(meta["id"], "")}</span>'


def _insert_pull_quote(tokens: list[Token], text: str) -> None:
    closes = [i for i, t in enumerate(tokens) if t.type == "paragraph_close" and t.level == 0]
    where = closes[min(PULL_QUOTE_AFTER, len(closes)) - 1] + 1 if closes else len(tokens)
    aside = Token("html_block", "", 0)
    aside.content = f'<aside class="pull-quote" aria-hidden="true"><p>{html.escape(text)}</p></aside>\n'
    tokens.insert(where, aside)


def without_last_words(body: str, count: int) -> str:
    """A Markdown body less its last ``count`` words of running text (footnotes kept): a trial cut."""
    notes = re.search(r"^\[\^[^\]]+\]:", body, flags=re.MULTILINE)
    text, rest = (body[: notes.start()], body[notes.start() :]) if notes else (body, "")
    starts = [match.start() for match in re.finditer(r"\S+", text)]
    keep = max(1, len(starts) - count)
    kept = text[: starts[keep]].rstrip() if keep < len(starts) else text
    return f"{kept}.\n\n{rest}"
