"""The releases of the libraries whose private parts the project uses, as read from their source.

Each entry says what is used. ``engine.start`` refuses another release, in plain words, rather
than print pages that may be wrong: read the new release's source where the entry says, then
move the pin here and in pyproject.toml.
"""

from __future__ import annotations

from importlib.metadata import version

READ_FOR = {
    "weasyprint": (
        "70.0",
        "the layout functions patches.py and speedups.py replace; Page._page_box (overflow, tagging,"
        " typeset); RasterImage._dpi (typeset: images at screen resolution); pdf.add_tags, Stream.marked",
    ),
    "pydyf": ("0.13.0", "PDF.pages['Kids'] holds each page as three items: number, generation, R (typeset)"),
    "pypdf": ("7.1.1", "PdfWriter._add_object (impose); PdfReader._get_object_from_stream (pdf.py's reader)"),
}


def release(name: str) -> str:
    """The release of ``name`` the project was read against."""
    return READ_FOR[name][0]


def unread_releases() -> list[str]:
    """What is installed in a release the project was not read against, in plain words."""
    return [
        f"{name} {version(name)} is installed, but layout was written for {pinned} (it uses {what})"
        for name, (pinned, what) in READ_FOR.items()
        if version(name) != pinned
    ]
