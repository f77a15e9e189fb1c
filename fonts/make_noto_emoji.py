"""Make fonts/NotoEmoji-Regular.ttf from the monochrome Noto Emoji of npm's @fontsource/noto-emoji.

    npm pack @fontsource/noto-emoji && tar xzf fontsource-noto-emoji-*.tgz
    .venv/bin/python fonts/make_noto_emoji.py package/files/noto-emoji-emoji-400-normal.woff2

The WOFF2 becomes a TrueType file, less the symbols of the Basic Multilingual Plane (arrows, shapes,
dingbats: ▪ ▫ ☀ ♥ ...) that our text faces or Noto Sans Symbols (2) already have: those then print
at text width from those faces, not at emoji width. Pictographs (plane 1), the parts of emoji
sequences (skin tones, joiners, keycaps, flags) and the hands that take a skin tone (✊ ✋ ✌ ...) stay.

A one-colour font draws ✊🏾 as ✊: its ligature gives back the plain sign's own glyph. PDF text is
mapped to Unicode glyph by glyph, so a page with both would read ✊🏾 where ✊ is printed, or the
reverse. Each such sequence gets a glyph of its own, a reference to the plain one (a few bytes).
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent
TEXT_FACES = ("CharisSIL-Regular.ttf", "NotoSans-Regular.ttf", "NotoSansSymbols-Regular.ttf")
TEXT_FACES += ("NotoSansSymbols2-Regular.ttf",)
SEQUENCE_PARTS = (
    set(range(0x30, 0x3A))
    | {0x23, 0x2A, 0x200D, 0xFE0E, 0xFE0F, 0x20E3}
    | set(range(0x1F3FB, 0x1F400))  # skin tones
    | set(range(0xE0020, 0xE0080))  # tags (flags of regions)
    | set(range(0x1F1E6, 0x1F200))  # regional indicators (flags)
)
SKIN_TONE_BASES = {0x261D, 0x26F9, 0x270A, 0x270B, 0x270C, 0x270D}


def main(source: str) -> None:
    covered = set().union(*(TTFont(FONTS / name).getBestCmap() for name in TEXT_FACES))
    cmap = set(TTFont(source).getBestCmap())
    keep = {
        code
        for code in cmap
        if code not in covered or code in SEQUENCE_PARTS | SKIN_TONE_BASES or not 0x2000 <= code < 0x10000
    }
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    font = TTFont(source)
    copies = _glyphs_of_their_own(font)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    font.flavor = None
    font.save(FONTS / "NotoEmoji-Regular.ttf")
    print(f"{len(cmap)} characters, {len(keep)} kept; {copies} sequences given glyphs of their own")


def _glyphs_of_their_own(font: TTFont) -> int:
    """Point every ligature that yields its first glyph at a new glyph drawn as that one."""
    glyphs = font["glyf"]
    metrics = [font[tag] for tag in ("hmtx", "vmtx") if tag in font]
    copies = 0
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = table.ExtSubTable if lookup.LookupType == 7 else table
            for first, ligatures in getattr(table, "ligatures", {}).items():
                for ligature in ligatures:
                    if ligature.LigGlyph != first:
                        continue
                    name = f"{first}.{'_'.join(ligature.Component)}"
                    if name not in glyphs:
                        pen = TTGlyphPen(glyphs)
                        pen.addComponent(first, (1, 0, 0, 1, 0, 0))
                        glyphs[name] = pen.glyph()  # added to the font's glyph order too
                        for table_of_metrics in metrics:
                            table_of_metrics[name] = table_of_metrics[first]
                        copies += 1
                    ligature.LigGlyph = name
    font.setGlyphOrder(glyphs.glyphOrder)  # the font's glyph ids, which it caches, now with the new glyphs
    return copies


if __name__ == "__main__":
    main(sys.argv[1])
