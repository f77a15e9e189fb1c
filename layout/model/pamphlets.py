"""``issues/pamphlets.yaml``: the pamphlets an editor declares, as validated (see ``build.pamphlets``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .manifest import Model, Text

PamphletId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class PamphletEntry(Model):
    """One pamphlet of ``issues/pamphlets.yaml``: its title and the articles it gathers."""

    id: PamphletId
    """Lower-case words joined by hyphens: the pamphlet's file name (build/pamphlets/ID.pdf)."""
    title: Text
    """The title printed on the cover."""
    subtitle: Text | None = None
    """A line printed under the title."""
    tag: Text | None = None
    """Gather every article of this subject (a tag of publication.yaml), oldest first.
    Give either tag or articles."""
    articles: tuple[Text, ...] | None = None
    """The articles in the order printed, each as ISSUE:FILE or ISSUE:POSITION, e.g.
    21:aleppo-has-fallen.md or 22:4. Give either tag or articles."""
    size: Literal["a5", "a4"] = "a5"
    """The page size: a5 (folded from A4 sheets) or a4."""


class PamphletsFile(Model):
    """``issues/pamphlets.yaml``: the pamphlets that ``layout build`` makes."""

    pamphlets: tuple[PamphletEntry, ...] = Field(min_length=1)
    """The pamphlets, each gathering articles by subject or by list."""
