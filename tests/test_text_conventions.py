"""The text stage's house conventions, read in the HTML ``layout.text.markdown`` makes of a body.

Footnotes are set at their calls (WeasyPrint floats each to the foot of its page), in the order
they are called; a pull quote goes after the second paragraph; an italic line under a table is
its caption and an image alone in its paragraph a figure; body headings start at level 3.
Each test writes out the HTML expected, so that a change of convention fails here, before a page
is laid out.
"""

from __future__ import annotations

import re

from layout.text.markdown import article_text

from .conftest import ROOT
from .test_text_stage import BODY_LINE, article, refusals

ISSUE = ROOT / "issues" / "023"  # for its figure
FIGURE = "figures/protest-placard.svg"


def html_of(body: str, **fields) -> str:
    """The body's HTML, as the templates receive it."""
    return article_text(article(body, **fields), ISSUE).html


def line(n: int) -> str:
    """``data-line`` of the body's line ``n`` (1 is the first)."""
    return f'data-line="{BODY_LINE + n - 1}"'


# --- footnotes -------------------------------------------------------------------------------


def test_each_note_is_set_at_its_call_in_the_order_called() -> None:
    body = "First.[^b] Then *this*.[^a]\n\nLater.[^c]\n\n"
    body += "[^a]: Note *a*.\n[^b]: Note b,\n    on two lines.\n\n[^c]: Note c.\n"
    html = html_of(body)
    assert html == (
        f"<p {line(1)}>First."
        f'<span class="footnote" {line(6)}>Note b,\non two lines.</span>'
        f" Then <em>this</em>."
        f'<span class="footnote" {line(5)}>Note <em>a</em>.</span></p>\n'
        f"<p {line(3)}>Later."
        f'<span class="footnote" {line(9)}>Note c.</span></p>\n'
    )


def test_the_notes_are_not_printed_again_at_the_end_nor_linked() -> None:
    html = html_of("A call.[^1]\n\nMore text.\n\n[^1]: The one note.\n")
    assert html.count("The one note.") == 1
    assert html.rstrip().endswith("<p " + line(3) + ">More text.</p>")  # the notes' block is gone
    for leftover in ("<section", "<hr", "<a ", "id=", "href=", "<sup", "footnote-ref", "footnotes"):
        assert leftover not in html, leftover  # the call and its number are the style's (::footnote-call)


def test_notes_called_in_a_list_a_quote_and_a_table_are_set_there() -> None:
    body = "- item[^1]\n\n> quote[^2]\n\n| a |\n|---|\n| cell[^3] |\n\nText.\n\n"
    body += "[^1]: One.\n[^2]: Two.\n[^3]: Three.\n"
    html = html_of(body)
    assert re.search(r'<li [^>]*>item<span class="footnote" [^>]*>One\.</span></li>', html), html
    assert re.search(r'<blockquote [^>]*>\n<p [^>]*>quote<span class="footnote" [^>]*>Two\.</span></p>', html)
    assert '<td>cell<span class="footnote" ' + line(13) + ">Three.</span></td>" in html
    assert html.count('class="footnote"') == 3


def test_a_note_called_twice_is_refused_not_printed_twice() -> None:
    body = "One[^1] and again[^1].\n\n[^1]: Same note.\n"
    assert refusals(body) == [
        f"issues/001/small.md:{BODY_LINE}: footnote: [^1] is called a second time here (first on line "
        f"{BODY_LINE}): a note is printed once, at its call; give this place a note of its own"
    ]


# --- pull quotes -----------------------------------------------------------------------------

PULL_QUOTE = 'Rights & "wrongs" <now>'
QUOTE = '<aside class="pull-quote" aria-hidden="true" data-line="1">'
QUOTE += "<p>Rights &amp; “wrongs” &lt;now&gt;</p></aside>\n"  # curly, escaped, hidden from screen readers


def test_the_pull_quote_follows_the_second_paragraph_of_the_running_text() -> None:
    body = "> Quoted one.\n>\n> Quoted two.\n\nFirst.\n\n- a list\n\nSecond.\n\nThird.\n"
    html = html_of(body, pull_quote=PULL_QUOTE)
    # the quote's paragraphs and the list are not counted: the second paragraph of the text is "Second."
    assert html.count("pull-quote") == 1
    assert f"<p {line(9)}>Second.</p>\n{QUOTE}<p {line(11)}>Third.</p>" in html


def test_a_short_text_has_its_pull_quote_after_its_only_paragraph_or_at_its_end() -> None:
    assert html_of("Only one.\n", pull_quote=PULL_QUOTE) == f"<p {line(1)}>Only one.</p>\n{QUOTE}"
    assert html_of("- a\n- b\n", pull_quote=PULL_QUOTE).endswith(f"</ul>\n{QUOTE}")
    assert "pull-quote" not in html_of("First.\n\nSecond.\n\nThird.\n")  # none asked for, none set


# --- captions and figures --------------------------------------------------------------------


def test_an_italic_line_under_a_table_is_its_caption_inside_it() -> None:
    html = html_of("| a |\n|---|\n| 1 |\n\n*The table's caption*\n\n*Just italic*\n\nText *with* more.\n")
    caption = f'<caption class="table-caption" {line(5)}>The table’s caption</caption>'
    assert html.startswith(f"<table {line(1)}>\n{caption}\n<thead>"), html  # its table's first child
    assert html.count("<caption") == 1
    assert f"<p {line(7)}><em>Just italic</em></p>" in html  # not under a table: a paragraph
    assert f"<p {line(9)}>Text <em>with</em> more.</p>" in html


def test_a_line_partly_italic_under_a_table_is_no_caption() -> None:
    html = html_of("| a |\n|---|\n| 1 |\n\n*Half* italic.\n")
    assert "<caption" not in html
    assert f"</table>\n<p {line(5)}><em>Half</em> italic.</p>" in html


def test_an_image_alone_is_a_figure_with_its_title_as_caption_and_in_a_sentence_is_not() -> None:
    body = f'![What it shows]({FIGURE} "The \\"placard\\" -- held high")\n\n![Untitled]({FIGURE})\n\n'
    body += f"A sentence with ![inline]({FIGURE}) in it.\n\n![Leading]({FIGURE}) starts a sentence.\n"
    html = html_of(body)
    assert html == (
        f'<figure {line(1)}><img src="{FIGURE}" alt="What it shows">'
        "<figcaption>The “placard” – held high</figcaption></figure>\n"
        f'<figure {line(3)}><img src="{FIGURE}" alt="Untitled"></figure>\n'
        f'<p {line(5)}>A sentence with <img src="{FIGURE}" alt="inline"> in it.</p>\n'
        f'<p {line(7)}><img src="{FIGURE}" alt="Leading"> starts a sentence.</p>\n'
    )


# --- heading levels --------------------------------------------------------------------------


def test_body_headings_start_at_level_3_under_the_article_title() -> None:
    marks = ["#", "##", "###", "####", "#####", "######"]
    body = "".join(f"{mark} Level {len(mark)}\n\nText.\n\n" for mark in marks)
    found = re.findall(r"<(h\d) data-line=\"(\d+)\">Level (\d)</(h\d)>", html_of(body))
    assert found == [
        ("h3", str(BODY_LINE), "1", "h3"),
        ("h3", str(BODY_LINE + 4), "2", "h3"),
        ("h4", str(BODY_LINE + 8), "3", "h4"),
        ("h5", str(BODY_LINE + 12), "4", "h5"),
        ("h6", str(BODY_LINE + 16), "5", "h6"),
        ("h6", str(BODY_LINE + 20), "6", "h6"),
    ]
