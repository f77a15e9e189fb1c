"""WeasyPrint made ready to typeset, once per process, by one explicit call: ``start()``.

The build calls it before its first typesetter is made (``build.typesetter_for``, in the CLI's
process and in each worker), and ``Typesetter`` calls it too, so that nothing is typeset without:

- the installed releases of WeasyPrint, pydyf and pypdf being those the project was read against
  (``versions``), since it uses parts of them that are private;
- fontconfig pointed at the bundled fonts alone (SVG text and missing-glyph fallback go through
  fontconfig, not @font-face: without this they would use the machine's fonts);
- WeasyPrint's libraries found through one reading of the linker's cache (see below);
- the fixes and memos of ``patches`` and ``speedups`` installed, and the project's hyphenation
  patterns registered with Pyphen;
- the objects the imports leave alive frozen out of the garbage collector's scans.

Nothing of this happens on import: importing a module of the project changes no library and
writes no file.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import hashlib
import logging
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .files import atomic_path
from .model.errors import LayoutError, Problem
from .paths import FONTS_DIR
from .versions import unread_releases

_started = False
STYLE_WARNING_LOCATION = re.compile(r",? at (\d+):(\d+)[.,:]?")


def start() -> None:
    """Make WeasyPrint ready (see the module); again harmless. A release the project was not read
    against is refused with a LayoutError saying which and what to do."""
    global _started
    if _started:
        return
    unread = unread_releases()
    if unread:
        hint = "install the pinned versions again: make (or pip install -c constraints.txt -e .)"
        raise LayoutError([Problem("pyproject.toml", None, None, f"{line}; {hint}") for line in unread])
    _only_bundled_fonts()
    with _libraries_from_linker_cache():
        import weasyprint.text.ffi  # noqa: F401

    from .text import hyphenation
    from .typeset import patches, speedups

    patches.install()
    speedups.install()  # after patches: it wraps their column layout
    hyphenation.register()
    # WeasyPrint's warnings about the HTML the pipeline makes are ours, not an editor's: the style
    # author hears those about the style, through style_warnings.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting's notes on every font
    # The imports leave some 70,000 objects alive for good (half of them WeasyPrint's tables and
    # types), which each full collection would scan again while a layout makes and drops boxes
    # by the hundred thousand. Frozen, they are left out: binding a volume takes a tenth less time.
    gc.freeze()
    _started = True


@contextlib.contextmanager
def style_warnings(stylesheet: Path) -> Iterator[list[str]]:
    """Collect what WeasyPrint says about ``stylesheet`` while it reads it (``colr: red``, ``font-size:
    banana``), each as ``path:line:column: what``, for the style's author."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            where = STYLE_WARNING_LOCATION.search(message)
            name = os.path.relpath(stylesheet)  # as the editor names it, from where the command runs
            place = f"{name}:{where[1]}:{where[2]}" if where else name
            text = STYLE_WARNING_LOCATION.sub("", message, count=1).strip().rstrip(".")
            found.append(f"{place}: {text}")

    logger = logging.getLogger("weasyprint")
    handler, level = Collect(logging.WARNING), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _only_bundled_fonts() -> None:
    """Point fontconfig at the bundled fonts alone, before WeasyPrint first loads a font."""
    digest = hashlib.sha1(bytes(FONTS_DIR)).hexdigest()[:8]
    folder = Path(tempfile.gettempdir()) / f"layout-fontconfig-{digest}"
    folder.mkdir(exist_ok=True)
    config = folder / "fonts.conf"
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{FONTS_DIR}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n"
    )
    if not config.exists() or config.read_text() != text:
        with atomic_path(config) as temporary:  # two workers starting at once never read half a file
            temporary.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(config)


@contextlib.contextmanager
def _libraries_from_linker_cache() -> Iterator[None]:
    """While WeasyPrint loads, answer ``ctypes.util.find_library`` from one reading of the
    linker's cache.

    WeasyPrint tries several names for each of its libraries (``libgobject-2.0-0``,
    ``gobject-2.0``, ... ``libgobject-2.0.so.0``), and cffi asks ``find_library`` about each
    name ``dlopen`` cannot load. On Linux that runs ``ldconfig``, ``gcc`` and ``ld`` each time:
    some 15 misses, 150 ms, half the cost of importing WeasyPrint. Each list ends with the
    library's soname, which ``dlopen`` finds in that cache itself. (Where WeasyPrint was
    imported already, by a test say, this changes nothing.)
    """
    try:
        listing = subprocess.run(
            ["/sbin/ldconfig", "-p"], capture_output=True, env={"LC_ALL": "C", "LANG": "C"}, check=True
        ).stdout.decode(errors="replace")
    except (OSError, subprocess.CalledProcessError):
        yield  # not glibc's Linux: find_library as it is
        return

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s(lib{re.escape(name)}\.\S+)\s", listing)
        return found[1] if found else None

    standard, ctypes.util.find_library = ctypes.util.find_library, find_library
    try:
        yield
    finally:
        ctypes.util.find_library = standard
