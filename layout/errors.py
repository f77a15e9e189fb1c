"""The one exceptions module: every error the pipeline reports names a file and a line."""

from __future__ import annotations

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
