"""What each output was made from, written atomically, one build at a time.

A stamp records the digest of an output's inputs (their bytes, the package's code and version)
and their sizes and times. A no-op build compares sizes and times only; a touched file is
judged by its digest. Outputs go to temporary files renamed into place (``layout.files``), so that a failed or
killed build never leaves half a file where a good one was, and a lock keeps two builds of
one output folder apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from .. import __version__
from ..files import atomic_path
from ..model.errors import LayoutError, Problem
from ..paths import ICC_DIR, PACKAGE_DIR

PACKAGE_FILES = (  # the code, and the print edition's ICC profile (see icc/README.md)
    *sorted(PACKAGE_DIR.rglob("*.py")),
    *sorted(ICC_DIR.glob("*.icc")),
)


def digest_files(files: list[Path], *extra: str) -> str:
    """A digest of files' names and bytes, the package's code and version: what outputs are made from."""
    digest = hashlib.sha256(__version__.encode())
    for text in extra:
        digest.update(text.encode())
    for path in [*files, *PACKAGE_FILES]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_stats(files: list[Path]) -> dict[str, list[int]]:
    """Size and modification time of each file: what a no-op build compares, without reading them."""
    stats = {}
    for path in [*files, *PACKAGE_FILES]:
        status = path.stat()
        stats[str(path)] = [status.st_size, status.st_mtime_ns]
    return stats


def unchanged_state(stamp: Path, places: list[str]) -> dict | None:
    """The last build's record, if its outputs exist and no input has changed size or time since.

    The record names files by absolute path: one copied with its project (or its output folder)
    to another place speaks of the old place, and is not trusted.
    """
    state = _recorded(stamp)
    if state.get("places") != places:
        return None
    outputs = state.get("outputs") or {}
    made = outputs.values() if isinstance(outputs, dict) else outputs  # by edition name, or a list
    if not state.get("inputs") or not all(Path(p).exists() for p in made):
        return None
    for name, recorded in state["inputs"].items():
        try:
            status = os.stat(name)
        except OSError:
            return None
        if [status.st_size, status.st_mtime_ns] != recorded:
            return None
    return state


def read_stamp(stamp: Path, digest: str, outputs: list[Path]) -> dict | None:
    """What the last build recorded, if its outputs still exist and were made from the same inputs."""
    if not all(path.exists() for path in outputs):
        return None
    state = _recorded(stamp)
    return state if state.get("digest") == digest else None


def _recorded(stamp: Path) -> dict:
    """A stamp's record; an empty one if it is missing or unreadable (a build killed while the
    disk was full, a file edited by hand): the output is then made again, as if never made."""
    try:
        state = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_stamp(stamp: Path, **state: object) -> None:
    """Record what an output was made from, for ``read_stamp`` and ``unchanged_state``."""
    with atomic_path(stamp) as temporary:
        temporary.write_text(json.dumps(state))


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold ``.lock`` in the output folder for a whole command: a second build there stops at once.

    Two builds writing the same files would each be whole (see ``atomic_path``) but race for the
    stamps; an editor is better told than kept waiting. The lock goes with the process, even
    when it is killed; temporary files a killed build left behind are cleared once it is held.
    """
    out.mkdir(parents=True, exist_ok=True)
    lock = out / ".lock"
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            message = f"another build is running in this folder (pid {holder})"
            raise LayoutError(Problem(str(out), None, None, message)) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        for stale in out.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
        try:
            yield
        finally:
            handle.truncate(0)
