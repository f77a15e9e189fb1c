"""Stage 1: YAML manifests and Markdown front matter into a validated, frozen model.

Every value keeps the line it came from until validation is over, so each problem is
reported as ``file:line: field: message``. All problems of an issue are collected and
raised together as one :class:`ManifestError`; nothing downstream validates again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import stat
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from .errors import ManifestError, Problem, in_file_order
from .languages import is_language
from .messages import (
    ARTICLE_FILE,
    closest,
    cut_by_comment,
    field_message,
    looks_like_utf16,
    not_fields,
    not_utf8,
    slugify,
    unknown_language,
    yaml_problem,
)
from .rules import LINK, SITE_URL, long_word

KINDS = (
    "statement",
    "memorandum",
    "letter",
    "review",
    "report",
    "tribute",
    "analysis",
    "editorial",
    "appeal",
    "interview",
    "resolution",
    "speech",
    "poem",
)
MAX_ARTICLE_BYTES = 300_000  # about 45,000 words: far beyond any article in 16 pages
MAX_YAML_DEPTH = 20  # our manifests nest three levels; far deeper is a mistake or an attack
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def settable(text: str) -> str:
    """Refuse a word too long to set on any line we print (it would run off the page)."""
    problem = long_word(text.split())
    if problem:
        raise ValueError(problem)
    return text


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(settable)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(settable)
]


def known_language(code: str) -> str:
    """Refuse a code of the right form that names no language, such as ``xx`` or ``abc-ZA``."""
    if not is_language(code):
        raise ValueError(unknown_language(code))
    return code


Language = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$"), AfterValidator(known_language)
]
Url = Annotated[str, StringConstraints(pattern=LINK)]
SiteUrl = Annotated[str, StringConstraints(pattern=SITE_URL)]
ArticleFile = Annotated[str, StringConstraints(pattern=ARTICLE_FILE)]


class Model(BaseModel):
    """Frozen, strict about unknown fields, lenient about numbers written where text is due.

    Attribute docstrings become the field descriptions of the JSON Schemas (``layout schema``).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", coerce_numbers_to_str=True, use_attribute_docstrings=True
    )


class Link(Model):
    """A labelled line: a social account, or a Get involved item with its text."""

    label: Text
    """What is printed in bold, e.g. 'Join WIVP'."""
    url: Url | None = None
    """An http(s):// or mailto: address."""
    text: LongText | None = None
    """A sentence or two printed under the label."""


class Contact(Model):
    """How readers reach the publisher."""

    phone: Text | None = None
    """The number as printed, e.g. '+27 822020617'."""
    phone_label: Text = "ph/sms/whatsapp"
    """What the number takes: printed before it."""
    whatsapp: bool = False
    """Whether the number takes WhatsApp messages: the site then links it to WhatsApp (wa.me)."""
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]+$")] | None = None
    """An e-mail address; without one no 'email us at' is printed."""


class Publication(Model):
    """``issues/publication.yaml``: what every issue shares."""

    name: Text
    """The publication's name as printed on the masthead."""
    slug: Slug
    """Lower-case words joined by hyphens: the start of every output file's name."""
    publisher: Text
    """The publisher's full name."""
    publisher_short: Text
    """The publisher's short name or initials."""
    language: Language
    """The language of articles that do not name theirs, e.g. en-ZA: sets hyphenation."""
    style: Slug = "spark"
    """The house style: a folder under styles/."""
    contact: Contact
    """Phone and e-mail printed on the back page."""
    social: tuple[Link, ...] = ()
    """Social media accounts printed on the back page."""
    get_involved: tuple[Link, ...] = ()
    """The items of the back page's Get involved box."""
    statement: LongText
    """The statement printed at the foot of the back page."""
    subjects: dict[Slug, Text] = Field(min_length=1)
    """The tags articles may carry (lower-case-with-hyphens) and the names printed for them."""
    site_url: SiteUrl | None = None
    """Where the archive site is published, ending in /: the base of the feed's and sitemap's addresses."""


