"""JSON Schemas of the files editors write, generated from the manifest's models.

Editors' editors use them to complete and check fields as they type: the VS Code YAML
extension (and any yaml-language-server client) reads the ``# yaml-language-server:
$schema=...`` comment at the top of a YAML file. The committed copies under ``schemas/``
are kept up to date with the models by a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..files import atomic_path
from .manifest import FrontMatter, IssueManifest, Model, Publication, VolumesFile
from .pamphlets import PamphletsFile

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# file name -> (model, the title editors see)
SCHEMAS: dict[str, tuple[type[Model], str]] = {
    "issue.schema.json": (IssueManifest, "issue.yaml: one issue of the publication"),
    "article.schema.json": (FrontMatter, "Article front matter"),
    "publication.schema.json": (Publication, "publication.yaml: what every issue shares"),
    "volumes.schema.json": (VolumesFile, "volumes.yaml: the bound volumes"),
    "pamphlets.schema.json": (PamphletsFile, "pamphlets.yaml: articles gathered across issues"),
}


def json_schema(model: type[Model], title: str) -> dict[str, Any]:
    """One model's JSON Schema, with the draft and a title for editors."""
    return {"$schema": DRAFT, **model.model_json_schema(), "title": title}


def schema_texts() -> dict[str, str]:
    """Every schema as the text written to its file."""
    return {
        name: json.dumps(json_schema(model, title), indent=2, ensure_ascii=False) + "\n"
        for name, (model, title) in SCHEMAS.items()
    }


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into ``out``; return the paths written."""
    written = []
    for name, text in schema_texts().items():
        with atomic_path(out / name) as temporary:
            temporary.write_text(text)
        written.append(out / name)
    return written


def schema_comment(name: str, yaml_file: Path, schemas_dir: Path) -> str:
    """The first line that points yaml-language-server at a schema, relative to the YAML file."""
    relative = Path(*[".."] * len(yaml_file.parent.relative_to(schemas_dir.parent).parts)) / "schemas"
    return f"# yaml-language-server: $schema={(relative / name).as_posix()}\n"
