"""Plain text for a terminal, then a summary line.

Problems in files are grouped by file, one line each: `file:line:col level rule-id message`,
so editors and terminals can jump to them. Changes between two documents are grouped by the
operation they reach (`Document` for the rest), each as `level rule-id name message` with
its positions on both sides below it, and the version advice after the summary.
Every message and location is one line: control characters from the contract are escaped.
Input errors are not among the lines (the command prints them on stderr), only in the summary.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from contractgen.location import Location
from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ChangeSummary, by_operation, ordered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.report.rules import RuleInfo
    from contractgen.report.summary import Summary

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_GREEN = "\x1b[32m"
_RED = "\x1b[1;31m"
_LEVEL_COLORS = {
    Level.BREAKING: _RED,
    Level.ERROR: _RED,
    Level.WARNING: "\x1b[33m",
    Level.INFO: "\x1b[36m",
}

#: Continuation lines of a finding (its related locations) start with this.
INDENT = "    "
#: How many of the operations a change reaches are named.
REACHES_SHOWN = 3


def render_text(
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    color: bool = False,
    rules: Mapping[str, RuleInfo] | None = None,
) -> str:
    """The whole report; ANSI colour only when `color` is true (the caller checks the tty).

    `rules` gives the names changes are shown with.
    """
    paint = _Paint(color)
    if isinstance(summary, ChangeSummary):
        blocks = [
            "\n".join(
                [paint(printable(group), _BOLD), *(_change(f, paint, rules) for f in members)]
            )
            for group, members in by_operation(findings)
        ]
    else:
        blocks = [
            "\n".join(_finding_lines(finding, paint) for finding in group)
            for _, group in groupby(ordered(findings), key=lambda finding: finding.location.file)
        ]
    closing = paint(summary.sentence(), _summary_color(summary.errors, summary.warnings))
    if isinstance(summary, ChangeSummary) and summary.version is not None:
        closing += "\n" + printable(summary.version.sentence())
    blocks.append(closing)
    return "\n\n".join(blocks) + "\n"


def _finding_lines(finding: Finding, paint: _Paint) -> str:
    """The finding's line, then its related locations, indented."""
    head = " ".join(
        (
            paint(_where(finding.location), _BOLD),
            paint(finding.level.value, _LEVEL_COLORS[finding.level]),
            paint(finding.rule_id, _DIM),
            printable(finding.message),
        )
    )
    tails = [f"{INDENT}related: {printable(str(related))}" for related in finding.related]
    return "\n".join([head, *tails])


def _change(finding: Finding, paint: _Paint, rules: Mapping[str, RuleInfo] | None) -> str:
    """`  level RULE name message`, then where it is on each side and what else it reaches."""
    rule = rules.get(finding.rule_id) if rules is not None else None
    words = [
        paint(finding.level.value, _LEVEL_COLORS[finding.level]),
        paint(finding.rule_id, _DIM),
        *([paint(rule.name, _DIM)] if rule is not None else []),
        printable(finding.message),
    ]
    lines = ["  " + " ".join(words), f"{INDENT}new: {_position(finding.location)}"]
    if finding.before is not None:
        lines.append(f"{INDENT}old: {_position(finding.before)}")
    lines += [f"{INDENT}related: {printable(str(related))}" for related in finding.related]
    if len(finding.scope) > 1:
        lines.append(f"{INDENT}reaches: {printable(reaches(finding.scope))}")
    return "\n".join(lines)


def reaches(scope: Sequence[str]) -> str:
    """`5 operations (POST /a, GET /b, PUT /c, and 2 more)`."""
    shown = ", ".join(scope[:REACHES_SHOWN])
    more = len(scope) - REACHES_SHOWN
    return f"{len(scope)} operations ({shown}{f', and {more} more' if more > 0 else ''})"


def _position(location: Location) -> str:
    """`file:line:col`, or `file#pointer` when the position is unknown."""
    if location.line is None:
        return printable(f"{location.file}#{location.pointer}")
    return _where(location)


def _where(location: Location) -> str:
    file = printable(location.file)
    if location.line is None:
        return file
    if location.column is None:
        return f"{file}:{location.line}"
    return f"{file}:{location.line}:{location.column}"


def _summary_color(errors: int, warnings: int) -> str:
    if errors:
        return _LEVEL_COLORS[Level.ERROR]
    return _LEVEL_COLORS[Level.WARNING] if warnings else _GREEN


class _Paint:
    """Wraps text in an ANSI style, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled else text