class ArticleEntry(Model):
    """One line of an issue's ``articles:`` list, with its per-article overrides."""

    file: ArticleFile
    """The article's Markdown file, in the issue's folder."""
    title: Text | None = None
    """A title for this issue instead of the article's own."""
    byline: Text | None = None
    """A byline for this issue instead of the article's own."""
    columns: Literal[1, 2] | None = None
    """Set the article in 1 or 2 columns (default 2)."""
    new_page: bool = False
    """Start the article on a new page."""


class IssueManifest(Model):
    """An issue's ``issue.yaml``: its number, date, theme and the ordered list of its articles."""

    number: Annotated[int, Field(ge=1, le=9999)]
    """The issue's number: the same as its folder's name (issues/021 holds no 21)."""
    date: dt.date
    """The date printed on the masthead, written YYYY-MM-DD."""
    theme: Text | None = None
    """A line printed after the date on the masthead."""
    style: Slug | None = None
    """A house style for this issue instead of the publication's."""
    articles: tuple[ArticleEntry, ...] = Field(min_length=1)
    """The articles in the order they are printed."""


class FrontMatter(Model):
    """An article's front matter: the YAML between the two '---' lines at its top."""

    title: Text
    """The article's title."""
    byline: Text | None = None
    """Who wrote it, printed under the title."""
    kind: Literal[KINDS]  # type: ignore[valid-type]
    """What sort of text it is: printed above the title."""
    date: dt.date | None = None
    """When it was first written or issued, YYYY-MM-DD: not after the issue's date."""
    tags: tuple[Slug, ...] = ()
    """Its subjects: names listed under subjects in publication.yaml."""
    lang: Language | None = None
    """Its language if not the publication's, e.g. af-ZA: sets hyphenation."""
    standfirst: LongText | None = None
    """One or two sentences printed under the title."""
    pull_quote: LongText | None = None
    """A sentence set large inside the article."""
    sample: bool = False
    """Marks sample text written for this project, not a real article."""


@functools.cache
def wording_fields(model: type[Model]) -> tuple[str, ...]:
    """The fields of ``model`` that hold words to print, those declared Text or LongText (checked as
    settable): the ones given curly quotes and dashes, and checked against the fonts."""

    def holds_words(annotation: Any) -> bool:  # Text, or the Text inside ``Text | None``
        metadata = getattr(annotation, "__metadata__", ())
        return _settable(metadata) or any(map(holds_words, typing.get_args(annotation)))

    fields = model.model_fields.items()
    return tuple(name for name, field in fields if _settable(field.metadata) or holds_words(field.annotation))


def _settable(metadata: Any) -> bool:
    return any(getattr(item, "func", None) is settable for item in metadata)


class Article(FrontMatter):
    """An article ready for the text stage: every field of its front matter, as this issue prints
    it (the issue's title and byline where it gives them, the publication's language where the
    article names none), with its place in the issue and its body.

    Declared as the front matter and more, so that a field added to :class:`FrontMatter` is carried
    whole to everything that takes an article, without being declared or copied again."""

    lang: Language  # type: ignore[assignment]  # never None: the publication's where the article names none
    slug: Slug
    source: str
    position: int
    columns: int
    new_page: bool
    body: str
    body_line: int


class Issue(Model):
    """One issue of the publication, every article loaded and checked."""

    number: int
    date: dt.date
    theme: str | None
    style: str
    folder: str
    articles: tuple[Article, ...]


class VolumeEntry(Model):
    """One volume of ``issues/volumes.yaml``: the issues it binds, by number or by year."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")]
    """Letters, digits and hyphens: the end of the volume's file name."""
    title: Text
    """The title printed on the volume's title page."""
    issues: tuple[Annotated[int, Field(ge=1)], ...] | None = None
    """The numbers of the issues it binds (give either issues or year)."""
    year: Annotated[int, Field(ge=1900, le=2999)] | None = None
    """Bind every issue dated in this year (give either issues or year)."""


class VolumesFile(Model):
    """``issues/volumes.yaml``: the bound volumes."""

    volumes: tuple[VolumeEntry, ...] = Field(min_length=1)
    """The volumes, each binding issues by number or by year."""


class Volume(Model):
    """A bound volume: its id, title and the issue numbers it binds, in order."""

    id: str
    title: str
    numbers: tuple[int, ...]


# --- YAML with line numbers -------------------------------------------------------

