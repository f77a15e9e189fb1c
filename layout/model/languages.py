"""What a language code is: the eleven official written languages of South Africa as the project
writes them, and the ISO 639 codes any other language is written with. Which of them are hyphenated
is the text stage's part (``text.hyphenation``)."""

from __future__ import annotations

# The eleven official written languages of South Africa, as the project writes their codes.
ELEVEN = ("af-ZA", "en-ZA", "nr", "nso", "ss", "st", "tn", "ts", "ve", "xh", "zu-ZA")

# ISO 639-1 codes (from Debian's iso-codes, iso_639-2.json's alpha_2 entries), with nso, which has
# only a three-letter code: a ``lang`` outside these is no language code at all.
ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz
ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln
lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi
pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti
tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"""
ISO_639_1 = frozenset(ISO_639_1_CODES.split())
KNOWN_CODES = ISO_639_1 | {"nso"}


def is_language(code: str) -> bool:
    """Whether ``code`` (``xh``, ``xh-ZA``, ``nso-ZA``) names a language: its first part is ISO 639."""
    return code.split("-")[0] in KNOWN_CODES
