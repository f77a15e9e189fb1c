"""What an editor reads: each kind of mistake in plain words, every problem of an issue in one run,
and one broken issue never stopping the others."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layout.build.check import check_issue
from layout.build.issues import build_issue
from layout.model.errors import ManifestError
from layout.model.manifest import load_issue, load_publication, read_yaml
from layout.project import Project
from tests.conftest import ARTICLE, ROOT
from tests.test_bad_input import run_here

PUBLICATION = load_publication(ROOT / "issues", ROOT)
MANIFEST = "issues/001/issue.yaml"
ARTICLE_FILE = "issues/001/small.md"


def problems_of(issue_dir: Path, root: Path) -> list[str]:
    """Every problem load_issue reports for the folder, as printed."""
    with pytest.raises(ManifestError) as caught:
        load_issue(issue_dir, PUBLICATION, root)
    return [str(problem) for problem in caught.value.problems]


def yaml_problem(text: str) -> str:
    with pytest.raises(ManifestError) as caught:
        read_yaml(text, "issue.yaml")
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


# --- YAML syntax ------------------------------------------------------------------------------

YAML_CASES = {
    "colon in a value": (
        "title: War: what is it good for\nkind: analysis\n",
        "issue.yaml:1: title: a value with ': ' in it must be put in double quotes:"
        ' title: "War: what is it good for"',
    ),
    "afrikaans 'n": (
        "title: 'n Nuwe begin\nkind: analysis\nlang: af-ZA\n",
        "issue.yaml:1: title: the quote ' that starts this value is never closed: a value that starts"
        " with ' or \" must end with the same quote; to start with 'n, put the whole value in double"
        ' quotes: title: "\'n Nuwe begin"',
    ),
    "quote closed by a later apostrophe": (
        "title: 'n Nuwe begin\nbyline: Die span se 'n ding\n",
        "issue.yaml:1: title: the quote ' that starts this value is closed before its end (on line 2):"
        " a value that starts with a quote must end with it; put the whole value in double quotes:"
        ' title: "\'n Nuwe begin"',
    ),
    "text after a closing quote": (
        'title: "War" and peace\n',
        'issue.yaml:1: title: the quote " that starts this value is closed before its end: a value'
        " that starts with a quote must end with it; put the whole value in single quotes:"
        " title: '\"War\" and peace'",
    ),
    "tab": (
        "number: 1\narticles:\n\t- file: a.md\n",
        "issue.yaml:3: file: a tab cannot be used to indent YAML or to separate a value: use spaces",
    ),
    "unclosed bracket": (
        "number: 1\ntags: [syria, imperialism\nkind: analysis\n",
        "issue.yaml:2: tags: the [ opened on this line is never closed with ]: a list in brackets is"
        " written on one line, such as tags: [syria, imperialism]",
    ),
    "unclosed brace": (
        "contact: {phone: 082\nname: x\n",
        "issue.yaml:1: contact: the { opened on this line is never closed with }: fields in braces are"
        " written on one line, such as contact: {phone: 082 000 0000}",
    ),
    "list item out of line": (
        "articles:\n  - file: a.md\n - file: b.md\n",
        "issue.yaml:3: this list item is not lined up with the items above it: every '- ' of one list"
        " starts in the same column",
    ),
    "list item without its space": (
        "articles:\n  - file: a.md\n  -file: b.md\n",
        "issue.yaml:3: a list item starts with '- ' (a dash and a space)",
    ),
    "field indented too far": (
        "number: 1\n  date: 2017-03-22\n",
        "issue.yaml:2: date: this line is indented more than the line above it: the fields of one entry"
        " start in the same column",
    ),
    "field indented too little": (
        "articles:\n  - file: a.md\n    title: x\n   columns: 1\n",
        "issue.yaml:4: columns: this line is not lined up with the lines above it: the fields of one"
        " entry start in the same column",
    ),
    "no space after the colon": (
        "title:War\nkind: analysis\n",
        "issue.yaml:1: title: put a space after the ':' of the field name: title: War",
    ),
    "no colon": (
        "number: 1\ndate 2017-03-22\ntheme: x\n",
        "issue.yaml:2: a field is written as its name, ': ' and its value, such as date: 2017-03-22",
    ),
    "reserved first character": (
        "byline: @wivp_sa\n",
        "issue.yaml:1: byline: a value cannot start with @: put the whole value in double quotes:"
        ' byline: "@wivp_sa"',
    ),
    "a backslash in double quotes": (
        'title: "C:\\Users"\n',
        "issue.yaml:1: title: inside double quotes a backslash starts a code such as \\n: write \\\\ for a"
        " backslash, or put the whole value in single quotes instead",
    ),
    "stray closing bracket": ("tags: [a, b]]\n", "issue.yaml:1: tags: this ] closes no [: remove it"),
    "a hashtag or a number cut off as a comment": (
        "title: Workers #1 enemy is hunger\nkind: analysis\n",
        "issue.yaml:1: title: the text from '#1 enemy...' on would be read as a comment and left out:"
        ' put the whole value in double quotes: title: "Workers #1 enemy is hunger"',
    ),
    "a list item cut off as a comment": (
        "tags:\n  - fees #2017\n",
        "issue.yaml:2: tags[0]: the text from '#2017' on would be read as a comment and left out:"
        ' put the whole value in double quotes: - "fees #2017"',
    ),
    "a value that starts with #": (
        "byline: WIVP\ntitle: #FeesMustFall now\n",
        "issue.yaml:2: title: a value that starts with # must be put in double quotes (YAML reads the rest"
        ' of the line as a comment and leaves it out): title: "#FeesMustFall now"',
    ),
}


@pytest.mark.parametrize("name", sorted(YAML_CASES))
def test_yaml_mistakes_are_said_in_plain_words_where_they_were_made(name: str) -> None:
    text, expected = YAML_CASES[name]
    assert yaml_problem(text) == expected


def test_a_hash_after_a_space_is_a_comment_and_inside_a_word_or_quotes_is_text() -> None:
    text = 'theme: Syria   # optional\ntitle: "Workers #1"\nbyline: C# and F#\n# a note\n#another\n'
    data, _ = read_yaml(text, "issue.yaml")
    assert data == {"theme": "Syria", "title": "Workers #1", "byline": "C# and F#"}


# --- fields -----------------------------------------------------------------------------------


def scratch_issue(root: Path, articles: str, files: dict[str, str]) -> Path:
    """Issue no 1 in ``root``: its ``articles:`` list as written, and the articles' files."""
    issue = root / "issues" / "001"
    issue.mkdir(parents=True)
    (issue / "issue.yaml").write_text(f"number: 1\ndate: 2017-02-01\narticles:\n{articles}\n")
    for name, text in files.items():
        (issue / name).write_text(text)
    return issue


