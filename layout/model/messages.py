"""Plain words for what the YAML parser and pydantic report: what is wrong, where, and what to do.

PyYAML and pydantic speak their own language ("mapping values are not allowed here", "input
should be a valid dictionary or instance of ArticleEntry"). A volunteer editor needs the line
where the mistake was made (not where the parser gave up), the field, and an example of the
right way to write it. ``manifest`` locates every problem; this module only chooses the words.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from .errors import Problem
from .languages import ELEVEN
from .rules import LINK, SITE_URL

LineOf = Callable[[yaml.Mark], int]

# The eleven official languages of South Africa, by their names in English and in the language
# itself, for "lang: afrikaans" -> "did you mean af-ZA?".
LANGUAGE_CODES = {
    "afrikaans": "af-ZA",
    "english": "en-ZA",
    "ndebele": "nr",
    "isindebele": "nr",
    "southern ndebele": "nr",
    "sepedi": "nso",
    "pedi": "nso",
    "northern sotho": "nso",
    "sesotho sa leboa": "nso",
    "swati": "ss",
    "swazi": "ss",
    "siswati": "ss",
    "sesotho": "st",
    "sotho": "st",
    "southern sotho": "st",
    "setswana": "tn",
    "tswana": "tn",
    "xitsonga": "ts",
    "tsonga": "ts",
    "tshivenda": "ve",
    "tshivenḓa": "ve",
    "venda": "ve",
    "isixhosa": "xh",
    "xhosa": "xh",
    "isizulu": "zu-ZA",
    "zulu": "zu-ZA",
}

ARTICLE_FILE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.md$"  # manifest.ArticleFile's pattern

# What each constrained kind of text looks like, by the pattern pydantic reports it failed.
FORMS = {
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "lower-case words joined by hyphens, such as south-africa",
    r"^[a-z]{2,3}(-[A-Z]{2})?$": "a language code such as en-ZA, af-ZA, zu-ZA or xh",
    LINK: "an address starting with https://, http:// or mailto:, such as https://example.org/page",
    SITE_URL: (
        "the site's address, starting with https:// and ending in /, such as https://example.org/archive/"
    ),
    ARTICLE_FILE: "a file name ending in .md, such as statement.md",
    r"^[^@\s]+@[^@\s]+\.[a-z]+$": "an e-mail address such as info@example.org",
    r"^[A-Za-z0-9][A-Za-z0-9-]*$": "letters, digits and hyphens, such as 2017 or nos-20-23",
}

TYPE_NAMES = {
    dict: "a list of fields",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "yes/no",
    type(None): "nothing",
    dt.date: "a date",
}


# --- files -----------------------------------------------------------------------------------

SAVE_AS_UTF8 = "in your editor, save it as UTF-8"


def looks_like_utf16(raw: bytes) -> bool:
    """A file written in UTF-16: its byte-order mark, or a NUL byte beside most letters."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    half = len(raw) // 2
    return half > 0 and max(raw[0::2].count(0), raw[1::2].count(0)) > half * 0.3


