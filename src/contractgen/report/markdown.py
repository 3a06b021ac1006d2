"""A Markdown table for a pull-request comment or a GitHub Actions step summary.

Cells come from user-controlled text (messages quote the contract), so everything that
could end a cell, start a tag or turn into formatting is escaped, and so are control characters
(see `printable`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ordered

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.report.summary import Summary

TITLE = "contractgen"
_ICONS = {Level.ERROR: ":x:", Level.WARNING: ":warning:", Level.INFO: ":information_source:"}
_HEADER = "| Level | Rule | Location | Message |\n| --- | --- | --- | --- |"
#: Punctuation that ends a cell or starts emphasis, code or a link in the middle of a line.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~|])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def render_markdown(findings: Sequence[Finding], *, summary: Summary) -> str:
    """A heading with the summary, then one table row per finding (no table when clean)."""
    parts = [f"### {TITLE}", summary.sentence() + "."]
    if findings:
        rows = [_row(finding) for finding in ordered(findings)]
        parts.append("\n".join([_HEADER, *rows]))
    return "\n\n".join(parts) + "\n"


def _row(finding: Finding) -> str:
    cells = (
        f"{_ICONS[finding.level]} {finding.level.value}",
        _code(finding.rule_id),
        escape_cell(_where(finding)),
        escape_cell(_message(finding)),
    )
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    """Text as inline code, unless a backtick in it would end the code span early."""
    return f"`{text}`" if "`" not in text and "|" not in text else escape_cell(text)


def _where(finding: Finding) -> str:
    """`file:line:col`, or `file#pointer` when the line is unknown."""
    return printable(str(finding.location))


def _message(finding: Finding) -> str:
    """The message, then each related location on a line of its own (a `<br>` in the cell)."""
    lines = [finding.message, *(f"related: {loc}" for loc in finding.related)]
    return "\n".join(printable(line) for line in lines)


def escape_cell(text: str) -> str:
    """Make text safe in one table cell: HTML-escaped, punctuation escaped, lines as `<br>`."""
    escaped = "".join(_HTML.get(char, char) for char in text)
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    return "<br>".join(escaped.splitlines())
