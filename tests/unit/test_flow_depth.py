"""The flow-depth gate against libyaml's own view of the same texts.

`flow_depth` must never count shallower than libyaml (PyYAML's C parser is libyaml, as
ryaml's scanner is a port of it): a bomb it under-counts would reach ryaml's quadratic
scanner. It may count deeper only on texts libyaml rejects or never sees as real specs.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from contractgen.load.flow_depth import first_flow_deeper_than
from tests.conftest import CORPUS, ROOT

REAL_SPECS = sorted([*CORPUS.glob("*.yaml"), *(ROOT / "specs").glob("*.yaml")])

#: Pieces of YAML syntax; random strings of them hit the tokenizer's corners.
FRAGMENTS = (
    "[", "]", "{", "}", ", ", ",", ": ", ":", "- ", "? ", "?", '"', "'", "\\", "#", " #c",
    "\n", "\n ", "\n  ", "\n    ", "a", "b c", "|", "|2", "|1", ">-", "|+\n", "&x ", "!t ",
    "*x", "\u2028", "\r\n", "''", '"]"', "x: ", "  - ", "\t", "---\n", "...\n", "%Y\n",
    "k:\n", "-a", "\n  |\n", "\n    [", "\n- |\n ", "\n- k: |\n   ", '\n"x', 'x\n  "',
)  # fmt: skip


def libyaml_depth(text: str) -> int:
    """The deepest flow nesting in libyaml's tokens (its scanner's own count), up to any error."""
    depth = deepest = 0
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
                depth -= 1
    except yaml.YAMLError:
        pass
    return deepest


def counts_at_least(text: str, depth: int) -> bool:
    return depth == 0 or first_flow_deeper_than(text, depth - 1) is not None


@pytest.mark.parametrize("path", REAL_SPECS, ids=lambda path: path.name)
def test_real_specs_are_counted_exactly(path: Path) -> None:
    text = path.read_text()
    depth = libyaml_depth(text)
    assert counts_at_least(text, depth)
    assert first_flow_deeper_than(text, depth) is None


def test_never_shallower_than_libyaml_on_random_syntax() -> None:
    rng = random.Random(20261202)
    under = []
    for _ in range(4000):
        text = "k: " + "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(3, 30)))
        if not counts_at_least(text, libyaml_depth(text)):
            under.append(text)
    assert under == []


@pytest.mark.parametrize(
    "text",
    [
        'x: [ "]]", [ "]]", [ "]]", [y]]]]',
        "x: [ ']]', [ 'it''s ]', [y]]]",
        'x: {"a":"]]", "b": {"c": [y]}}',
        'x: [a:"b, [c, [d]]]',  # `:` inside a plain scalar: the quote is text, not a string
        "x: [a, #]]]\n  [b, [c]]]",  # a comment inside flow ends at the line break
        "x: [a, &n [b, !t [c]]]",
        "a: b\n  \"\nc: [[[d]]]\ne: '\"'\n",  # a quote on a continuation line is text
        "a:\n  value\n  \"\nc: [[[d]]]\ne: '\"'\n",
        "a: |2\n   [[[\n  text\nb: [[[d]]]\n",
        "- k: |\n    text [[[\n  j: [[[d]]]\n",
        "a: b # note\u2028c: [[[d]]]",  # libyaml ends a comment at a Unicode line separator
        "a: 'text\n  ]]]' \nb: [[[d]]]",
    ],
)
def test_brackets_hidden_from_a_naive_scan_are_counted(text: str) -> None:
    depth = libyaml_depth(text)
    assert depth >= 3
    assert counts_at_least(text, depth)


@pytest.mark.parametrize(
    "text",
    [
        "a: 'see [[[ {{{ here'\nb: \"and ]]] there\"\n",
        "a: |\n  [[[ {{{\n  code\nb: 1\n",
        "a: >-\n  ]]] folded\n\nb: 1\n",
        "a: plain [[[ text {{{\nb: # [[[ comment\n  1\n",
        "a: [x, y]\n",
    ],
)
def test_brackets_in_text_are_not_nesting(text: str) -> None:
    assert libyaml_depth(text) <= 1
    assert first_flow_deeper_than(text, 1) is None


def test_position_is_the_first_bracket_past_the_limit() -> None:
    text = "openapi: 3.1.0\nx:\n  - " + "[" * 5 + "]" * 5 + "\n"
    assert first_flow_deeper_than(text, 3) == (3, 8)
    assert first_flow_deeper_than(text, 5) is None
