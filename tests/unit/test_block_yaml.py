"""The block-YAML line index answers exactly what PyYAML's composer would, or declines."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from contractgen.load.block_yaml import BlockYamlIndex, Unsupported
from contractgen.load.parse import parse_yaml
from contractgen.load.positions import YamlPositions
from tests.conftest import CORPUS, ROOT

TRICKY = """\
openapi: 3.1.0  # a comment after a value
# a comment line at the top level
info:
  title: "quoted: value"
  description: |
    not_a_key: this line is block scalar content
    tags:
  version: '1'
paths:
  /pets/{id}:
    get:
      tags:
      - pets
      - animals
      parameters:
      - name: id
        in: path
        schema: {type: string}
      -   name: spaced
          in: query
      -
        name: below
        in: header
      responses:
        '200':
          description: OK
        "404": {description: Missing}
x-key:with-colon: 1
'quoted ''key''': 2
spaced   key 	 : 3
compact:
- a
- b: 1
  c: 2
"""


def _all_pointers(data: Any) -> list[list[str]]:
    found: list[list[str]] = [[]]
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else []
        )
        for key, value in items:
            pointer = [*path, str(key)]
            found.append(pointer)
            if isinstance(value, dict | list):
                stack.append((value, pointer))
    return found


def _agreement(text: str, pointers: list[list[str]]) -> tuple[int, int]:
    """(answered, declined) after checking every answer against the composer."""
    lines = BlockYamlIndex(text)
    composer = YamlPositions(text)
    answered = declined = 0
    for pointer in pointers:
        try:
            position = lines.locate(pointer)
        except Unsupported:
            declined += 1
            continue
        assert position == composer._locate_composed(pointer), "/".join(pointer)
        answered += 1
    return answered, declined


def test_tricky_block_yaml_agrees_with_the_composer() -> None:
    answered, declined = _agreement(TRICKY, _all_pointers(parse_yaml(TRICKY, "t.yaml")))
    # declined: inside the two flow mappings, and the item written `-   name:` (3 pointers)
    assert (answered, declined) == (32, 5)


def test_crlf_line_endings() -> None:
    text = TRICKY.replace("\n", "\r\n")
    assert _agreement(text, _all_pointers(parse_yaml(text, "t.yaml"))) == (32, 5)


@pytest.mark.parametrize(
    ("pointer", "text_there"),
    [
        (["info", "version"], "version: '1'"),
        (["paths", "/pets/{id}", "get", "parameters", "0", "in"], "in: path"),
        (["paths", "/pets/{id}", "get", "parameters", "2", "name"], "name: below"),
        (["paths", "/pets/{id}", "get", "responses", "200"], "'200':"),
        (["x-key:with-colon"], "x-key:with-colon: 1"),
        (["quoted 'key'"], "'quoted ''key''': 2"),
        (["compact", "0"], "a"),
        (["compact", "1", "c"], "c: 2"),
    ],
)
def test_positions_land_on_the_node(pointer: list[str], text_there: str) -> None:
    line, column = BlockYamlIndex(TRICKY).locate(pointer)
    assert TRICKY.splitlines()[line - 1][column - 1 :].startswith(text_there)


@pytest.mark.parametrize(
    "pointer",
    [
        ["paths", "/pets/{id}", "get", "parameters", "0", "schema", "type"],  # inside flow
        ["paths", "/pets/{id}", "get", "responses", "404", "description"],  # inside flow
        ["info", "description", "tags"],  # inside a block scalar
        ["nowhere"],
    ],
)
def test_declines_what_it_cannot_see(pointer: list[str]) -> None:
    with pytest.raises(Unsupported):
        BlockYamlIndex(TRICKY).locate(pointer)


@pytest.mark.parametrize(
    "text",
    ["{openapi: 3.1.0}\n", "%YAML 1.2\n---\nopenapi: 3.1.0\n", "a:\n\tb: 1\n", "a: &x\n  b: 1\n"],
    ids=["flow-root", "directive", "tabs", "anchor"],
)
def test_declines_unusual_documents(text: str) -> None:
    with pytest.raises(Unsupported):
        BlockYamlIndex(text).locate(["a", "b"] if text.startswith("a") else ["openapi"])


SPECS = sorted([*CORPUS.glob("*.yaml"), *(ROOT / "specs").glob("*.yaml")])


@pytest.mark.skipif(not SPECS, reason="no YAML specs found")
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_real_specs_agree_with_the_composer(path: Path) -> None:
    text = path.read_text()
    pointers = _all_pointers(parse_yaml(text, path.name))
    sample = random.Random(0).sample(pointers, min(len(pointers), 2000))
    answered, declined = _agreement(text, sample)
    # what it declines sits inside flow collections, which our own specs use for short schemas
    assert answered >= 0.8 * len(sample), f"declined {declined} of {len(sample)}"
