"""Rule selection by prefix: specificity, layers (configuration, then command line), mistakes."""

from __future__ import annotations

import pytest

from contractgen.report.finding import Level
from contractgen.validate.registry import Rule
from contractgen.validate.selection import (
    Selection,
    selected_rules,
    split_selectors,
    unknown_selector,
)


def _rule(rule_id: str, name: str) -> Rule:
    return Rule(rule_id, name, Level.ERROR, "", "", "", "", lambda rule, context: (), "fake")


RULES = [
    _rule("OAS001", "openapi-schema"),
    _rule("OAS004", "legacy-schema-keyword"),
    _rule("STR001", "stream-item-schema"),
    _rule("STR010", "heartbeat-below-idle-timeout"),
    _rule("LIM001", "request-max-bytes"),
]


def _run(*layers: Selection) -> list[str]:
    return sorted(selected_rules(layers, RULES))


@pytest.mark.parametrize(
    ("layer", "running"),
    [
        (Selection(), ["LIM001", "OAS001", "OAS004", "STR001", "STR010"]),
        (Selection(select=("OAS", "STR")), ["OAS001", "OAS004", "STR001", "STR010"]),
        (Selection(ignore=("LIM",)), ["OAS001", "OAS004", "STR001", "STR010"]),
        (Selection(select=("str01",)), ["STR010"]),  # any case, any prefix length
        (Selection(select=("OAS",), ignore=("OAS004",)), ["OAS001"]),
        (Selection(select=("LIM001",), ignore=("LIM",)), ["LIM001"]),  # the more specific wins
        (Selection(select=("OAS",), ignore=("OAS",)), []),  # a tie goes to ignore
        (Selection(select=("request-max-bytes", "OAS001")), ["LIM001", "OAS001"]),  # names too
        (Selection(select=("ALL",), ignore=("STR",)), ["LIM001", "OAS001", "OAS004"]),
        (Selection(select=()), []),
    ],
)
def test_one_layer(layer: Selection, running: list[str]) -> None:
    assert _run(layer) == running


def test_a_later_select_replaces_what_earlier_layers_chose() -> None:
    configuration = Selection(select=("OAS", "STR"), ignore=("STR010",))
    assert _run(configuration, Selection(select=("STR",))) == ["STR001", "STR010"]
    assert _run(configuration, Selection(select=("ALL",))) == [
        r.id for r in sorted(RULES, key=lambda r: r.id)
    ]


def test_a_later_ignore_adds_to_what_earlier_layers_chose() -> None:
    configuration = Selection(select=("OAS", "STR"), ignore=("STR010",))
    assert _run(configuration, Selection(ignore=("OAS004",))) == ["OAS001", "STR001"]
    assert _run(Selection(ignore=("STR",)), Selection(ignore=("OAS",))) == ["LIM001"]


def test_selectors_are_repeated_or_comma_separated() -> None:
    assert split_selectors(["OAS,STR", " LIM ", "", "a,,b"]) == ("OAS", "STR", "LIM", "a", "b")


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ("OAS", None),
        ("oas00", None),
        ("all", None),
        ("legacy-schema-keyword", None),
        ("OSA", "no rule id, prefix or name 'OSA' (did you mean 'OAS'?)"),
        ("STR099", "no rule id, prefix or name 'STR099' (did you mean 'STR010'?)"),
        ("stream-item-shema", "(did you mean 'stream-item-schema'?)"),
        ("XYZZY", "no rule id, prefix or name 'XYZZY'; `contractgen rules` lists them"),
    ],
)
def test_an_unknown_selector_says_so_with_the_nearest_one(
    selector: str, problem: str | None
) -> None:
    found = unknown_selector(selector, RULES)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
