"""Documentation generated from the code: docs/rules.md comes from the rule catalogue,
docs/diff-rules.md from the diff rule catalogue.

Templates load through a `ChoiceLoader`: the installed package's `contractgen/templates`
(wheels force-include the repository's `templates/` there) or, in a source checkout or an
editable install, the repository's top-level `templates/`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import jinja2
from rich import box
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table

from contractgen import templating

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from contractgen.diff.registry import DiffRule
    from contractgen.report.rules import RuleInfo
    from contractgen.validate.registry import Rule

RULES_TEMPLATE = "docs/rules.md.j2"
REGENERATE_RULES = "contractgen rules --format markdown > docs/rules.md"
DIFF_RULES_TEMPLATE = "docs/diff-rules.md.j2"
REGENERATE_DIFF_RULES = "contractgen rules --diff --format markdown > docs/diff-rules.md"


def template_environment() -> jinja2.Environment:
    """Markdown templates: no HTML autoescape; table cells go through the `cell` filter."""
    environment = templating.environment()
    environment.filters["cell"] = table_cell
    environment.filters["fence"] = code_fence
    return environment


def rules_markdown(rules: Iterable[Rule]) -> str:
    """docs/rules.md: a table of every rule, then each rule's rationale and examples."""
    template = template_environment().get_template(RULES_TEMPLATE)
    return template.render(rules=list(rules), regenerate=REGENERATE_RULES)


def diff_rules_markdown(rules: Iterable[DiffRule]) -> str:
    """docs/diff-rules.md: a table of every diff rule, then each one's rationale and example."""
    template = template_environment().get_template(DIFF_RULES_TEMPLATE)
    return template.render(rules=list(rules), regenerate=REGENERATE_DIFF_RULES)


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, `|` and backticks escaped."""
    one_line = " ".join(str(text).split())
    return one_line.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def code_fence(text: str) -> str:
    """A backtick fence longer than any backtick run inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def rules_table(rules: Iterable[RuleInfo], console: Console | None = None) -> None:
    """`contractgen rules` (and `--diff`): one row per rule; plain aligned columns when piped."""
    console = console or Console()
    rules = list(rules)
    if not console.is_terminal:
        width = max((len(rule.name) for rule in rules), default=4)
        for rule in rules:
            row = f"{rule.id:<8} {rule.level.value:<8} {rule.name:<{width}}  {rule.summary}"
            _plain(console, row)
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("ID", "Level", "Name", "Summary"):
        table.add_column(column, no_wrap=column != "Summary")
    for rule in rules:
        table.add_row(rule.id, rule.level.value, rule.name, rule.summary)
    console.print(table)


def explain_rule(rule: Rule, console: Console | None = None) -> None:
    """`contractgen rules ID`: summary, rationale, and the bad and good examples."""
    _explain(rule, rule.rationale, [], [("Problem:", rule.bad), ("Fix:", rule.good)], console)


def explain_diff_rule(rule: DiffRule, console: Console | None = None) -> None:
    """`contractgen rules --diff ID`: summary, rationale, oasdiff ids, before and after."""
    extras = [f"oasdiff: {', '.join(rule.oasdiff)}"] if rule.oasdiff else []
    examples = [("Before:", rule.before), ("After:", rule.after)]
    _explain(rule, rule.rationale, extras, examples, console)


def _explain(
    rule: RuleInfo,
    rationale: str,
    extras: Sequence[str],
    examples: Sequence[tuple[str, str]],
    console: Console | None,
) -> None:
    console = console or Console()
    console.print(f"{rule.id} {rule.name} ({rule.level.value})", style="bold", markup=False)
    _plain(console, rule.summary)
    for text in [rationale, *extras]:
        if text:
            _plain(console, "")
            _plain(console, text)
    for title, example in examples:
        if example:
            _plain(console, "")
            console.print(title, style="bold", markup=False)
            if console.is_terminal:
                console.print(Syntax(example, "yaml", background_color="default"))
            else:
                _plain(console, example)


def _plain(console: Console, text: str) -> None:
    """Text as written: no markup, no highlighting, no re-wrapping of its lines."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)