def not_utf8(raw: bytes, start: int) -> str:
    """A file that is not UTF-8, with what it seems to be instead; ``start`` is its first bad byte."""
    if looks_like_utf16(raw):
        return f"not valid UTF-8 text: it looks like UTF-16: {SAVE_AS_UTF8}"
    try:
        raw[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            return "not valid UTF-8 text: the file ends in the middle of a letter: it was cut short"
    character = raw[start : start + 1].decode("cp1252", errors="replace")
    if character.isprintable() and character != "\ufffd":
        return (
            f"not valid UTF-8 text: it looks like Windows-1252 ({character!r} on this line): {SAVE_AS_UTF8}"
        )
    return f"not valid UTF-8 text (the byte 0x{raw[start]:02X} on this line): {SAVE_AS_UTF8}"


# --- YAML ------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lower-case letters and digits joined by hyphens: ``Fees_Must_Fall`` -> ``fees-must-fall``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


YAML_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # YAML 1.1's line breaks


def yaml_problem(error: yaml.MarkedYAMLError, text: str, source: str, line_of: LineOf) -> Problem:
    """One YAML syntax error in plain words, on the line where the mistake is."""
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark or error.context_mark
    start = error.context_mark or mark
    lines = YAML_LINE_BREAK.split(text)  # as PyYAML counts its marks' lines and columns

    def at(where: yaml.Mark | None, message: str) -> Problem:
        line = where.line if where else 0
        return Problem(source, line_of(where) if where else None, _key(lines, line), message)

    if problem == "mapping values are not allowed here" and mark:
        return _colon_in_value(lines, mark, source, line_of)
    if "quoted scalar" in context and "end of stream" in problem:
        return at(start, _unclosed_quote(lines, start))
    if "double-quoted scalar" in context:
        return at(mark, BACKSLASH)
    if problem.startswith("found character '\\t'"):
        return at(mark, "a tab cannot be used to indent YAML or to separate a value: use spaces")
    bracket = _open_bracket(text, mark.index) if mark else None
    if bracket or "flow sequence" in context or "flow mapping" in context:
        where = bracket or start
        opening = text[where.index] if where and text[where.index : where.index + 1] in "[{" else "["
        return at(where, _unclosed_bracket(opening))
    reserved = _reserved_character(problem, context, lines, mark)
    if reserved:
        return at(start if "while scanning a" in context else mark, reserved)
    if problem == "sequence entries are not allowed here":
        return at(mark, "a list item ('- ') starts a line of its own, under its field and indented")
    if problem == "could not find expected ':'":
        return at(start, "a field is written as its name, ': ' and its value, such as date: 2017-03-22")
    if problem.startswith(("expected <block end>", "expected '<document start>'")):
        return _misaligned(text, lines, error, source, line_of)
    if problem == "did not find expected key":
        return at(mark, OUT_OF_LINE)
    where = f" (from line {line_of(start)})" if start and mark and start.line != mark.line else ""
    return at(mark, f"the YAML cannot be read here{where}: {problem}")


BACKSLASH = (
    "inside double quotes a backslash starts a code such as \\n: write \\\\ for a backslash,"
    " or put the whole value in single quotes instead"
)
OUT_OF_LINE = (
    "this line is not lined up with the lines above it: the fields of one entry start in the same column"
)
# What the scanner was reading when it failed -> the character that started it.
SCANNING = {"an anchor": "&", "an alias": "*", "a directive": "%", "a tag": "!"}


def _unclosed_bracket(opening: str) -> str:
    if opening == "{":
        rule = "fields in braces are written on one line, such as contact: {phone: 082 000 0000}"
        return f"the {{ opened on this line is never closed with }}: {rule}"
    rule = "a list in brackets is written on one line, such as tags: [syria, imperialism]"
    return f"the [ opened on this line is never closed with ]: {rule}"


def _reserved_character(problem: str, context: str, lines: list[str], mark: yaml.Mark | None) -> str | None:
    """A value that starts with a character YAML reserves for itself: the words that say so."""
    character = next((c for what, c in SCANNING.items() if context.endswith(f"scanning {what}")), None)
    if problem.endswith("cannot start any token") or problem.startswith("expected the node content"):
        character = problem.rsplit("'", 2)[-2]
    elif problem.startswith("found undefined alias"):
        character = "*"
    elif problem.startswith("expected URI"):
        character = "!"
    elif problem == "mapping keys are not allowed here":
        character = "?"
    elif "block scalar" in context and mark:
        character = lines[mark.line].split(":", 1)[-1].strip()[:1] or "|"
    if character is None or mark is None:
        return None
    return _needs_quotes(lines, mark.line, character)


def _key(lines: list[str], line: int) -> str | None:
    """The field named on a line: ``  - title: x`` -> ``title``."""
    match = re.match(r"\s*(?:-\s+)?([^\s:#'\"\[{][^:]*?):(\s|$)", lines[line] if line < len(lines) else "")
    return match.group(1) if match else None


def _value(line: str) -> str:
    """What follows a line's field name: ``title: War: what`` -> ``War: what``."""
    return re.sub(r"^\s*(?:-\s+)?[^\s:#][^:]*?:\s+", "", line, count=1).strip()


def _quoted(key: str | None, value: str) -> str:
    """``key: "value"`` with the value's backslashes and double quotes escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{escaped}"' if key else f'"{escaped}"'


def cut_by_comment(key: str | int | None, value: str, comment: str) -> str:
    """An unquoted value with ' #' in it, which YAML cuts there (the rest is read as a comment).

    ``key`` is the field's name, or a list item's index."""
    whole = f"{value} {comment}".strip()
    example = f"- {_quoted(None, whole)}" if isinstance(key, int) else _quoted(key, whole)
    if not value:
        return (
            "a value that starts with # must be put in double quotes (YAML reads the rest of the line"
            f" as a comment and leaves it out): {example}"
        )
    words = comment.split()
    shown = " ".join(words[:2]) + ("..." if len(words) > 2 else "")
    return (
        f"the text from '{shown}' on would be read as a comment and left out: put the whole value in"
        f" double quotes: {example}"
    )


def _colon_in_value(lines: list[str], mark: yaml.Mark, source: str, line_of: LineOf) -> Problem:
    """': ' inside a value, or a line that continues the one above (indented, or no space after ':')."""
    text = lines[mark.line]
    key = _key(lines, mark.line)
    first_colon = re.match(r"\s*(?:-\s+)?[^:]*", text)
    is_key_colon = key is not None and first_colon is not None and first_colon.end() == mark.column
    if not is_key_colon:
        message = f"a value with ': ' in it must be put in double quotes: {_quoted(key, _value(text))}"
        return Problem(source, line_of(mark), key, message)
    above = next((n for n in range(mark.line - 1, -1, -1) if lines[n].strip()), None)
    glued = re.match(r"\s*(?:-\s+)?([A-Za-z_][\w-]*):(\S.*)$", lines[above]) if above is not None else None
    if glued and not glued.group(2).startswith("//"):
        name, value = glued.groups()
        message = f"put a space after the ':' of the field name: {name}: {value}"
        return Problem(source, line_of(mark) - (mark.line - above), name, message)
    message = (
        "this line is indented more than the line above it: the fields of one entry start in the same column"
    )
    return Problem(source, line_of(mark), key, message)


def _unclosed_quote(lines: list[str], start: yaml.Mark) -> str:
    """A value opened with a quote that nothing closes: often Afrikaans 'n, or an apostrophe."""
    quote = lines[start.line][start.column]
    key = _key(lines, start.line)
    rest = lines[start.line][start.column :]
    message = (
        f"the quote {quote} that starts this value is never closed: a value that starts with ' or \" "
        "must end with the same quote"
    )
    if quote == "'" and re.match(r"'n\b", rest):
        return message + f"; to start with 'n, put the whole value in double quotes: {_quoted(key, rest)}"
    if quote == "'":
        return (
            message
            + f"; to start with an apostrophe, put the whole value in double quotes: {_quoted(key, rest)}"
        )
    return message + f': {key + ": " if key else ""}{rest.rstrip()}"'


def _needs_quotes(lines: list[str], line: int, character: str) -> str:
    """A value starting with a character YAML reserves (@ ` * & ! | > %)."""
    key = _key(lines, line)
    return (
        f"a value cannot start with {character}: put the whole value in double quotes: "
        f"{_quoted(key, _value(lines[line]))}"
    )


def _misaligned(
    text: str, lines: list[str], error: yaml.MarkedYAMLError, source: str, line_of: LineOf
) -> Problem:
    """'expected <block end>': text after a closing quote, or a line or list item out of line."""
    mark = error.problem_mark
    quoted = _quoted_scalar_before(text, mark.index)
    if quoted is not None and quoted.end_mark.line == mark.line:
        begin = quoted.start_mark
        key = _key(lines, begin.line)
        value = text[begin.index :].split("\n")[0].strip()
        if begin.line != mark.line:  # the quote closed lines later: show the value as the editor meant it
            value = lines[begin.line][begin.column :].strip()
        quote = value[0]
        if quote == "'":
            fix = "double quotes: " + _quoted(key, value)
        else:
            fix = "single quotes: " + (f"{key}: " if key else "") + "'" + value.replace("'", "''") + "'"
        closes = "" if begin.line == mark.line else f" (on line {line_of(mark)})"
        message = (
            f"the quote {quote} that starts this value is closed before its end{closes}: a value that "
            f"starts with a quote must end with it; put the whole value in {fix}"
        )
        return Problem(source, line_of(begin), key, message)
    here = lines[mark.line].strip()
    if here.startswith("-") and not here.startswith("- ") and here != "-":
        return Problem(source, line_of(mark), None, "a list item starts with '- ' (a dash and a space)")
    if here.startswith("- ") or here == "-":
        message = (
            "this list item is not lined up with the items above it: every '- ' of one list starts"
            " in the same column"
        )
        return Problem(source, line_of(mark), None, message)
    if problem_found := re.search(r"found '([\]}])'$", error.problem or ""):
        closing = problem_found.group(1)
        opening = "[" if closing == "]" else "{"
        message = f"this {closing} closes no {opening}: remove it"
        return Problem(source, line_of(mark), _key(lines, mark.line), message)
    message = (
        "this line is not lined up with the lines above it: the fields of one entry start in the same column"
    )
    return Problem(source, line_of(mark), _key(lines, mark.line), message)


def _open_bracket(text: str, index: int) -> yaml.Mark | None:
    """Where the [ or { still open at ``index`` was opened, found by scanning the text again."""
    opened: list[yaml.Mark] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= index:
                break
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                opened.append(token.start_mark)
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and opened:
                opened.pop()
    except yaml.YAMLError:
        pass
    return opened[0] if opened else None


def _quoted_scalar_before(text: str, index: int) -> yaml.ScalarToken | None:
    """The last quoted value that ends at or before ``index``, found by scanning the text again."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token if token.style in ("'", '"') else None
    except yaml.YAMLError:
        pass
    return last


# --- pydantic --------------------------------------------------------------------------------

# What each kind of YAML holds, by its model's name: whose fields (the subject of the message after
# its file and line), what they give, and a short example.
SHAPES = {
    "IssueManifest": (
        "",
        "an issue.yaml gives the issue's number, date and articles",
        '"number: 21", "date: 2017-03-22", then "articles:" and a line "  - file: statement.md" for'
        " each article",
    ),
    "FrontMatter": (
        "the front matter ",
        "it gives the article's title and kind at least",
        '"title: On the attempted coup in Turkey" and "kind: analysis"',
    ),
    "Publication": (
        "",
        "publication.yaml gives the publication's name, slug, publisher, publisher_short, language,"
        " contact, statement and subjects",
        '"name: The Spark" and "slug: the-spark"',
    ),
    "VolumesFile": (
        "",
        "volumes.yaml lists the bound volumes",
        '"volumes:" and under it "  - id: 2017", "    title: The Spark, 2017" and "    year: 2017"'
        " (with no volumes, delete the file)",
    ),
}


def not_fields(model: str, given: Any) -> str:
    """A YAML file or front matter that is empty, or is not fields (a list, a line of text)."""
    subject, purpose, example = SHAPES.get(model, ("", "it gives fields", '"name: value"'))
    what = "is empty" if given is None else f"is {TYPE_NAMES.get(type(given), 'a value')}, not fields"
    return f"{subject}{what}: {purpose}, each field written name: value on a line of its own, e.g. {example}"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice the editor probably meant to write for ``word`` (a misspelt field or kind)."""
    return next(iter(difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)), None)


