"""Baselines: record today's findings once, then let only new findings fail the build.

A finding is recognised by its fingerprint (rule, file, JSON pointer, message), which does not
contain line numbers: editing elsewhere in the contract does not invalidate the baseline.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contractgen.errors import LoadError, UsageError
from contractgen.load.parse import parse_json
from contractgen.load.source import read_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from contractgen.report.finding import Finding

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Baseline:
    """Accepted fingerprints, with a count: two identical findings need two entries."""

    fingerprints: Counter[str]

    def split(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new findings, findings the baseline accepts)."""
        remaining = Counter(self.fingerprints)
        new: list[Finding] = []
        accepted: list[Finding] = []
        for finding in findings:
            if remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                accepted.append(finding)
            else:
                new.append(finding)
        return new, accepted


def baseline_text(findings: Sequence[Finding]) -> str:
    """The baseline file for these findings: stable order, one entry per finding."""
    entries = [
        {
            "rule": finding.rule_id,
            "file": finding.location.file,
            "pointer": finding.location.pointer,
            "fingerprint": finding.fingerprint,
            "message": finding.message,
        }
        for finding in sorted(
            findings, key=lambda f: (f.location.file, f.location.pointer, f.rule_id, f.message)
        )
    ]
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    try:
        path.write_text(baseline_text(findings), encoding="utf-8")
    except OSError as exc:
        message = f"cannot write the baseline: {exc.strerror or exc}"
        raise UsageError("USAGE004", message, str(path)) from None


def read_baseline(path: Path) -> Baseline:
    """Load a baseline file; anything unexpected in it is USAGE003, never a crash."""
    display = str(path)
    try:
        text = read_text(path, display)
    except LoadError as error:
        if error.code == "LOAD001":
            message = "baseline file not found (create it with --write-baseline)"
            raise UsageError("USAGE003", message, display) from None
        message = f"cannot read baseline: {error.message}"
        raise UsageError("USAGE003", message, display, error.line, error.column) from None
    try:  # the loader's JSON parser: deep nesting, huge numbers, lone surrogates are refused
        data = parse_json(text, display)
    except LoadError as error:
        message = f"invalid baseline: {error.message}"
        raise UsageError("USAGE003", message, display, error.line, error.column) from None
    return Baseline(Counter(_fingerprints(data, display)))


def _fingerprints(data: Any, display: str) -> list[str]:
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise UsageError(
            "USAGE003",
            f'not a contractgen baseline (expected an object with "version": {BASELINE_VERSION})',
            display,
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise UsageError("USAGE003", 'baseline has no "findings" list', display)
    fingerprints: list[str] = []
    for index, entry in enumerate(entries):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            message = f'baseline entry /findings/{index} has no "fingerprint" string'
            raise UsageError("USAGE003", message, display)
        fingerprints.append(fingerprint)
    return fingerprints
