"""The text stage: what it refuses (each with its line) and what it accepts, set whole on the page.

Refusals are checked through ``article_text`` and the command line; accepted text is built into a
real PDF of a scratch issue and read back with pdfium: the words as written, every character in a
font that has it, nothing beyond the page's margins.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium
import pytest
from fontTools.ttLib import TTFont

from layout.model.errors import ManifestError
from layout.model.manifest import Article
from layout.text.markdown import article_text, printable, set_text, typographic, without_last_words

from .conftest import ARTICLE, ROOT, make_scratch
from .test_bad_input import run_layout
from .test_pages import prose

FRONT = ARTICLE[: ARTICLE.index("The first paragraph")]
BODY_LINE = FRONT.count("\n") + 1  # the body's first line in small.md
MM = 72 / 25.4


def article(body: str, **fields) -> Article:
    """The scratch article with another body, its first line at BODY_LINE as in small.md."""
    values = dict(
        slug="small",
        source="issues/001/small.md",
        position=0,
        title="A small test article",
        byline=None,
        kind="statement",
        date=None,
        tags=(),
        lang="en-ZA",
        standfirst=None,
        pull_quote=None,
        sample=False,
        columns=2,
        new_page=False,
        body=body,
        body_line=BODY_LINE,
    )
    return Article(**{**values, **fields})


def refusals(body: str, **fields) -> list[str]:
    """The problems of a body, as printed."""
    with pytest.raises(ManifestError) as caught:
        article_text(article(body, **fields), ROOT / "issues" / "021")
    return [str(problem) for problem in caught.value.problems]


def at(line: int, field: str, message: str) -> str:
    """A problem as printed, ``line`` counted from the body's first line (1)."""
    return f"issues/001/small.md:{BODY_LINE + line - 1}: {field}: {message}"


# --- footnotes -----------------------------------------------------------------------


def test_a_note_that_calls_a_note_is_refused_at_its_line() -> None:
    body = "Text.[^1]\n\n[^1]: A note that cites [^2].\n[^2]: The other note.\n"
    assert refusals(body) == [
        at(3, "footnote", "a footnote cannot call another footnote ([^2] in the text of [^1])")
    ]