FIELD_CASES = {
    # what is changed in the article -> the message
    ("lang: en-ZA", "lang: afrikaans"): "7: lang: 'afrikaans' is not a language code such as en-ZA, af-ZA,"
    " zu-ZA or xh: did you mean af-ZA?",
    ("lang: en-ZA", "lang: isiXhosa"): "7: lang: 'isiXhosa' is not a language code such as en-ZA, af-ZA,"
    " zu-ZA or xh: did you mean xh?",
    ("lang: en-ZA", "lang: en_za"): "7: lang: 'en_za' is not a language code such as en-ZA, af-ZA,"
    " zu-ZA or xh: did you mean en-ZA?",
    ("kind: statement", "kind: statment"): "4: kind: 'statment' is not one of: 'statement', 'memorandum',"
    " 'letter', 'review', 'report', 'tribute', 'analysis', 'editorial', 'appeal', 'interview',"
    " 'resolution', 'speech', 'poem': did you mean 'statement'?",
    ("tags: [syria]", "tags: [Middle East]"): "6: tags[0]: 'Middle East' is not lower-case words joined by"
    " hyphens, such as south-africa: did you mean middle-east?",
    ("tags: [syria]", "tags: syria"): "6: tags: expected a list, such as [one, two] or lines starting"
    " with '- ', got text",
    (
        "lang: en-ZA",
        "lang: en-ZA\nsample: maybe",
    ): "8: sample: expected yes or no (true or false), got 'maybe'",
    ("byline: Test Writer", "bylin: Test Writer"): "3: bylin: is not a known field: did you mean byline?",
    ("byline: Test Writer", "colour: red"): "3: colour: is not a known field; the fields are: title,"
    " byline, kind, date, tags, lang, standfirst, pull_quote, sample",
    ("date: 2017-01-02", "date: 2017-02-30"): "5: date: '2017-02-30' is not a date that exists (day is out"
    " of range for month)",
    ("date: 2017-01-02", "date: 2 January 2017"): "5: date: expected a date written YYYY-MM-DD, such as"
    " 2017-03-22, got '2 January 2017'",
    ("title: A small test article", "title: " + "x" * 301): "2: title: is 301 characters long; at most"
    " 300 fit",
}


