"""Edits that change nothing for a client make `diff` report nothing.

Each test rewrites a real contract in a way that keeps every request and response the same
(keys reordered, YAML turned into JSON, a schema renamed or inlined, prose edited, a 3.0
document upgraded to 3.1's nullability) and diffs it against the original.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.diff.engine import diff_documents
from contractgen.errors import LoadError
from contractgen.load.document import load_document
from contractgen.report.finding import Finding
from tests.conftest import CORPUS, ROOT

CHAT = ROOT / "specs" / "chat-service.yaml"
SPECS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json"))
PROSE = ("description", "summary", "title", "example", "examples", "externalDocs")


def diff_files(old: Path, new: Path) -> list[Finding]:
    return diff_documents(load_document(old), load_document(new))


def rewritten(tmp_path: Path, edit: Callable[[Any], Any], *, name: str = "new.yaml") -> Path:
    """The chat contract after `edit`, written to a new file."""
    data = edit(yaml.safe_load(CHAT.read_text()))
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, indent=1))
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False, width=60))
    return path


def reversed_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: reversed_keys(node[key]) for key in reversed(list(node))}
    if isinstance(node, list):
        return [reversed_keys(item) for item in node]
    return node


def without_prose(node: Any, parent: str = "") -> Any:
    """Descriptions, summaries, titles and examples dropped (not inside `properties`)."""
    if isinstance(node, dict):
        return {
            key: without_prose(value, key)
            for key, value in node.items()
            if parent in ("properties", "paths", "schemas") or key not in PROSE
        }
    if isinstance(node, list):
        return [without_prose(item) for item in node]
    return node


def renamed_schema(old: str, new: str) -> Callable[[Any], Any]:
    """Rename a component schema and every reference to it."""

    def edit(data: Any) -> Any:
        text = json.dumps(data).replace(
            f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"'
        )
        renamed = json.loads(text)
        schemas = renamed["components"]["schemas"]
        renamed["components"]["schemas"] = {
            (new if key == old else key): value for key, value in schemas.items()
        }
        return renamed

    return edit


def inlined_schema(name: str) -> Callable[[Any], Any]:
    """Replace every reference to a (non-recursive) component schema by its content."""

    def edit(data: Any) -> Any:
        target = data["components"]["schemas"][name]
        ref = f"#/components/schemas/{name}"

        def inline(node: Any) -> Any:
            if isinstance(node, dict):
                if node.get("$ref") == ref:
                    return copy.deepcopy(target)
                return {key: inline(value) for key, value in node.items()}
            if isinstance(node, list):
                return [inline(item) for item in node]
            return node

        inlined = inline(data)
        del inlined["components"]["schemas"][name]
        return inlined

    return edit


def test_a_contract_against_itself_reports_nothing() -> None:
    assert diff_files(CHAT, CHAT) == []


def test_reordered_keys_report_nothing(tmp_path: Path) -> None:
    assert diff_files(CHAT, rewritten(tmp_path, reversed_keys)) == []


def test_the_same_contract_as_json_reports_nothing(tmp_path: Path) -> None:
    as_json = rewritten(tmp_path, lambda data: data, name="chat.json")
    assert diff_files(CHAT, as_json) == []
    assert diff_files(as_json, CHAT) == []


def test_prose_only_edits_report_nothing(tmp_path: Path) -> None:
    assert diff_files(CHAT, rewritten(tmp_path, without_prose)) == []


def test_a_renamed_component_schema_reports_nothing(tmp_path: Path) -> None:
    data = yaml.safe_load(CHAT.read_text())
    name = next(iter(data["components"]["schemas"]))
    renamed = rewritten(tmp_path, renamed_schema(name, name + "Renamed"))
    assert diff_files(CHAT, renamed) == []


def test_an_inlined_component_schema_reports_nothing(tmp_path: Path) -> None:
    data = yaml.safe_load(CHAT.read_text())
    text = json.dumps(data)
    leaf = next(
        name
        for name, schema in data["components"]["schemas"].items()
        if "$ref" not in json.dumps(schema) and f'"#/components/schemas/{name}"' in text
    )
    assert diff_files(CHAT, rewritten(tmp_path, inlined_schema(leaf))) == []


NULLABLE_30 = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties:
        id: {type: string}
        note: {type: string, nullable: true}
        count: {type: integer, minimum: 0, exclusiveMinimum: true}
"""
NULLABLE_31 = (
    NULLABLE_30.replace("3.0.3", "3.1.0")
    .replace("{type: string, nullable: true}", "{type: [string, 'null']}")
    .replace("minimum: 0, exclusiveMinimum: true", "exclusiveMinimum: 0")
)


def test_a_3_0_to_3_1_upgrade_of_the_same_api_reports_nothing(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(NULLABLE_30)
    new.write_text(NULLABLE_31)
    assert diff_files(old, new) == []
    assert diff_files(new, old) == []


@pytest.mark.skipif(not SPECS, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_corpus_spec_against_itself_reports_nothing(path: Path) -> None:
    try:
        document = load_document(path)
    except LoadError as error:
        assert error.code == "LOAD010", error.render()  # Swagger 2.0: not a contract
        return
    assert diff_documents(document, load_document(path)) == []
