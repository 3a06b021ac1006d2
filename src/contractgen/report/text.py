"""Plain text for a terminal: one line per finding, grouped by file, then a summary line.

Lines read `file:line:col level rule-id message` so editors and terminals can jump to them.
Every message and location is one line: control characters from the contract are escaped.
Input errors are not among the lines (the command prints them on stderr), only in the summary.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from contractgen.location import Location
from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ordered

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.report.summary import Summary

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_GREEN = "\x1b[32m"
_LEVEL_COLORS = {Level.ERROR: "\x1b[1;31m", Level.WARNING: "\x1b[33m", Level.INFO: "\x1b[36m"}

#: Continuation lines of a finding (its related locations) start with this.
INDENT = "    "


def render_text(findings: Sequence[Finding], *, summary: Summary, color: bool = False) -> str:
    """The whole report; ANSI colour only when `color` is true (the caller checks the tty)."""
    paint = _Paint(color)
    blocks = [
        "\n".join(_finding_lines(finding, paint) for finding in group)
        for _, group in groupby(ordered(findings), key=lambda finding: finding.location.file)
    ]
    blocks.append(paint(summary.sentence(), _summary_color(summary.errors, summary.warnings)))
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
