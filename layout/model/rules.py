"""What an editor's text must be, each rule written once for the model, the text stage and import."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_WORD = 60  # characters: wider than a column at any size we set text
LINK = r"^(https?://|mailto:)\S+$"  # what a link may point to: the web or an e-mail address
SITE_URL = r"^https?://[^/\s?#]+/([^\s?#]*/)?$"  # where the site is published: a folder's address


def is_link(address: str) -> bool:
    """Whether ``address`` may be linked to (:data:`LINK`)."""
    return re.match(LINK, address) is not None


def long_word(words: Iterable[str]) -> str | None:
    """Why the first word too long to set on any line we print cannot be set (it would run off
    the page), or None when every word can be."""
    word = next((word for word in words if len(word) > MAX_WORD), None)
    return None if word is None else f"a word of {len(word)} characters cannot be set: {word[:30]}…"
