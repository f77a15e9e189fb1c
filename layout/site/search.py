"""The site's search: Pagefind's index of the article pages, a word list for typos, a small index for disk.

A reader's browser downloads only what a query needs. Over the web, Pagefind's bundle (``pagefind/``)
holds the full text in chunks fetched word by word, and ``search/words-XX.json`` lists the archive's
words by their first two letters, so that a word found nowhere can be corrected to the nearest one
("libaries" to "libraries") from one small file. Opened from disk, where browsers refuse ``fetch()``,
the page falls back to ``search-index.js``: titles, bylines, kinds and subjects only, a script that
sets a global. Every file is written only when its bytes differ, so a build after a one-article edit
rewrites the few index chunks that changed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from ..build.loading import LoadedIssue
from ..model.errors import LayoutError, Problem
from .downloads import write_file

PAGEFIND = "pagefind"  # the bundle's folder in the site
SCRIPT_INDEX = "search-index.js"
NOT_INDEXED = "nav, .crumbs, .downloads, .download, .pager, .share"  # the page's furniture, not its text
WORD = re.compile(r"[^\W\d_]{3,}")  # words of three letters or more; shorter ones are not worth correcting


def write_search(site: Path, loaded: list[LoadedIssue], issues: list[dict]) -> set[str]:
    """Write the search's files into ``site`` (its pages already written); return their names."""
    written = {SCRIPT_INDEX}
    write_file(site / SCRIPT_INDEX, script_index(issues).encode())
    written |= _pagefind(site)
    written |= _word_lists(site, loaded)
    return written


def fold(text: str) -> str:
    """``text`` without accents, in lower case: what search.js does to a query before it looks."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def script_index(issues: list[dict]) -> str:
    """The index a page opened from disk searches: no article text, so it stays small."""
    records = [
        {
            "title": article["title"],
            "byline": article["byline"] or "",
            "kind": article["kind"],
            "subjects": [label for label, _ in article["subjects"]],
            "issue": article["issue_label"],
            "url": article["url"],
        }
        for issue in issues
        for article in issue["articles"]
    ]
    data = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    return f"window.SPARK_SEARCH = {data};\n"


def _indexed_pages(site: Path) -> str:
    """The pages Pagefind indexes: the article pages, or the issue pages of a site made before them."""
    return "issues/*/*/index.html" if any(site.glob("issues/*/*/index.html")) else "issues/*/index.html"


def _pagefind(site: Path) -> set[str]:
    """Run Pagefind over the site's pages into a scratch folder, then copy what changed into the site."""
    with tempfile.TemporaryDirectory() as scratch:
        bundle = Path(scratch) / PAGEFIND
        command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle)]
        command += ["--glob", _indexed_pages(site), "--force-language", "en", "--keep-index-url", "--quiet"]
        command += ["--root-selector", "main", "--exclude-selectors", NOT_INDEXED]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            message = f"Pagefind could not index the site: {(done.stderr or done.stdout).strip()}"
            raise LayoutError([Problem(str(site), None, None, message)])
        written = set()
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            name = f"{PAGEFIND}/{path.relative_to(bundle).as_posix()}"
            if path.name.startswith("pagefind-") and path.suffix in {".js", ".css"} and "ui" in path.name:
                continue  # Pagefind's own interface: the site has its own (assets/search.js)
            write_file(site / name, path.read_bytes())
            written.add(name)
    return written


def _word_lists(site: Path, loaded: list[LoadedIssue]) -> set[str]:
    """Every word of the archive, folded, in files by its first two letters, the commonest first."""
    from .website import plain_text

    counts: Counter[str] = Counter()
    for item in loaded:
        for article in item.issue.articles:
            text = " ".join(filter(None, [article.title, article.standfirst, item.texts[article.slug].html]))
            counts.update(WORD.findall(fold(plain_text(text))))
    shards: dict[str, list[str]] = {}
    for word, _ in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        shards.setdefault(word[:2], []).append(word)
    written = set()
    for prefix, words in sorted(shards.items()):
        name = f"search/words-{_shard_name(prefix)}.json"
        write_file(site / name, json.dumps(words, ensure_ascii=False, separators=(",", ":")).encode())
        written.add(name)
    return written


def _shard_name(prefix: str) -> str:
    """A file name for a two-letter prefix: ASCII as it is, other letters as their code points."""
    return "".join(c if "a" <= c <= "z" else f"u{ord(c):04x}" for c in prefix)
