"""Findings and the reporters that turn them into text, JSON, SARIF, GitHub, JUnit, Markdown
or HTML.

Every reporter is a pure function from findings to a string; none knows which command made
the findings. The summary says which kind of report it is: problems in files (`Summary`) or
changes between two documents (`ChangeSummary`). `render` is the one entry point commands
call.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from contractgen.report.finding import Level
from contractgen.report.rules import RuleInfo

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.report.finding import Finding
    from contractgen.report.summary import ChangeSummary, Summary

__all__ = ["ReportFormat", "RuleInfo", "render"]


class ReportFormat(StrEnum):
    """The `--format` choices."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"


def render(
    format: ReportFormat,
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    files: Sequence[str],
    rules: Mapping[str, RuleInfo],
    tool_version: str,
    fail_on: Level = Level.ERROR,
    color: bool = False,
    source_root: str | None = None,
) -> str:
    """Render findings in one format.

    `summary` is the one every format states (see `report.summary`); `files` are the files
    that were checked (a clean file still gets a JUnit suite); `rules` is the catalogue SARIF
    describes, and gives the rule names the other formats show; `fail_on` is the lowest
    level that fails the run (JUnit marks only those findings as failures); `color` only
    affects text; `source_root` only affects SARIF (see
    `render_sarif`). Output ends with a newline unless empty. Each reporter is imported when
    chosen: a run pays only for the format it prints.
    """
    match format:
        case ReportFormat.TEXT:
            from contractgen.report.text import render_text

            return render_text(findings, summary=summary, color=color, rules=rules)
        case ReportFormat.JSON:
            from contractgen.report.json_report import render_json

            return render_json(findings, summary=summary, tool_version=tool_version, rules=rules)
        case ReportFormat.SARIF:
            from contractgen.report.sarif import render_sarif

            return render_sarif(
                findings, rules=rules, tool_version=tool_version, source_root=source_root
            )
        case ReportFormat.GITHUB:
            from contractgen.report.github import render_github

            return render_github(findings)
        case ReportFormat.JUNIT:
            from contractgen.report.junit import render_junit

            return render_junit(findings, files=files, fail_on=fail_on)
        case ReportFormat.MARKDOWN:
            from contractgen.report.markdown import render_markdown

            return render_markdown(findings, summary=summary, rules=rules)
        case ReportFormat.HTML:
            from contractgen.report.html import render_html

            return render_html(findings, summary=summary, rules=rules)
