"""Stage 7: the archive website, plain static files for any host or a folder opened from disk.

Every link is relative, so the folder works from ``file://`` as well as from a web server, and
every address follows from an issue's number, a volume's id or a subject's tag, never from the
order of a build. The PDFs are copied in (see :mod:`layout.downloads`); fonts, stylesheet and the
search script come from the house style's ``site/`` folder, so nothing is fetched from another
site. The search index is a script that sets a global, because browsers refuse ``fetch()`` of a
local file. No clock is read: the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .build import LoadedIssue, Project, load
from .colours import house_colours
from .downloads import Download, build_pdfs, cover, offer, write_file
from .errors import LayoutError, Problem
from .manifest import Article, Issue, Publication, Volume, find_issue_dirs, load_publication, load_volumes
from .render import anchor, environment, issue_title, long_date, printed_publication, volume_span
from .text import typographic

EDITIONS = (  # what each issue offers: label, where the build puts it, the site's file name, a note
    (
        "Archive edition",
        Project.archive_path,
        "",
        "For reading on screen and keeping: tagged, with bookmarks.",
    ),
    ("Print edition", Project.print_path, "-print", "For a print shop: A4 with 3 mm bleed and crop marks."),
    (
        "A5 booklet",
        Project.booklet_path,
        "-booklet",
        "For an office copier: A5 pages on A4 sheets, two-sided (flip on the short edge), folded.",
    ),
    (
        "How to print the booklet",
        Project.booklet_note_path,
        "-booklet-note",
        "One page to print once and keep with the stack: paper, printer settings, folding, stapling.",
    ),
)
VOLUME_NOTE = "Every issue of the volume bound in one file, with contents and a subject index."
RECORD = ".layout-site.json"  # the files the last build wrote there, the only ones it may remove


@dataclass(frozen=True)
class SiteResult:
    """What ``build_site`` wrote: the folder, how many pages and downloads, their total size."""

    root: Path
    pages: int
    downloads: int
    download_bytes: int
    feed: bool
    warnings: list[Problem]


def build_site(project: Project, out: Path | None = None, jobs: int = 1) -> SiteResult:
    """Build what is out of date, then write the whole site into ``out`` (default ``build/site``)."""
    site = out or project.out / "site"
    publication = load_publication(project.issues_root, project.root)
    warnings = build_pdfs(project, jobs)
    unset = {problem.path for problem in warnings}  # articles that have no leaflet to offer
    loaded = sorted((load(project, d) for d in find_issue_dirs(project.issues_root)), key=_newest_first)
    if not loaded:
        raise LayoutError([Problem(str(project.issues_root), None, None, "there is no issue to publish")])
    models = {item.issue.number: item.issue for item in loaded}
    volumes = load_volumes(project.issues_root, models, project.root)
    issues = [_issue_entry(project, site, publication, item, unset) for item in loaded]
    bound = [
        _volume_entry(project, site, publication, volume, issues, models) for volume in reversed(volumes)
    ]
    _link(issues, bound)
    subjects = _subjects(publication, issues)
    pages = _pages(issues, bound, subjects)
    env = environment(project.style_dir(publication.style))
    printed = printed_publication(publication)
    common = {"publication": printed, "subjects": subjects, "issues": issues, "volumes": bound}
    for url, (template, context) in pages.items():
        text = env.get_template(f"site/{template}").render(common, root="../" * url.count("/"), **context)
        write_file(site / url, text.encode())
    written = {*pages, "search-index.js"}
    if publication.site_url:
        for name in ("feed.atom", "sitemap.xml"):
            context = {"base": publication.site_url, "newest": issues[0]["iso_date"]}
            write_file(site / name, env.get_template(f"site/{name}").render(common, **context).encode())
            written.add(name)
    write_file(site / "search-index.js", _search_index(loaded, issues).encode())
    written.update(_copy_assets(project, publication, site))
    offered = [*(v["download"] for v in bound), *(d for i in issues for d in i["downloads"])]
    offered += [a["leaflet"] for i in issues for a in i["articles"] if a["leaflet"]]
    written.update(d.url for d in offered)
    written.update(entry["cover"].url for entry in [*issues, *bound])
    _remove_stale(site, written)
    total = sum(d.size for d in offered)
    return SiteResult(site, len(pages), len(offered), total, bool(publication.site_url), warnings)


def _remove_stale(site: Path, written: set[str]) -> None:
    """Remove what the last build wrote and this one did not: the pages and PDFs of an issue or
    volume taken out of the archive. Files that others put in the folder are left alone."""
    record = site / RECORD
    try:
        before = set(json.loads(record.read_text()))
    except (OSError, ValueError):
        before = set()
    for name in sorted(before - written):
        path = site / name
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == site or any(folder.iterdir()):
                break
            folder.rmdir()
    write_file(record, json.dumps(sorted(written), indent=1).encode())


def _newest_first(loaded: LoadedIssue) -> int:
    return -loaded.issue.number


def _pages(issues: list[dict], volumes: list[dict], subjects: list[dict]) -> dict[str, tuple[str, dict]]:
    """Every page of the site: its address, its template and what that template shows."""
    pages = {
        "index.html": ("index.html", {"latest": issues[0], "shelves": _shelves(issues, volumes)}),
        "subjects/index.html": ("subjects.html", {}),
    }
    pages |= {issue["url"]: ("issue.html", {"issue": issue}) for issue in issues}
    pages |= {volume["url"]: ("volume.html", {"volume": volume}) for volume in volumes}
    pages |= {subject["url"]: ("subject.html", {"subject": subject}) for subject in subjects}
    return pages


def _issue_entry(
    project: Project, site: Path, publication: Publication, loaded: LoadedIssue, unset: set[str]
) -> dict:
    """An issue as the site shows it: its page, cover, downloads and contents (a leaflet of each
    article but those in ``unset``)."""
    issue, number = loaded.issue, loaded.issue.number
    stem = f"{publication.slug}-{number:03d}"
    folder = f"issues/{number:03d}/"
    url = folder + "index.html"
    downloads = [
        offer(site, path(project, publication, number), f"{stem}{suffix}.pdf", label, note)
        for label, path, suffix, note in EDITIONS
    ]
    articles = []
    for article in issue.articles:
        leaflet = project.leaflet_path(publication, number, article.slug, "a5")
        name = f"leaflets/{leaflet.name}"
        offered = None if article.source in unset else offer(site, leaflet, name, "A5 leaflet")
        articles.append(_article_entry(publication, issue, article, url, offered))
    return {
        "number": number,
        "title": issue_title(publication, issue),
        "date": long_date(issue.date),
        "iso_date": issue.date.isoformat(),
        "theme": issue.theme and typographic(issue.theme),
        "summary": "; ".join(filter(None, [issue.theme, *(a.title for a in issue.articles)])),
        "subjects": [
            (tag, publication.subjects[tag])
            for tag in dict.fromkeys(t for a in issue.articles for t in a.tags)
        ],
        "folder": folder,
        "url": url,
        "cover": cover(site, project.archive_path(publication, number), stem),
        "downloads": downloads,
        "archive": downloads[0],
        "articles": articles,
    }


def _article_entry(
    publication: Publication, issue: Issue, article: Article, page: str, leaflet: Download | None
):
    return {
        "id": anchor(issue, article),
        "url": f"{page}#{anchor(issue, article)}",
        "title": typographic(article.title),
        "byline": article.byline and typographic(article.byline),
        "kind": article.kind.capitalize(),
        "date": long_date(article.date) if article.date else None,
        "standfirst": article.standfirst and typographic(article.standfirst),
        "tags": article.tags,
        "subjects": [(publication.subjects[tag], f"subjects/{tag}/index.html") for tag in article.tags],
        "issue_label": f"No {issue.number}, {long_date(issue.date)}",
        "issue_number": issue.number,
        "issue_date": issue.date.isoformat(),
        "leaflet": leaflet,
    }


def _volume_entry(
    project: Project, site: Path, publication: Publication, volume: Volume, issues: list, models: dict
):
    """A bound volume: its page, cover, download and the issues it binds, newest first."""
    source = project.volume_path(publication, volume.id)
    return {
        "id": volume.id,
        "title": volume.title,
        "span": volume_span([models[n] for n in volume.numbers]),
        "folder": f"volumes/{volume.id}/",
        "url": f"volumes/{volume.id}/index.html",
        "cover": cover(site, source, f"{publication.slug}-{volume.id}"),
        "download": offer(site, source, f"{publication.slug}-{volume.id}.pdf", "Bound volume", VOLUME_NOTE),
        "issues": [issue for issue in issues if issue["number"] in volume.numbers],
    }


def _link(issues: list[dict], volumes: list[dict]) -> None:
    """Point each issue (newest first) at its volume and its neighbours, for the issue page's links."""
    volume_of = {issue["number"]: volume for volume in volumes for issue in volume["issues"]}
    for index, issue in enumerate(issues):
        issue["volume"] = volume_of.get(issue["number"])
        issue["newer"] = issues[index - 1] if index > 0 else None
        issue["older"] = issues[index + 1] if index + 1 < len(issues) else None


