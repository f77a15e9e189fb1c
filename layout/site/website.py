"""Stage 7: the archive website, plain static files for any host or a folder opened from disk.

Every link is relative, so the folder works from ``file://`` as well as from a web server, and
every address follows from an issue's number, a volume's id or a subject's tag, never from the
order of a build. The PDFs are copied in (see :mod:`layout.site.downloads`); fonts, stylesheet and the
search script come from the house style's ``site/`` folder, so nothing is fetched from another
site. The search index is a script that sets a global, because browsers refuse ``fetch()`` of a
local file. No clock is read: the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from ..build.loading import LoadedIssue, load
from ..editions import ARCHIVE
from ..model.errors import LayoutError, Problem
from ..model.manifest import (
    Article,
    Issue,
    Publication,
    Volume,
    find_issue_dirs,
    load_publication,
    load_volumes,
)
from ..pages.copyfit import article_starts
from ..pages.reader import LazyReader
from ..project import Project
from ..text.markdown import typographic
from ..text.web import WebImage, figure_data, figure_name, web_body
from ..typeset.colours import house_colours
from ..typeset.render import (
    anchor,
    environment,
    issue_title,
    long_date,
    printed_front,
    printed_publication,
    volume_span,
)
from .downloads import (
    COVERS_KEPT,
    Download,
    build_pdfs,
    cover,
    issue_downloads,
    kept,
    offer,
    pamphlet_downloads,
    write_file,
)
from .epub import offer_epubs
from .search import write_search
from .share import write_share_images
from .sitecss import PageNames, page_sheet

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
    made = offer_epubs(project, site, publication, loaded, volumes, issues, bound)  # EPUBs and
    made += write_share_images(project, site, publication, loaded)  # share images (epub, share)
    subjects = _subjects(publication, issues)
    pamphlets = _offer_pamphlets(project, site, subjects, jobs)
    offered = [*(s["pamphlet"] for s in subjects), *(p["downloads"] for p in pamphlets)]
    made += [download.url for downloads in offered for download in downloads]
    years = _years(issues, bound)
    pages = _pages(issues, bound, subjects, years, pamphlets)
    pages |= _article_pages(project, site, publication.site_url, loaded, issues, written_images := [])
    env = environment(project.style_dir(publication.style))
    printed = printed_publication(publication)
    common = {
        "publication": printed,
        "subjects": subjects,
        "issues": issues,
        "volumes": bound,
        "years": years,
    }
    common |= {"theme_colour": _theme_colour(project, publication), "contact": contact_links(publication)}
    common["asset"] = assets = _copy_assets(project, publication, site)  # first: pages name their hashes
    rendered = {}
    for url, (template, context) in pages.items():
        head = head_tags(publication, url, template, context)
        text = env.get_template(f"site/{template}").render(
            common, root="../" * url.count("/"), head=head, stylesheet=STYLESHEET_SLOT, **context
        )
        rendered[url] = (template, _slimmed(text))
    sheets = _write_stylesheets(project, publication, site, rendered, assets)
    for url, (template, text) in rendered.items():
        write_file(site / url, text.replace(STYLESHEET_SLOT, sheets[template]).encode())
    written = {*pages, *written_images, *assets, *(address.split("?")[0] for address in sheets.values())}
    if publication.site_url:
        for name in ("feed.atom", "feed-articles.atom", "sitemap.xml"):
            context = {"base": publication.site_url, "newest": issues[0]["iso_date"]}
            write_file(site / name, env.get_template(f"site/{name}").render(common, **context).encode())
            written.add(name)
    written |= write_search(site, loaded, issues)  # last: Pagefind reads the pages written
    offered = [*(v["download"] for v in bound), *(d for i in issues for d in i["downloads"])]
    offered += [a["leaflet"] for i in issues for a in i["articles"] if a["leaflet"]]
    written.update(d.url for d in offered)
    written.update(url for entry in [*issues, *bound] for url, _ in entry["cover"].sources)
    written.update(made)
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


INDEX_ISSUES = 12  # the index shows the newest issues; a page for each year lists every issue of it


def _pages(
    issues: list[dict], volumes: list[dict], subjects: list[dict], years: list[dict], pamphlets: list[dict]
) -> dict[str, tuple[str, dict]]:
    """Every page of the site: its address, its template and what that template shows."""
    index = {"latest": issues[0], "shelves": _shelves(issues[:INDEX_ISSUES], volumes), "years": years}
    pages = {
        "index.html": ("index.html", index | {"every_issue": len(issues) <= INDEX_ISSUES}),
        "subjects/index.html": ("subjects.html", {"latest": issues[0], "pamphlets": pamphlets}),
    }
    pages |= {year["url"]: ("year.html", {"year": year, "latest": issues[0]}) for year in years}
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
    downloads = issue_downloads(project, site, publication, number)  # what layout.editions offers
    articles = []
    printed = _printed_pages(project.archive_path(publication, number), len(issue.articles))
    for article, printed_page in zip(issue.articles, printed, strict=True):
        leaflet = project.leaflet_path(publication, number, article.slug, "a5")
        name = f"leaflets/{leaflet.name}"
        offered = None if article.source in unset else offer(site, leaflet, name, "A5 leaflet")
        articles.append(_article_entry(publication, issue, article, url, offered) | {"page": printed_page})
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
        "cover": cover(site, project.archive_path(publication, number), stem, project.out / COVERS_KEPT),
        "downloads": list(downloads.values()),
        "archive": downloads[ARCHIVE.name],
        "articles": articles,
    }


def _article_entry(
    publication: Publication, issue: Issue, article: Article, page: str, leaflet: Download | None
):
    """An article as the site shows it: its front matter as printed (render.printed_front), its
    subjects each with its page, and where it is on the site and in its issue."""
    folder = f"{page.removesuffix('index.html')}{article.slug}/"
    return {
        **printed_front(article, publication.subjects),
        "id": anchor(issue, article),
        "slug": article.slug,
        "folder": folder,
        "url": f"{folder}index.html",
        "in_issue": f"{page}#{anchor(issue, article)}",
        "subjects": [(publication.subjects[tag], f"subjects/{tag}/index.html") for tag in article.tags],
        "issue_label": f"No {issue.number}, {long_date(issue.date)}",
        "issue_number": issue.number,
        "issue_date": issue.date.isoformat(),
        "iso_date": (article.date or issue.date).isoformat(),
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
        "cover": cover(site, source, f"{publication.slug}-{volume.id}", project.out / COVERS_KEPT),
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
    """Groups of ``issues`` (newest first) as the index and a year's page show them, newest first:
    each volume that binds some of them, then those not yet bound in one."""
    shown = {issue["number"] for issue in issues}
    bound = {issue["number"] for volume in volumes for issue in volume["issues"]}
    shelves = [
        {"title": v["title"], "volume": v, "issues": [i for i in v["issues"] if i["number"] in shown]}
        for v in volumes
    ]
    shelves = [shelf for shelf in shelves if shelf["issues"]]
    loose = [issue for issue in issues if issue["number"] not in bound]
    if loose:
        title = "Not yet bound in a volume" if volumes else "Issues"  # a project may bind no volumes
        shelves.append({"title": title, "volume": None, "issues": loose})
    return sorted(shelves, key=lambda shelf: -shelf["issues"][0]["number"])


def _years(issues: list[dict], volumes: list[dict]) -> list[dict]:
    """A page for each year with issues (``years/YYYY/``), newest first, with that year's shelves."""
    by_year: dict[str, list[dict]] = {}
    for issue in issues:
        by_year.setdefault(issue["iso_date"][:4], []).append(issue)
    return [
        {
            "year": year,
            "folder": f"years/{year}/",
            "url": f"years/{year}/index.html",
            "issues": of_year,
            "shelves": _shelves(of_year, volumes),
        }
        for year, of_year in by_year.items()
    ]


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


