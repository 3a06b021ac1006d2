"""Every rule in the catalogue has a failing and a passing fixture.

`tests/fixtures/rules/<RULE-ID>/bad.yaml` marks each line where the rule must report with
`# expect: <RULE-ID>`; the rule must report exactly those lines. `good.yaml` is the same
contract put right: the rule must report nothing there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgen.validate.registry import catalogue
from tests.conftest import FIXTURES, expected_lines, validate_path

RULE_IDS = sorted(catalogue())


def _fixture(rule_id: str, kind: str) -> Path:
    return FIXTURES / "rules" / rule_id / f"{kind}.yaml"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_bad_fixture_reports_rule_on_marked_lines(rule_id: str) -> None:
    path = _fixture(rule_id, "bad")
    assert path.is_file(), f"missing failing fixture {path}"
    expected = expected_lines(path, rule_id)
    assert expected, f"{path} marks no line with '# expect: {rule_id}'"
    reported = {f.location.line for f in validate_path(path) if f.rule_id == rule_id}
    assert reported == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_good_fixture_is_clean_for_rule(rule_id: str) -> None:
    path = _fixture(rule_id, "good")
    assert path.is_file(), f"missing passing fixture {path}"
    reported = [f for f in validate_path(path) if f.rule_id == rule_id]
    assert reported == []


def test_every_rule_is_documented() -> None:
    for rule in catalogue().values():
        assert rule.summary and rule.rationale and rule.bad and rule.good, rule.id
        assert rule.name.replace("-", "").isalnum(), rule.id
