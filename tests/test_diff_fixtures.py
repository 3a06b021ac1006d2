"""Every diff rule has a fixture pair that reports it, at its level, on both sides.

`tests/fixtures/diff/<RULE-ID>/<case>/` holds `old.yaml` and `new.yaml` (plus any files they
reference) and `expect.yaml`, the list of every finding the diff of the pair reports, no
more and no fewer:

    - rule: DOP001
      level: breaking
      old: old.yaml:5:5      # file:line:col of the old side, or null
      new: new.yaml:3:3      # of the new side (a removal: the nearest surviving parent)

Listing every finding makes each fixture a false-alarm test too. Paths are relative to the
case folder.

A case may hold `options.yaml` with the command-line options it needs; today only
`check-version: true`, for DVER001: the version check judges what the comparators found, so
it runs after them (in `diff.run.compare`, as the command runs it), not in `diff_documents`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.diff.accept import Acceptance
from contractgen.diff.engine import diff_documents
from contractgen.diff.registry import diff_catalogue
from contractgen.diff.run import compare
from contractgen.load.document import load_document
from contractgen.location import Location
from contractgen.report.finding import Finding
from tests.conftest import FIXTURES

DIFF_FIXTURES = FIXTURES / "diff"
RULE_IDS = sorted(diff_catalogue())
OPTIONS = ("check-version",)


def _cases() -> list[Path]:
    return sorted(path.parent for path in DIFF_FIXTURES.glob("*/*/expect.yaml"))


def _where(location: Location | None, case: Path) -> str | None:
    if location is None:
        return None
    file = os.path.relpath(os.path.realpath(location.file), os.path.realpath(case))
    return f"{file}:{location.line}:{location.column}"


def _findings(case: Path) -> list[Finding]:
    old, new = load_document(case / "old.yaml"), load_document(case / "new.yaml")
    options_file = case / "options.yaml"
    if not options_file.exists():
        return diff_documents(old, new)
    options = yaml.safe_load(options_file.read_text()) or {}
    assert set(options) <= set(OPTIONS), f"{options_file}: options are {OPTIONS}"
    check_version = options.get("check-version", False)
    return compare(old, new, Acceptance((), ()), check_version=check_version).findings


def _reported(case: Path) -> list[dict[str, Any]]:
    findings = _findings(case)
    return sorted(
        (
            {
                "rule": finding.rule_id,
                "level": finding.level.value,
                "old": _where(finding.before, case),
                "new": _where(finding.location, case),
            }
            for finding in findings
        ),
        key=lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"])),
    )


@pytest.mark.parametrize("case", _cases(), ids=lambda case: f"{case.parent.name}/{case.name}")
def test_fixture_reports_exactly_what_it_expects(case: Path) -> None:
    expected = yaml.safe_load((case / "expect.yaml").read_text()) or []
    expected = sorted(
        expected, key=lambda entry: (entry["rule"], str(entry["new"]), str(entry["old"]))
    )
    assert _reported(case) == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_fixture_that_reports_it(rule_id: str) -> None:
    cases = sorted((DIFF_FIXTURES / rule_id).glob("*/expect.yaml"))
    assert cases, f"no fixture pair in {DIFF_FIXTURES / rule_id}"
    rules = {entry["rule"] for case in cases for entry in (yaml.safe_load(case.read_text()) or [])}
    assert rule_id in rules, f"no fixture of {rule_id} expects it"


def test_fixture_folders_name_rules() -> None:
    unknown = sorted(
        path.name for path in DIFF_FIXTURES.iterdir() if path.is_dir() and path.name not in RULE_IDS
    )
    assert not unknown
