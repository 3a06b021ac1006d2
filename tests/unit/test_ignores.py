"""Configured `ignore` entries: what one covers; a cost per finding that does not grow with them."""

from __future__ import annotations

from collections import UserDict

import pytest

from contractgen.location import Location
from contractgen.report.finding import Finding, Level
from contractgen.validate.engine import Ignore, IgnoreIndex, RuleSettings


def _finding(pointer: str, rule: str = "LIM001", file: str = "specs/api.yaml") -> Finding:
    return Finding(rule, Level.ERROR, "m", Location(file, pointer))


@pytest.mark.parametrize(
    ("ignore", "pointer", "accepted"),
    [
        (Ignore("LIM001", "/paths/~1a", "r"), "/paths/~1a", True),
        (Ignore("LIM001", "/paths/~1a", "r"), "/paths/~1a/get/responses", True),
        (Ignore("LIM001", "/paths/~1a/", "r"), "/paths/~1a/get", True),
        (Ignore("LIM001", "/paths/~1a", "r"), "/paths/~1ab/get", False),  # a sibling, not below
        (Ignore("LIM001", "/paths/~1a", "r"), "/paths", False),
        (Ignore("LIM001", "", "r"), "", True),
        (Ignore("LIM001", "", "r"), "/components/schemas/X", True),
        (Ignore("LIM002", "/paths/~1a", "r"), "/paths/~1a", False),  # another rule
        (Ignore("LIM001", "/paths/~1a", "r", "api.yaml"), "/paths/~1a", True),
        (Ignore("LIM001", "/paths/~1a", "r", "other.yaml"), "/paths/~1a", False),
    ],
)
def test_an_entry_covers_its_pointer_and_what_is_below(
    ignore: Ignore, pointer: str, accepted: bool
) -> None:
    assert IgnoreIndex([ignore]).accepts(_finding(pointer)) is accepted


def test_settings_drop_accepted_findings_and_count_them() -> None:
    settings = RuleSettings(
        levels={"LIM001": Level.WARNING}, ignores=(Ignore("LIM001", "/paths/~1a", "r"),)
    )
    kept, accepted = settings.apply([_finding("/paths/~1a/get"), _finding("/paths/~1b/get")])
    assert accepted == 1
    assert [(f.location.pointer, f.level) for f in kept] == [("/paths/~1b/get", Level.WARNING)]


class _CountingLookups(UserDict[tuple[str, str], object]):
    lookups = 0

    def get(self, key: tuple[str, str], default: object = None) -> object:
        self.lookups += 1
        return super().get(key, default)


@pytest.mark.parametrize("entries", [10, 20_000])
def test_a_finding_costs_one_lookup_per_level_of_its_pointer(entries: int) -> None:
    """20k entries against 6k findings: lookups stay at the findings' depth, whatever `entries`."""
    ignores = [Ignore("LIM001", f"/paths/~1v{i}/post", "r") for i in range(entries)]
    ignores += [
        Ignore("LIM001", "/paths/~1shared", "r", f"specs/team{i}.yaml") for i in range(entries)
    ]
    index = IgnoreIndex(ignores)
    counting = _CountingLookups(index._files)
    index._files = counting
    findings = [_finding(f"/paths/~1x{i}/get/responses/200") for i in range(6000)]
    accepted = sum(index.accepts(finding) for finding in findings)
    assert accepted == 0
    depth = "/paths/~1x0/get/responses/200".count("/")
    assert counting.lookups == len(findings) * (depth + 1)


def test_file_filters_are_checked_once_per_suffix_length_not_per_entry() -> None:
    ignores = [Ignore("LIM001", "/paths", "r", f"specs/team{i:05}.yaml") for i in range(20_000)]
    index = IgnoreIndex(ignores)
    files = index._files[("LIM001", "/paths")]
    assert len(files.suffixes_by_length) == 1
    assert index.accepts(_finding("/paths/~1a", file="repo/specs/team01234.yaml"))
    assert not index.accepts(_finding("/paths/~1a", file="repo/specs/team99999.yaml"))
