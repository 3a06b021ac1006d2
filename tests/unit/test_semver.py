"""`info.version`: reading versions, the bump changes need, the advice and DVER001."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.diff.semver import (
    Version,
    advise,
    minimum_version,
    needed_bump,
    parse_version,
    version_finding,
)
from contractgen.load.document import load_document
from contractgen.location import Location
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import Bump

SPEC = "openapi: 3.1.0\ninfo: {{title: t{version}}}\npaths: {{}}\n"


def _finding(level: Level) -> Finding:
    return Finding("DX001", level, "m", Location("new.yaml", "/x"))


@pytest.fixture
def contract(write_spec: Callable[[str, str], Path]) -> Callable[[str | None], Contract]:
    """A contract whose `info.version` is the given text (None: no version)."""
    made = iter(range(100))

    def make(version: str | None) -> Contract:
        written = "" if version is None else f", version: {version!r}"
        path = write_spec(SPEC.format(version=written), f"spec{next(made)}.yaml")
        return build_contract(load_document(path))

    return make


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.2.3", Version(1, 2, 3)),
        ("v1.2.3", Version(1, 2, 3)),
        ("V2.0", Version(2, 0, 0)),
        ("1.2", Version(1, 2, 0)),
        (" 0.3.1 ", Version(0, 3, 1)),
        ("1.2.3-rc.1+build.5", Version(1, 2, 3)),
        ("2023-04-27", None),
        ("2023.04.27", None),
        ("2023-04", None),
        ("1", None),  # a generation label (`v1`) says nothing about minor changes
        ("v1", None),
        ("latest", None),
        ("1.2.3.4", None),
        ("1" * 30 + ".0", None),  # no number past 18 digits
    ],
)
def test_versions_are_read_leniently_and_dates_are_not_versions(
    text: str, version: Version | None
) -> None:
    assert parse_version(text) == version


def test_needed_bump_follows_the_most_severe_change() -> None:
    assert needed_bump([]) is Bump.PATCH
    assert needed_bump([_finding(Level.INFO)]) is Bump.MINOR
    assert needed_bump([_finding(Level.WARNING), _finding(Level.INFO)]) is Bump.MINOR
    assert needed_bump([_finding(Level.INFO), _finding(Level.BREAKING)]) is Bump.MAJOR


@pytest.mark.parametrize(
    ("old", "bump", "minimum"),
    [
        (Version(1, 4, 2), Bump.MAJOR, Version(2, 0, 0)),
        (Version(1, 4, 2), Bump.MINOR, Version(1, 5, 0)),
        (Version(1, 4, 2), Bump.PATCH, Version(1, 4, 2)),
        (Version(0, 3, 1), Bump.MAJOR, Version(0, 4, 0)),  # below 1.0 the minor is the major
        (Version(0, 3, 1), Bump.MINOR, Version(0, 3, 2)),
        (Version(0, 3, 1), Bump.PATCH, Version(0, 3, 1)),
    ],
)
def test_minimum_version(old: Version, bump: Bump, minimum: Version) -> None:
    assert minimum_version(old, bump) == minimum


@pytest.mark.parametrize(
    ("old", "new", "level", "minimum", "enough"),
    [
        ("1.4.2", "2.0.0", Level.BREAKING, "2.0.0", True),
        ("1.4.2", "1.5.0", Level.BREAKING, "2.0.0", False),
        ("v1.4", "1.5", Level.INFO, "1.5.0", True),
        ("1.4.2", "1.4.3", Level.WARNING, "1.5.0", False),
        ("1.4.2", "1.4.2", None, "1.4.2", True),
        ("1.4.2", "1.4.1", None, "1.4.2", False),
        ("0.3.1", "0.4.0", Level.BREAKING, "0.4.0", True),
    ],
)
def test_advice_says_whether_the_new_version_is_enough(
    contract: Callable[[str | None], Contract],
    old: str,
    new: str,
    level: Level | None,
    minimum: str,
    enough: bool,
) -> None:
    findings = [_finding(level)] if level is not None else []
    advice = advise(findings, contract(old), contract(new))
    assert (advice.old, advice.new, advice.minimum, advice.enough) == (old, new, minimum, enough)
    assert advice.note is None


@pytest.mark.parametrize(
    ("old", "new", "minimum", "note"),
    [
        (
            "2023-04-27",
            "2023-08-16",
            None,
            "the old `info.version` `2023-04-27` is a date, so the bump cannot be checked",
        ),
        (
            "1.4.2",
            "next",
            "2.0.0",
            "the new `info.version` `next` is not a semantic version, so the bump cannot be "
            "checked",
        ),
        (
            None,
            "1.0.0",
            None,
            "the old document has no `info.version`, so the bump cannot be checked",
        ),
    ],
)
def test_advice_that_cannot_be_checked_says_why(
    contract: Callable[[str | None], Contract],
    old: str | None,
    new: str,
    minimum: str | None,
    note: str,
) -> None:
    advice = advise([_finding(Level.BREAKING)], contract(old), contract(new))
    assert (advice.bump, advice.minimum, advice.enough, advice.note) == (
        Bump.MAJOR,
        minimum,
        None,
        note,
    )
    assert version_finding(advice, contract(old), contract(new)) is None


def test_version_finding_is_located_at_both_versions(
    contract: Callable[[str | None], Contract],
) -> None:
    old, new = contract("1.4.2"), contract("1.5.0")
    finding = version_finding(advise([_finding(Level.BREAKING)], old, new), old, new)
    assert finding is not None
    assert (finding.rule_id, finding.level) == ("DVER001", Level.BREAKING)
    assert finding.location.pointer == "/info/version"
    assert finding.before is not None and finding.before.pointer == "/info/version"
    assert finding.message == (
        "`info.version` is `1.5.0` after `1.4.2`, but the changes need `2.0.0` or later (some "
        "break clients): clients that accept every compatible release of `1.4.2` take this "
        "one without knowing what changed"
    )


def test_a_version_going_down_is_its_own_message(
    contract: Callable[[str | None], Contract],
) -> None:
    old, new = contract("1.4.2"), contract("1.4.0")
    finding = version_finding(advise([], old, new), old, new)
    assert finding is not None
    assert finding.message.startswith("`info.version` went down from `1.4.2` to `1.4.0`")


def test_enough_is_no_finding(contract: Callable[[str | None], Contract]) -> None:
    old, new = contract("1.4.2"), contract("1.5.0")
    assert version_finding(advise([_finding(Level.INFO)], old, new), old, new) is None


def test_long_versions_are_cut_in_messages(contract: Callable[[str | None], Contract]) -> None:
    old, new = contract("1.4.2"), contract("1.0.0-" + "x" * 200)
    finding = version_finding(advise([], old, new), old, new)
    assert finding is not None
    assert f"`1.0.0-{'x' * 31}...`" in finding.message  # 40 characters in all
