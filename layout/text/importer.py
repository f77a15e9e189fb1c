"""``layout import``: a document sent by a comrade into a checked article of an issue.

.docx, .odt and .html are read by Pandoc (the binary of the pinned ``pypandoc_binary`` wheel, run
with ``--sandbox``, a time limit and a memory limit, so that it reads nothing but the document and
fetches nothing), whose document tree :mod:`layout.text.import_markdown` writes as the project's
Markdown. Pandoc rather than mammoth: mammoth reads .docx alone (no .odt, no HTML) and gives HTML,
which the project's Markdown refuses, so a second converter would still be needed; Pandoc reads all
three into one tree, footnotes and endnotes as notes, tables with their captions, images with their
alt text. :mod:`layout.text.import_checks` refuses what is not safe to hand it, and reads the XML for
what Pandoc leaves out without saying. .md is taken as it is (front matter filled in where
missing) and .txt as the text of an e-mail.

Each document becomes ``issues/NNN/SLUG.md`` (never over an existing file) with its pictures in
``figures/``, and is appended to the issue's ``issue.yaml`` as a line of text, the file's comments
and layout kept. Then the issue is checked as ``layout check`` checks it.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import io
import json
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..files import atomic_path
from ..model.errors import ManifestError, Problem, internal_error
from ..model.languages import ELEVEN, is_language
from ..model.manifest import (
    FRONT_MATTER,
    KINDS,
    Language,
    Model,
    display_path,
    load_publication,
    parse_yaml,
    read_text,
    validate,
)
from ..model.messages import slugify
from ..project import Project
from .images import IMAGE_TYPES
from .import_checks import (
    ACCEPT_CHANGES,
    MAX_DOCUMENT_BYTES,
    Inspection,
    Refused,
    inspect_docx,
    inspect_odt,
    open_package,
)
from .import_markdown import MarkdownWriter, escape, escape_line_starts, plain_text

SUFFIXES = (".docx", ".odt", ".html", ".htm", ".md", ".txt")
DEFAULT_KIND = "statement"
PANDOC_SECONDS = 60
PANDOC_MEMORY = "1000m"  # the Haskell runtime's heap limit: a document that needs more is refused
MAX_SLUG = 60
CONVERTED = {".bmp": "PNG", ".tif": "PNG", ".tiff": "PNG"}  # Pillow turns these into PNG
BYLINE = re.compile(r"^(?:by|written by|deur|ngu)\s+(.{2,80})$", re.IGNORECASE)
MAIL_HEADER = re.compile(r"^(Subject|From|To|Cc|Date|Sent|Reply-To):\s*(.*)$", re.IGNORECASE)
MARKDOWN_IMAGE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\(([^)\s]+)")
REPLY = re.compile(r"^((re|fwd?|aw):\s*)+", re.IGNORECASE)
LIST_ITEM = re.compile(r"^(?:([-*•])|(\d+)[.)])\s+(.*)$")


class LangOption(Model):
    """--lang, checked as an article's lang is."""

    lang: Language


@dataclass
class Draft:
    """A document read: its front matter's fields, its Markdown body, its pictures and remarks."""

    front: dict[str, Any]
    body: str
    figures: dict[str, bytes] = field(default_factory=dict)  # name in figures/ -> bytes
    remarks: list[str] = field(default_factory=list)
    no_alt: list[str] = field(default_factory=list)  # figures written with no alt text
    front_text: str | None = None  # a .md's own front matter, kept as written


@dataclass
class Imported:
    """One document of the command: the article written, or why not, and what was not carried over."""

    source: str
    article: str | None = None
    figures: int = 0
    notes: int = 0
    problems: list[Problem] = field(default_factory=list)
    remarks: list[Problem] = field(default_factory=list)


