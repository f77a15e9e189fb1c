"""Write the hyphenation patterns of eight South African languages from their syllable rules.

    .venv/bin/python hyphenation/make.py      # rewrites hyphenation/hyph_*.dic

Pyphen (and so WeasyPrint) reads LibreOffice/Hunspell hyphenation files: Liang patterns, where an
odd digit between two letters allows a break there and a higher even digit forbids it. None of
these eight languages has published patterns, so they are generated here from the orthographies'
syllable structure (see README.md beside this file for the sources):

- Syllables are open, (C)(C..)V: a break may follow every vowel, so a whole consonant cluster
  (prenasalised mb nd ng nk nj nz ..., clicks c q x gc nq ngx nkq ..., digraphs and trigraphs hl dl
  tl tlh ts tsh ty ny sh kg ph th kh bh dh gh, the letters of Tshivenda ṱ ḓ ṋ ṅ ḽ) always goes to the
  next syllable with its vowel. No pattern ever allows a break between two consonants except the
  syllabic nasals below, so no cluster is ever split.
- Two vowels side by side are not broken: most such meetings are glides or coalescence at a
  morpheme boundary (Lesotho's Sesotho writes w and y as o and e: "tsoa", "ea"), as in the isiZulu
  patterns Pyphen ships.
- A syllabic nasal stands as its own syllable where the grammars say so: in Sesotho, Setswana and
  Sepedi m before any consonant and n before any consonant but g, y, w (ng and ny are letters)
  ("mo-n-na", "n-tlo"); in isiXhosa, siSwati and isiNdebele the noun prefix um- before a consonant
  ("u-m-ntu", "u-m-sebenzi": class 1 and 3, syllabic before a stem of more than one syllable) and
  m before a consonant that is not a labial (b p f v: mb mp mf mv are prenasalised onsets) nor h w y;
  in Tshivenda and Xitsonga a nasal doubled (Tshivenda "m-me", "n-nḓu"), and in Xitsonga the n'
  marked by its apostrophe is its own syllable ("n'-wa-na") but no break is made beside an
  apostrophe.
- A loan or a name keeps its closed syllables: r or s before a consonant is no onset in any of these
  orthographies (rh and sh, sw are, and stay whole), so the break goes between them
  ("Johannes-burg", not "Johanne-sburg").
- A word's last consonants, with no vowel after them (a name or an English word in the text), are
  never taken to the next line alone.

Pyphen's left and right minimums (the style's ``hyphenate-limit-chars``) keep two letters each side.
"""

from __future__ import annotations

import itertools
from pathlib import Path

HERE = Path(__file__).resolve().parent

VOWELS = "aeiouáéíóúàèìòùâêîôû"
APOSTROPHES = "'’"

# The letters each orthography writes for consonants (ASCII and its own).
LATIN = "bcdfghjklmnpqrstvwxyz"
LANGUAGES: dict[str, dict[str, str]] = {
    "xh_ZA": {"name": "isiXhosa", "family": "nguni", "letters": LATIN},
    "ss_ZA": {"name": "siSwati", "family": "nguni", "letters": LATIN},
    "nr_ZA": {"name": "isiNdebele", "family": "nguni", "letters": LATIN},
    "st_ZA": {"name": "Sesotho", "family": "sotho-tswana", "letters": LATIN},
    "tn_ZA": {"name": "Setswana", "family": "sotho-tswana", "letters": LATIN},
    "nso_ZA": {"name": "Sepedi", "family": "sotho-tswana", "letters": LATIN + "š"},
    "ve_ZA": {"name": "Tshivenḓa", "family": "venda", "letters": LATIN + "ṱḓṋṅḽ"},
    "ts_ZA": {"name": "Xitsonga", "family": "tsonga", "letters": LATIN},
}

# The last consonant of a word-final run of three that is taken as common enough to forbid
# (English plurals and past forms in names and loans: "-nds", "-rts", "-rld").
FINAL_THIRD = "sdtkh"


