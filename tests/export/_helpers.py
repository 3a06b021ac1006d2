"""Running `contractgen export` in-process, and reading what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from contractgen.cli import app
from tests.conftest import ROOT

CHAT = ROOT / "specs" / "chat-service.yaml"
LEGACY = ROOT / "specs" / "chat-service-legacy-3.1.yaml"


def export(*args: str | Path) -> Result:
    """`contractgen export ...`; an exception other than an exit fails the test (a bug)."""
    return CliRunner().invoke(app, ["export", *map(str, args)], catch_exceptions=False)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder (the manifest included), by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def refs(value: Any) -> list[str]:
    """Every `$ref` string anywhere in a JSON value."""
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in refs(item)]
    return []
