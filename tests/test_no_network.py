"""No network: whatever an article or a document points at, nothing is ever fetched.

A listener on 127.0.0.1 counts every connection. Articles and documents point at it in every
way they can (images, links, raw HTML, SVG references, style sheets, fonts, attachments), and
the build runs with the listener as its HTTP proxy too, so that a fetch of any address would
reach it. Each is refused with a located message or set without fetching; the count stays 0.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from layout.model.errors import TypesetError
from layout.typeset.pdf import Forbidden, Typesetter
from tests.conftest import ROOT
from tests.test_bad_input import run_layout


class Listener:
    """Accepts connections on a free port of 127.0.0.1 and counts them."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass  # the listener counts what reaches it
    deadline = 50
    while server.connections == 0 and deadline:
        threading.Event().wait(0.02)
        deadline -= 1
    assert server.connections == 1
    server.connections = 0
    yield server
    server.close()


def build(project: Path, listener: Listener) -> tuple[int, str]:
    proxy = f"http://127.0.0.1:{listener.port}"
    os.environ.update(http_proxy=proxy, https_proxy=proxy, HTTP_PROXY=proxy, HTTPS_PROXY=proxy)
    try:
        result = run_layout(project, "build", "-j", "1")
    finally:
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            os.environ.pop(name)
    return result.returncode, result.stderr


def test_links_to_the_network_are_set_but_never_followed(scratch: Path, listener: Listener) -> None:
    article = scratch / "issues" / "001" / "small.md"
    article.write_text(
        article.read_text() + f"\nSee [the page]({listener.url('page')}) and <{listener.url('auto')}>.\n"
    )
    status, stderr = build(scratch, listener)
    assert status == 0, stderr
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![a picture]({url})", "image: 'http://127.0.0.1"),
        ('<img src="{url}">', "body: raw HTML is not allowed"),
        ('<link rel="stylesheet" href="{url}">', "body: raw HTML is not allowed"),
        ("<style>@import url({url});</style>", "body: raw HTML is not allowed"),
        ("Text <iframe src={url}></iframe>", "body: raw HTML is not allowed"),
        ("![svg](figures/out.svg)", "image: 'figures/out.svg': refers to"),
        ("![svg](figures/styled.svg)", "image: 'figures/styled.svg': refers to another file"),
    ],
)
def test_articles_pointing_outside_are_refused(
    scratch: Path, listener: Listener, markdown: str, message: str
):
    figures = scratch / "issues" / "001" / "figures"
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'
    (figures / "out.svg").write_text(svg.format(f'<image xlink:href="{listener.url("x.png")}"/>'))
    (figures / "styled.svg").write_text(
        svg.format(f"<style>@font-face {{ src: url({listener.url('f')}) }}</style>")
    )
    article = scratch / "issues" / "001" / "small.md"
    article.write_text(article.read_text() + "\n" + markdown.format(url=listener.url("x")) + "\n")
    status, stderr = build(scratch, listener)
    assert status == 2
    assert "Traceback" not in stderr
    assert f"issues/001/small.md:18: {message}" in stderr, stderr
    assert listener.connections == 0


def test_the_typesetter_fetches_nothing_from_any_address(tmp_path: Path, listener: Listener) -> None:
    """Below the checks of the text stage, the typesetter's own fetcher refuses every address."""
    typesetter = Typesetter(ROOT / "styles" / "spark", ROOT / "fonts")
    url = listener.url("x")
    for html in (
        f'<img src="{url}">',
        f'<link rel="stylesheet" href="{url}">',
        f"<style>@import url({url});</style>",
        f"<style>@font-face {{ font-family: x; src: url({url}) }} p {{ font-family: x }}</style>",
        f'<p style="background: url({url})">x</p>',
        f'<link rel="attachment" href="{url}">',
        f'<svg><image href="{url}" width="10" height="10"/></svg>',
        f'<object data="{url}"></object>',
    ):
        try:
            typesetter.layout(f"<p>x</p>{html}", tmp_path, "test.html").write_pdf(pdf_variant="pdf/ua-1")
        except (TypesetError, Forbidden) as error:  # Forbidden: an attachment, fetched while writing
            assert url in str(error)
    assert listener.connections == 0
