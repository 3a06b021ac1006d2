"""`Document.locate`: JSON Pointer to line and column, at the key of the named member."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.load.document import Document, load_document
from contractgen.location import Location

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
