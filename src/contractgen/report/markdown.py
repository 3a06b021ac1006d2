"""Markdown: a table of problems for a pull-request comment or a GitHub Actions step summary,
or, for the changes between two documents, a changelog ready for release notes.

Cells come from user-controlled text (messages quote the contract), so everything that
could end a cell, start a tag or turn into formatting is escaped, and so are control characters
(see `printable`). The changelog keeps a message's code spans (`` `POST /v1/chat` ``): inside
one, Markdown renders nothing, so only the text around them is escaped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ChangeSummary, by_operation, ordered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.report.rules import RuleInfo
    from contractgen.report.summary import Summary

TITLE = "contractgen"
_ICONS = {
    Level.BREAKING: ":x:",
    Level.ERROR: ":x:",
    Level.WARNING: ":warning:",
    Level.INFO: ":information_source:",
}
_HEADER = "| Level | Rule | Location | Message |\n| --- | --- | --- | --- |"
#: Punctuation that ends a cell or starts emphasis, code or a link in the middle of a line.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~|])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
#: A code span as a message writes one: single backticks around text without a backtick.
_CODE_SPAN = re.compile(r"`[^`]+`")
#: The changelog's sections, most severe first, and the levels each one lists.
_SECTIONS = (
    ("Breaking changes", (Level.BREAKING, Level.ERROR)),
    ("Potentially breaking changes", (Level.WARNING,)),
    ("Other changes", (Level.INFO,)),
)
CHANGELOG_TITLE = "API changes"
_BLOCK_START = re.compile(r"[#>+=-]|\d+[.)]")  # the punctuation ends the match


def render_markdown(
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    rules: Mapping[str, RuleInfo] | None = None,
) -> str:
    """A heading with the summary, then one table row per finding (no table when clean);
    for changes, the changelog (`rules` names their rules)."""
    if isinstance(summary, ChangeSummary):
        return render_changelog(findings, summary=summary, rules=rules or {})
    parts = [f"### {TITLE}", summary.sentence() + "."]
    if findings:
        rows = [_row(finding) for finding in ordered(findings)]
        parts.append("\n".join([_HEADER, *rows]))
    return "\n\n".join(parts) + "\n"


def render_changelog(
    findings: Sequence[Finding], *, summary: ChangeSummary, rules: Mapping[str, RuleInfo]
) -> str:
    """`## API changes`, the compared documents and the summary, the version advice, then
    one section per level (breaking, potentially breaking, other) listing its changes per
    operation."""
    compared = f"{_code(printable(summary.old))} → {_code(printable(summary.new))}"
    parts = [f"## {CHANGELOG_TITLE}", f"{compared}: {summary.sentence()}."]
    if summary.version is not None:
        parts.append(inline(printable(summary.version.sentence())) + ".")
    for title, levels in _SECTIONS:
        listed = [finding for finding in findings if finding.level in levels]
        if not listed:
            continue
        parts.append(f"### {title}")
        for group, members in by_operation(listed):
            parts.append(f"#### {_code(printable(group))}")
            parts.append("\n".join(_entry(finding, rules) for finding in members))
    return "\n\n".join(parts) + "\n"


def _entry(finding: Finding, rules: Mapping[str, RuleInfo]) -> str:
    """`- message (also reaches N operations) (RULE name)`."""
    rule = rules.get(finding.rule_id)
    name = f" {escape_cell(rule.name)}" if rule is not None else ""
    reach = ""
    if len(finding.scope) > 1:
        others = len(finding.scope) - 1
        reach = f" (also reaches {others} other operation{'s' if others > 1 else ''})"
    tag = f"{_code(finding.rule_id)}{name}"
    return f"- {_not_a_block(inline(printable(finding.message)))}{reach} ({tag})"


def _not_a_block(text: str) -> str:
    """Text that cannot open a block of its own at the start of a list item (a heading, a
    quote, a nested list)."""
    start = _BLOCK_START.match(text)
    if start is None:
        return text
    cut = start.end() - 1  # before the punctuation that opens the block
    return f"{text[:cut]}\\{text[cut:]}"


def inline(text: str) -> str:
    """One line of changelog text: its code spans kept, everything around them escaped.

    When a message holds a run of two or more backticks, spans are no longer paired one by
    one; then every backtick is escaped too and no code span is kept.
    """
    if "``" in text:
        return escape_cell(text)
    pieces: list[str] = []
    end = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(escape_cell(text[end : span.start()]))
        pieces.append(span[0])
        end = span.end()
    pieces.append(escape_cell(text[end:]))
    return "".join(pieces)


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
