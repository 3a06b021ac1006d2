"""The rule catalogue: every validate rule is a small function plus this entry.

A rule module declares rules with `@rule(...)`; importing it registers them. The catalogue
feeds `contractgen rules`, the configuration (severity overrides, disabling) and docs/rules.md.
"""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractgen.location import Location
from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from contractgen.load.document import Document
    from contractgen.model.contract import Contract

#: Rule modules, imported once to fill the catalogue. Order is the order of `contractgen rules`.
RULE_MODULES = (
    "contractgen.validate.structural",
    "contractgen.validate.extensions",
    "contractgen.validate.rules.operations",
    "contractgen.validate.rules.streams",
    "contractgen.validate.rules.limits",
    "contractgen.validate.rules.errors",
    "contractgen.validate.rules.websocket",
    "contractgen.validate.rules.examples",
    "contractgen.validate.rules.legacy",
)


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may read: the typed contract, and the loaded document for structural rules."""

    contract: Contract
    document: Document


Check = Callable[["Rule", RuleContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    level: Level
    summary: str
    rationale: str
    bad: str
    good: str
    check: Check
    area: str

    def finding(
        self,
        location: Location,
        message: str,
        *,
        related: Iterable[Location] = (),
        level: Level | None = None,
    ) -> Finding:
        """A finding of this rule, at its default level unless the rule lowers it for this case.

        A rule whose case is milder than its usual one (a stream that ends with a sentinel
        rather than no end at all) passes a lower `level`; configuration overrides either.
        """
        return Finding(self.id, level or self.level, message, location, tuple(related))

    def run(self, context: RuleContext) -> Iterator[Finding]:
        yield from self.check(self, context)


_CATALOGUE: dict[str, Rule] = {}
_COMPLETE = False


def rule(
    id: str,
    name: str,
    level: Level,
    summary: str,
    *,
    rationale: str,
    bad: str,
    good: str,
) -> Callable[[Check], Check]:
    """Register a rule. `bad` and `good` are YAML snippets shown in the docs."""

    def register(check: Check) -> Check:
        if id in _CATALOGUE:
            raise RuntimeError(f"duplicate rule id {id}")
        area = check.__module__.rsplit(".", 1)[-1]
        _CATALOGUE[id] = Rule(
            id=id,
            name=name,
            level=level,
            summary=summary,
            rationale=_dedent(rationale),
            bad=_dedent(bad),
            good=_dedent(good),
            check=check,
            area=area,
        )
        return check

    return register


def catalogue() -> dict[str, Rule]:
    """All built-in rules by id, in declaration order.

    Every rule module is imported on the first call, even if one of them was imported before
    (it registered only its own rules); the order stays that of `RULE_MODULES`.
    """
    global _COMPLETE
    if not _COMPLETE:
        for module in RULE_MODULES:
            importlib.import_module(module)
        order = {module.rsplit(".", 1)[-1]: index for index, module in enumerate(RULE_MODULES)}
        ordered = sorted(_CATALOGUE.values(), key=lambda rule: order.get(rule.area, len(order)))
        _CATALOGUE.clear()
        _CATALOGUE.update((rule.id, rule) for rule in ordered)
        _COMPLETE = True
    return _CATALOGUE


def find_rule(key: str) -> Rule | None:
    """Look a rule up by id (case-insensitive) or by name."""
    rules = catalogue()
    if key.upper() in rules:
        return rules[key.upper()]
    return next((r for r in rules.values() if r.name == key), None)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
