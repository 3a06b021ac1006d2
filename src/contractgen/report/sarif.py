"""SARIF 2.1.0, shaped to upload to GitHub code scanning.

GitHub asks for relative artifact URIs (resolved against `%SRCROOT%`, the checkout) and a
`startLine` in every region, so a finding without a known line gets no region at all.
The JSON pointer travels as a logical location, because it survives line shifts. A change
between two documents is located on the new side; where it was in the old one is the first
related location, with the message "before the change".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from contractgen.location import Location, unescape_token
from contractgen.report.finding import Finding, Level
from contractgen.report.rules import extra_text
from contractgen.report.summary import ordered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from contractgen.report.rules import RuleInfo

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
#: Where users learn about the tool; shown by SARIF viewers next to the tool name.
INFORMATION_URI = "https://pypi.org/project/contractgen/"
#: The base every relative artifact URI is resolved against.
SRCROOT = "%SRCROOT%"
#: The key under which `Finding.fingerprint` goes into `partialFingerprints`.
FINGERPRINT_KEY = "contractgen/v1"

_LEVELS = {
    Level.BREAKING: "error",
    Level.ERROR: "error",
    Level.WARNING: "warning",
    Level.INFO: "note",
}
BEFORE_MESSAGE = "before the change"


def render_sarif(
    findings: Sequence[Finding],
    *,
    rules: Mapping[str, RuleInfo],
    tool_version: str,
    source_root: str | None = None,
) -> str:
    """The SARIF log as indented JSON text.

    `source_root` is the directory `%SRCROOT%` stands for; absolute finding paths under it
    become relative. Without it `%SRCROOT%` is described but left for the consumer to resolve.
    """
    log = sarif_log(findings, rules=rules, tool_version=tool_version, source_root=source_root)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def sarif_log(
    findings: Sequence[Finding],
    *,
    rules: Mapping[str, RuleInfo],
    tool_version: str,
    source_root: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as plain data: one run, every catalogue rule, one result per finding."""
    root = Path(source_root).absolute() if source_root is not None else None
    in_order = ordered(findings)
    descriptors = _rule_descriptors(in_order, rules)
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    driver = {
        "name": "contractgen",
        "version": tool_version,
        "semanticVersion": tool_version,
        "informationUri": INFORMATION_URI,
        "rules": descriptors,
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: _base(root)},
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index[finding.rule_id], root) for finding in in_order],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule_descriptors(
    findings: Sequence[Finding], rules: Mapping[str, RuleInfo]
) -> list[dict[str, Any]]:
    """Catalogue rules sorted by id, plus a bare entry for any rule id missing from it."""
    known = [_descriptor(rule) for rule in sorted(rules.values(), key=lambda rule: rule.id)]
    unknown = sorted(
        {finding.rule_id for finding in findings} - {rule.id for rule in rules.values()}
    )
    return known + [{"id": rule_id} for rule_id in unknown]


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": extra_text(rule, "rationale") or rule.summary},
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
    }
    help_uri = extra_text(rule, "help_uri")
    if help_uri is not None:
        descriptor["helpUri"] = help_uri
    return descriptor


def _base(root: Path | None) -> dict[str, Any]:
    """What `%SRCROOT%` means: a file URI (ending in '/') when known, else a description."""
    if root is None:
        return {"description": {"text": "The directory contractgen was run from."}}
    return {"uri": root.as_uri().rstrip("/") + "/"}


def _result(finding: Finding, rule_index: int, root: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.level],
        "message": {"text": finding.message},
        "locations": [_location(finding.location, root)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    related = [_location(location, root) for location in finding.related]
    if finding.before is not None:
        before = _location(finding.before, root)
        related.insert(0, {**before, "message": {"text": BEFORE_MESSAGE}})
    if related:
        result["relatedLocations"] = [
            {"id": position, **location} for position, location in enumerate(related, start=1)
        ]
    return result


def _location(location: Location, root: Path | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file, root)}
    if location.line is not None:
        region = {"startLine": location.line}
        if location.column is not None:
            region["startColumn"] = location.column
        physical["region"] = region
    sarif_location: dict[str, Any] = {"physicalLocation": physical}
    if location.pointer:
        name = unescape_token(location.pointer.rsplit("/", 1)[-1])
        logical = {"fullyQualifiedName": location.pointer, "name": name}
        sarif_location["logicalLocations"] = [logical]
    return sarif_location


def artifact_location(file: str, root: Path | None) -> dict[str, str]:
    """A relative, percent-encoded URI under `%SRCROOT%`; an absolute file URI as a last resort."""
    path = Path(file)
    if path.is_absolute() and root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": SRCROOT}