def field_message(error: dict[str, Any], known_fields: tuple[str, ...] = ()) -> str:
    """One pydantic validation error in plain words, with an example of what is expected."""
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    got = TYPE_NAMES.get(type(given), type(given).__name__)
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        close = closest(field, known_fields)
        hint = f": did you mean {close}?" if close else f"; the fields are: {', '.join(known_fields)}"
        return f"is not a known field{hint}" if known_fields else "is not a known field (check the spelling)"
    if kind == "string_type":
        return f"expected text, got {got}"
    if kind.startswith("date"):
        return f"expected a date written YYYY-MM-DD, such as 2017-03-22, got {given!r}"
    if kind == "string_pattern_mismatch":
        return _form_message(given, ctx.get("pattern", ""))
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "literal_error":
        return _choice_message(given, ctx.get("expected", ""))
    if kind in ("too_short", "string_too_short") and given in ("", [], {}, ()):
        return "must not be empty"
    if kind == "string_too_long":
        return f"is {len(given)} characters long; at most {ctx['max_length']} fit"
    if kind == "too_long":
        return f"has {ctx.get('actual_length', len(given))} items; at most {ctx['max_length']} are allowed"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected yes or no (true or false), got {given!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number such as 21, got {given!r}"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']} or more, got {given!r}"
    if kind == "less_than_equal":
        return f"must be {ctx['le']} or less, got {given!r}"
    if kind == "tuple_type":
        return f"expected a list, such as [one, two] or lines starting with '- ', got {got}"
    if kind == "dict_type":
        return f"expected fields written name: value, each on its own line, got {got}"
    if kind == "model_type":
        if ctx.get("class_name") == "ArticleEntry":
            name = given if isinstance(given, str) and given.endswith(".md") else "statement.md"
            return f"each article is written as `- file: name.md`, such as - file: {name}"
        return f"expected fields written name: value, each on its own line, got {got}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}"


def unknown_language(code: str) -> str:
    """A ``lang`` of the right form that is no language's code, with the codes of the eleven."""
    return (
        f"{code!r} is not a language code: the eleven languages are written {', '.join(ELEVEN[:-1])}"
        f" or {ELEVEN[-1]} (each also with -ZA or without it), and another language by its two-letter"
        " ISO 639-1 code, such as fr or sw"
    )


def _form_message(given: Any, pattern: str) -> str:
    if pattern == ARTICLE_FILE and str(given).endswith(".md") and "/" not in str(given):
        return _file_name_message(str(given))
    form = FORMS.get(pattern, "in the expected form")
    message = f"{given!r} is not {form}"
    suggestion = _suggest(given, pattern)
    return f"{message}: did you mean {suggestion}?" if suggestion else message


def _suggest(given: Any, pattern: str) -> str | None:
    """The value the editor probably meant, where one can be guessed."""
    text = str(given).strip()
    if pattern == r"^[a-z]{2,3}(-[A-Z]{2})?$":
        named = LANGUAGE_CODES.get(text.lower())
        if named:
            return named
        parts = re.split(r"[-_ ]", text)
        if (
            len(parts) == 2
            and re.fullmatch(r"[A-Za-z]{2,3}", parts[0])
            and re.fullmatch(r"[A-Za-z]{2}", parts[1])
        ):
            return f"{parts[0].lower()}-{parts[1].upper()}"
        return None
    if pattern == ARTICLE_FILE:
        name = text.rsplit("/", 1)[-1]
        if name != text and re.fullmatch(ARTICLE_FILE, name):
            return f"{name} (the article's file in the issue's folder)"
        name = name if name.lower().endswith(".md") else f"{name}.md"
        return _file_name(name)
    if pattern == r"^[a-z0-9]+(-[a-z0-9]+)*$":
        slug = slugify(text)
        return slug if slug and slug != text else None
    if pattern == r"^[A-Za-z0-9][A-Za-z0-9-]*$":
        name = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
        return name if name and name != text else None
    if pattern == SITE_URL and text and not re.search(r"[\s?#]", text):
        address = text if re.match(r"https?://", text) else f"https://{text}"
        address = address if address.endswith("/") else f"{address}/"
        return address if address != text else None
    return None


def _file_name_message(given: str) -> str:
    """A name ending in .md with characters a file name may not hold (café.md, a b.md)."""
    rule = (
        "a file name may hold only letters a-z and A-Z, digits, - (hyphen), _ and ., and starts with"
        " a letter or a digit"
    )
    suggestion = _file_name(given)
    rename = f": rename the file {suggestion} and write file: {suggestion}" if suggestion else ""
    return f"{given!r} cannot be used as a file name: {rule}{rename}"


def _file_name(name: str) -> str | None:
    """``café.md`` -> ``cafe.md``, ``a b.md`` -> ``a-b.md``: letters without their accents, runs of
    other characters as one hyphen; None when nothing is left of the name."""
    stem = unicodedata.normalize("NFKD", name[: -len(".md")])
    stem = "".join(c for c in stem if not unicodedata.combining(c))
    stem = re.sub(r"[^A-Za-z0-9_.]+", "-", stem).strip("-_.")
    return f"{stem}.md" if stem else None


def _choice_message(given: Any, expected: str) -> str:
    """``kind: statment`` -> 'statment' is not one of: 'statement', ...: did you mean 'statement'?"""
    choices = [choice.strip("'") for choice in re.split(r", | or ", expected)]
    listed = ", ".join(repr(c) if not c.isdigit() else c for c in choices)
    close = closest(str(given), choices)
    hint = f": did you mean {close!r}?" if close and not close.isdigit() else ""
    return f"{given!r} is not one of: {listed}{hint}"
