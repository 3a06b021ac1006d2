"""report_gaps: per-subject findings where a practice is adopted, one summary where it is not."""

from __future__ import annotations

from contractgen.location import Location
from contractgen.report.finding import Finding, Level
from contractgen.validate.adoption import MAX_RELATED, report_gaps
from contractgen.validate.registry import find_rule

RULE = find_rule("LIM001")
ROOT = Location("openapi.yaml", "")


def _gaps(count: int, level: Level = Level.ERROR) -> list[Finding]:
    assert RULE is not None
    return [
        RULE.finding(Location("openapi.yaml", f"/paths/~1p{i}/post"), f"gap {i}", level=level)
        for i in range(count)
    ]


def _report(gaps: list[Finding], *, adopted: bool) -> list[Finding]:
    assert RULE is not None
    return list(report_gaps(RULE, gaps, adopted=adopted, at=ROOT, summary=lambda n: f"{n} lack it"))


def test_gaps_stay_per_subject_where_siblings_adopted_the_practice() -> None:
    gaps = _gaps(3)
    assert _report(gaps, adopted=True) == gaps


def test_a_single_gap_is_its_own_finding() -> None:
    gaps = _gaps(1)
    assert _report(gaps, adopted=False) == gaps


def test_no_gaps_no_findings() -> None:
    assert _report([], adopted=False) == []


def test_unadopted_practice_is_one_finding_at_the_root_with_a_few_related_places() -> None:
    gaps = _gaps(MAX_RELATED + 3)
    [summary] = _report(gaps, adopted=False)
    assert summary.location == ROOT
    assert summary.message == f"{MAX_RELATED + 3} lack it"
    assert summary.related == tuple(gap.location for gap in gaps[:MAX_RELATED])
    assert summary.level is Level.ERROR


def test_summary_keeps_the_level_the_rule_lowered_its_gaps_to() -> None:
    [summary] = _report(_gaps(2, Level.WARNING), adopted=False)
    assert summary.level is Level.WARNING
    mixed = _gaps(2, Level.WARNING) + _gaps(1)
    assert _report(mixed, adopted=False)[0].level is Level.ERROR