@pytest.mark.parametrize("change", sorted(FIELD_CASES), ids=lambda change: change[1][:20])
def test_front_matter_fields_say_what_is_expected(tmp_path: Path, change: tuple[str, str]) -> None:
    issue = scratch_issue(tmp_path, "  - file: small.md", {"small.md": ARTICLE.replace(*change)})
    assert problems_of(issue, tmp_path) == [f"{ARTICLE_FILE}:{FIELD_CASES[change]}"]


MANIFEST_CASES = {
    "  - [small.md]": "4: articles[0]: each article is written as `- file: name.md`, such as - file:"
    " statement.md",
    "  - small.md": "4: articles[0]: each article is written as `- file: name.md`, such as - file: small.md",
    "  - file: small": "4: articles[0].file: 'small' is not a file name ending in .md, such as"
    " statement.md: did you mean small.md?",
    "  - file: small.md\n    columns: 3": "5: articles[0].columns: 3 is not one of: 1, 2",
    "  - file: small.md\n    new_page: sometimes": "5: articles[0].new_page: expected yes or no (true or"
    " false), got 'sometimes'",
    "  - file: small.md\n    colums: 1": "5: articles[0].colums: is not a known field: did you mean columns?",
    "  - file: café.md": "4: articles[0].file: 'café.md' cannot be used as a file name: a file name may hold"
    " only letters a-z and A-Z, digits, - (hyphen), _ and ., and starts with a letter or a digit: rename"
    " the file cafe.md and write file: cafe.md",
    "  - file: a b.md": "4: articles[0].file: 'a b.md' cannot be used as a file name: a file name may hold"
    " only letters a-z and A-Z, digits, - (hyphen), _ and ., and starts with a letter or a digit: rename"
    " the file a-b.md and write file: a-b.md",
}


@pytest.mark.parametrize("entry", sorted(MANIFEST_CASES))
def test_issue_fields_say_what_is_expected(tmp_path: Path, entry: str) -> None:
    issue = scratch_issue(tmp_path, entry, {"small.md": ARTICLE})
    assert problems_of(issue, tmp_path) == [f"{MANIFEST}:{MANIFEST_CASES[entry]}"]


def test_issue_numbers_out_of_range_and_in_words(tmp_path: Path) -> None:
    issue = scratch_issue(tmp_path, "  - file: small.md", {"small.md": ARTICLE})
    (issue / "issue.yaml").write_text("number: 0\ndate: 2017-02-01\narticles:\n  - file: small.md\n")
    assert problems_of(issue, tmp_path) == [f"{MANIFEST}:1: number: must be 1 or more, got 0"]
    (issue / "issue.yaml").write_text("number: one\ndate: 2017-02-01\narticles:\n  - file: small.md\n")
    assert problems_of(issue, tmp_path) == [
        f"{MANIFEST}:1: number: expected a whole number such as 21, got 'one'"
    ]


PUBLICATION_CASES = {
    ("slug: the-spark", "slug: The Spark"): "4: slug: 'The Spark' is not lower-case words joined by hyphens,"
    " such as south-africa: did you mean the-spark?",
    ("language: en-ZA", "language: English"): "7: language: 'English' is not a language code such as en-ZA,"
    " af-ZA, zu-ZA or xh: did you mean en-ZA?",
    ("site_url: https://thespark.wivp.org.za/", "site_url: thespark.wivp.org.za"): "11: site_url:"
    " 'thespark.wivp.org.za' is not the site's address, starting with https:// and ending in /, such as"
    " https://example.org/archive/: did you mean https://thespark.wivp.org.za/?",
    (
        'contact:\n  phone: "+27 822020617"\n  phone_label: ph/sms/whatsapp\n  whatsapp: true',
        "contact: 082 202 0617\n",
    ): "13: contact: expected fields written name: value, each on its own line, got text",
    ('  phone: "+27 822020617"\n', '  phone: "+27 822020617"\n  email: wivp\n'): "15: contact.email: 'wivp'"
    " is not an e-mail address such as info@example.org",
    ("  - label: Facebook", "  - lable: Facebook"): "20: social[0].lable: is not a known field: did you"
    " mean label?",
}


