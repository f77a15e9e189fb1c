"""The one exceptions module: every error the pipeline reports names a file and a line."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class LayoutError(Exception):
    """Bad input or a failed stage: carries every problem found, reported all at once."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ManifestError(LayoutError):
    """A manifest, front matter or body that cannot be read or validated."""


class TypesetError(LayoutError):
    """WeasyPrint refused or failed on a document."""


class PdfInputError(LayoutError):
    """A PDF given to bind or impose that cannot be used."""


def unmatched_bookmarks(path: str, bookmarks: int, articles: int) -> PdfInputError:
    """An archive edition whose bookmarks are not its issue's articles (built from another version
    of the issue, or not by layout): the one error bind and copyfit raise for it."""
    message = f"its bookmarks do not match the issue's articles (bookmarks {bookmarks}, articles {articles})"
    return PdfInputError(Problem(path, None, None, message))


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file, in the order the files came up, and by line within each file."""
    files: dict[str, int] = {}
    for problem in problems:
        files.setdefault(problem.path, len(files))
    return sorted(problems, key=lambda problem: (files[problem.path], problem.line or 0))


def internal_error(path: str, error: BaseException, doing: str = "working on this issue") -> Problem:
    """An unexpected exception as a problem of the file or issue it happened in, so that the
    other issues go on; the traceback is printed only when LAYOUT_DEBUG=1 is set."""
    if os.environ.get("LAYOUT_DEBUG") == "1":
        traceback.print_exception(error, file=sys.stderr)
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return Problem(path, None, None, f"internal error while {doing}: {what}; please report it")