def _offer_pamphlets(project: Project, site: Path, subjects: list[dict], jobs: int) -> list[dict]:
    """Each subject's pamphlet of its articles (two or more) on the subject's page
    (``subject["pamphlet"]``, headed ``subject["pamphlet_title"]``), and the pamphlets of
    issues/pamphlets.yaml, returned for the subjects page: each built once and kept while its
    articles do not change (layout/build/pamphlets.py)."""
    from ..build.pamphlets import build_declared, build_subject_pamphlets

    built = build_subject_pamphlets(project, jobs)
    for subject in subjects:
        result = built.get(subject["tag"])
        every = len(subject["articles"])
        subject["pamphlet"] = pamphlet_downloads(site, result) if result else []
        subject["pamphlet_title"] = (
            "All of them in one pamphlet"
            if result is None or result.articles >= every
            else f"The newest {result.articles} of them in one pamphlet"
        )
    declared = build_declared(project, jobs)
    failed = [problem for result in declared for problem in result.problems]
    if failed:
        raise LayoutError(failed)
    return [
        {"title": r.title, "articles": r.articles, "downloads": pamphlet_downloads(site, r)} for r in declared
    ]


# --- article pages and what every page says of itself in its head ---------------------------


def _printed_pages(archive: Path, articles: int) -> list[int | None]:
    """The page of the archive edition each article starts on, from its bookmarks (one per article)."""
    starts = article_starts(LazyReader(archive))
    if len(starts) != articles:  # an edition made before bookmarks were one per article: say no page
        return [None] * articles
    return [start.page for start in starts]


