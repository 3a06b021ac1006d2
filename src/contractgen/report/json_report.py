"""Machine-readable JSON with a stable, versioned shape.

Named `json_report` so that `contractgen.report.json` never stands in for the standard
library's `json` in an import. The shape (version 1), with keys in this order::

    {
      "version": 1,
      "tool": {"name": "contractgen", "version": "0.1.0"},
      "summary": {
        "files": 2, "errors": 3, "warnings": 1, "info": 0, "total": 4,
        "unloaded": 1, "accepted": {"baseline": 0, "configuration": 2}
      },
      "findings": [
        {
          "rule": "CG101", "level": "error", "message": "...",
          "file": "api.yaml", "line": 12, "column": 5, "pointer": "/paths/~1events/get",
          "fingerprint": "0f3c...",
          "related": [{"file": "api.yaml", "line": 40, "column": 7, "pointer": "/components/..."}]
        }
      ]
    }

`summary` counts every file the run was given; `unloaded` of them could not be loaded, and
each such input error is one of the `errors` and one of the findings (its rule is the LOAD
code). `accepted` counts findings left out of the report by a baseline or by configuration.
`line` and `column` are 1-based, or null when the position is unknown. `level` is one of
error, warning, info. `fingerprint` does not change when lines move. Findings come in
`Finding.sort_key` order. A change that removes or renames a key bumps `version`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from contractgen.report.summary import ordered

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.location import Location
    from contractgen.report.finding import Finding
    from contractgen.report.summary import Summary

#: The version of the shape above; bump it on any incompatible change.
SHAPE_VERSION = 1


def render_json(findings: Sequence[Finding], *, summary: Summary, tool_version: str) -> str:
    """The report as indented JSON text (UTF-8 characters kept as they are)."""
    data = report_data(findings, summary=summary, tool_version=tool_version)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_data(
    findings: Sequence[Finding], *, summary: Summary, tool_version: str
) -> dict[str, Any]:
    """The report as plain data, for callers that embed it rather than print it."""
    return {
        "version": SHAPE_VERSION,
        "tool": {"name": "contractgen", "version": tool_version},
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "info": summary.infos,
            "total": summary.total,
            "unloaded": summary.unloaded,
            "accepted": {
                "baseline": summary.accepted_by_baseline,
                "configuration": summary.accepted_by_config,
            },
        },
        "findings": [_finding(finding) for finding in ordered(findings)],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "level": finding.level.value,
        "message": finding.message,
        **_location(finding.location),
        "fingerprint": finding.fingerprint,
        "related": [_location(related) for related in finding.related],
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "pointer": location.pointer,
    }
