"""Which rules run: `select` and `ignore` by rule id prefix, as ruff does it.

A selector is `ALL`, a rule id or any prefix of ids (`OAS`, `STR00`, `LIM001`; any case), or a
rule name (`stream-terminal-event`). `select` names the rules that run, `ignore` the rules that
do not; where both name a rule, the more specific selector wins (`--select OAS --ignore OAS004`
runs every OAS rule but OAS004; `ignore = ["LIM"]` with `select = ["LIM001"]` runs LIM001), and
an `ignore` wins a tie.

Configuration and the command line are two layers, applied in that order: a layer that has a
`select` replaces what the layers before it chose; a layer with only `ignore` removes from it.
So `--select` overrides the configuration's selection, and `--ignore` adds to it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.validate.registry import Rule

ALL = "ALL"
#: How specific a selector naming one rule (its id or name) is: more than any prefix.
_ONE_RULE = 1000
_AREA = re.compile(r"[A-Z]+")


@dataclass(frozen=True, slots=True)
class Selection:
    """One layer of selectors: `select` (None: keep what earlier layers chose) and `ignore`."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()


def split_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Selectors from repeated and comma-separated values: `["OAS,STR", "LIM"]` -> 3 selectors."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def selected_rules(layers: Sequence[Selection], rules: Iterable[Rule]) -> frozenset[str]:
    """The ids of the rules that run once every layer is applied, starting from all of them."""
    rules = list(rules)
    chosen = {rule.id for rule in rules}
    for layer in layers:
        verdicts = {rule.id: _verdict(rule, layer) for rule in rules}
        if layer.select is not None:
            chosen = {rule_id for rule_id, runs in verdicts.items() if runs}
        else:
            chosen |= {rule_id for rule_id, runs in verdicts.items() if runs}
            chosen -= {rule_id for rule_id, runs in verdicts.items() if runs is False}
    return frozenset(chosen)


def unknown_selector(selector: str, rules: Iterable[Rule]) -> str | None:
    """Why `selector` selects nothing, with the nearest known one; None when it is known."""
    rules = list(rules)
    if any(_specificity(selector, rule) is not None for rule in rules):
        return None
    areas = sorted({area[0] for rule in rules if (area := _AREA.match(rule.id))})
    known = [ALL, *areas, *(rule.id for rule in rules), *(rule.name for rule in rules)]
    by_lower = {name.lower(): name for name in known}
    close = difflib.get_close_matches(selector.lower(), by_lower, n=1)
    hint = f" (did you mean {by_lower[close[0]]!r}?)" if close else ""
    return f"no rule id, prefix or name {selector!r}{hint}; `contractgen rules` lists them"


def _verdict(rule: Rule, layer: Selection) -> bool | None:
    """Whether this layer runs the rule (True), stops it (False) or does not say (None)."""
    selected = _most_specific(layer.select or (), rule)
    ignored = _most_specific(layer.ignore, rule)
    if selected is None and ignored is None:
        return None
    return ignored is None or (selected is not None and selected > ignored)


def _most_specific(selectors: Iterable[str], rule: Rule) -> int | None:
    found = [s for selector in selectors if (s := _specificity(selector, rule)) is not None]
    return max(found, default=None)


def _specificity(selector: str, rule: Rule) -> int | None:
    """How specifically `selector` names `rule` (longer prefixes more), or None if it does not."""
    if selector == rule.name or selector.upper() == rule.id:
        return _ONE_RULE
    if selector.upper() == ALL:
        return 0
    if selector and rule.id.startswith(selector.upper()):
        return len(selector)
    return None
