"""Rule settings: configuration ignores accept findings by rule, pointer prefix and file."""

from __future__ import annotations

import pytest

from contractgen.location import Location
from contractgen.report.finding import Finding, Level
from contractgen.validate import engine
from contractgen.validate.engine import Ignore, RuleSettings


def finding(rule: str, pointer: str, file: str = "specs/a.yaml") -> Finding:
    return Finding(rule, Level.ERROR, "m", Location(file, pointer))


@pytest.mark.parametrize(
    ("ignore", "pointer", "file", "ignored"),
    [
        (Ignore("R1", "/paths/~1a", "r"), "/paths/~1a", "specs/a.yaml", True),
        (Ignore("R1", "/paths/~1a", "r"), "/paths/~1a/get/responses", "specs/a.yaml", True),
        (Ignore("R1", "/paths/~1a", "r"), "/paths/~1ab", "specs/a.yaml", False),
        (Ignore("R1", "/paths/~1a/", "r"), "/paths/~1a/get", "specs/a.yaml", True),
        (Ignore("R1", "/paths/~1a/", "r"), "/paths/~1a", "specs/a.yaml", False),
        (Ignore("R1", "", "r"), "/info", "specs/a.yaml", True),
        (Ignore("R1", "", "r"), "", "specs/a.yaml", True),
        (Ignore("r1", "/info", "r"), "/info", "specs/a.yaml", True),
        (Ignore("R2", "/info", "r"), "/info", "specs/a.yaml", False),
        (Ignore("R1", "/info", "r", "a.yaml"), "/info", "specs/a.yaml", True),
        (Ignore("R1", "/info", "r", "b.yaml"), "/info", "specs/a.yaml", False),
    ],
)
def test_an_ignore_accepts_its_rule_below_its_pointer_in_its_file(
    ignore: Ignore, pointer: str, file: str, ignored: bool
) -> None:
    kept = RuleSettings(ignores=(ignore,)).apply([finding("R1", pointer, file)])
    assert (kept == []) is ignored


def test_ignores_are_looked_up_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    """20k ignores against 6k findings cost 120M matches; a finding may only try its own."""
    calls = 0
    matches = Ignore.matches

    def counted(self: Ignore, found: Finding) -> bool:
        nonlocal calls
        calls += 1
        return matches(self, found)

    monkeypatch.setattr(engine.Ignore, "matches", counted)
    ignores = tuple(Ignore("R1", f"/paths/p{i}", "r") for i in range(2000))
    findings = [finding("R1", f"/paths/q{i}/get") for i in range(1000)]
    findings += [finding("R1", f"/paths/p{i}/get/x") for i in range(0, 2000, 2)]
    kept = RuleSettings(ignores=ignores).apply(findings)
    assert len(kept) == 1000
    assert calls <= len(findings)
