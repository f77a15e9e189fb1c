"""Copyfit: does the issue fit its pages, and how much to cut or add so that it does.

Where each article starts is read from the archive edition's outline (one bookmark per
article, with the height of its title on the page), so nothing is typeset again. Lengths are
in pages, counted from the top of the sheet: a title halfway down page 3 starts at 2.5. The
last article's end is estimated from its words at the issue's own words per page, measured
over the other articles, and is kept on the page before the back page, where it must end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.errors import unmatched_bookmarks
from ..typeset.render import count
from ..units import PAGES_PER_FOLD, to_fold

if TYPE_CHECKING:  # pypdf is imported when a built PDF is read, not by every build
    from pypdf import PdfReader
    from weasyprint import Document

TOP_OF_PAGE = 0.1  # a title this near the top of its page starts the page: the last article ended before


@dataclass(frozen=True, slots=True)
class Start:
    """Where an article's title stands: its page (from 1) and its position in pages (from 0)."""

    title: str
    page: int
    position: float


@dataclass(frozen=True, slots=True)
class ArticleFit:
    """One article's share of the issue."""

    title: str
    first_page: int
    last_page: int
    pages: float
    words: int


@dataclass(frozen=True, slots=True)
class Copyfit:
    """How an issue fits its pages; the numbers behind the copyfit report."""

    articles: tuple[ArticleFit, ...]
    pages: int
    words_per_page: float
    end: float  # where the last article ends, in pages from the top of page 1

    @property
    def above(self) -> int:
        """The multiple of 4 the print edition is padded to."""
        return to_fold(self.pages)

    @property
    def below(self) -> int | None:
        """The multiple of 4 under the page count, if the issue could shrink to it."""
        below = to_fold(self.pages) - PAGES_PER_FOLD
        return below if below >= PAGES_PER_FOLD else None

    @property
    def blanks(self) -> int:
        return self.above - self.pages

    @property
    def add_words(self) -> int:
        """Words to add so that the articles fill every page up to ``above`` without blanks."""
        return _about((self.above - 1 - self.end) * self.words_per_page)

    @property
    def cut_words(self) -> int | None:
        """Words to cut so that the articles end before the back page of ``below`` pages."""
        if self.below is None:
            return None
        return _about((self.end - (self.below - 1)) * self.words_per_page)


def _about(words: float) -> int:
    """Words rounded to tens: the estimate is no finer than that."""
    return max(0, round(words / 10) * 10)


def article_starts(reader: PdfReader) -> list[Start]:
    """Each top-level bookmark of an archive edition: an article's title and where it stands."""
    starts = []
    for item in reader.outline:
        if isinstance(item, list):  # nested bookmarks: subheads of the one before
            continue
        index = reader.get_destination_page_number(item)
        height = float(reader.pages[index].mediabox.height)
        top = float(item.top) if item.top is not None else height
        starts.append(Start(str(item.title), index + 1, index + (height - top) / height))
    return starts


def laid_out_starts(document: Document) -> list[Start]:
    """Each top-level bookmark of a document just laid out, before it is written: the same as
    ``article_starts`` reads from its archive edition (a build copyfits what it typesets at once)."""
    starts = []
    for label, (index, _, y), _, _ in document.make_bookmark_tree():
        starts.append(Start(label, index + 1, index + y / document.pages[index].height))
    return starts


def copyfit(archive_pdf: Path, words: list[int]) -> Copyfit:
    """The copyfit of an issue from its archive edition and each article's words, in order."""
    from .reader import LazyReader

    reader = LazyReader(archive_pdf)
    return fit_pages(article_starts(reader), len(reader.pages), words, str(archive_pdf))


def fit_pages(starts: list[Start], pages: int, words: list[int], source: str) -> Copyfit:
    """The copyfit of an issue of ``pages`` pages from where its articles start and their words."""
    if len(starts) != len(words) or not starts:
        raise unmatched_bookmarks(source, len(starts), len(words))
    last_page_top = pages - 2  # the last article ends on the page before the back page
    if len(starts) > 1:
        per_page = sum(words[:-1]) / max(starts[-1].position - starts[0].position, 0.1)
        end = starts[-1].position + words[-1] / per_page
    else:
        end = last_page_top + 1
    end = min(max(end, last_page_top, starts[-1].position), last_page_top + 1)
    if len(starts) == 1:
        per_page = words[0] / max(end - starts[0].position, 0.1)
    ends = [start.position for start in starts[1:]] + [end]
    articles = tuple(
        ArticleFit(start.title, start.page, _last_page(stop), stop - start.position, count)
        for start, stop, count in zip(starts, ends, words, strict=True)
    )
    return Copyfit(articles, pages, per_page, end)


def _last_page(stop: float) -> int:
    """The page an article ends on, given where the next begins (or where it ends itself)."""
    page, within = int(stop), stop - int(stop)
    return page if within < TOP_OF_PAGE else page + 1


def report(fit: Copyfit) -> list[str]:
    """The copyfit report: one line for the fit, one per article, one with the words."""
    n, above, below = fit.pages, fit.above, fit.below
    if fit.blanks:
        blank_pages = f"page {n}" if fit.blanks == 1 else f"pages {n}-{above - 1}"
        over = f"{n - below} over {below} and " if below else ""
        fits = (
            f"{n} pages: {over}{fit.blanks} short of {above}, so the print edition gets "
            f"{count(fit.blanks, 'blank page')} ({blank_pages})"
            f" before the back page (page {above})"
        )
    else:
        fits = f"{n} pages: a multiple of 4, no blank pages in the print edition"
    lines = [fits, "  pages     length  words  article"]
    for article in fit.articles:
        span = f"{article.first_page}-{article.last_page}" if article.last_page > article.first_page else ""
        span = span or str(article.first_page)
        lines.append(f"  {span:<9} {article.pages:6.1f} {article.words:6,}  {article.title[:60]}")
    words = f"  about {fit.words_per_page:,.0f} words a page"
    if len(fit.articles) == 1:
        words += " (one article: as if it filled its last page)"
    if below and fit.cut_words is not None:
        words += f"; cut about {fit.cut_words:,} words to end on {below} pages"
    if fit.add_words:
        words += f"; add about {fit.add_words:,} words to fill {above} pages without blanks"
    lines.append(words)
    return lines
