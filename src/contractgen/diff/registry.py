"""The diff rule catalogue: every kind of change diff reports, with its id, level and example.

A comparator module declares its rules at import time with `diff_rule(...)` and makes its
findings with `Rule.change(...)`. The catalogue feeds `contractgen rules --diff`, the ignore
file and docs/diff-rules.md; `oasdiff` lists the oasdiff check ids a rule corresponds to, so
teams moving from oasdiff can map their ignore lists.
"""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from contractgen.location import Location
from contractgen.report.finding import Finding, Level

#: Comparator modules, imported once to fill the catalogue; their order is the catalogue's.
COMPARE_MODULES = (
    "contractgen.diff.compare.operations",
    "contractgen.diff.compare.parameters",
    "contractgen.diff.compare.bodies",
    "contractgen.diff.schema_rules",
    "contractgen.diff.compare.security",
    "contractgen.diff.compare.streams",
    "contractgen.diff.compare.limits",
    "contractgen.diff.compare.errors",
    "contractgen.diff.compare.websocket",
    "contractgen.diff.semver",
)


@dataclass(frozen=True, slots=True)
class DiffRule:
    id: str
    name: str
    level: Level
    """`breaking`, `warning` (potentially breaking) or `info`."""
    summary: str
    rationale: str
    before: str
    """A YAML snippet of the old contract."""
    after: str
    """The same snippet in the new contract."""
    oasdiff: tuple[str, ...]
    """The oasdiff check ids this rule corresponds to (empty: oasdiff has none)."""
    area: str

    def change(
        self,
        message: str,
        *,
        new: Location,
        old: Location | None,
        scope: Iterable[str] = (),
        related: Iterable[Location] = (),
        level: Level | None = None,
    ) -> Finding:
        """A finding of this rule: located on the new side, `old` where it was before.

        For a removal `new` is the nearest surviving parent in the new document. `scope`
        names what the change reaches (operation keys, first the one it is grouped under).
        """
        return Finding(
            self.id,
            level or self.level,
            message,
            new,
            tuple(related),
            before=old,
            scope=tuple(scope),
        )


_CATALOGUE: dict[str, DiffRule] = {}
_COMPLETE = False


def diff_rule(
    id: str,
    name: str,
    level: Level,
    summary: str,
    *,
    rationale: str,
    before: str,
    after: str,
    oasdiff: Iterable[str] = (),
    area: str | None = None,
) -> DiffRule:
    """Declare a diff rule; call at module level. `before`/`after` are YAML for the docs."""
    if id in _CATALOGUE:
        raise RuntimeError(f"duplicate diff rule id {id}")
    if level is Level.ERROR:
        raise ValueError("diff rules are breaking, warning or info")
    rule = DiffRule(
        id=id,
        name=name,
        level=level,
        summary=summary,
        rationale=_dedent(rationale),
        before=_dedent(before),
        after=_dedent(after),
        oasdiff=tuple(oasdiff),
        area=area or id.rstrip("0123456789"),
    )
    _CATALOGUE[id] = rule
    return rule


def diff_catalogue() -> dict[str, DiffRule]:
    """Every diff rule by id, in the order of `COMPARE_MODULES`, then of declaration."""
    global _COMPLETE
    if not _COMPLETE:
        modules = [importlib.import_module(name) for name in COMPARE_MODULES]
        order = {module.__name__: index for index, module in enumerate(modules)}
        owners = {
            rule.id: order.get(module.__name__, len(order))
            for module in modules
            for rule in vars(module).values()
            if isinstance(rule, DiffRule)
        }
        ordered = sorted(_CATALOGUE.values(), key=lambda rule: owners.get(rule.id, len(order)))
        _CATALOGUE.clear()
        _CATALOGUE.update((rule.id, rule) for rule in ordered)
        _COMPLETE = True
    return _CATALOGUE


def find_diff_rule(key: str) -> DiffRule | None:
    """A diff rule by id (case-insensitive), by name, or by an oasdiff id it maps."""
    rules = diff_catalogue()
    if key.upper() in rules:
        return rules[key.upper()]
    by_name = next((rule for rule in rules.values() if rule.name == key), None)
    return by_name or next((rule for rule in rules.values() if key in rule.oasdiff), None)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