@pytest.mark.parametrize("change", sorted(PUBLICATION_CASES), ids=lambda change: change[1][:20])
def test_publication_fields_say_what_is_expected(scratch: Path, change: tuple[str, str]) -> None:
    path = scratch / "issues" / "publication.yaml"
    assert change[0] in path.read_text()
    path.write_text(path.read_text().replace(*change, 1))
    with pytest.raises(ManifestError) as caught:
        load_publication(scratch / "issues", scratch)
    problems = [str(problem) for problem in caught.value.problems]
    assert problems == [f"issues/publication.yaml:{PUBLICATION_CASES[change]}"]


VOLUME_CASES = {
    "nos 1": "3: volumes[0].id: 'nos 1' is not letters, digits and hyphens, such as 2017 or nos-20-23:"
    " did you mean nos-1?",
    "issues: 1": "4: volumes[0].issues: expected a list, such as [one, two] or lines starting with '- ',"
    " got a number",
    "year: 3017": "4: volumes[0].year: must be 2999 or less, got 3017",
}


@pytest.mark.parametrize("mistake", sorted(VOLUME_CASES))
def test_volume_fields_say_what_is_expected(scratch: Path, mistake: str) -> None:
    volume = "volumes:\n  - title: One\n    id: nos-1\n    issues: [1]\n"
    volume = (
        volume.replace("nos-1", mistake) if mistake == "nos 1" else volume.replace("issues: [1]", mistake)
    )
    (scratch / "issues" / "volumes.yaml").write_text(volume)
    result = run_here(scratch, "volume")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"issues/volumes.yaml:{VOLUME_CASES[mistake]}"]


EMPTY_CASES = {
    # the file, what it holds -> the message
    ("issue.yaml", ""): f"{MANIFEST}:1: is empty: an issue.yaml gives the issue's number, date and"
    ' articles, each field written name: value on a line of its own, e.g. "number: 21",'
    ' "date: 2017-03-22", then "articles:" and a line "  - file: statement.md" for each article',
    ("issue.yaml", "- file: small.md\n"): f"{MANIFEST}:1: is a list, not fields: an issue.yaml gives the"
    " issue's number, date and articles, each field written name: value on a line of its own, e.g."
    ' "number: 21", "date: 2017-03-22", then "articles:" and a line "  - file: statement.md" for each'
    " article",
    ("small.md", "---\n---\n\nBody.\n"): f"{ARTICLE_FILE}:2: the front matter is empty: it gives the"
    " article's title and kind at least, each field written name: value on a line of its own, e.g."
    ' "title: On the attempted coup in Turkey" and "kind: analysis"',
}


@pytest.mark.parametrize("case", sorted(EMPTY_CASES), ids=lambda case: f"{case[0]}:{case[1][:8]!r}")
def test_an_empty_file_says_what_it_should_give(tmp_path: Path, case: tuple[str, str]) -> None:
    issue = scratch_issue(tmp_path, "  - file: small.md", {"small.md": ARTICLE})
    (issue / case[0]).write_text(case[1])
    assert problems_of(issue, tmp_path) == [EMPTY_CASES[case]]


def test_an_empty_publication_yaml_says_what_it_should_give(scratch: Path) -> None:
    (scratch / "issues" / "publication.yaml").write_text("# to do\n")
    with pytest.raises(ManifestError) as caught:
        load_publication(scratch / "issues", scratch)
    assert [str(problem) for problem in caught.value.problems] == [
        "issues/publication.yaml:1: is empty: publication.yaml gives the publication's name, slug,"
        " publisher, publisher_short, language, contact, statement and subjects, each field written"
        ' name: value on a line of its own, e.g. "name: The Spark" and "slug: the-spark"'
    ]


