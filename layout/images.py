"""Untrusted images checked whole before anything is typeset.

Every image an article names is checked here, before any stage reads it: it must be a file
inside the issue's folder, of a kind we print, small enough, and sound.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000
OUTSIDE_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)


def check_image(src: str, issue_dir: Path) -> str | None:
    """Why an image reference may not be used, or None when it is safe and sound."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
        return f"{src!r}: images must be files in the issue's folder, not addresses"
    parts = PurePosixPath(src).parts
    if not src or src.startswith(("/", "\\")) or ".." in parts or "\\" in src:
        return f"{src!r}: images must be given by a relative path inside the issue's folder"
    path = issue_dir / src
    if path.suffix.lower() not in IMAGE_TYPES:
        return f"{src!r}: not an image type we print ({', '.join(sorted(IMAGE_TYPES))})"
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(issue_dir.resolve())
    except FileNotFoundError:
        return f"{src!r}: image file not found"
    except ValueError:
        return f"{src!r}: leads outside the issue's folder"
    if not resolved.is_file():
        return f"{src!r}: not a file"
    size = resolved.stat().st_size
    if size == 0:
        return f"{src!r}: the file is empty"
    if size > MAX_IMAGE_BYTES:
        return f"{src!r}: the file is larger than {MAX_IMAGE_BYTES:,} bytes"
    return _check_image_data(resolved, src)


def _check_image_data(path: Path, src: str) -> str | None:
    if path.suffix.lower() == ".svg":
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as error:
            return f"{src!r}: not a readable SVG ({error})"
        if not root.tag.endswith("svg"):
            return f"{src!r}: not an SVG image"
        return _svg_reference(root, src)
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return f"{src!r}: {image.width}×{image.height} pixels is more than we print"
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return f"{src!r}: not a readable image (corrupt or of an unknown kind)"
    return None


def _svg_reference(root: ElementTree.Element, src: str) -> str | None:
    """An SVG must be self-contained: any reference to another file or address is refused."""
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] == "href" and not value.startswith("#"):
                return f"{src!r}: refers to {value[:60]!r}; an SVG must be self-contained"
        for value in (*element.attrib.values(), element.text or ""):
            if OUTSIDE_REFERENCE.search(value):
                return f"{src!r}: refers to another file; an SVG must be self-contained"
    return None
