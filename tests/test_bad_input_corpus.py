"""A corpus of bad input, each case run against a project that was built once already.

Every case must end in exit status 2 with a message naming the file and the line (and the
field where there is one), no traceback, no new file under build/, and the previous outputs
byte for byte as they were. The cases of test_bad_input.py are not repeated here.
"""

from __future__ import annotations

import io
import re
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ARTICLE, make_scratch
from tests.test_bad_input import run_here, run_layout

Edit = Callable[[Path], None]


def replace(file: str, old: str, new: str) -> Edit:
    def edit(issue: Path) -> None:
        path = issue / file
        text = path.read_text()
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1))

    return edit


def write(file: str, data: bytes | str) -> Edit:
    def edit(issue: Path) -> None:
        path = issue / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return edit


def image(name: str, data: bytes) -> Edit:
    """An image file and the article pointing at it instead of the shipped drawing."""

    def edit(issue: Path) -> None:
        (issue / "figures" / name).write_bytes(data)
        replace("small.md", "figures/dot.svg", f"figures/{name}")(issue)

    return edit


def body(text: str) -> Edit:
    """Text added at the end of the article, from line 17 on."""

    def edit(issue: Path) -> None:
        path = issue / "small.md"
        path.write_text(path.read_text() + "\n" + text)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(issue: Path) -> None:
        for each in edits:
            each(issue)

    return edit


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def _huge_png() -> bytes:
    """A tiny file that claims 30000 × 30000 pixels: a decompression bomb."""
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = (30000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    chunk = b"IHDR" + ihdr
    data = len(ihdr).to_bytes(4, "big") + chunk + zlib.crc32(chunk).to_bytes(4, "big")
    return header + data + _png(1, 1)[33:]


def _move_out(issue: Path, file: str) -> None:
    """Move a file out of the issue's folder, leaving a symbolic link to it in its place."""
    outside = issue.parent / Path(file).name
    (issue / file).rename(outside)
    (issue / file).symlink_to(outside)


MANIFEST = "issues/001/issue.yaml"
ARTICLE_FILE = "issues/001/small.md"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
ARTICLE_LINES = ARTICLE.count("\n")

CASES: dict[str, tuple[Edit, str]] = {
    # YAML syntax
    "yaml-tab-indent": (
        replace("issue.yaml", "  - file", "\t- file"),
        f"{MANIFEST}:4: file: a tab cannot be used to indent YAML or to separate a value: use spaces",
    ),
    "yaml-unclosed-quote": (
        replace("small.md", "title: A small", 'title: "A small'),
        f'{ARTICLE_FILE}:2: title: the quote " that starts this value is never closed',
    ),
    "yaml-colon-in-title": (
        replace("small.md", "title: A small test article", "title: War: what is it good for"),
        f"{ARTICLE_FILE}:2: title: a value with ': ' in it must be put in double quotes:"
        ' title: "War: what is it good for"',
    ),
    "yaml-afrikaans-n": (
        replace("small.md", "title: A small test article", "title: 'n Nuwe begin"),
        f"{ARTICLE_FILE}:2: title: the quote ' that starts this value is never closed",
    ),
    "yaml-list-item-out-of-line": (
        replace("issue.yaml", "  - file: small.md", "  - file: small.md\n - file: other.md"),
        f"{MANIFEST}:5: this list item is not lined up with the items above it",
    ),
    "yaml-unclosed-bracket": (
        replace("small.md", "tags: [syria]", "tags: [syria"),
        f"{ARTICLE_FILE}:6: tags: the [ opened on this line is never closed with ]",
    ),
    "yaml-no-colon": (
        replace("small.md", "byline: Test Writer", "byline Test Writer"),
        f"{ARTICLE_FILE}:3: a field is written as its name, ': ' and its value",
    ),
    "yaml-duplicate-key": (
        replace("issue.yaml", "number: 1\n", "number: 1\nnumber: 2\n"),
        f"{MANIFEST}:2: number: appears twice",
    ),
    "yaml-alias": (
        replace("small.md", "tags: [syria]", "tags: &t [syria]\nkeywords: *t"),
        f"{ARTICLE_FILE}:6: keywords: YAML aliases are not allowed",
    ),
    "yaml-front-matter-unterminated": (
        replace("small.md", "lang: en-ZA\n---\n", "lang: en-ZA\n"),
        f"{ARTICLE_FILE}:1: must start with front matter",
    ),
    "yaml-python-tag": (
        replace("issue.yaml", "number: 1", "number: !!python/object/apply:os.system [id]"),
        f"{MANIFEST}:1: number: expected a whole number such as 21, got ['id']",
    ),
    "yaml-nested-deep": (
        write("issue.yaml", "number: " + "[" * 2000),
        f"{MANIFEST}:1: YAML nested too deeply",
    ),
    "yaml-next-line-character": (
        write("issue.yaml", "number: 1\ndate: 2017-02-01\ntheme: \u0085x\n"),
        f"{MANIFEST}:3: a field is written as its name, ': ' and its value",
    ),
    # wrong types and forms
    "article-as-plain-text": (
        replace("issue.yaml", "- file: small.md", "- small.md"),
        f"{MANIFEST}:4: articles[0]: each article is written as `- file: name.md`, such as - file: small.md",
    ),
    "article-without-md": (
        replace("issue.yaml", "file: small.md", "file: small"),
        f"{MANIFEST}:4: articles[0].file: 'small' is not a file name ending in .md, such as statement.md:"
        " did you mean small.md?",
    ),
    "language-by-name": (
        replace("small.md", "lang: en-ZA", "lang: afrikaans"),
        f"{ARTICLE_FILE}:7: lang: 'afrikaans' is not a language code such as en-ZA, af-ZA, zu-ZA or xh:"
        " did you mean af-ZA?",
    ),
    "misspelt-field": (
        replace("small.md", "byline: Test Writer", "bylne: Test Writer"),
        f"{ARTICLE_FILE}:3: bylne: is not a known field: did you mean byline?",
    ),
    "slug-clash": (
        both(
            write("small_one.md", ARTICLE),
            write("small-one.md", ARTICLE),
            replace("issue.yaml", "- file: small.md", "- file: small_one.md\n  - file: small-one.md"),
        ),
        f"{MANIFEST}:5: articles[1].file: small-one.md and small_one.md (line 4) would share the name"
        " 'small-one' in the PDFs and on the site: rename one",
    ),
    "number-as-words": (replace("issue.yaml", "number: 1", "number: one"), f"{MANIFEST}:1: number:"),
    "articles-as-text": (
        replace("issue.yaml", "articles:\n  - file: small.md", "articles: small.md"),
        f"{MANIFEST}:3: articles:",
    ),
    "columns-three": (
        replace("issue.yaml", "- file: small.md", "- file: small.md\n    columns: 3"),
        f"{MANIFEST}:5: articles[0].columns:",
    ),
    "new-page-maybe": (
        replace("issue.yaml", "- file: small.md", "- file: small.md\n    new_page: maybe"),
        f"{MANIFEST}:5: articles[0].new_page:",
    ),
    "tags-as-mapping": (
        replace("small.md", "tags: [syria]", "tags: {syria: yes}"),
        f"{ARTICLE_FILE}:6: tags:",
    ),
    "front-matter-a-list": (
        write("small.md", "---\n- one\n- two\n---\n\nBody.\n"),
        f"{ARTICLE_FILE}:2: the front matter is a list, not fields: it gives the article's title and kind",
    ),
    "manifest-a-scalar": (
        write("issue.yaml", "just some words\n"),
        f"{MANIFEST}:1: is text, not fields: an issue.yaml gives the issue's number, date and articles",
    ),
    # missing fields
    "no-articles": (
        replace("issue.yaml", "articles:\n  - file: small.md\n", ""),
        f"{MANIFEST}:1: articles: is required",
    ),
    "no-title": (
        replace("small.md", "title: A small test article\n", ""),
        f"{ARTICLE_FILE}:2: title: is required",
    ),
    "no-kind": (replace("small.md", "kind: statement\n", ""), f"{ARTICLE_FILE}:2: kind: is required"),
    "empty-manifest": (
        write("issue.yaml", b""),
        f"{MANIFEST}:1: is empty: an issue.yaml gives the issue's number, date and articles",
    ),
    # impossible dates
    "month-13": (replace("issue.yaml", "2017-02-01", "2017-13-01"), f"{MANIFEST}:2: date:"),
    "not-a-leap-year": (replace("small.md", "2017-01-02", "2017-02-29"), f"{ARTICLE_FILE}:5: date:"),
    "date-in-words": (replace("issue.yaml", "2017-02-01", "next Tuesday"), f"{MANIFEST}:2: date:"),
    "year-zero": (replace("issue.yaml", "2017-02-01", "0000-01-01"), f"{MANIFEST}:2: date:"),
    # duplicate issue numbers (a second folder that also says number 1)
    "duplicate-number": (
        lambda issue: shutil.copytree(issue, issue.parent / "extra"),
        "issues/extra/issue.yaml:1: number: issue 1 is also issues/001",
    ),
    "duplicate-article": (
        replace("issue.yaml", "- file: small.md", "- file: small.md\n  - file: small.md"),
        f"{MANIFEST}:5: articles[1].file: small.md is listed twice",
    ),
    # missing and unsafe paths
    "absolute-article": (
        replace("issue.yaml", "small.md", "/etc/passwd.md"),
        f"{MANIFEST}:4: articles[0].file:",
    ),
    "parent-article": (replace("issue.yaml", "small.md", "../small.md"), f"{MANIFEST}:4: articles[0].file:"),
    "url-article": (
        replace("issue.yaml", "small.md", "http://127.0.0.1:9/a.md"),
        f"{MANIFEST}:4: articles[0].file:",
    ),
    "article-symlink-outside": (
        lambda issue: _move_out(issue, "small.md"),
        f"{MANIFEST}:4: articles[0].file: small.md leads outside",
    ),
    "image-symlink-outside": (
        lambda issue: _move_out(issue, "figures/dot.svg"),
        f"{ARTICLE_FILE}:14: image: 'figures/dot.svg': leads outside",
    ),
    "data-url-image": (
        replace("small.md", "figures/dot.svg", "data:image/png;base64,iVBORw0KGgo="),
        f"{ARTICLE_FILE}:14: image:",
    ),
    "svg-reaching-out": (
        image(
            "out.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/hostname"/></svg>'
        ),
        f"{ARTICLE_FILE}:14: image: 'figures/out.svg': refers to",
    ),
    # 0-byte, corrupt and enormous images
    "empty-image": (
        image("empty.png", b""),
        f"{ARTICLE_FILE}:14: image: 'figures/empty.png': the file is empty",
    ),
    "corrupt-png": (image("bad.png", _png(20, 20)[:60] + b"\0" * 40), f"{ARTICLE_FILE}:14: image:"),
    "text-as-jpeg": (image("text.jpg", b"this is not a picture\n" * 10), f"{ARTICLE_FILE}:14: image:"),
    "enormous-image": (image("huge.png", _huge_png()), f"{ARTICLE_FILE}:14: image:"),
    "broken-svg": (image("broken.svg", b"<svg><g></svg>"), f"{ARTICLE_FILE}:14: image:"),
    # invalid UTF-8 and control characters
    "latin1-article": (
        lambda issue: (issue / "small.md").write_bytes(ARTICLE.replace("first", "caf\xe9").encode("latin-1")),
        f"{ARTICLE_FILE}:10: not valid UTF-8",
    ),
    "latin1-manifest": (
        write("issue.yaml", b"number: 1\ndate: 2017-02-01\ntheme: caf\xe9\n"),
        f"{MANIFEST}:3",
    ),
    "nul-byte": (
        body("A line with a \0 in it.\n"),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: control character U+0000",
    ),
    # raw HTML and scripts
    "script-block": (
        body("<script>alert(1)</script>\n"),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: body: raw HTML",
    ),
    "inline-html": (
        body('Some <img src="http://127.0.0.1:9/x.png"> text.\n'),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: body: raw HTML",
    ),
    "html-comment": (body("<!-- hidden -->\n"), f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: body: raw HTML"),
    # extremely long words and titles
    "long-word": (body(f"A {LONG_WORD} here.\n"), f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: body: a word of"),
    "long-word-in-title": (
        replace("small.md", "title: A small test article", f"title: {LONG_WORD}"),
        f"{ARTICLE_FILE}:2: title: a word of",
    ),
    "long-title": (
        replace("small.md", "title: A small test article", "title: " + "Very long title " * 30),
        f"{ARTICLE_FILE}:2: title:",
    ),
    "yaml-hashtag-cut-as-comment": (
        replace("small.md", "title: A small test article", "title: Workers #1 enemy is hunger"),
        f"{ARTICLE_FILE}:2: title: the text from '#1 enemy...' on would be read as a comment and left out:"
        ' put the whole value in double quotes: title: "Workers #1 enemy is hunger"',
    ),
    "yaml-value-starts-with-hash": (
        replace("small.md", "title: A small test article", "title: #FeesMustFall now"),
        f"{ARTICLE_FILE}:2: title: a value that starts with # must be put in double quotes",
    ),
    "long-byline-override": (
        replace("issue.yaml", "- file: small.md", f"- file: small.md\n    byline: {LONG_WORD}"),
        f"{MANIFEST}:5: articles[0].byline: a word of",
    ),
    # file names and encodings
    "file-name-with-an-accent": (
        both(write("café.md", ARTICLE), replace("issue.yaml", "file: small.md", "file: café.md")),
        f"{MANIFEST}:4: articles[0].file: 'café.md' cannot be used as a file name: a file name may hold only"
        " letters a-z and A-Z, digits, - (hyphen), _ and ., and starts with a letter or a digit: rename the"
        " file cafe.md and write file: cafe.md",
    ),
    "article-in-utf-16": (
        write("small.md", ARTICLE.encode("utf-16")),
        f"{ARTICLE_FILE}:1: not valid UTF-8 text: it looks like UTF-16: in your editor, save it as UTF-8",
    ),
    "manifest-in-windows-1252": (
        write(
            "issue.yaml",
            "number: 1\ndate: 2017-02-01\ntheme: Café talk\narticles:\n  - file: small.md\n".encode("cp1252"),
        ),
        f"{MANIFEST}:3: not valid UTF-8 text: it looks like Windows-1252 ('é' on this line): in your editor,"
        " save it as UTF-8",
    ),
    # empty articles
    "empty-article-file": (write("small.md", b""), f"{ARTICLE_FILE}:1: must start with front matter"),
    "only-whitespace-body": (
        lambda issue: (issue / "small.md").write_text(ARTICLE[: ARTICLE.index("The first")] + "\n  \n\t\n"),
        f"{ARTICLE_FILE}:9: body: the article has no text",
    ),
    # deeply nested lists, a million characters
    "lists-seven-deep": (
        body("".join("  " * depth + "- item\n" for depth in range(7))),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 8}: body: lists nested more than 6 deep",
    ),
    "lists-hundreds-deep": (
        body("".join("  " * depth + "- x\n" for depth in range(250))),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 8}: body: lists nested more than 6 deep",
    ),
    "million-characters": (
        body("Words and more words. " * 46_000),
        f"{ARTICLE_FILE}:{ARTICLE_LINES + 2}: file is larger than",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch project, built once: every case starts from a copy of it."""
    root = make_scratch(tmp_path_factory.mktemp("corpus"))
    result = run_layout(root, "build", "-j", "1")
    assert result.returncode == 0, result.stderr
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_fails_cleanly_and_keeps_the_last_good_outputs(
    built: Path, tmp_path: Path, name: str
) -> None:
    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    before = _snapshot(project / "build")
    edit, expected = CASES[name]
    edit(project / "issues" / "001")
    result = run_here(project, "build", "-j", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert expected in result.stderr, result.stderr
    assert re.search(r"^issues/\S+:\d+: ", result.stderr, re.MULTILINE), result.stderr  # file and line
    assert _snapshot(project / "build") == before  # no new file, the old ones untouched


def test_the_corpus_covers_enough_cases() -> None:
    assert len(CASES) >= 40