# --- byte-order marks, line ends, encodings and names that clash ------------------------------


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"], ids=["windows", "old-mac"])
def test_a_byte_order_mark_and_any_line_ends_are_accepted(scratch: Path, ending: bytes) -> None:
    issue = scratch / "issues" / "001"
    for name in ("small.md", "issue.yaml"):
        (issue / name).write_bytes(b"\xef\xbb\xbf" + (issue / name).read_bytes().replace(b"\n", ending))
    result = run_here(scratch, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No 1: OK (1 article, 14 words)\n"


def test_lines_ending_in_cr_alone_are_counted_one_by_one(scratch: Path) -> None:
    """Problems in a file saved with old-Mac line ends are on the lines the editor sees."""
    small = scratch / "issues" / "001" / "small.md"
    text = ARTICLE.replace("Test Writer", "Test ⟁ Writer") + "\n<b>bold</b>\n"
    small.write_bytes(text.replace("\n", "\r").encode())
    result = run_here(scratch, "check")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{ARTICLE_FILE}:3", *[f"{ARTICLE_FILE}:18"] * 2]
    assert lines[0].startswith(f"{ARTICLE_FILE}:3: byline: the character '⟁' (U+27C1")
    assert lines[1] == f"{ARTICLE_FILE}:18: body: raw HTML is not allowed: '<b>'"
    small.write_bytes(ARTICLE.replace("kind: statement", "kind: statment").replace("\n", "\r").encode())
    assert run_here(scratch, "check").stderr.startswith(f"{ARTICLE_FILE}:4: kind: 'statment' is not one")


NOT_UTF8 = "not valid UTF-8 text: it looks like"
ENCODING_CASES = {
    "utf-16": (ARTICLE.encode("utf-16"), f"1: {NOT_UTF8} UTF-16: in your editor, save it as UTF-8"),
    "utf-16 without a byte-order mark": (
        ARTICLE.encode("utf-16-le"),
        f"1: {NOT_UTF8} UTF-16: in your editor, save it as UTF-8",
    ),
    "windows-1252": (
        ARTICLE.replace("Test Writer", "Test Café").encode("cp1252"),
        f"3: {NOT_UTF8} Windows-1252 ('é' on this line): in your editor, save it as UTF-8",
    ),
    "windows-1252 with old-mac line ends": (
        ARTICLE.replace("The first", "The workers’ first").replace("\n", "\r").encode("cp1252"),
        f"10: {NOT_UTF8} Windows-1252 ('’' on this line): in your editor, save it as UTF-8",
    ),
}


@pytest.mark.parametrize("name", sorted(ENCODING_CASES))
def test_a_file_not_in_utf8_says_what_it_seems_to_be(tmp_path: Path, name: str) -> None:
    data, expected = ENCODING_CASES[name]
    issue = scratch_issue(tmp_path, "  - file: small.md", {})
    (issue / "small.md").write_bytes(data)
    assert problems_of(issue, tmp_path) == [f"{ARTICLE_FILE}:{expected}"]


@pytest.mark.parametrize(
    ("first", "second"), [("fees_must_fall.md", "fees-must-fall.md"), ("Statement.md", "statement.md")]
)
def test_articles_whose_names_make_one_slug_are_refused(tmp_path: Path, first: str, second: str) -> None:
    issue = scratch_issue(
        tmp_path, f"  - file: {first}\n  - file: {second}", {first: ARTICLE, second: ARTICLE}
    )
    slug = Path(second).stem.lower().replace("_", "-")
    expected = (
        f"{MANIFEST}:5: articles[1].file: {second} and {first} (line 4) would share the name {slug!r}"
        " in the PDFs and on the site: rename one"
    )
    assert expected in problems_of(issue, tmp_path)


# --- every problem in one run ------------------------------------------------------------------


def test_every_problem_of_an_issue_is_reported_in_one_run(scratch: Path) -> None:
    """A bad date in issue.yaml, bad front matter and a bad body: all of them, each file in line order."""
    issue = scratch / "issues" / "001"
    (issue / "issue.yaml").write_text(
        "number: 1\ndate: 2017-02-30\narticles:\n"
        "  - file: small.md\n    columns: 3\n  - file: other.md\n  - gone\n"
    )
    (issue / "small.md").write_text(ARTICLE.replace("kind: statement", "kind: statment") + "\n<b>bold</b>\n")
    (issue / "other.md").write_text("---\ntitle: War: peace\n---\n\nSee ![x](figures/gone.png).\n")
    result = run_here(scratch, "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{MANIFEST}:2: date: '2017-02-30' is not a date that exists (day is out of range for month)",
        f"{MANIFEST}:5: articles[0].columns: 3 is not one of: 1, 2",
        f"{MANIFEST}:7: articles[2]: each article is written as `- file: name.md`, such as"
        " - file: statement.md",
        f"{ARTICLE_FILE}:4: kind: 'statment' is not one of: 'statement', 'memorandum', 'letter', 'review',"
        " 'report', 'tribute', 'analysis', 'editorial', 'appeal', 'interview', 'resolution', 'speech',"
        " 'poem': did you mean 'statement'?",
        f"{ARTICLE_FILE}:18: body: raw HTML is not allowed: '<b>'",
        f"{ARTICLE_FILE}:18: body: raw HTML is not allowed: '</b>'",
        "issues/001/other.md:2: title: a value with ': ' in it must be put in double quotes:"
        ' title: "War: peace"',
        "issues/001/other.md:5: image: 'figures/gone.png': image file not found",
    ]


# --- one broken issue never stops the others --------------------------------------------------


def two_issues(root: Path) -> None:
    """Beside the scratch issue no 1, a copy of it as no 2."""
    shutil.copytree(root / "issues" / "001", root / "issues" / "002")
    manifest = root / "issues" / "002" / "issue.yaml"
    manifest.write_text(manifest.read_text().replace("number: 1", "number: 2"))


FAILING_TEXT_STAGE = """\
import layout.build.loading
real = layout.build.loading.article_text
def article_text(article, issue_dir):
    if issue_dir.name == "002":
        raise RuntimeError("the text stage broke")
    return real(article, issue_dir)
layout.build.loading.article_text = article_text
"""


def run_failing(
    project: Path, *args: str, fault: str = FAILING_TEXT_STAGE, debug: bool = False
) -> subprocess.CompletedProcess:
    """The CLI run with ``fault`` (a bug, as a program that patches the package) put in first."""
    program = f"{fault}\nimport sys\nfrom layout.cli import main\nmain(sys.argv[1:], prog_name='layout')\n"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **({"LAYOUT_DEBUG": "1"} if debug else {})}
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