def _article_pages(
    project: Project,
    site: Path,
    site_url: str | None,
    loaded: list[LoadedIssue],
    issues: list[dict],
    images: list[str],
) -> dict:
    """A page for every article (``issues/NNN/SLUG/index.html``), its web text from the same text
    stage as the PDFs, its images copied beside it (their names added to ``images``); each article's
    entry gets its web body, for the feed of articles."""
    pages = {}
    for item, issue in zip(loaded, issues, strict=True):
        entries = issue["articles"]
        for index, (article, entry) in enumerate(zip(item.issue.articles, entries, strict=True)):
            web = web_body(item.texts[article.slug], article, item.directory, responsive=True)
            for image in web.images:
                for src, data in _served_images(project, image).items():
                    name = posixpath.normpath(entry["folder"] + src)
                    write_file(site / name, data)
                    images.append(name)
            entry["body"] = Markup(web.html)
            entry["share"] = _whatsapp_share(site_url, entry)
            context = {
                "article": entry,
                "issue": issue,
                "notes": web.notes,
                "previous": entries[index - 1] if index > 0 else None,
                "next": entries[index + 1] if index + 1 < len(entries) else None,
            }
            pages[entry["url"]] = ("article.html", context)
    return pages


FIGURES_KEPT = ".state/figures"  # in the build folder: each photo's widths made once


def _served_images(project: Project, image: WebImage) -> dict[str, bytes]:
    """The files an article page serves for ``image`` by their ``src``: a photo in each width of
    its ``srcset`` (made once, kept in the build folder under its file's digest), an SVG as it is."""
    if not image.widths:
        return {image.src: image.path.read_bytes()}
    digest = hashlib.sha256(image.path.read_bytes() + repr(image.widths).encode()).hexdigest()[:16]
    made: dict[int, bytes] = {}

    def make(width: int) -> bytes:
        if not made:
            made.update(figure_data(image))  # all widths from one decoding and one conversion
        return made[width]

    folder = project.out / FIGURES_KEPT
    return {
        figure_name(image.src, width): kept(folder / f"{digest}-{width}.webp", functools.partial(make, width))
        for width in image.widths
    }


def _theme_colour(project: Project, publication: Publication) -> str:
    """The house red, for the browser's bar on a phone (``theme-color``)."""
    red, green, blue = house_colours(project.style_dir(publication.style) / "style.css").names["--red"]
    return f"#{red:02x}{green:02x}{blue:02x}"


def contact_links(publication: Publication) -> dict:
    """The publisher's phone as addresses a phone acts on: ``tel:``, ``sms:`` and, where the number
    takes WhatsApp, ``https://wa.me/`` with its digits alone."""
    phone = publication.contact.phone
    if not phone:
        return {}
    digits = re.sub(r"\D", "", phone)
    plus = "+" if phone.lstrip().startswith("+") else ""
    links = {"tel": f"tel:{plus}{digits}", "sms": f"sms:{plus}{digits}"}
    if publication.contact.whatsapp:
        links["whatsapp"] = f"https://wa.me/{digits}"
    return links


def _whatsapp_share(site_url: str | None, article: dict) -> str | None:
    """A link that opens WhatsApp with the title and the article's address to send: only where the
    site knows its address (a page opened from disk has none to share)."""
    if not site_url:
        return None
    return "https://wa.me/?text=" + quote(f"{article['title']} {site_url}{article['folder']}")


