"""`Document.locate`: JSON Pointer to line and column, at the key of the named member."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contractgen.load.document import Document, load_document
from contractgen.load.json_scan import JsonScanPositions
from contractgen.load.positions import TREE_SITTER_MAX_CHARS, JsonPositions, positions_for
from contractgen.location import Location
from tests.conftest import CORPUS

WriteSpec = Callable[..., Path]

YAML = """\
openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /a/{id}:
    get:
      tags: [x, y]
      parameters:
        - name: id
          in: path
  "/quoted~x":
    post: {summary: s, responses: {"200": {description: ok}}}
"""

JSON = """\
{
  "openapi": "3.2.0",
  "info": {"title": "café ☃", "version": "1"},
  "paths": {"/a": {"get": {"tags": ["é", "b"]}}}
}
"""


def position(doc: Document, pointer: str) -> tuple[int | None, int | None]:
    located = doc.locate(Location(doc.root.display, pointer))
    return located.line, located.column


def column_of(text: str, line: int, needle: str) -> int:
    """1-based character column of `needle` on a 1-based line."""
    return text.splitlines()[line - 1].index(needle) + 1


@pytest.fixture
def yaml_doc(write_spec: WriteSpec) -> Document:
    return load_document(write_spec(YAML))


@pytest.fixture
def json_doc(write_spec: WriteSpec) -> Document:
    return load_document(write_spec(JSON, "spec.json"))


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", (1, 1)),
        ("/info/title", (2, 8)),  # flow mapping
        ("/paths/~1a~1{id}", (4, 3)),  # `/` escaped as ~1
        ("/paths/~1a~1{id}/get", (5, 5)),
        ("/paths/~1a~1{id}/get/tags/1", (6, 17)),  # flow sequence item
        ("/paths/~1a~1{id}/get/parameters/0", (8, 11)),  # block sequence item: its first key
        ("/paths/~1a~1{id}/get/parameters/0/in", (9, 11)),
        ("/paths/~1quoted~0x", (10, 3)),  # quoted key, `~` escaped as ~0
        ("/paths/~1quoted~0x/post/responses/200/description", (11, 44)),
    ],
)
def test_yaml_positions(yaml_doc: Document, pointer: str, expected: tuple[int, int]) -> None:
    assert position(yaml_doc, pointer) == expected


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/paths/~1a~1{id}/get/nothing/deeper", (5, 5)),
        ("/paths/~1a~1{id}/get/tags/9", (6, 7)),
        ("/paths/~1a~1{id}/get/tags/x", (6, 7)),
        ("/info/title/deeper", (2, 8)),  # below a scalar
    ],
)
def test_yaml_past_the_document_stops_at_the_deepest_ancestor(
    yaml_doc: Document, pointer: str, expected: tuple[int, int]
) -> None:
    assert position(yaml_doc, pointer) == expected


@pytest.mark.parametrize(
    ("pointer", "line", "needle"),
    [
        ("/openapi", 2, '"openapi"'),
        ("/info/version", 3, '"version"'),  # after non-ASCII: columns count characters
        ("/paths/~1a/get", 4, '"get"'),
        ("/paths/~1a/get/tags/1", 4, '"b"'),
        ("/paths/~1a/get/nothing", 4, '"get"'),
        ("/paths/~1a/get/tags/5", 4, '"tags"'),
    ],
)
def test_json_positions(json_doc: Document, pointer: str, line: int, needle: str) -> None:
    assert position(json_doc, pointer) == (line, column_of(JSON, line, needle))


def test_json_root(json_doc: Document) -> None:
    assert position(json_doc, "") == (1, 1)


def test_positions_are_computed_only_when_asked(yaml_doc: Document) -> None:
    assert yaml_doc.root._positions is None
    position(yaml_doc, "/info")
    assert yaml_doc.root._positions is not None


def test_a_located_location_is_left_alone(yaml_doc: Document) -> None:
    located = Location(yaml_doc.root.display, "/info", 40, 2)
    assert yaml_doc.locate(located) == located


def test_a_location_in_an_unknown_file_is_left_alone(yaml_doc: Document) -> None:
    elsewhere = Location("elsewhere.yaml", "/info")
    assert yaml_doc.locate(elsewhere) == elsewhere


def test_json_escaped_keys(write_spec: WriteSpec) -> None:
    text = '{"openapi": "3.2.0",\n "x": {"a\\u002fb": 1, "c~d": 2}}'
    doc = load_document(write_spec(text, "spec.json"))
    assert position(doc, "/x/a~1b") == (2, 8)
    assert position(doc, "/x/c~0d") == (2, column_of(text, 2, '"c~d"'))


# --- the bounded-memory JSON scanner answers as tree-sitter does ---------------------------

EDGES = (
    '{"openapi" : "3.2.0",\r\n "café ☃": {"é": [1, {"a\\"b": [], "\\u0061": {}}, [[], [2]]]},'
    '\n\t"items": [' + ", ".join(f'{{"n": {i}, "s": "]}}\\\\"}}' for i in range(300)) + "],\n"
    ' "empty": {}, "list": [], "deep": [[[[{"x": [true, false, null, -1.5e3]}]]]]}\n'
)


def _pointers(data: Any, missing: bool = True) -> list[list[str]]:
    """Every pointer into `data`, and (with `missing`) one past each leaf or container."""
    found: list[list[str]] = [[]]
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict | list):
            for key, value in node.items() if isinstance(node, dict) else enumerate(node):
                found.append([*path, str(key)])
                stack.append((value, [*path, str(key)]))
        if missing:
            found += [[*path, "nothing"], [*path, "9999"]]
    return found


def _agree(text: str, pointers: list[list[str]]) -> None:
    scanner, tree = JsonScanPositions(text), JsonPositions(text)
    for pointer in pointers:
        assert scanner.locate(pointer) == tree.locate(pointer), "/".join(pointer)


def test_json_scanner_agrees_with_tree_sitter_on_edge_cases() -> None:
    _agree(EDGES, _pointers(json.loads(EDGES)))


@pytest.mark.parametrize("name", ["discord-openapi.json", "github-api.github.com.json"])
def test_json_scanner_agrees_with_tree_sitter_on_the_corpus(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("../shared/corpus is not present")
    text = path.read_text(encoding="utf-8")
    pointers = _pointers(json.loads(text))
    _agree(text, random.Random(5).sample(pointers, 1500))


def test_json_over_the_tree_sitter_limit_is_scanned() -> None:
    """tree-sitter would keep some 145 bytes per byte of this text (one node per number)."""
    text = '{"x": [' + ",".join(["1"] * 600_000) + '], "y": 1}'
    assert len(text) > TREE_SITTER_MAX_CHARS
    index = positions_for(text, "json")
    assert isinstance(index, JsonScanPositions)
    assert index.locate(["y"]) == (1, text.index('"y"') + 1)
    assert index.locate(["x", "599999"]) == (1, text.index("]"))
