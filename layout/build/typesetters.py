"""The typesetter of a house style, one per style and process, and the style's files it is made from.

Fonts and stylesheets are loaded once per process; a change to a file of the style or the fonts
makes a new typesetter (a watching process lives long)."""

from __future__ import annotations

import functools
import gc
import json
from multiprocessing.util import Finalize
from pathlib import Path
from typing import TYPE_CHECKING

from .. import engine
from ..project import Project
from .stamps import file_stats

if TYPE_CHECKING:
    from ..typeset.pdf import Typesetter


def style_files(project: Project, style: str) -> list[Path]:
    """A style's files and the fonts; not its ``site/`` folder, which no PDF is made from."""
    style_dir = project.style_dir(style)
    files = [path for path in style_dir.rglob("*") if path.relative_to(style_dir).parts[0] != "site"]
    return sorted(files) + sorted(project.fonts_dir.rglob("*"))


@functools.lru_cache(maxsize=4)
def _typesetter(style_dir: Path, fonts_dir: Path, version: str) -> Typesetter:
    engine.start()  # the one set-up, in this process, before WeasyPrint is first imported
    from ..typeset.pdf import Typesetter  # WeasyPrint is imported only when something is typeset

    Finalize(None, _let_go_of_typesetters, exitpriority=0)
    return Typesetter(style_dir, fonts_dir)


def _let_go_of_typesetters() -> None:
    """Drop this process's typesetters while Python can still run WeasyPrint's clean-up, which
    removes the fonts' temporary folder (3 MB) once the collector frees their font configuration.

    Run by multiprocessing's finalizers: at exit, and at the end of a worker process of a
    parallel build, which ends without running atexit or collecting.
    """
    _typesetter.cache_clear()
    gc.collect()


def typesetter_for(project: Project, style: str) -> Typesetter:
    """One Typesetter per style and process: fonts and stylesheet are loaded once, and again
    only when a file of the style or the fonts changes (a watching process lives long)."""
    files = style_files(project, style)
    version = json.dumps(file_stats(files))
    return _typesetter(project.style_dir(style), project.fonts_dir, version)