Lines = dict[tuple[Any, ...], int]


def read_yaml(text: str, source: str, first_line: int = 1) -> tuple[Any, Lines]:
    """Parse one YAML document; return its data and the line of every key and item."""
    data, lines, problems = parse_yaml(text, source, first_line)
    if problems:
        raise ManifestError(problems)
    return data, lines


def parse_yaml(text: str, source: str, first_line: int = 1) -> tuple[Any, Lines, list[Problem]]:
    """Parse one YAML document: its data, the line of every key and item, and the problems of
    single values (aliases, keys given twice, values that cannot be read), which are left as None
    so that the rest can still be checked. A syntax error raises ManifestError."""
    try:
        loader = yaml.SafeLoader(text)  # checks every character before parsing
    except yaml.reader.ReaderError as error:  # one YAML does not allow, such as U+0080
        line = first_line + text.count("\n", 0, error.position)
        message = f"the invisible character U+{error.character:04X} cannot be used in YAML: delete it"
        raise ManifestError(Problem(source, line, None, message)) from None

    def line_of(mark: yaml.Mark) -> int:  # counted by "\n" alone, as editors do (YAML also counts U+0085)
        return first_line + text.count("\n", 0, mark.index)

    try:
        node = loader.get_single_node()
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ManifestError(Problem(source, first_line, None, "YAML nested too deeply to read")) from None
    except yaml.MarkedYAMLError as error:
        raise ManifestError(yaml_problem(error, text, source, line_of)) from None
    finally:
        loader.dispose()
    if node is None:
        return None, {(): first_line}, []
    builder = _Builder(loader, text, source, line_of)
    data = builder.construct(node, ())
    return data, builder.lines, builder.problems