DESCRIPTION_LENGTH = 200  # characters: what a search result or a shared link shows of a description


def head_tags(publication: Publication, url: str, template: str, context: dict) -> dict:
    """What a page says of itself to search engines and to the apps a link is shared in: its
    description, canonical address, Open Graph type, share image and JSON-LD."""
    base = publication.site_url
    address = base and base + url.removesuffix("index.html")
    kind, description, image, data = _page_facts(publication, template, context)
    image_url = f"{base or '../' * url.count('/')}share/{image}"
    head = {
        "description": _shortened(description),
        "canonical": address,
        "og_type": kind,
        "image": image_url,
        "locale": publication.language.replace("-", "_"),
        "json_ld": None,
    }
    if data:
        data |= {"@context": "https://schema.org", "image": image_url}
        if address:
            data["url"] = address
        head["json_ld"] = Markup(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        )
    return head


def _page_facts(publication: Publication, template: str, context: dict) -> tuple[str, str, str, dict | None]:
    """A page's Open Graph type, description, share image (under ``share/``) and JSON-LD."""
    if template == "article.html":
        article, issue = context["article"], context["issue"]
        text = article["standfirst"] or _opening(plain_text(article["body"]))
        return (
            "article",
            text,
            f"{issue['number']:03d}-{article['slug']}.png",
            _news_article(publication, article, issue, text),
        )
    if template == "issue.html":
        issue = context["issue"]
        return (
            "website",
            issue["summary"],
            f"{issue['number']:03d}.png",
            _publication_issue(publication, issue),
        )
    if template == "volume.html":
        volume = context["volume"]
        titles = "; ".join(issue["theme"] or issue["title"] for issue in volume["issues"])
        newest = volume["issues"][0]["number"]
        return (
            "website",
            f"{volume['title']}: {volume['span']}, bound in one file. {titles}",
            f"{newest:03d}.png",
            None,
        )
    if template == "subject.html":
        subject = context["subject"]
        titles = "; ".join(article["title"] for article in subject["articles"])
        newest = subject["articles"][0]
        image = f"{newest['issue_number']:03d}-{newest['slug']}.png"
        return "website", f"{subject['label']} in {publication.name}: {titles}", image, None
    image = f"{context['latest']['number']:03d}.png"
    if template == "year.html":
        year = context["year"]
        newest, oldest = year["issues"][0]["number"], year["issues"][-1]["number"]
        numbers = f"no {newest}" if newest == oldest else f"nos {oldest} to {newest}"
        description = f"Every issue of {publication.name} of {year['year']}: {numbers}."
        return "website", description, f"{newest:03d}.png", None
    if template == "subjects.html":
        return "website", f"Every article of {publication.name}, by what it is about.", image, None
    name, publisher = publication.name, publication.publisher
    return (
        "website",
        f"Every issue of {name}, newsletter of the {publisher}, to read, print and share.",
        image,
        None,
    )


def _news_article(publication: Publication, article: dict, issue: dict, description: str) -> dict:
    author = {"@type": "Person", "name": article["byline"]} if article["byline"] else _publisher(publication)
    return {
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": description,
        "datePublished": article["issue_date"],
        "inLanguage": article["lang"],
        "author": author,
        "publisher": _publisher(publication),
        "isPartOf": _publication_issue(publication, issue),
        "articleSection": article["kind"],
        "keywords": [label for label, _ in article["subjects"]],
    }


def _publication_issue(publication: Publication, issue: dict) -> dict:
    return {
        "@type": "PublicationIssue",
        "issueNumber": str(issue["number"]),
        "datePublished": issue["iso_date"],
        "name": issue["title"],
        "isPartOf": {"@type": "Periodical", "name": publication.name, "publisher": _publisher(publication)},
    }


def _publisher(publication: Publication) -> dict:
    short = publication.publisher_short
    return {"@type": "Organization", "name": publication.publisher, "alternateName": short}


def _opening(text: str, least: int = 80) -> str:
    """The first sentences of ``text``, as many as make ``least`` characters ("Aleppo has fallen."
    alone says too little to be an article's description)."""
    sentences = re.findall(r".+?[.!?](?:\s|$)|.+$", text)
    opening = ""
    for sentence in sentences:
        opening += sentence
        if len(opening) >= least:
            break
    return opening.strip()


