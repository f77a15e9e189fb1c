"""Bundled fonts cover every letter we print; the typesetter reads nothing outside its sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from layout.model.errors import TypesetError
from layout.typeset.pdf import Forbidden, SandboxFetcher, Typesetter

ROOT = Path(__file__).resolve().parent.parent
SOUTH_AFRICAN = "êôšÊÔŠḓḽṅṋṱḒḼṄṊṰáéíóúàèëïöüçñ‘’“”–—…"


FALLBACKS = ("NotoSansSymbols", "NotoEmoji")  # faces for symbols and emoji, not for text
TEXT_FACES = sorted(p.name for p in (ROOT / "fonts").glob("*.ttf") if not p.name.startswith(FALLBACKS))


@pytest.mark.parametrize("font", TEXT_FACES)
def test_fonts_cover_south_african_letters(font: str) -> None:
    cmap = TTFont(ROOT / "fonts" / font).getBestCmap()
    assert [c for c in SOUTH_AFRICAN if ord(c) not in cmap] == []


def test_body_font_covers_every_shipped_character() -> None:
    cmap = TTFont(ROOT / "fonts" / "CharisSIL-Regular.ttf").getBestCmap()
    text = "".join(p.read_text() for p in (ROOT / "issues").rglob("*.md"))
    assert sorted({c for c in text if c != "\n" and ord(c) not in cmap}) == []


def test_fonts_have_their_licences() -> None:
    assert (ROOT / "fonts" / "OFL-1.1.txt").read_text().startswith("SIL OPEN FONT LICENSE")
    assert "Charis" in (ROOT / "fonts" / "LICENSE-CharisSIL.txt").read_text()
    assert "Noto" in (ROOT / "fonts" / "LICENSE-Noto.txt").read_text()


def test_fetcher_serves_files_inside_and_refuses_the_rest(tmp_path: Path) -> None:
    (tmp_path / "inside.txt").write_text("ok")
    (tmp_path / "link.txt").symlink_to("/etc/hostname")
    fetcher = SandboxFetcher((tmp_path,))
    assert fetcher.fetch((tmp_path / "inside.txt").as_uri()).read() == b"ok"
    for url in (
        "file:///etc/passwd",
        (tmp_path / "link.txt").as_uri(),
        "http://127.0.0.1:9/x.png",
        f"file://{tmp_path}/../etc/passwd",
        "data:text/plain,hi",
        "file:///dev/urandom",
    ):
        with pytest.raises(Forbidden):
            fetcher.fetch(url)


def test_a_document_that_reaches_out_is_stopped(tmp_path: Path) -> None:
    typesetter = Typesetter(ROOT / "styles" / "spark", ROOT / "fonts")
    for html in ('<img src="file:///etc/passwd">', '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'):
        with pytest.raises(TypesetError):
            typesetter.layout(f"<p>x</p>{html}", tmp_path, "test.html")