def open_syllables(letters: str) -> list[str]:
    """A break may follow every vowel; none between two vowels; none before a word's last consonants."""
    patterns = [f"{vowel}1" for vowel in VOWELS]
    patterns += [f"{first}2{second}" for first, second in itertools.product(VOWELS, repeat=2)]
    consonants = letters + APOSTROPHES
    patterns += [f"2{c}." for c in consonants]
    patterns += [f"2{a}{b}." for a, b in itertools.product(consonants, repeat=2)]
    patterns += [f"2{a}{b}{c}." for a, b in itertools.product(consonants, repeat=2) for c in FINAL_THIRD]
    # Never a break beside an apostrophe: "n'wana" is not set as "n'-wana".
    patterns += [f"2{mark}" for mark in APOSTROPHES] + [f"{mark}2" for mark in APOSTROPHES]
    return patterns


def closed_syllables(letters: str) -> list[str]:
    """In a loan or name, a break after r or s before a consonant that cannot follow it in an onset."""
    patterns = []
    for first, follows in (("r", "hwy"), ("s", "hwy")):
        for second in letters:
            if second not in follows:
                patterns += [f"2{first}{second}", f"{first}1{second}"]
    return patterns


def syllabic_nasals(family: str, letters: str) -> list[str]:
    """Breaks after a nasal that is a syllable of its own, by each family's published rules."""
    consonants = [c for c in letters]
    if family == "sotho-tswana":
        after_m = [c for c in consonants if c not in "wy"]
        after_n = [c for c in consonants if c not in "gyw"]
        return [f"m1{c}" for c in after_m] + [f"n1{c}" for c in after_n]
    if family == "nguni":
        prefix = [f".um1{c}" for c in consonants if c not in "wy"]
        inner = [f"m1{c}" for c in consonants if c not in "bpfvhwy"]
        return prefix + inner
    if family == "venda":
        return ["m1m", "n1n"]
    if family == "tsonga":
        return ["m1m", "n1n"]
    raise ValueError(f"no syllable rules for the family {family}")


def merged(patterns: list[str]) -> list[str]:
    """One pattern per run of letters, each place's digit the highest given for it.

    Pyphen keeps one pattern per run of letters (the last read), so ``2sb`` and ``s1b`` must be
    written as ``2s1b``, as Liang's own lists are.
    """
    runs: dict[str, list[int]] = {}
    for pattern in patterns:
        letters = "".join(ch for ch in pattern if not ch.isdigit())
        digits = [0] * (len(letters) + 1)
        place = 0
        for ch in pattern:
            if ch.isdigit():
                digits[place] = int(ch)
            else:
                place += 1
        known = runs.setdefault(letters, [0] * (len(letters) + 1))
        runs[letters] = [max(a, b) for a, b in zip(known, digits, strict=True)]
    return [
        "".join(f"{digit or ''}{letter}" for digit, letter in zip(digits, letters + " ", strict=True)).strip()
        for letters, digits in runs.items()
    ]


def dictionary(code: str) -> str:
    """The text of one hyph_CODE.dic: the encoding line, a header, then one pattern a line."""
    language = LANGUAGES[code]
    patterns = open_syllables(language["letters"]) + closed_syllables(language["letters"])
    patterns += syllabic_nasals(language["family"], language["letters"])
    header = [
        "UTF-8",
        "LEFTHYPHENMIN 2",
        "RIGHTHYPHENMIN 2",
        f"% {language['name']} ({code}): hyphenation patterns generated by hyphenation/make.py",
        "% from the orthography's syllable rules (hyphenation/README.md). Licence: CC0 1.0.",
    ]
    return "\n".join(header + merged(patterns)) + "\n"


def main() -> None:
    """Write every language's file beside this script."""
    for code in LANGUAGES:
        path = HERE / f"hyph_{code}.dic"
        path.write_text(dictionary(code), encoding="utf-8")
        print(f"{path.relative_to(HERE.parent)}: {dictionary(code).count(chr(10)) - 5} patterns")


if __name__ == "__main__":
    main()