def _shortened(text: str) -> str:
    """``text`` cut at a word to at most ``DESCRIPTION_LENGTH`` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def plain_text(body_html: str) -> str:
    """An article body's words without markup, for the search index (the HTML is our own renderer's)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", body_html)).replace("\u200b", "")  # break opportunities
    return " ".join(text.split())


ASSET_CACHE = "public, max-age=31536000, immutable"  # named with their hash: a change is a new address
DOWNLOAD_CACHE = "public, max-age=2592000"  # PDFs and covers keep their names: a correction shows in a month
PAGE_CACHE = "public, max-age=0, must-revalidate"  # pages, feeds, the search's entry files: asked each time
FONT_FACE = re.compile(r"@font-face\s*{[^}]*}")


def _copy_assets(project: Project, publication: Publication, site: Path) -> dict[str, str]:
    """The scripts, the web fonts the stylesheet names, the fonts' licences and the
    host's cache rules; return each one's name in the site and the address pages give it, with
    ``?v=`` and its hash, so that a host may let browsers keep it for a year."""
    assets = project.style_dir(publication.style) / "site" / "assets"
    addresses = {}
    css = (assets / "site.css").read_text()
    for name, data in _web_fonts(project, assets / "site.css", css).items():
        addresses[f"assets/fonts/{name}"] = _write_versioned(site, f"assets/fonts/{name}", data)
    for path in sorted(assets.iterdir()):
        if path.suffix != ".css":  # the stylesheet is cut to each kind of page: _write_stylesheets
            addresses[f"assets/{path.name}"] = _write_versioned(
                site, f"assets/{path.name}", path.read_bytes()
            )
    for path in sorted(project.fonts_dir.glob("*.txt")):  # the licences
        name = f"assets/fonts/{path.name}"
        addresses[name] = _write_versioned(site, name, path.read_bytes())
    for name, text in _cache_rules().items():
        write_file(site / name, text.encode())
        addresses[name] = name
    return addresses


STYLESHEET_SLOT = "@@stylesheet@@"  # where a page names its sheet, known only once every page is made


def _write_stylesheets(
    project: Project, publication: Publication, site: Path, rendered: dict, assets: dict[str, str]
) -> dict[str, str]:
    """A stylesheet for each kind of page (``assets/site-article.css`` ...), cut from the house
    style's ``site.css`` to the rules the pages of that kind can use (:mod:`layout.site.sitecss`), the
    house colours first; return each template's address for it, with its hash."""
    folder = project.style_dir(publication.style) / "site" / "assets"
    css = re.sub(
        r"url\((fonts/[^)]+)\)",
        lambda m: f"url({assets['assets/' + m[1]][len('assets/') :]})",
        (folder / "site.css").read_text(),
    )  # the fonts by their addresses with their hashes
    css = house_colours(project.style_dir(publication.style) / "style.css").screen_rule() + css
    scripts = [path.read_text() for path in sorted(folder.glob("*.js"))]
    by_template: dict[str, list[str]] = {}
    for template, text in rendered.values():
        by_template.setdefault(template, []).append(text)
    addresses = {}
    for template, texts in sorted(by_template.items()):
        sheet = page_sheet(css, PageNames(texts, scripts))
        name = f"assets/site-{template.removesuffix('.html')}.css"
        addresses[template] = _write_versioned(site, name, sheet.encode())
    return addresses


def _slimmed(page: str) -> str:
    """A page without the indentation of its templates (but in ``<pre>``, whose spaces are text)."""
    parts = re.split(r"(<pre[\s>].*?</pre>)", page, flags=re.DOTALL)
    return "".join(part if index % 2 else re.sub(r"\n[ \t]+", "\n", part) for index, part in enumerate(parts))


def _write_versioned(site: Path, name: str, data: bytes) -> str:
    write_file(site / name, data)
    return f"{name}?v={hashlib.sha256(data).hexdigest()[:10]}"