def _shelves(issues: list[dict], volumes: list[dict]) -> list[dict]:
    """The index's groups, newest first: each volume, then issues not yet bound in one."""
    bound = {issue["number"] for volume in volumes for issue in volume["issues"]}
    shelves = [{"title": v["title"], "volume": v, "issues": v["issues"]} for v in volumes]
    loose = [issue for issue in issues if issue["number"] not in bound]
    if loose:
        title = "Not yet bound in a volume" if volumes else "Issues"  # a project may bind no volumes
        shelves.append({"title": title, "volume": None, "issues": loose})
    return sorted(shelves, key=lambda shelf: -shelf["issues"][0]["number"])


def _subjects(publication: Publication, issues: list[dict]) -> list[dict]:
    """Every subject that has articles, in the order of ``publication.yaml``, its articles newest first."""
    subjects = []
    for tag, label in publication.subjects.items():
        articles = [a for issue in issues for a in issue["articles"] if tag in a["tags"]]
        if articles:
            folder = f"subjects/{tag}/"
            subjects.append(
                {
                    "tag": tag,
                    "label": label,
                    "folder": folder,
                    "url": folder + "index.html",
                    "articles": articles,
                }
            )
    return subjects


def plain_text(body_html: str) -> str:
    """An article body's words without markup, for the search index (the HTML is our own renderer's)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", body_html)).replace("\u200b", "")  # break opportunities
    return " ".join(text.split())


def _search_index(loaded: list[LoadedIssue], issues: list[dict]) -> str:
    """The search index as a script that sets a global: a page opened from disk may not fetch JSON."""
    records = []
    for item, issue in zip(loaded, issues, strict=True):
        for article, entry in zip(item.issue.articles, issue["articles"], strict=True):
            text = plain_text(item.texts[article.slug].html)
            records.append(
                {
                    "title": entry["title"],
                    "byline": entry["byline"] or "",
                    "kind": entry["kind"],
                    "subjects": [label for label, _ in entry["subjects"]],
                    "issue": entry["issue_label"],
                    "url": entry["url"],
                    "text": " ".join(filter(None, [article.standfirst, text])),
                }
            )
    return f"window.SPARK_SEARCH = {json.dumps(records, ensure_ascii=False, separators=(',', ':'))};\n"


def _copy_assets(project: Project, publication: Publication, site: Path) -> list[str]:
    """The stylesheet, the search script, the fonts the stylesheet names and the fonts' licences;
    return their names in the site."""
    assets = project.style_dir(publication.style) / "site" / "assets"
    written = []
    css = (assets / "site.css").read_text()
    colours = house_colours(project.style_dir(publication.style) / "style.css").screen_rule()
    for path in sorted(assets.iterdir()):
        data = (colours + css).encode() if path.name == "site.css" else path.read_bytes()
        write_file(site / "assets" / path.name, data)
        written.append(f"assets/{path.name}")
    fonts = sorted(set(re.findall(r"url\(fonts/([^)]+)\)", css)))
    licences = sorted(p.name for p in project.fonts_dir.glob("*.txt"))
    for name in fonts + licences:
        web = name.endswith(".woff2")  # made from the TrueType font of the same name
        source = project.fonts_dir / (f"{name.removesuffix('.woff2')}.ttf" if web else name)
        if not source.is_file():
            problem = Problem(str(assets / "site.css"), None, None, f"no font {source.name} in fonts/")
            raise LayoutError([problem])
        data = _web_font(project, source) if web else source.read_bytes()
        write_file(site / "assets" / "fonts" / name, data)
        written.append(f"assets/fonts/{name}")
    return written


WEB_FONT_RANGES = (  # Latin with every letter of South Africa's languages, punctuation, currency, arrows
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x2B0, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x2212, 0x2212),
    (0xFB00, 0xFB06),
)


def _web_font(project: Project, ttf: Path) -> bytes:
    """``ttf`` as a WOFF2 of the ranges above, a tenth of its size; made once, kept in the build folder."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    data = ttf.read_bytes()
    digest = hashlib.sha256(repr(WEB_FONT_RANGES).encode() + data).hexdigest()[:16]
    kept = project.out / ".state" / "web-fonts" / f"{ttf.stem}-{digest}.woff2"
    if kept.is_file():
        return kept.read_bytes()
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"])
    options.hinting = False  # screens do not need it, and it is a third of the font
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # its own date kept, not the clock's
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for first, last in WEB_FONT_RANGES for u in range(first, last + 1)])
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    write_file(kept, buffer.getvalue())
    return buffer.getvalue()
