"""How comparators word and merge findings: names quoted safely, one finding per place.

A stream written once as a component, a limit declared once for the whole document, are
seen from every operation that uses them; the change is still one change. Comparators look
at each operation and let `once_per_place` merge what they saw into one finding whose
scope lists every operation it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from contractgen.location import Location
from contractgen.printable import printable
from contractgen.report.finding import Finding

MAX_QUOTED = 80
"""Longest contract text quoted in a message; the rest is cut."""

_Place = tuple[str, str, str, Location, Location | None]


def once_per_place(findings: Iterable[Finding]) -> Iterator[Finding]:
    """Findings of one rule, message and place merged, their scopes joined in order."""
    merged: dict[_Place, tuple[Finding, dict[str, None]]] = {}
    for finding in findings:
        key = (finding.rule_id, finding.level, finding.message, finding.location, finding.before)
        seen = merged.get(key)
        if seen is None:
            merged[key] = (finding, dict.fromkeys(finding.scope))
        else:
            seen[1].update(dict.fromkeys(finding.scope))
    for finding, scope in merged.values():
        yield finding if tuple(scope) == finding.scope else replace(finding, scope=tuple(scope))


def quoted(text: object) -> str:
    """Contract text as a message shows it: in backticks, unprintables escaped, cut short."""
    shown = printable(str(text))
    if len(shown) > MAX_QUOTED:
        shown = shown[: MAX_QUOTED - 3] + "..."
    return f"`{shown}`"


def listed(items: Iterable[object], conjunction: str = "and") -> str:
    """`a`, `b` and `c` (or another conjunction)."""
    names = [quoted(item) for item in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]