def _cache_rules() -> dict[str, str]:
    """What to tell a host: ``_headers`` (Netlify, Cloudflare Pages) and ``.htaccess`` (Apache)."""
    rules = [
        ("/assets/*", ASSET_CACHE),
        ("/pagefind/fragment/*", ASSET_CACHE),
        ("/pagefind/index/*", ASSET_CACHE),
        ("/pdf/*", DOWNLOAD_CACHE),
        ("/leaflets/*", DOWNLOAD_CACHE),
        ("/epub/*", DOWNLOAD_CACHE),
        ("/covers/*", DOWNLOAD_CACHE),
        ("/share/*", DOWNLOAD_CACHE),
        ("/*.html", PAGE_CACHE),
    ]
    headers = "".join(f"{path}\n  Cache-Control: {value}\n" for path, value in rules)
    htaccess = f"""# Written by `layout site`: cache rules and compression for Apache (mod_headers, deflate).
# Fonts, the stylesheet and the scripts are named with their hash (?v=...), Pagefind's chunks by
# their content: browsers may keep them a year. PDFs keep their names: a month.
<IfModule mod_headers.c>
  <FilesMatch "\\.(css|js|woff2|svg|txt|pf_fragment|pf_index|pf_meta|wasm)$">
    Header set Cache-Control "{ASSET_CACHE}"
  </FilesMatch>
  <FilesMatch "\\.(pdf|epub|webp|png|jpg)$">
    Header set Cache-Control "{DOWNLOAD_CACHE}"
  </FilesMatch>
  <FilesMatch "(\\.(html|atom|xml|json)|pagefind\\.js|search-index\\.js)$">
    Header set Cache-Control "{PAGE_CACHE}"
  </FilesMatch>
</IfModule>
<IfModule mod_deflate.c>
  AddOutputFilterByType DEFLATE text/html text/css text/plain application/javascript text/javascript
  AddOutputFilterByType DEFLATE application/json application/atom+xml application/xml image/svg+xml
</IfModule>
AddType application/wasm .wasm
AddType application/atom+xml .atom
"""
    return {"_headers": headers, ".htaccess": htaccess}


def _web_fonts(project: Project, stylesheet: Path, css: str) -> dict[str, bytes]:
    """Each WOFF2 file the stylesheet's ``@font-face`` rules name, made from the TrueType font of the
    same name (``NAME-ext.woff2`` from ``NAME.ttf``) with the letters of the rule's unicode-range."""
    fonts = {}
    for rule in FONT_FACE.findall(css):
        name = re.search(r"url\(fonts/([^)]+)\.woff2\)", rule)
        if not name:
            continue  # a fallback made of the reader's own fonts (local())
        ranges = re.search(r"unicode-range:([^;}]+)", rule)
        source = project.fonts_dir / f"{name[1].removesuffix('-ext')}.ttf"
        if not source.is_file() or not ranges:
            message = f"no font {source.name} in fonts/" if ranges else f"{name[1]}.woff2: no unicode-range"
            raise LayoutError([Problem(str(stylesheet), None, None, message)])
        fonts[f"{name[1]}.woff2"] = _web_font(project, source, _code_points(ranges[1]))
    return fonts


def _code_points(unicode_range: str) -> list[int]:
    """``U+20-7E, U+A0`` as the code points it names."""
    points = []
    for part in unicode_range.replace(" ", "").split(","):
        first, _, last = part.removeprefix("U+").partition("-")
        points += range(int(first, 16), int(last or first, 16) + 1)
    return points


WEB_FONT_FEATURES = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk"]  # what text on a screen uses


def _web_font(project: Project, ttf: Path, code_points: list[int]) -> bytes:
    """``ttf`` as a WOFF2 of ``code_points`` (13 KB of 510 KB for Latin-1 and Extended-A); made once,
    kept in the build folder."""
    data = ttf.read_bytes()
    digest = hashlib.sha256(repr((code_points, WEB_FONT_FEATURES)).encode() + data).hexdigest()[:16]
    path = project.out / ".state" / "web-fonts" / f"{ttf.stem}-{digest}.woff2"
    return kept(path, lambda: _subset_woff2(data, code_points))


def _subset_woff2(data: bytes, code_points: list[int]) -> bytes:
    """A TrueType font as a WOFF2 of ``code_points``, with the features a screen's text uses."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(layout_features=WEB_FONT_FEATURES, name_IDs=["*"], name_languages=["*"])
    options.hinting = False  # screens do not need it, and it is a third of the font
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # its own date kept, not the clock's
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