INTERNAL = (
    "issues/002/small.md: internal error while working on this issue: RuntimeError: the text stage broke;"
    " please report it"
)


def test_a_fault_in_one_issue_is_its_problem_and_check_goes_on(scratch: Path) -> None:
    two_issues(scratch)
    result = run_failing(scratch, "check")
    assert result.returncode == 2
    assert result.stdout == "No 1: OK (1 article, 14 words)\n"
    assert result.stderr == INTERNAL + "\n"
    debug = run_failing(scratch, "check", debug=True)
    assert "Traceback" in debug.stderr and "RuntimeError: the text stage broke" in debug.stderr


def test_a_fault_in_one_issue_does_not_stop_the_build_of_the_others(scratch: Path) -> None:
    two_issues(scratch)
    result = run_failing(scratch, "build", "-j", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == INTERNAL + "\n1 of 2 issues failed: issues/002\n"
    assert (scratch / "build" / "issues" / "the-spark-001.pdf").is_file()
    assert not (scratch / "build" / "issues" / "the-spark-002.pdf").exists()


INTERNAL_KEY = (
    "issues/001/issue.yaml: internal error while working on this issue: KeyError: 'typeset'; please report it"
)


def test_build_issue_and_check_issue_turn_any_exception_into_a_problem(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise KeyError("typeset")

    project = Project(root=scratch, out=scratch / "build")
    monkeypatch.chdir(scratch)
    monkeypatch.setattr("layout.build.issues.render_issue", broken)  # after every check, before typesetting
    result = build_issue(project, scratch / "issues" / "001")
    assert [str(p) for p in result.problems] == [INTERNAL_KEY]
    monkeypatch.setattr("layout.build.check.load", broken)
    checked = check_issue(project, scratch / "issues" / "001")
    assert [str(p) for p in checked.problems] == [INTERNAL_KEY]


def test_a_bad_issue_stops_only_the_volumes_that_bind_it(scratch: Path) -> None:
    two_issues(scratch)
    (scratch / "issues" / "volumes.yaml").write_text(
        "volumes:\n  - id: one\n    title: The first\n    issues: [1]\n"
        "  - id: two\n    title: The second\n    issues: [2]\n"
    )
    broken = scratch / "issues" / "002" / "small.md"
    broken.write_text(broken.read_text().replace("kind: statement", "kind: statment"))
    result = run_here(scratch, "volume", "-j", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("issues/002/small.md:4: kind: 'statment' is not one of:")
    assert lines[1:] == ["issues/volumes.yaml: two: not bound: issue 2 has problems (listed above)"]
    assert "Volume one: " in result.stdout
    assert (scratch / "build" / "volumes" / "the-spark-one.pdf").is_file()
    assert not (scratch / "build" / "volumes" / "the-spark-two.pdf").exists()


def test_a_fault_outside_any_issue_is_one_line_and_exit_status_2(scratch: Path) -> None:
    fault = "import layout.build.check\ndef broken(*args, **options):\n    raise ValueError('no')\n"
    result = run_failing(scratch, "check", fault=fault + "layout.build.check.check_issues = broken\n")
    assert result.returncode == 2
    assert result.stderr == "layout check: internal error while running: ValueError: no; please report it\n"


def test_a_bad_issue_stops_none_of_the_others_pdfs_and_no_site_is_half_written(scratch: Path) -> None:
    two_issues(scratch)
    (scratch / "issues" / "volumes.yaml").write_text(
        "volumes:\n  - id: one\n    title: The first\n    issues: [1]\n"
        "  - id: two\n    title: The second\n    issues: [2]\n"
    )
    broken = scratch / "issues" / "002" / "small.md"
    broken.write_text(broken.read_text().replace("a footnote.[^1]", "a footnote.[^1] and [^9]"))
    result = run_here(scratch, "site", "-j", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "issues/002/small.md:10: footnote: [^9] calls a footnote that is not written:"
        " add a line '[^9]: the note'",
        "issues/volumes.yaml: two: not bound: issue 2 has problems (listed above)",
    ]  # each problem once, though the issue's booklet, leaflets and volume all needed it
    built = scratch / "build"
    good = ("issues/the-spark-001.pdf", "leaflets/the-spark-001-small-a5.pdf", "volumes/the-spark-one.pdf")
    for pdf in good:
        assert (built / pdf).is_file(), pdf
    assert not (built / "site").exists()


def test_two_folders_with_one_number_are_refused_and_the_other_issues_build(scratch: Path) -> None:
    two_issues(scratch)
    shutil.copytree(scratch / "issues" / "001", scratch / "issues" / "extra")
    for command in ("check", "build"):
        result = run_here(scratch, command, "-j", "1") if command == "build" else run_here(scratch, command)
        assert result.returncode == 2 and "Traceback" not in result.stderr, command
        said = result.stdout + result.stderr
        assert "issues/001/issue.yaml:1: number: issue 1 is also issues/extra: give each issue" in said
        assert "issues/extra/issue.yaml:1: number: issue 1 is also issues/001: give each issue" in said
    assert (scratch / "build" / "issues" / "the-spark-002.pdf").is_file()
    assert not (scratch / "build" / "issues" / "the-spark-001.pdf").exists()


WIDE_TABLE = (
    "| Province | "
    + " | ".join(f"Q{n}" for n in range(1, 10))
    + " |\n|---|"
    + "---:|" * 9
    + "\n"
    + "".join(
        f"| Gauteng{row} | " + " | ".join(f"R {row} {n}50 000,00" for n in range(1, 10)) + " |\n"
        for row in range(4)
    )
)


def test_an_article_too_wide_for_a_leaflet_leaves_it_out_of_the_site_and_says_so(scratch: Path) -> None:
    (scratch / "issues" / "volumes.yaml").write_text(
        "volumes:\n  - id: one\n    title: The first\n    issues: [1]\n"
    )
    small = scratch / "issues" / "001" / "small.md"
    small.write_text(small.read_text() + "\n" + WIDE_TABLE)  # fits the issue's page, not an A5 leaflet
    assert run_here(scratch, "build", "-j", "1").returncode == 0
    result = run_here(scratch, "site", "-j", "1")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert re.search(
        r"^issues/001/small\.md:\d+: body: this table has 10 columns .*"
        r"\(the site offers no leaflet of this article\)$",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    page = (scratch / "build" / "site" / "issues" / "001" / "index.html").read_text()
    assert "the-spark-001.pdf" in page and "A5 leaflet" not in page
    assert not list((scratch / "build" / "site" / "pdf" / "leaflets").glob("*.pdf"))


# --- volumes.yaml is optional -----------------------------------------------------------------


def test_without_volumes_yaml_there_is_nothing_to_bind(scratch: Path) -> None:
    result = run_here(scratch, "volume")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "no volumes.yaml: there is nothing to bind\n",
        "",
    )
    assert not (scratch / "build" / "volumes").exists()
    result = run_here(scratch, "volume", "2017")
    assert result.returncode == 2
    assert result.stderr == "issues/volumes.yaml: file not found: there is no volume '2017' to bind\n"


def test_the_site_is_made_without_volumes_yaml(scratch: Path) -> None:
    result = run_here(scratch, "site", "-j", "1")
    assert result.returncode == 0, result.stderr
    index = (scratch / "build" / "site" / "index.html").read_text()
    assert 'href="issues/001/index.html"' in index
    assert "volume" not in index.lower()
    assert not (scratch / "build" / "volumes").exists()


def test_an_issue_with_a_bad_value_stops_only_the_volume_that_binds_it(scratch: Path) -> None:
    two_issues(scratch)
    (scratch / "issues" / "volumes.yaml").write_text(
        "volumes:\n  - id: one\n    title: The first\n    issues: [1]\n"
        "  - id: two\n    title: The second\n    issues: [2]\n"
    )
    manifest = scratch / "issues" / "002" / "issue.yaml"
    manifest.write_text(manifest.read_text().replace("2017-02-01", "2017-02-30"))  # no such day
    result = run_here(scratch, "volume", "-j", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "there is no issue 2" not in result.stderr  # its number is read, though its date is not
    assert "issues/volumes.yaml: two: not bound: issue 2 has problems (listed above)" in result.stderr
    assert (scratch / "build" / "volumes" / "the-spark-one.pdf").is_file()


def test_an_article_may_be_dated_on_its_issues_day_but_not_after_it(tmp_path: Path) -> None:
    on_the_day = ARTICLE.replace("date: 2017-01-02", "date: 2017-02-01")  # the issue's own date
    issue = scratch_issue(tmp_path / "on", "  - file: small.md", {"small.md": on_the_day})
    assert str(load_issue(issue, PUBLICATION, tmp_path / "on").articles[0].date) == "2017-02-01"
    day_after = ARTICLE.replace("date: 2017-01-02", "date: 2017-02-02")
    issue = scratch_issue(tmp_path / "after", "  - file: small.md", {"small.md": day_after})
    assert problems_of(issue, tmp_path / "after") == [
        f"{ARTICLE_FILE}:5: date: 2017-02-02 is after the issue's date 2017-02-01"
    ]


def test_a_tag_that_is_not_a_listed_subject_is_refused_at_its_place_in_the_list(tmp_path: Path) -> None:
    tagged = ARTICLE.replace("tags: [syria]", "tags: [syria, labour, syira]")
    issue = scratch_issue(tmp_path, "  - file: small.md", {"small.md": tagged})
    assert problems_of(issue, tmp_path) == [
        f"{ARTICLE_FILE}:6: tags[2]: 'syira' is not a subject listed in publication.yaml"
    ]


def test_a_bad_front_matter_still_has_its_body_checked_and_the_issues_overrides_hide_nothing(
    tmp_path: Path,
) -> None:
    from layout.text.markdown import article_text

    def check_body(article):  # as the build checks bodies: the text stage's problems, returned
        try:
            article_text(article, issue)
        except ManifestError as error:
            return error.problems
        return []

    front = "---\ntitle: " + "x" * 301 + "\nkind: statment\n---\n"
    entries = "  - file: small.md\n    title: The issue's own title\n    byline: The editors"
    issue = scratch_issue(tmp_path, entries, {"small.md": front + "Fine.\n\nA sign ⟁ here.\n"})
    with pytest.raises(ManifestError) as caught:
        load_issue(issue, PUBLICATION, tmp_path, check_body)
    problems = [str(problem) for problem in caught.value.problems]
    assert [problem.split(": ")[:2] for problem in problems] == [
        [f"{ARTICLE_FILE}:2", "title"],
        [f"{ARTICLE_FILE}:3", "kind"],
        [f"{ARTICLE_FILE}:7", "body"],
    ]
