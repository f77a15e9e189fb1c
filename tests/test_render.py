"""The render stage: one Jinja2 environment per house style, a template read again when it is edited."""

from __future__ import annotations

import os
from pathlib import Path

from layout.typeset.render import environment


def test_a_style_has_one_environment_and_an_edited_template_is_read_again(tmp_path: Path) -> None:
    template = tmp_path / "page.html"
    template.write_text("first {{ n }}")
    env = environment(tmp_path)
    assert env.get_template("page.html").render(n=1) == "first 1"
    template.write_text("second {{ n }}")
    os.utime(template, (template.stat().st_atime + 5, template.stat().st_mtime + 5))  # a later edit
    assert environment(tmp_path) is env  # compiled once, not at every render
    assert env.get_template("page.html").render(n=2) == "second 2"
