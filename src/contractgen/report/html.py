"""A self-contained HTML page a reviewer opens in a browser: no network assets, no script.

Findings are listed by operation (changes between two documents) or by file (problems), each
with its level, rule, message and positions. Checkboxes at the top show or hide each level;
they filter with CSS alone (`:checked ~ main`), so the page works where scripts are blocked,
as in a CI artifact viewer. Every string from the contract or the command line is escaped
(after `printable`); a message's code spans become `<code>` only after escaping.
"""

from __future__ import annotations

import re
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING

from contractgen.printable import printable
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import ChangeSummary, by_operation, ordered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.location import Location
    from contractgen.report.rules import RuleInfo
    from contractgen.report.summary import Summary

_CHANGE_LEVELS = (Level.BREAKING, Level.WARNING, Level.INFO)
_PROBLEM_LEVELS = (Level.ERROR, Level.WARNING, Level.INFO)
_CODE_SPAN = re.compile(r"`([^`]+)`")

_STYLE = """
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db;
  --breaking: #b91c1c; --error: #b91c1c; --warning: #b45309; --info: #0369a1; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 64rem; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.subject, .muted, dt { color: var(--muted); }
.filters { display: flex; gap: .5rem; margin: 1rem 0; }
.filters label { border: 1px solid var(--line); border-radius: 999px; padding: .1rem .75rem;
  cursor: pointer; user-select: none; }
.toggle { position: absolute; opacity: 0; }
ul.findings { list-style: none; padding: 0; margin: 0; }
.finding { border-left: 4px solid var(--line); padding: .35rem .75rem; margin: .5rem 0; }
.finding .level { font-weight: 600; text-transform: uppercase; font-size: .8em; }
.finding p { margin: .2rem 0; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .75rem; margin: .2rem 0; }
dd { margin: 0; overflow-wrap: anywhere; }
"""


def render_html(
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    rules: Mapping[str, RuleInfo] | None = None,
) -> str:
    """The whole page; `rules` gives rule names."""
    changes = isinstance(summary, ChangeSummary)
    levels = _CHANGE_LEVELS if changes else _PROBLEM_LEVELS
    counts = {level: sum(finding.level is level for finding in findings) for level in levels}
    title = "contractgen"
    subject = ""
    if isinstance(summary, ChangeSummary):
        subject = f"{printable(summary.old)} → {printable(summary.new)}"
        title += f": {subject}"
    header = [f"<h1>{escape(title)}</h1>"]
    header.append(f'<p class="summary">{escape(summary.sentence())}</p>')
    if isinstance(summary, ChangeSummary) and summary.version is not None:
        header.append(f'<p class="advice">{escape(printable(summary.version.sentence()))}</p>')
    labels = "".join(
        f'<label for="show-{level.value}">{level.value} ({counts[level]})</label>'
        for level in levels
    )
    header.append(f'<nav class="filters" aria-label="Show levels">{labels}</nav>')
    toggles = "".join(
        f'<input type="checkbox" class="toggle" id="show-{level.value}" checked>'
        for level in levels
    )
    groups = by_operation(findings) if changes else _by_file(findings)
    sections = [_section(group, members, changes, rules or {}) for group, members in groups]
    main = "\n".join(sections) or '<p class="muted">Nothing to report.</p>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{_STYLE}{_filter_style(levels)}</style>\n</head>\n<body>\n"
        f"{toggles}\n<header>\n" + "\n".join(header) + "\n</header>\n"
        f"<main>\n{main}\n</main>\n</body>\n</html>\n"
    )


def _filter_style(levels: Sequence[Level]) -> str:
    """Per level: its colour, and hiding its findings while its checkbox is clear."""
    rules = []
    for level in levels:
        name = level.value
        rules.append(f".level-{name} {{ border-left-color: var(--{name}); }}")
        rules.append(f".level-{name} .level {{ color: var(--{name}); }}")
        rules.append(f"#show-{name}:not(:checked) ~ main .level-{name} {{ display: none; }}")
        rules.append(
            f"#show-{name}:not(:checked) ~ header label[for=show-{name}] "
            "{ opacity: .45; text-decoration: line-through; }"
        )
        rules.append(
            f"#show-{name}:focus-visible ~ header label[for=show-{name}] "
            "{ outline: 2px solid currentColor; }"
        )
    return "\n".join(rules) + "\n"


def _by_file(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    return [
        (file, list(group))
        for file, group in groupby(ordered(findings), key=lambda finding: finding.location.file)
    ]


def _section(
    group: str, findings: list[Finding], changes: bool, rules: Mapping[str, RuleInfo]
) -> str:
    items = "\n".join(_item(finding, changes, rules) for finding in findings)
    heading = f"<h2><code>{_text(group)}</code></h2>"
    return f'<section>\n{heading}\n<ul class="findings">\n{items}\n</ul>\n</section>'


def _item(finding: Finding, changes: bool, rules: Mapping[str, RuleInfo]) -> str:
    rule = rules.get(finding.rule_id)
    name = f' <span class="name">{_text(rule.name)}</span>' if rule is not None else ""
    head = (
        f'<span class="level">{finding.level.value}</span> '
        f'<code class="rule">{_text(finding.rule_id)}</code>{name}'
    )
    rows = [("new" if changes else "at", _position(finding.location))]
    if finding.before is not None:
        rows.append(("old", _position(finding.before)))
    rows += [("related", _position(location)) for location in finding.related]
    if len(finding.scope) > 1:
        rows.append(("reaches", _reaches(finding.scope)))
    where = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return (
        f'<li class="finding level-{finding.level.value}">\n<div>{head}</div>\n'
        f"<p>{message_html(finding.message)}</p>\n<dl>{where}</dl>\n</li>"
    )


def message_html(message: str) -> str:
    """A message escaped, its code spans (single backticks) as `<code>`."""
    escaped = _text(message)
    if "``" in escaped:
        return escaped
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped)


def _position(location: Location) -> str:
    where = location.file
    if location.line is not None:
        where += f":{location.line}" + (f":{location.column}" if location.column else "")
    pointer = f" <code>{_text(location.pointer)}</code>" if location.pointer else ""
    return f"{_text(where)}{pointer}"


def _reaches(scope: Sequence[str]) -> str:
    items = "".join(f"<li><code>{_text(key)}</code></li>" for key in scope)
    return f"<details><summary>{len(scope)} operations</summary><ul>{items}</ul></details>"


def _text(text: str) -> str:
    return escape(printable(text), quote=True)