def import_documents(
    project: Project, issue_dir: Path, sources: list[Path], kind: str | None, lang: str | None
) -> list[Imported]:
    """Import each document into the issue (each imported or refused, every problem said)."""
    publication = load_publication(project.issues_root, project.root)
    if lang is not None:
        _, problems = validate(LangOption, {"lang": lang}, {}, "--lang")
        if problems:
            raise ManifestError([Problem("--lang", None, None, problem.message) for problem in problems])
    results = []
    for source in sources:
        shown = display_path(source, project.root)
        result = Imported(shown)
        try:
            draft = read_document(source, shown, publication.language)
            _write_article(project, issue_dir, draft, result, kind, lang, publication.language)
        except Refused as error:
            result.problems.append(Problem(shown, None, None, str(error)))
        except ManifestError as error:
            result.problems += error.problems
        except Exception as error:  # a fault of ours (or Pandoc's) with one document: the others go on
            result.problems.append(internal_error(shown, error, "importing this document"))
        results.append(result)
    return results


def read_document(source: Path, shown: str, language: str) -> Draft:
    """A document of any kind we import, read into a draft; Refused when it may not be."""
    suffix = source.suffix.lower()
    if suffix not in SUFFIXES:
        raise Refused(f"cannot be imported: give a {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]} file")
    if not source.is_file():
        raise Refused("file not found" if not source.exists() else "is not a file")
    if suffix in (".docx", ".odt"):
        return _read_office(source, suffix)
    if suffix in (".html", ".htm"):
        return _read_html(source)
    text = read_text(source, shown)
    return _read_markdown(text, source) if suffix == ".md" else _read_mail_text(text, source)


# --- office documents and HTML, through Pandoc -------------------------------------------------


def pandoc_path() -> Path:
    """The Pandoc binary shipped in the pinned pypandoc_binary wheel (never another one on PATH)."""
    spec = importlib.util.find_spec("pypandoc")
    binary = Path(spec.origin).parent / "files" / "pandoc" if spec and spec.origin else None
    if binary is None or not binary.is_file():
        raise Refused("cannot be converted: Pandoc is not installed (pip install -e . installs it)")
    return binary


