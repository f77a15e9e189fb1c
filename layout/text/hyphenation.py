"""Which languages the pipeline hyphenates, and the project's own patterns registered with Pyphen.

WeasyPrint hyphenates through Pyphen, which ships patterns for English, Afrikaans and isiZulu
among South Africa's languages and none for the other eight. ``hyphenation/`` holds patterns for
those eight, generated from their syllable rules (``hyphenation/make.py``). ``register`` adds them
to ``pyphen.LANGUAGES`` (under ``xh`` and ``xh_ZA`` and so on), so that WeasyPrint finds them by an
article's ``lang`` as it finds Pyphen's own: ``engine.start`` calls it before anything is laid out,
and the questions below before they are answered.

An article in a language with no patterns (not one of the eleven, and not one Pyphen knows) is set
ragged-right: justified without hyphenation, long words open wide spaces.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyphen

from ..paths import HYPHENATION_DIR

PATTERNS_DIR = HYPHENATION_DIR


def register() -> None:
    """Add the project's patterns to Pyphen's languages (again harmless): ``xh_ZA`` and ``xh``.

    Without them eight languages would silently be set ragged-right: a missing folder is an error.
    """
    paths = sorted(PATTERNS_DIR.glob("hyph_*.dic"))
    if not paths:
        raise RuntimeError(f"no hyphenation patterns in {PATTERNS_DIR}: remake them with hyphenation/make.py")
    for path in paths:
        name = path.stem.removeprefix("hyph_")
        for key in (name, name.split("_")[0]):
            if key not in pyphen.LANGUAGES or pyphen.LANGUAGES[key].parent == PATTERNS_DIR:
                pyphen.LANGUAGES[key] = path
                pyphen.LANGUAGES_LOWERCASE[key.lower()] = key


def is_hyphenated(code: str) -> bool:
    """Whether text in the language ``code`` is hyphenated: Pyphen has patterns for it, ours or its own."""
    _registered()
    return pyphen.language_fallback(code) is not None


def patterns_path(code: str) -> Path | None:
    """The pattern file used for ``code``, or None where it has none."""
    _registered()
    found = pyphen.language_fallback(code)
    return pyphen.LANGUAGES[found] if found else None


_registered = functools.cache(register)  # once a process, before the first question about a language
