"""GitHub Actions workflow commands, which GitHub turns into annotations on the changed lines.

Each finding becomes `::error file=F,line=L,col=C,title=RULE::message` (`warning` and
`notice` for the other levels; a breaking change is an `error`). A change between two
documents annotates its new side; its old position follows the message as `old: file:l:c`.
The runner splits a command on `::`, `,` and newlines, so values are percent-escaped exactly
as the runner decodes them, after control characters from the contract are escaped (see
`printable`): only the old position and related locations start lines of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ordered

if TYPE_CHECKING:
    from collections.abc import Sequence

_COMMANDS = {
    Level.BREAKING: "error",
    Level.ERROR: "error",
    Level.WARNING: "warning",
    Level.INFO: "notice",
}


def render_github(findings: Sequence[Finding]) -> str:
    """One workflow command per finding; empty when there is nothing to annotate."""
    return "".join(command(finding) + "\n" for finding in ordered(findings))


def command(finding: Finding) -> str:
    """The workflow command line (without newline) that annotates one finding."""
    location = finding.location
    properties = {"file": printable(location.file)}
    if location.line is not None:
        properties["line"] = str(location.line)
        if location.column is not None:
            properties["col"] = str(location.column)
    properties["title"] = finding.rule_id
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{_COMMANDS[finding.level]} {joined}::{escape_data(_message(finding))}"


def _message(finding: Finding) -> str:
    """The message, with the old side and related locations on lines of their own
    (annotations show newlines)."""
    before = [f"old: {finding.before}"] if finding.before is not None else []
    lines = [finding.message, *before, *(f"related: {loc}" for loc in finding.related)]
    return "\n".join(printable(line) for line in lines)


def escape_data(value: str) -> str:
    """Escape a command's message: `%`, CR and LF."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: as a message, plus `:` and `,` which delimit properties."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