def test_a_note_calling_a_note_no_longer_crashes_the_command(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    small = root / "issues" / "001" / "small.md"
    small.write_text(small.read_text().replace("[^1]: The note.", "[^1]: The note, see [^2].\n[^2]: Two."))
    result = run_layout(root, "check")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "small.md:16: footnote: a footnote cannot call another footnote ([^2] in the text of [^1])" in (
        result.stdout + result.stderr
    )


def test_calls_without_notes_and_notes_without_calls_are_refused() -> None:
    body = "A call[^1] and a stray one\nhere[^2].\n\n[^1]: The note.\n\n[^3]: Nobody calls me.\n"
    assert refusals(body) == [
        at(2, "footnote", "[^2] calls a footnote that is not written: add a line '[^2]: the note'"),
        at(6, "footnote", "the footnote [^3] is never called: put [^3] in the text where it belongs"),
    ]


def test_a_note_written_twice_is_refused() -> None:
    body = "A call[^1].\n\n[^1]: The first.\n[^1]: The second.\n"
    assert refusals(body) == [at(4, "footnote", "the footnote [^1] is written twice (lines 12 and 13)")]


def test_a_note_called_twice_is_refused_at_its_second_call() -> None:
    body = "One[^1] and\nagain[^1], and a list:\n\n- with[^1] too\n\n[^1]: Same note.\n"
    second = "is called a second time here (first on line 10): a note is printed once, at its call;"
    assert refusals(body) == [
        at(2, "footnote", f"[^1] {second} give this place a note of its own"),
        at(4, "footnote", f"[^1] {second} give this place a note of its own"),
    ]


# --- trial cuts for leaflets --------------------------------------------------------------


def test_a_trial_cut_takes_the_notes_whose_calls_it_cuts_and_keeps_their_lines() -> None:
    last_note = "[^2]: The last paragraph's note."
    paragraphs = [prose(60, seed) for seed in range(8)] + [f"{prose(20, 9)} The source.[^2]"]
    body = f"{paragraphs[0]}[^1]\n\n" + "\n\n".join(paragraphs[1:])
    body += f"\n\n[^1]: The first note ⟁.\n\n{last_note}\n"
    note_line = body.split("\n").index("[^1]: The first note ⟁.") + 1
    for cut in (10, 30, 400):  # within the last paragraph, all of it, all but the first paragraph
        shorter = without_last_words(body, cut)
        assert shorter.count("\n") == body.count("\n") and "[^2]" not in shorter
        assert len(shorter.split()) == len(body.split()) - cut - len(last_note.split())
        # what is kept is reported at its line as written (the first note's sign no font has)
        assert [problem.split(" the character")[0] for problem in refusals(shorter)] == [
            at(note_line, "body", "").rstrip()
        ]
    kept = without_last_words(body.replace("source.[^2]", "source[^2] it names."), 2)
    assert kept.endswith(f"The source[^2].\n\n[^1]: The first note ⟁.\n\n{last_note}\n")


def test_a_trial_cut_takes_a_heading_it_would_leave_last() -> None:
    body = f"{prose(30)}\n\n## A subhead of five words\n\n{prose(12, 1)}\n"
    assert without_last_words(body, 14) == f"{prose(30)}\n\n\n\n\n"
    article_text(article(without_last_words(body, 14)), ROOT)


def test_a_leaflet_whose_last_paragraph_calls_a_note_says_how_much_to_cut(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    body = "\n\n".join(prose(120, seed) for seed in range(12)) + " The source.[^1]\n\n[^1]: A note.\n"
    (root / "issues" / "001" / "small.md").write_text(FRONT + body)
    result = run_layout(root, "leaflet", "issues/001", "1", "--size", "a5")
    assert result.returncode == 0, result.stderr
    assert re.search(r"\(A5\): \d pages, over 1 sheet: cut \d+ words of 1,?44\d to fit", result.stdout)


# --- headings ----------------------------------------------------------------------------


def test_a_heading_with_no_text_after_it_is_refused_at_its_line() -> None:
    body = "Text.\n\n## Followed by text\n\nText.\n\n## The last two\n\n## are alone\n\n---\n"
    alone = "has no text after it: a heading is printed above the text it introduces; add that text,"
    assert refusals(body) == [
        at(7, "body", f'the heading "The last two" {alone} or leave the heading out'),
        at(9, "body", f'the heading "are alone" {alone} or leave the heading out'),
    ]


# --- figures -------------------------------------------------------------------------------


def test_a_caption_under_an_image_not_alone_is_refused_at_its_line(tmp_path: Path) -> None:
    issue_dir = make_scratch(tmp_path) / "issues" / "001"
    body = (
        'Text with\na picture ![A dot](figures/dot.svg "In a sentence") in it.\n\n'
        '- an item ![A dot](figures/dot.svg "In an item")\n\n'
        '> quoted ![A dot](figures/dot.svg "In a quote")\n\n'
        '| a | b |\n|---|---|\n| ![A dot](figures/dot.svg "In a cell") | x |\n\n'
        "Untitled ![A dot](figures/dot.svg) inline is fine.[^1]\n\n"
        '[^1]: A note ![A dot](figures/dot.svg "In a note").\n'
    )
    with pytest.raises(ManifestError) as caught:
        article_text(article(body), issue_dir)

    alone = ": put the image in a paragraph by itself, or leave out the caption"

    def lost(line: int, caption: str, advice: str = alone) -> str:
        where = f"'figures/dot.svg': the caption \"{caption}\" is printed only under an image on a line"
        where += " of its own"
        return at(line, "image", where + advice)

    assert [str(problem) for problem in caught.value.problems] == [
        lost(2, "In a sentence"),
        lost(4, "In an item"),
        lost(6, "In a quote"),
        lost(10, "In a cell"),
        lost(14, "In a note", " in the text, not in a footnote: leave out the caption"),
    ]


FIGURES = """\
Text before the figures.

- a tight list's item
- ![A dot](figures/dot.svg "Caption in a tight list")

1. a loose list's item

2. ![A dot](figures/dot.svg "Caption in a loose list")

> A quote.
>
> ![A dot](figures/dot.svg "Caption in a quote")

Text after the figures.
"""


def test_an_image_alone_in_a_list_item_or_a_quote_prints_its_caption(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    (root / "issues" / "001" / "small.md").write_text(FRONT + FIGURES)
    html = article_text(article(FIGURES), root / "issues" / "001").html
    assert len(re.findall(r"<li[^>]*>\s*<figure", html)) == 2 and html.count("<figcaption>") == 3
    result = run_layout(root, "build", "issues/001", "-j", "1")
    assert result.returncode == 0, result.stderr
    pdf = pypdfium2.PdfDocument(root / "build" / "issues" / "the-spark-001.pdf")
    text = " ".join(" ".join(page_text(page).split()) for page in pdf)
    for where in ("a tight list", "a loose list", "a quote"):
        assert f"Caption in {where}" in text


# --- nesting -------------------------------------------------------------------------


def test_quotes_nested_twenty_deep_are_refused_not_lost() -> None:
    body = "Text.\n\n" + "".join("> " * depth + "Quoted.\n" + "> " * depth + "\n" for depth in range(1, 21))
    assert refusals(body) == [at(11, "body", "block quotes nested more than 4 deep")]


def test_quotes_and_lists_count_together() -> None:
    body = "Text.\n\n- a\n  > b\n  > - c\n  >   > d\n  >   > - e\n  >   >   - f\n  >   >     - g\n"
    assert refusals(body) == [
        at(9, "body", "lists and block quotes nested more than 6 deep, counted together")
    ]
    assert "<blockquote" in article_text(article(body.rsplit("\n  >   >     - g", 1)[0]), ROOT).html


# --- words too long, addresses, code -------------------------------------------------------


def test_a_long_word_split_by_emphasis_is_refused_at_its_line() -> None:
    word = "extra*" + "ordinary" * 8 + "*"
    assert refusals(f"First line,\nthen an {word} word.\n") == [
        at(2, "body", "a word of 69 characters cannot be set: extraordinaryordinaryordinaryo…")
    ]


def test_addresses_and_code_of_any_length_are_accepted() -> None:
    url = "https://www.example.org/" + "/".join(["a-long-path-segment"] * 6) + "?ref=spark&lang=en#top"
    code = "`" + "x.y_z/" * 34 + "`"
    body = f"See {url}, or write to comrade.secretary@wivp.example.org.za; run {code}.[^1]\n\n"
    body += f"[^1]: At {url}.\n"
    html = article_text(article(body), ROOT).html
    assert len(url) > 127 and html.count('<span class="url">') == 3
    assert "\u200b" in html and "-\u200b" not in html


def test_set_text_holds_amounts_and_breaks_addresses_at_their_punctuation() -> None:
    assert set_text("It cost R 1 500,00, R1 500 and US$ 20; 15 000 workers in 2017.") == (
        "It cost R\u202f1\u202f500,00, R1\u202f500 and US$\u202f20; 15\u202f000 workers in 2017."
    )
    assert set_text("See www.wivp.org/a/b?x=1.") == (
        'See <span class="url">www\u200b.wivp\u200b.org/\u200ba/\u200bb\u200b?x\u200b=1</span>.'
    )


# --- typography ---------------------------------------------------------------------------


def test_typographic_quotes_and_dashes_in_english_and_afrikaans() -> None:
    assert typographic("The \"workers'\" party -- it's ours... 1990--1994") == (
        "The “workers’” party – it’s ours… 1990–1994"
    )
    assert typographic("'n Boer maak 'n plan") == "’n Boer maak ’n plan"
    assert typographic('Hy sê: "Dis \'n lang pad."') == "Hy sê: “Dis ’n lang pad.”"
    assert typographic("*not* `markdown` & <b>") == "*not* `markdown` & <b>"


def test_the_body_keeps_afrikaans_n_too() -> None:
    assert "’n Boer maak ’n plan" in article_text(article("'n Boer maak 'n plan.\n"), ROOT).html


# --- where each block came from -------------------------------------------------------------


def test_every_block_element_carries_its_line() -> None:
    body = "Para.[^1]\n\n## Head\n\n> Quote\n\n- item\n\n| a |\n|---|\n| 1 |\n\n---\n\n"
    body += "```\ncode\n```\n\n[^1]: Note.\n"
    html = article_text(article(body), ROOT).html
    lines: dict[str, int] = {}
    for tag, line in re.findall(r"<(\w+)[^>]* data-line=\"(\d+)\"", html):
        lines.setdefault(tag, int(line))
    body_lines = {"p": 1, "h3": 3, "blockquote": 5, "ul": 7, "li": 7, "table": 9, "hr": 13, "code": 15}
    assert lines == {"span": BODY_LINE + 18} | {tag: BODY_LINE + n - 1 for tag, n in body_lines.items()}


# --- glyphs ---------------------------------------------------------------------------------


def test_a_character_no_font_has_is_refused_with_its_name_and_line() -> None:
    assert refusals("Fine.\nA sign ⟁ here.\n") == [
        at(
            2,
            "body",
            "the character '⟁' (U+27C1 WHITE TRIANGLE CONTAINING SMALL WHITE TRIANGLE) is in none of the"
            " fonts we print with: write it in words or leave it out",
        )
    ]


def test_front_matter_characters_are_checked_at_their_lines(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    small = root / "issues" / "001" / "small.md"
    small.write_text(small.read_text().replace("byline: Test Writer", "byline: Test ⟁ Writer"))
    result = run_layout(root, "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "small.md:3: byline: the character '⟁' (U+27C1" in result.stdout + result.stderr


def test_manifest_characters_are_checked_at_their_lines_and_keys(tmp_path: Path) -> None:
    root = make_scratch(tmp_path)
    manifest = root / "issues" / "001" / "issue.yaml"
    manifest.write_text(
        manifest.read_text().replace("date: 2017-02-01", "date: 2017-02-01\ntheme: Us ⟁ them")
    )
    publication = root / "issues" / "publication.yaml"
    text = publication.read_text()
    publication.write_text(
        "# a comment may hold ⟁: it is not printed\n" + text.replace("name: ", "name: ⟁", 1)
    )
    line = 1 + text[: text.index("name: ")].count("\n") + 1
    result = run_layout(root, "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    problems = [p for p in (result.stdout + result.stderr).splitlines() if "U+27C1" in p]
    assert [p.split(" the character")[0] for p in problems] == [
        f"issues/publication.yaml:{line}: name:",
        "issues/001/issue.yaml:3: theme:",
    ]


def test_the_bundled_fonts_cover_bullets_symbols_and_emoji() -> None:
    assert {ord(c) for c in "◦▪•★☭✊\U0001f3fe\u200d✓→"} <= printable()


# --- accepted text, set -------------------------------------------------------------------------

URL = "https://www.example.org/news/2017/03/22/the-attempted-coup-in-turkey-and-what-it-means-for-the-workers?ref=spark&lang=en#section-two"
CODE = "onerror=" + "do_something_with_the_value_of(" * 6 + ")"
AMOUNT = "R 1 500,00"
SYMBOLS = "★ ☭ ✊🏾 ✊ ✊🏿"  # a skin tone prints as the plain sign, but reads as written
LONG_LINE = "long_code_line = " + "call(argument, another_argument)." * 8  # in a code block
ACCEPTED = f"""\
The first line is set in small capitals.

A link {URL}, and another at {URL[:60]}, and mail to comrade.secretary@wivp.example.org.za.[^1]

Code in a paragraph: `{CODE}` and `{URL}`, set without hyphens.

{" ".join(f"Word{'s' * (i % 4)} {AMOUNT} and 15 000 workers." for i in range(24))}

Fists and stars: {SYMBOLS}.

```
{LONG_LINE}
```

| Where | Amount |
|---|---|
| Johannesburg {URL[:90]} | {AMOUNT} |

- one
  - two
    - three

[^1]: The source: {URL}.
"""


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> pypdfium2.PdfDocument:
    root = make_scratch(tmp_path_factory.mktemp("accepted"))
    small = root / "issues" / "001" / "small.md"
    small.write_text(FRONT + ACCEPTED)
    result = run_layout(root, "build", "issues/001", "-j", "1")
    assert result.returncode == 0, result.stderr
    return pypdfium2.PdfDocument(root / "build" / "issues" / "the-spark-001.pdf")


def page_text(page: pypdfium2.PdfPage) -> str:
    return page.get_textpage().get_text_range()


def test_addresses_code_and_amounts_print_as_written(accepted: pypdfium2.PdfDocument) -> None:
    # pdfium reads a hyphen that ends a line as U+FFFE
    text = "\n".join(page_text(page) for page in accepted).replace("\ufffe", "-")
    joined = "".join(text.split())  # lines joined: an address broken at a line end is whole again
    assert "\u200b" not in text
    assert joined.count(URL) == 3  # no hyphen inserted: it would stay in the joined text
    assert CODE in joined and URL[:60] + "," in joined and "".join(LONG_LINE.split()) in joined
    assert "comrade.secretary@wivp.example.org.za" in joined and "".join(SYMBOLS.split()) in joined
    lines = [" ".join(line.split()) for line in text.replace("\u202f", " ").splitlines()]
    assert sum(line.count(AMOUNT) for line in lines) == 25  # never broken after the R or between groups
    assert sum(line.count("15 000") for line in lines) == 24


def font_families() -> dict[str, set[int]]:
    """The characters each bundled family has, by the name WeasyPrint gives the embedded font."""
    families: dict[str, set[int]] = {}
    for path in (ROOT / "fonts").glob("*.ttf"):
        font = TTFont(path, lazy=True)
        for name_id in (1, 4):  # family and full name: WeasyPrint names a font by one or the other
            name = font["name"].getDebugName(name_id).replace(" ", "-")
            families.setdefault(name, set()).update(font.getBestCmap())
    return families


def drawn(page: pypdfium2.PdfPage) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """Each character of a page: itself, the font it is drawn in (without the subset's tag) and its box."""
    textpage = page.get_textpage()
    result = []
    for index in range(textpage.count_chars()):
        character = chr(pdfium.FPDFText_GetUnicode(textpage, index))
        if character.isspace() or unicodedata.category(character) in ("Cc", "Cs", "Cn"):
            continue  # pdfium's own marks (a line's end, a hyphen it found) and halves of a pair
        name = ctypes.create_string_buffer(128)
        pdfium.FPDFText_GetFontInfo(textpage, index, name, 128, None)
        result.append((character, name.value.decode().split("+")[-1], textpage.get_charbox(index)))
    return result


def test_every_character_prints_in_a_font_that_has_it(accepted: pypdfium2.PdfDocument) -> None:
    families = font_families()
    seen: dict[str, set[str]] = {}
    for page in accepted:
        for character, font, _ in drawn(page):
            family = max((name for name in families if font.startswith(name)), key=len)  # "...-Small-Caps"
            seen.setdefault(character, set()).add(family)
            assert ord(character) in families[family], (character, font)
    for symbol in "◦▪★☭✊":  # the nested lists' bullets and the symbols of the text
        assert symbol in seen, symbol
    assert seen["✊"] == {"Noto-Emoji"} and seen["◦"] == seen["▪"] == {"Noto-Sans-Symbols2"}


def test_nothing_is_set_beyond_the_margins(accepted: pypdfium2.PdfDocument) -> None:
    for number, page in enumerate(accepted, start=1):
        width = page.get_width()
        for character, _, (left, _, right, _) in drawn(page):
            assert left >= 15 * MM - 1 and right <= width - 15 * MM + 1, (number, character)


def test_the_publication_prints_curly_quotes_and_dashes_too() -> None:
    from layout.model.manifest import load_publication
    from layout.typeset.render import printed_publication

    publication = load_publication(ROOT / "issues")
    straight = publication.model_copy(update={"statement": 'We say "no" -- and mean it.'})
    assert printed_publication(straight).statement == "We say “no” – and mean it."
    item = publication.get_involved[0].model_copy(update={"label": "Join the 'Spark'"})
    printed = printed_publication(publication.model_copy(update={"get_involved": (item,)}))
    assert printed.get_involved[0].label == "Join the ‘Spark’"


def test_the_pull_quote_is_curly_and_carries_its_front_matter_line(tmp_path: Path) -> None:
    from layout.model.manifest import load_issue, load_publication

    root = make_scratch(tmp_path)
    issue_dir = root / "issues" / "001"
    small = issue_dir / "small.md"
    quote = 'pull_quote: We said "never"\n'
    small.write_text(small.read_text().replace("lang: en-ZA\n", f"lang: en-ZA\n{quote}"))
    issue = load_issue(issue_dir, load_publication(root / "issues"), root)
    html = article_text(issue.articles[0], issue_dir).html
    assert '<aside class="pull-quote" aria-hidden="true" data-line="8"><p>We said “never”</p></aside>' in html


def test_a_poem_keeps_its_lines_and_prose_runs_on() -> None:
    verse = "Nkosi sikelel' iAfrika\nMaluphakanyisw' uphondo lwayo,\n\nSecond stanza\nits line two"
    poem = article_text(article(verse, kind="poem"), ROOT / "issues" / "021").html
    assert "Nkosi sikelel’ iAfrika<br />\nMaluphakanyisw’" in poem
    assert "Second stanza<br />\nits line two" in poem
    prose = article_text(article(verse, kind="statement"), ROOT / "issues" / "021").html
    assert "<br" not in prose


def test_every_front_matter_field_of_words_is_checked_against_the_fonts_at_its_line(tmp_path: Path) -> None:
    from layout.model.manifest import FrontMatter, load_issue, load_publication, wording_fields

    root = make_scratch(tmp_path)
    issue_dir = root / "issues" / "001"
    words = wording_fields(FrontMatter)
    assert {"title", "byline", "standfirst", "pull_quote"} <= set(words)
    front = "".join(f"{name}: The {name} ⟁\n" for name in words)
    (issue_dir / "small.md").write_text(f"---\n{front}kind: statement\n---\nFine.\n")
    issue = load_issue(issue_dir, load_publication(root / "issues"), root)
    with pytest.raises(ManifestError) as caught:
        article_text(issue.articles[0], issue_dir)
    found = [(problem.line, problem.field) for problem in caught.value.problems]
    assert found == [(line, name) for line, name in enumerate(words, start=2)]
    assert all("'⟁' (U+27C1" in problem.message for problem in caught.value.problems)
