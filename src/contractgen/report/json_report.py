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

A report of the changes between two documents (given a `ChangeSummary`) has this shape::

    {
      "version": 1,
      "tool": {"name": "contractgen", "version": "0.1.0"},
      "old": "old.yaml", "new": "new.yaml",
      "summary": {"breaking": 1, "warnings": 0, "info": 2, "total": 3,
                  "accepted": 0, "hidden": 0},
      "version_advice": {"bump": "major", "old": "1.4.2", "new": "1.5.0",
                         "minimum": "2.0.0", "enough": false, "note": null},
      "findings": [
        {
          "rule": "DOP001", "name": "operation-removed", "level": "breaking",
          "message": "...",
          "new": {"file": "new.yaml", "line": 3, "column": 3, "pointer": "/paths"},
          "old": {"file": "old.yaml", "line": 5, "column": 5, "pointer": "/paths/~1a/get"},
          "scope": ["GET /a"],
          "fingerprint": "9a1b...",
          "related": []
        }
      ]
    }

`level` is one of breaking, warning, info; `old` is null for an addition; `new` is the
nearest surviving parent for a removal; `scope` lists the operations the change reaches;
`name` is null for a rule the catalogue does not know. `accepted` counts changes left out by
ignore entries, `hidden` those below `--only`. `version_advice` (see
`report.summary.VersionAdvice`) is null when it was not computed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from contractgen.report.summary import ChangeSummary, ordered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.location import Location
    from contractgen.report.finding import Finding
    from contractgen.report.rules import RuleInfo
    from contractgen.report.summary import Summary, VersionAdvice

#: The version of the shape above; bump it on any incompatible change.
SHAPE_VERSION = 1


def render_json(
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    tool_version: str,
    rules: Mapping[str, RuleInfo] | None = None,
) -> str:
    """The report as indented JSON text (UTF-8 characters kept as they are)."""
    data = report_data(findings, summary=summary, tool_version=tool_version, rules=rules)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_data(
    findings: Sequence[Finding],
    *,
    summary: Summary | ChangeSummary,
    tool_version: str,
    rules: Mapping[str, RuleInfo] | None = None,
) -> dict[str, Any]:
    """The report as plain data, for callers that embed it rather than print it.

    `rules` names the rules of changes (`name`).
    """
    if isinstance(summary, ChangeSummary):
        return _change_report(findings, summary, tool_version, rules or {})
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


def _change_report(
    findings: Sequence[Finding],
    summary: ChangeSummary,
    tool_version: str,
    rules: Mapping[str, RuleInfo],
) -> dict[str, Any]:
    return {
        "version": SHAPE_VERSION,
        "tool": {"name": "contractgen", "version": tool_version},
        "old": summary.old,
        "new": summary.new,
        "summary": {
            "breaking": summary.breaking,
            "warnings": summary.warnings,
            "info": summary.infos,
            "total": summary.total,
            "accepted": summary.accepted,
            "hidden": summary.hidden,
        },
        "version_advice": _advice(summary.version),
        "findings": [_change(finding, rules) for finding in ordered(findings)],
    }


def _advice(advice: VersionAdvice | None) -> dict[str, Any] | None:
    if advice is None:
        return None
    return {
        "bump": advice.bump.value,
        "old": advice.old,
        "new": advice.new,
        "minimum": advice.minimum,
        "enough": advice.enough,
        "note": advice.note,
    }


def _change(finding: Finding, rules: Mapping[str, RuleInfo]) -> dict[str, Any]:
    rule = rules.get(finding.rule_id)
    return {
        "rule": finding.rule_id,
        "name": rule.name if rule is not None else None,
        "level": finding.level.value,
        "message": finding.message,
        "new": _location(finding.location),
        "old": _location(finding.before) if finding.before is not None else None,
        "scope": list(finding.scope),
        "fingerprint": finding.fingerprint,
        "related": [_location(related) for related in finding.related],
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