@dataclasses.dataclass
class _Builder:
    """Plain data from YAML nodes, recording the line of every key and item, and the problems of
    single values: aliases (refused: no bombs), nesting too deep, keys given twice, values cut by
    a '#' that YAML takes for a comment, values that cannot be read."""

    loader: yaml.SafeLoader
    text: str
    source: str
    line_of: Callable[[yaml.Mark], int]
    lines: Lines = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    seen: set[int] = dataclasses.field(default_factory=set)

    def construct(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        """The data of ``node`` at ``path``; None for a value that is refused (and reported)."""
        line = self.lines[path] = self.line_of(node.start_mark)
        if id(node) in self.seen:
            return self._refuse(line, path, "YAML aliases are not allowed")
        self.seen.add(id(node))
        if len(path) > MAX_YAML_DEPTH and isinstance(node, yaml.CollectionNode):
            return self._refuse(line, path, f"nested more than {MAX_YAML_DEPTH} deep")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                if key in result:
                    self._refuse(self.line_of(key_node.start_mark), (*path, key), "appears twice")
                result[key] = self.construct(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.construct(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: tuple[Any, ...]) -> Any:
        line = self.lines[path]
        comment = self._comment_after(node)
        if comment:
            message = cut_by_comment(path[-1] if path else None, node.value, comment)
            return self._refuse(self.line_of(node.end_mark), path, message)
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as error:  # a timestamp such as 2017-02-30
            what = "a date that exists" if node.tag.endswith(":timestamp") else "a value that can be read"
            return self._refuse(line, path, f"{node.value!r} is not {what} ({error})")
        except yaml.constructor.ConstructorError:  # a tag such as !x
            message = f"a value cannot start with {node.tag[:1]}: put the whole value in double quotes"
            return self._refuse(line, path, message)

    def _comment_after(self, node: yaml.ScalarNode) -> str | None:
        """What YAML cut from an unquoted value as a comment: a '#' right before a letter or digit
        (#1, #FeesMustFall) is text the editor meant; '# optional', with its space, is a comment."""
        if node.style is not None:  # quoted or a block (| >): a '#' in it is text
            return None
        rest = self.text[node.end_mark.index :].split("\n", 1)[0]
        return rest.strip() if re.match(r"[ \t]+#[^\W_]", rest) else None

    def _refuse(self, line: int, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(self.source, line, _field(path), message))
        return None


def _field(path: tuple[Any, ...]) -> str | None:
    """``('articles', 2, 'byline')`` -> ``articles[2].byline``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or None


# --- validation --------------------------------------------------------------------


def validate(model: type[Model], data: Any, lines: Lines, source: str) -> tuple[Any, list[Problem]]:
    """Validate ``data`` against ``model``; turn pydantic's errors into located problems."""
    if not isinstance(data, dict):
        return None, [Problem(source, lines.get((), 1), None, not_fields(model.__name__, data))]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        errors = error.errors()
    locations = [tuple(err["loc"]) for err in errors]
    misspelt = {
        (*loc[:-1], closest(str(loc[-1]), _fields_at(model, loc[:-1])))
        for err, loc in zip(errors, locations, strict=True)
        if err["type"] == "extra_forbidden"
    }
    problems = []
    for err, loc in zip(errors, locations, strict=True):
        if err["type"] == "too_short" and any(other[: len(loc)] == loc != other for other in locations):
            continue  # pydantic's "at least 1 item after validation": the items' own errors say why
        if err["type"] == "missing" and loc in misspelt:
            continue  # "lable: did you mean label?" says it; "label: is required" would say it twice
        message = field_message(err, _fields_at(model, loc[:-1]))
        problems.append(Problem(source, _line_of(loc, lines), _field(loc), message))
    return None, sorted(problems, key=lambda problem: problem.line or 0)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The field names of the model found at ``loc`` inside ``model`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = current.model_fields.get(part)
        current = _model_in(field.annotation) if field else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return tuple(current.model_fields)
    return ()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``tuple[Link, ...] | None`` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (_model_in(arg) for arg in typing.get_args(annotation))), None)


def _line_of(loc: tuple[Any, ...], lines: Lines) -> int:
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc, 1)


# --- files ---------------------------------------------------------------------------


def read_text(path: Path, display: str, limit: int = MAX_ARTICLE_BYTES) -> str:
    """Read a UTF-8 file, reporting a missing file, a huge one, a bad byte or a control character by line.

    Lines may end in \\r\\n (Windows) or \\r alone (old Macs): they are read as \\n, one line each."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device would hang or never end
            raise ManifestError(Problem(display, None, None, "not a regular file"))
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise ManifestError(Problem(display, None, None, "file not found")) from None
    except (IsADirectoryError, PermissionError) as error:
        raise ManifestError(Problem(display, None, None, f"cannot read: {error.strerror}")) from None
    if len(raw) > limit:
        message = f"file is larger than {limit:,} bytes (from this line on)"
        raise ManifestError(Problem(display, _line_at(raw, limit), None, message))
    if looks_like_utf16(raw):  # UTF-16 of plain letters is valid UTF-8, with a NUL after each letter
        raise ManifestError(Problem(display, 1, None, not_utf8(raw, 0)))
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # Windows Notepad starts files with a BOM
    except UnicodeDecodeError as error:
        raise ManifestError(
            Problem(display, _line_at(raw, error.start), None, not_utf8(raw, error.start))
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL_CHARACTER.search(text)
    if control:
        message = f"control character U+{ord(control.group()):04X} is not allowed"
        raise ManifestError(Problem(display, _line_at(text, control.start()), None, message))
    return text


def _line_at(data: bytes | str, index: int) -> int:
    """The line ``index`` is on, counting \\r\\n, \\r and \\n as line ends, as editors do."""
    head = data[:index]
    if isinstance(head, bytes):
        head = head.decode("latin-1")  # one character a byte: only the line ends are counted
    return head.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def load_yaml_model(path: Path, model: type[Model], display: str) -> tuple[Any, Lines]:
    """Read, parse and validate one YAML file into ``model``."""
    result, _, lines, problems = parse_model(model, read_text(path, display), display)
    if problems:
        raise ManifestError(problems)
    return result, lines


def parse_model(
    model: type[Model], text: str, display: str, first_line: int = 1
) -> tuple[Any, Any, Lines, list[Problem]]:
    """Parse and validate YAML text: the model (None when invalid), the data as read, its lines,
    and every problem, each value's once (a value YAML cannot read is not reported again as missing)."""
    data, lines, problems = parse_yaml(text, display, first_line)
    result, invalid = validate(model, data, lines, display)
    reported = {(problem.line, problem.field) for problem in problems}
    problems += [problem for problem in invalid if (problem.line, problem.field) not in reported]
    return (None if problems else result), data, lines, sorted(problems, key=lambda p: p.line or 0)


_PUBLICATIONS: dict[tuple, Publication] = {}  # read once while the file stays as it was


def load_publication(issues_root: Path, display_root: Path | None = None) -> Publication:
    """Load ``issues/publication.yaml`` (parsed again only when its size or time changes: a site
    build of 200 issues asked for it 600 times, 8 s of YAML)."""
    path = issues_root / "publication.yaml"
    try:
        status = path.stat()
        key = (str(path), str(display_root), status.st_size, status.st_mtime_ns, status.st_ino)
    except OSError:
        key = None  # load_yaml_model says what is wrong
    if key in _PUBLICATIONS:
        return _PUBLICATIONS[key]
    publication, _ = load_yaml_model(path, Publication, display_path(path, display_root))
    if key:
        _PUBLICATIONS.clear()
        _PUBLICATIONS[key] = publication
    return publication


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)


def split_front_matter(text: str, display: str) -> tuple[str, str, int]:
    """Split an article into its YAML front matter and its body; return the body's first line."""
    match = FRONT_MATTER.match(text)
    if not match:
        raise ManifestError(Problem(display, 1, None, "must start with front matter between two '---' lines"))
    body_line = text.count("\n", 0, match.end()) + 1
    return match.group(1), text[match.end() :], body_line


BodyCheck = Callable[[Article], list[Problem]]


def article_slug(file: str) -> str:
    """The name an article goes by in anchors, ids, leaflets and the site: ``Fees_Must_Fall.md`` ->
    ``fees-must-fall``."""
    return slugify(Path(file).stem)


def load_issue(
    issue_dir: Path,
    publication: Publication,
    display_root: Path | None = None,
    check_body: BodyCheck | None = None,
) -> Issue:
    """Load an issue folder: its ``issue.yaml`` and every article it lists.

    Every problem that can be found is found in one run: when ``issue.yaml`` has a bad field,
    the articles whose entries can still be read are loaded and checked too, and when an
    article's front matter is bad, ``check_body`` (the text stage's checks) still runs on its body.
    """
    manifest_path = issue_dir / "issue.yaml"
    display = display_path(manifest_path, display_root)
    manifest, data, lines, problems = parse_model(IssueManifest, read_text(manifest_path, display), display)
    if manifest is not None and issue_dir.name.isdigit() and int(issue_dir.name) != manifest.number:
        message = f"is {manifest.number} but the folder is named {issue_dir.name}"
        problems.append(Problem(display, lines[("number",)], "number", message))
    raw = data if isinstance(data, dict) else {}
    entries = list(enumerate(manifest.articles)) if manifest else _readable_entries(raw.get("articles"))
    issue_date = manifest.date if manifest else _readable(dt.date, raw.get("date"))
    articles, article_problems = [], []
    files: dict[str, int] = {}
    slugs: dict[str, ArticleEntry] = {}
    for position, entry in entries:
        where, field = lines[("articles", position)], f"articles[{position}].file"
        if entry.file in files:
            problems.append(Problem(display, where, field, f"{entry.file} is listed twice"))
            continue
        files[entry.file] = where
        if not (issue_dir / entry.file).resolve().is_relative_to(issue_dir.resolve()):
            problems.append(Problem(display, where, field, f"{entry.file} leads outside its folder"))
            continue
        if not (issue_dir / entry.file).is_file():
            folder = display_path(issue_dir, display_root)
            problems.append(Problem(display, where, field, f"{entry.file} does not exist in {folder}"))
            continue
        slug = article_slug(entry.file)
        if slug in slugs:  # texts, anchors and leaflets go by the slug: the second would replace the first
            first = slugs[slug].file
            message = (
                f"{entry.file} and {first} (line {files[first]}) would share the name {slug!r} in the PDFs"
                " and on the site: rename one"
            )
            problems.append(Problem(display, where, field, message))
        slugs.setdefault(slug, entry)
        try:
            article = _load_article(
                issue_dir, entry, position, issue_date, publication, display_root, check_body
            )
            articles.append(article)
        except ManifestError as error:
            article_problems.extend(error.problems)
    if problems or article_problems or manifest is None:
        raise ManifestError(in_file_order(problems + article_problems))
    return Issue(
        number=manifest.number,
        date=manifest.date,
        theme=manifest.theme,
        style=manifest.style or publication.style,
        folder=display_path(issue_dir, display_root),
        articles=tuple(articles),
    )


def _readable_entries(items: Any) -> list[tuple[int, ArticleEntry]]:
    """The article entries of an invalid ``issue.yaml`` that still name a usable file."""
    entries = []
    for position, item in enumerate(items if isinstance(items, list) else []):
        file = _readable(ArticleFile, item.get("file") if isinstance(item, dict) else None)
        if file is not None:  # its overrides may be bad (and reported): the article is checked without them
            entries.append(
                (position, _readable(ArticleEntry, item) or ArticleEntry.model_construct(file=file))
            )
    return entries


def _readable(kind: Any, value: Any) -> Any:
    """``value`` validated as ``kind``, or None when it is not one."""
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return None


def _load_article(
    issue_dir: Path,
    entry: ArticleEntry,
    position: int,
    issue_date: dt.date | None,
    publication: Publication,
    display_root: Path | None,
    check_body: BodyCheck | None,
) -> Article:
    path = issue_dir / entry.file
    display = display_path(path, display_root)
    text = read_text(path, display)
    front_text, body, body_line = split_front_matter(text, display)
    try:
        front, _, lines, problems = parse_model(FrontMatter, front_text, display, first_line=2)
    except ManifestError as error:  # unreadable front matter: the body can still be checked
        front, problems = None, list(error.problems)
    if front is not None:
        problems += _check_front(front, lines, display, issue_date, publication)
    fields = {
        "slug": article_slug(entry.file),
        "source": display,
        "position": position + 1,
        "columns": entry.columns or 2,
        "new_page": entry.new_page,
        "body": body,
        "body_line": body_line,
    }
    if front is None:  # a stand-in with what the body checks need, never typeset (problems are raised)
        article = Article.model_construct(
            **fields, title=entry.title or "", kind="", lang=publication.language
        )
    else:
        article = Article(**fields, **dict(_in_issue(front, entry, publication)))
    if not body.strip():
        problems.append(Problem(display, body_line, "body", "the article has no text"))
    elif check_body:
        problems += check_body(article)
    if problems:
        raise ManifestError(problems)
    return article


def _in_issue(front: FrontMatter, entry: ArticleEntry, publication: Publication) -> FrontMatter:
    """The front matter as this issue prints it: the issue's title and byline instead of the
    article's own where its entry gives them, the publication's language where the article names none."""
    update = {
        "title": entry.title or front.title,
        "byline": entry.byline or front.byline,
        "lang": front.lang or publication.language,
    }
    return front.model_copy(update=update)


def _check_front(
    front: FrontMatter, lines: Lines, display: str, issue_date: dt.date | None, publication: Publication
) -> list[Problem]:
    """Checks that need more than one field: dates in order, tags the publication knows."""
    problems = []
    if front.date and issue_date and front.date > issue_date:
        message = f"{front.date} is after the issue's date {issue_date}"
        problems.append(Problem(display, lines[("date",)], "date", message))
    for index, tag in enumerate(front.tags):
        if tag not in publication.subjects:
            problems.append(
                Problem(
                    display,
                    lines[("tags", index)],
                    f"tags[{index}]",
                    f"{tag!r} is not a subject listed in publication.yaml",
                )
            )
    return problems


def load_volumes(
    issues_root: Path, issues: dict[int, Issue], display_root: Path | None = None
) -> list[Volume]:
    """Load ``issues/volumes.yaml`` and check it against the issues that exist; no volumes without one
    (the file is optional)."""
    path = issues_root / "volumes.yaml"
    if not has_volumes(issues_root):
        return []
    display = display_path(path, display_root)
    entries, lines = load_yaml_model(path, VolumesFile, display)
    problems, volumes, claimed = [], [], {}
    for index, entry in enumerate(entries.volumes):
        where = lines[("volumes", index)]
        if (entry.issues is None) == (entry.year is None):
            problems.append(Problem(display, where, f"volumes[{index}]", "give either issues or year"))
            continue
        if entry.issues is not None:
            numbers = entry.issues
            for position, number in enumerate(numbers):
                if number not in issues:
                    problems.append(
                        Problem(
                            display,
                            lines[("volumes", index, "issues", position)],
                            f"volumes[{index}].issues[{position}]",
                            f"there is no issue {number}",
                        )
                    )
        else:
            numbers = tuple(
                n for n, issue in sorted(issues.items()) if issue.date and issue.date.year == entry.year
            )
        if not numbers:
            problems.append(Problem(display, where, f"volumes[{index}]", "binds no issue"))
        for number in numbers:
            if number in claimed and claimed[number] != entry.id:
                problems.append(
                    Problem(
                        display,
                        where,
                        f"volumes[{index}]",
                        f"issue {number} is already bound in volume {claimed[number]}",
                    )
                )
            claimed[number] = entry.id
        if entry.id in {v.id for v in volumes}:
            problems.append(
                Problem(
                    display,
                    lines[("volumes", index, "id")],
                    f"volumes[{index}].id",
                    f"{entry.id!r} is used twice",
                )
            )
        volumes.append(Volume(id=entry.id, title=entry.title, numbers=tuple(sorted(numbers))))
    if problems:
        raise ManifestError(problems)
    return volumes


def has_volumes(issues_root: Path) -> bool:
    """Whether the project binds volumes: ``issues/volumes.yaml`` is there (even as a broken link,
    which reading it reports)."""
    path = issues_root / "volumes.yaml"
    return path.exists() or path.is_symlink()


def number_clashes(issue_dirs: list[Path], display_root: Path | None = None) -> dict[Path, Problem]:
    """The issue folders (resolved) that claim a number another folder claims too, each with its
    problem: their PDFs would overwrite each other, so none of them is built; the others are."""
    claims: dict[int, list[tuple[Path, str, int]]] = {}
    for directory in sorted({d.resolve() for d in issue_dirs}):
        display = display_path(directory / "issue.yaml", display_root)
        fields, lines = _readable_manifest(directory, display)
        if type(fields.get("number")) is int:
            claims.setdefault(fields["number"], []).append((directory, display, lines[("number",)]))
    clashes = {}
    for number, folders in claims.items():
        if len(folders) < 2:
            continue
        for directory, display, line in folders:
            others = [display_path(other, display_root) for other, *_ in folders if other != directory]
            message = f"issue {number} is also {' and '.join(others)}: give each issue its own number"
            clashes[directory] = Problem(display, line, "number", message)
    return clashes


def issue_stand_in(issue_dir: Path, display_root: Path | None = None) -> Issue | None:
    """What can be read of an issue that does not load: its number and date (either may be None),
    for volumes to tell whether they bind it; None when not even that can be read."""
    display = display_path(issue_dir / "issue.yaml", display_root)
    raw, lines = _readable_manifest(issue_dir, display)
    if not lines:
        return None
    number = raw.get("number") if type(raw.get("number")) is int else None
    return Issue.model_construct(
        number=number,
        date=_readable(dt.date, raw.get("date")),
        folder=display_path(issue_dir, display_root),
        articles=(),
    )


def _readable_manifest(issue_dir: Path, display: str) -> tuple[dict, Lines]:
    """What can be read of an issue's ``issue.yaml``, its bad values left out (loading the issue
    reports them): its fields and their lines, both empty when the file cannot be parsed at all."""
    try:
        data, lines, _ = parse_yaml(read_text(issue_dir / "issue.yaml", display), display)
    except ManifestError:
        return {}, {}
    return (data if isinstance(data, dict) else {}), lines


def find_issue_dirs(issues_root: Path) -> list[Path]:
    """Every folder under ``issues/`` that holds an ``issue.yaml``, in folder order."""
    return sorted(path.parent for path in issues_root.glob("*/issue.yaml"))


def display_path(path: Path, root: Path | None) -> str:
    """The path as the editor knows it: relative to the project when possible."""
    try:
        return str(path.resolve().relative_to((root or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