def run_pandoc(source: Path, reader: str) -> dict[str, Any]:
    """Pandoc's tree of a document: sandboxed (it reads the document only and fetches nothing),
    with a heap limit and a time limit, in an empty folder and an environment without proxies."""
    command = [str(pandoc_path()), "+RTS", f"-M{PANDOC_MEMORY}", "-RTS", "--sandbox"]
    command += ["-f", reader, "-t", "json", str(source.resolve())]
    with tempfile.TemporaryDirectory() as empty:
        try:
            done = subprocess.run(
                command, cwd=empty, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": empty},
                capture_output=True, timeout=PANDOC_SECONDS, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise Refused(f"took Pandoc over {PANDOC_SECONDS} s to read: it is not imported") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Refused(f"could not be read by Pandoc: {why[-1] if why else 'it stopped'}"[:300])
    return json.loads(done.stdout)


def _read_office(source: Path, suffix: str) -> Draft:
    with open_package(source, suffix) as package:
        inspection = inspect_docx(package) if suffix == ".docx" else inspect_odt(package)
        if inspection.tracked:
            where = "; ".join(inspection.tracked[:3]) + ("; …" if len(inspection.tracked) > 3 else "")
            raise Refused(
                f"has changes that are tracked and not yet accepted ({where}): accept or reject them"
                f" ({ACCEPT_CHANGES[suffix]}), save, and import it again"
            )
        tree = run_pandoc(source, suffix[1:])
        return _draft(tree, inspection, lambda src: _package_member(package, src))


def _package_member(package: zipfile.ZipFile, src: str) -> bytes | None:
    names = set(package.namelist())
    for name in (src, f"word/{src}"):
        if name in names:
            return package.read(name)
    return None


def _read_html(source: Path) -> Draft:
    size = source.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise Refused(f"is {size / 1e6:.0f} MB, over the {MAX_DOCUMENT_BYTES // 1_000_000} MB import limit")
    head = source.read_bytes()[:4096]
    if head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")) or b"\x00" in head:
        raise Refused("is not an HTML file: its contents are of another kind")
    folder = source.resolve().parent
    tree = run_pandoc(source, "html")
    blocks, meta = tree.get("blocks", []), tree.get("meta", {})
    if blocks and blocks[0]["t"] == "Header":  # the page's <title> is often an e-mail's subject
        meta.pop("title", None)
    elif _meta_text(meta.get("title")):
        meta["title"] = {"t": "MetaString", "c": REPLY.sub("", _meta_text(meta["title"]))}
    return _draft(tree, Inspection(), lambda src: _local_image(folder, src))


def _local_image(folder: Path, src: str) -> bytes | None:
    """An HTML picture's bytes: a data: address, or a file beside the page (never a fetch)."""
    if src.startswith("data:"):
        header, _, data = src.partition(",")
        try:
            return base64.b64decode(data, validate=False) if header.endswith(";base64") else None
        except binascii.Error:
            return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", src):
        return None
    path = (folder / src).resolve()
    inside = path.is_relative_to(folder) and path.is_file() and path.stat().st_size <= MAX_DOCUMENT_BYTES
    return path.read_bytes() if inside else None


def _draft(tree: dict[str, Any], inspection: Inspection, image_bytes: Callable[[str], bytes | None]) -> Draft:
    """Front matter from the tree's metadata (or its first heading) and the body written from it."""
    meta, blocks = tree.get("meta", {}), list(tree.get("blocks", []))
    _apply_styles(meta, blocks, inspection.styled)
    front: dict[str, Any] = {}
    title = _meta_text(meta.get("title"))
    if not title and blocks and blocks[0]["t"] == "Header":
        title = plain_text(blocks.pop(0)["c"][2])
    front["title"] = title or inspection.title
    byline = _meta_text(meta.get("author"))
    subtitle = _meta_text(meta.get("subtitle"))
    if not byline and subtitle and BYLINE.match(subtitle):
        byline, subtitle = BYLINE.match(subtitle).group(1), None
    if not byline and blocks and blocks[0]["t"] == "Para" and BYLINE.match(plain_text(blocks[0]["c"])):
        byline = BYLINE.match(plain_text(blocks.pop(0)["c"])).group(1)
    front["byline"] = byline
    front["standfirst"] = subtitle or _meta_text(meta.get("abstract"))
    front["doc_lang"] = _meta_text(meta.get("lang")) or inspection.lang
    draft = Draft(front, "")
    levels = [block["c"][0] for block in blocks if block["t"] == "Header"]
    writer = MarkdownWriter(lambda src, alt, where: _place(draft, image_bytes, src, alt, where))
    writer.alts = inspection.alts
    writer.top_heading = min(levels, default=1)
    draft.body = writer.document(blocks)
    draft.remarks = inspection.remarks + writer.remarks + draft.remarks
    if not byline and inspection.author:
        draft.remarks.append(
            f"no byline is marked in the document; its properties name {inspection.author!r} as the author"
            " (of the file, perhaps not of the article): add byline: where it is theirs"
        )
    return draft


def _apply_styles(meta: dict[str, Any], blocks: list[dict[str, Any]], styled: list[tuple[str, str]]) -> None:
    """Paragraphs that the document styles as its title, subtitle or quotations made so in the tree
    (Pandoc's .docx reader does this itself; its .odt reader does not)."""
    for role, words in styled:
        index = next(
            (i for i, b in enumerate(blocks) if b["t"] in ("Para", "Plain") and plain_text(b["c"]) == words),
            None,
        )
        if index is None:
            continue
        if role == "quote":
            blocks[index] = {"t": "BlockQuote", "c": [blocks[index]]}
            if index and blocks[index - 1]["t"] == "BlockQuote":  # one quote of several paragraphs
                blocks[index - 1]["c"] += blocks.pop(index)["c"]
        elif role not in meta:
            meta[role] = {"t": "MetaInlines", "c": blocks.pop(index)["c"]}


def _meta_text(value: Any) -> str | None:
    """A metadata value's words: MetaInlines, MetaString, MetaBlocks or a list of them."""
    if not value:
        return None
    kind, content = value["t"], value.get("c")
    if kind == "MetaInlines":
        text = plain_text(content)
    elif kind == "MetaString":
        text = content
    elif kind == "MetaBlocks":
        text = " ".join(plain_text(b["c"]) for b in content if b["t"] in ("Para", "Plain"))
    elif kind == "MetaList":
        text = ", ".join(filter(None, (_meta_text(item) for item in content)))
    else:
        return None
    return " ".join(text.split()) or None


def _place(
    draft: Draft, image_bytes: Callable[[str], bytes | None], src: str, alt: str, where: str
) -> str | None:
    """A picture of the document saved for figures/ (named when the article's slug is known)."""
    if re.match(r"^(https?:)?//", src):
        draft.remarks.append(
            f"{where}: the picture at {src[:80]!r} is on the web: it was not fetched; save it and add it"
        )
        return None
    if src.startswith("cid:"):
        draft.remarks.append(f"{where}: a picture attached to the e-mail was left out: save it and add it")
        return None
    data = image_bytes(src)
    suffix = PurePosixPath(src.split("?")[0]).suffix.lower()
    if src.startswith("data:"):
        suffix = "." + src[5:].split(";")[0].split("/")[-1].replace("jpeg", "jpg").replace("svg+xml", "svg")
    if data is None:
        draft.remarks.append(f"{where}: the picture {src[:60]!r} is not in the document: it was left out")
        return None
    if suffix in CONVERTED:
        data, suffix = _as_png(data), ".png"
    if suffix not in IMAGE_TYPES or data is None:
        draft.remarks.append(
            f"{where}: the picture {PurePosixPath(src).name[:60]!r} is of a kind we cannot print"
            f" ({suffix or 'unknown'}): save it as PNG or JPEG and add it"
        )
        return None
    number = len(draft.figures) + 1
    placeholder = f"figures/@{number}{suffix}"  # the slug is put in when the title is known
    draft.figures[placeholder] = data
    if not alt:
        draft.no_alt.append(placeholder)
    return placeholder


def _as_png(data: bytes) -> bytes | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.save(out, "PNG")
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


# --- Markdown and e-mail text ------------------------------------------------------------------


def _read_markdown(text: str, source: Path) -> Draft:
    """A .md as written; its front matter kept (and filled in), or made from its first heading."""
    match = FRONT_MATTER.match(text)
    front_text, body = (match.group(1), text[match.end() :]) if match else (None, text)
    fields = {}
    if front_text is not None:
        data, _, problems = parse_yaml(front_text, source.name, 2)
        if problems:
            raise ManifestError(problems)
        fields = data if isinstance(data, dict) else {}
    heading = re.match(r"\A\s*#\s+(.+?)\s*#*\s*\n", body)
    if not fields.get("title") and heading:
        fields["title"], body = heading.group(1), body[heading.end() :]
    draft = Draft(fields, body.strip("\n") + "\n", front_text=front_text)
    folder = source.resolve().parent
    draft.body = MARKDOWN_IMAGE.sub(lambda match: _local_figure(draft, folder, match), draft.body)
    return draft


def _local_figure(draft: Draft, folder: Path, match: re.Match) -> str:
    """A .md's picture beside it taken into figures/ (any other is left for the check to report)."""
    alt, src = match.group(1), match.group(2)
    data = None if src.startswith("data:") else _local_image(folder, src)
    if data is None:
        return match.group()
    placed = _place(draft, lambda _: data, src, alt, "the Markdown")
    return match.group() if placed is None else match.group().replace(f"]({src}", f"]({placed}", 1)


def _read_mail_text(text: str, source: Path) -> Draft:
    """Plain text, as an e-mail gives it: its Subject the title, paragraphs between blank lines
    with their hard-wrapped lines run on, '>' quoting as block quotes, '-' and '1.' lines as lists,
    the signature after '-- ' left out."""
    lines = text.split("\n")
    front: dict[str, Any] = {}
    remarks = []
    headers = 0
    while lines and (header := MAIL_HEADER.match(lines[0])):
        headers += 1
        if header.group(1).lower() == "subject":
            front["title"] = REPLY.sub("", header.group(2))
        lines.pop(0)
    if "-- " in lines or "--" in lines:
        cut = lines.index("-- ") if "-- " in lines else lines.index("--")
        remarks.append(f"line {headers + cut + 1}: the signature after '-- ' was left out")
        lines = lines[:cut]
    paragraphs = _mail_paragraphs(lines)
    if "title" not in front and paragraphs and len(paragraphs[0][1]) == 1 and len(paragraphs[0][1][0]) < 150:
        front["title"] = paragraphs.pop(0)[1][0]
    if paragraphs and len(paragraphs[0][1]) == 1 and BYLINE.match(paragraphs[0][1][0]):
        front["byline"] = BYLINE.match(paragraphs.pop(0)[1][0]).group(1)
    body = "\n\n".join(_mail_block(depth, block) for depth, block in paragraphs)
    return Draft(front, body + "\n", remarks=remarks)


def _mail_paragraphs(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(quote depth, lines) of each paragraph: blank lines and changes of depth end one."""
    paragraphs: list[tuple[int, list[str]]] = []
    previous = None
    for line in lines:
        quote = re.match(r"^((?:\s*>)*)\s?(.*)$", line)
        depth, content = quote.group(1).count(">"), quote.group(2).strip()
        if not content:
            previous = None
            continue
        if previous != depth:
            paragraphs.append((depth, []))
            previous = depth
        paragraphs[-1][1].append(content)
    return paragraphs


def _mail_block(depth: int, lines: list[str]) -> str:
    """One paragraph, or a list when its first line is an item, its wrapped lines run on."""
    if LIST_ITEM.match(lines[0]):
        items: list[str] = []
        for line in lines:
            item = LIST_ITEM.match(line)
            if item:
                mark = "-" if item.group(1) else f"{item.group(2)}."
                items.append(f"{mark} {escape(item.group(3))}")
            else:
                items[-1] += f" {escape(line)}"
        text = "\n".join(items)
    else:
        text = escape_line_starts(escape(" ".join(lines)))
    return "\n".join(("> " * depth) + line for line in text.split("\n"))


# --- the article written -----------------------------------------------------------------------


def _write_article(
    project: Project, issue_dir: Path, draft: Draft, result: Imported, kind: str | None,
    lang: str | None, language: str,
) -> None:  # fmt: skip
    """Name the article from its title, write it and its figures, list it in issue.yaml."""
    source = Path(result.source)
    if not draft.body.strip():
        raise Refused("has no text to import")
    front = draft.front
    if not front.get("title"):
        front["title"] = source.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"
        result.remarks.append(
            Problem(result.source, None, "title", f"none found: {front['title']!r} from the file's name")
        )
    slug = _slug(str(front["title"]))
    target = issue_dir / f"{slug}.md"
    shown = display_path(target, project.root)
    if target.exists():
        raise Refused(
            f"would be written to {shown}, which exists: it is never overwritten (rename or remove it)"
        )
    names = {placeholder: f"figures/{slug}-{placeholder[9:]}" for placeholder in draft.figures}
    for name in names.values():
        if (issue_dir / name).exists():
            raise Refused(f"its picture would be written to {name}, which exists: it is never overwritten")
    body = draft.body
    for placeholder, name in names.items():
        body = body.replace(f"]({placeholder}", f"]({name}")
    head = _front_matter(draft, kind, lang, language, result)
    text = f"---\n{head}---\n\n{body}"
    written = [issue_dir / name for name in names.values()] + [target]
    try:
        for placeholder, name in names.items():
            _write_whole(issue_dir / name, draft.figures[placeholder])
        _write_whole(target, text.encode())
        manifest = issue_dir / "issue.yaml"
        append_to_manifest(manifest, target.name, display_path(manifest, project.root))
    except BaseException:  # nothing half-imported is left: the article, its figures, or neither
        for path in written:
            path.unlink(missing_ok=True)
        raise
    result.article = shown
    result.figures, result.notes = len(names), len(re.findall(r"^\[\^[^\]]+\]:", body, re.MULTILINE))
    result.remarks += [Problem(result.source, None, None, remark) for remark in draft.remarks]
    lines = text.split("\n")
    for placeholder in draft.no_alt:
        line = next((n for n, text in enumerate(lines, 1) if f"]({names[placeholder]}" in text), None)
        message = (
            f"{names[placeholder]} has no alt text: say in the [ ] what the picture shows, for readers"
            " who cannot see it"
        )
        result.remarks.append(Problem(shown, line, "image", message))


def _slug(title: str) -> str:
    slug = slugify(title) or "article"
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    return slug


def _front_matter(draft: Draft, kind: str | None, lang: str | None, language: str, result: Imported) -> str:
    """The YAML of the article's front matter: a .md's own kept as written, keys added or replaced."""
    front = draft.front
    given_kind = kind or front.get("kind")
    if not given_kind:
        result.remarks.append(
            Problem(
                result.source,
                None,
                "kind",
                f"set to {DEFAULT_KIND}: give --kind to say what it is ({', '.join(KINDS)})",
            )
        )
    values: dict[str, Any] = {
        "title": front.get("title"),
        "byline": front.get("byline"),
        "kind": given_kind or DEFAULT_KIND,
    }
    values["lang"] = lang or front.get("lang") or _article_lang(front.get("doc_lang"), language, result)
    values["standfirst"] = front.get("standfirst")
    if draft.front_text is None:
        return "".join(f"{key}: {_yaml_value(value)}\n" for key, value in values.items() if value)
    text = draft.front_text
    overrides = {"kind": kind, "lang": lang}
    for key, value in values.items():
        present = re.search(rf"^{key}\s*:.*$", text, re.MULTILINE)
        if present and overrides.get(key):
            text = text[: present.start()] + f"{key}: {_yaml_value(value)}" + text[present.end() :]
        elif not present and value and key != "standfirst":
            text += ("" if text.endswith("\n") or not text else "\n") + f"{key}: {_yaml_value(value)}\n"
    return text if text.endswith("\n") else text + "\n"


def _article_lang(code: str | None, language: str, result: Imported) -> str | None:
    """The document's language as the project writes it; None where it is the publication's own."""
    if not code:
        return None
    base, _, _ = code.replace("_", "-").partition("-")
    base = base.lower()
    if base == language.split("-")[0]:
        return None
    written = next((known for known in ELEVEN if known.split("-")[0] == base), None)
    if written or is_language(base):
        return written or base
    result.remarks.append(
        Problem(
            result.source,
            None,
            "lang",
            f"the document's language {code!r} is no language code we know: not set",
        )
    )
    return None


def _yaml_value(value: str) -> str:
    """A value as plain YAML where it reads back as written, else in double quotes."""
    value = " ".join(str(value).split())
    try:
        plain = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain = False
    return (
        value
        if plain and " #" not in value and not value.startswith(("'", '"'))
        else json.dumps(value, ensure_ascii=False)
    )


def append_to_manifest(manifest: Path, file: str, shown: str) -> None:
    """Add ``- file: FILE`` at the end of ``articles:`` as text, keeping the file's comments and layout."""
    text = read_text(manifest, shown)
    before, _, _ = parse_yaml(text, shown)
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if re.match(r"^articles\s*:\s*(#.*)?$", line)), None)
    if start is None:
        message = (
            "the articles are not written one a line under 'articles:': write them so (- file: x.md)"
            " and import again"
        )
        raise ManifestError(Problem(shown, None, "articles", message))
    last, indent = start, None
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line.strip() and not line.startswith((" ", "\t", "-", "#")):
            break  # the next key
        if line.strip() and not line.lstrip().startswith("#"):
            last = n
        item = re.match(r"^(\s*)-\s", line)
        if item and indent is None:
            indent = item.group(1)
    lines.insert(last + 1, f"{'  ' if indent is None else indent}- file: {file}")
    new_text = "\n".join(lines)
    after, _, _ = parse_yaml(new_text, shown)
    if [*_listed(before), {"file": file}] != _listed(after):
        message = f"{file} could not be added to the list of articles: add '- file: {file}' yourself"
        raise ManifestError(Problem(shown, last + 1, "articles", message))
    _write_whole(manifest, new_text.encode())


def _listed(data: Any) -> list:
    """The articles: list of an issue.yaml as read."""
    articles = data.get("articles") if isinstance(data, dict) else None
    return articles if isinstance(articles, list) else []


def _write_whole(path: Path, data: bytes) -> None:
    """A file written whole or not at all (the house's atomic_path)."""
    with atomic_path(path) as partial:
        partial.write_bytes(data)
