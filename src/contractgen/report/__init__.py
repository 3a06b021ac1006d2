"""Findings and the reporters that turn them into text, JSON, SARIF, GitHub, JUnit or Markdown.

Every reporter is a pure function from findings to a string; none knows which command made
the findings. `render` is the one entry point the CLI calls.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from contractgen.report.rules import RuleInfo

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.report.finding import Finding

__all__ = ["ReportFormat", "RuleInfo", "render"]


class ReportFormat(StrEnum):
    """The `--format` choices."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"
    MARKDOWN = "markdown"


def render(
    format: ReportFormat,
    findings: Sequence[Finding],
    *,
    files: Sequence[str],
    rules: Mapping[str, RuleInfo],
    tool_version: str,
    color: bool = False,
    source_root: str | None = None,
) -> str:
    """Render findings in one format.

    `files` are the files that were checked (a clean file still counts in summaries);
    `rules` is the catalogue SARIF describes; `color` only affects text; `source_root`
    only affects SARIF (see `render_sarif`). Output ends with a newline unless empty.
    Each reporter is imported when chosen: a run pays only for the format it prints.
    """
    match format:
        case ReportFormat.TEXT:
            from contractgen.report.text import render_text

            return render_text(findings, files=files, color=color)
        case ReportFormat.JSON:
            from contractgen.report.json_report import render_json

            return render_json(findings, files=files, tool_version=tool_version)
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

            return render_junit(findings, files=files)
        case ReportFormat.MARKDOWN:
            from contractgen.report.markdown import render_markdown

            return render_markdown(findings, files=files)
