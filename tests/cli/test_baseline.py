"""Baselines: write today's findings, then only new findings count."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import invoke

pytestmark = pytest.mark.usefixtures("chdir", "fake_rules")


def test_write_then_accept(spec: Callable[..., Path], chdir: Path) -> None:
    path = spec(title="bad")
    written = invoke("validate", path, "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    assert written.stderr == "wrote 3 findings to the baseline baseline.json\n"
    data = json.loads((chdir / "baseline.json").read_text())
    assert data["version"] == 1
    assert {entry["rule"] for entry in data["findings"]} == {"FAKE001", "FAKE002"}
    assert set(data["findings"][0]) == {"rule", "file", "pointer", "fingerprint", "message"}

    accepted = invoke("validate", path, "--baseline", "baseline.json")
    assert accepted.exit_code == 0
    assert accepted.stdout.rstrip().endswith(
        "No problems found in 1 file; 3 findings accepted by the baseline"
    )


def test_edits_elsewhere_keep_the_baseline_valid(spec: Callable[..., Path]) -> None:
    path = spec(title="bad")
    invoke("validate", path, "--write-baseline", "baseline.json")
    path.write_text("# a comment shifts every line\n\n" + path.read_text())
    assert invoke("validate", path, "--baseline", "baseline.json").exit_code == 0


def test_new_findings_still_fail(spec: Callable[..., Path]) -> None:
    path = spec(title="good")
    invoke("validate", path, "--write-baseline", "baseline.json")
    path.write_text(path.read_text().replace("title: good", "title: bad"))
    result = invoke("validate", path, "--baseline", "baseline.json", "-f", "json")
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["FAKE002"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "baseline.json:1:2: USAGE003 invalid baseline: invalid JSON"),
        (
            '{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "baseline.json:1:155: USAGE003 invalid baseline: JSON is nested too deeply",
        ),
        (
            '{"version": 1, "findings": [' + "9" * 100_000 + "]}",
            "baseline.json:1:29: USAGE003 invalid baseline: integer with more than 4300 digits",
        ),
        (
            '{"version": 1, "findings": [],\n "version": 1}',
            "baseline.json:2:2: USAGE003 invalid baseline: duplicate key 'version'",
        ),
        ("[]", "baseline.json: USAGE003 not a contractgen baseline"),
        (
            '{"version": 1, "findings": [{"rule": "X"}]}',
            'baseline.json: USAGE003 baseline entry /findings/0 has no "fingerprint" string',
        ),
        (None, "baseline.json: USAGE003 baseline file not found"),
    ],
    ids=[
        "syntax",
        "deep",
        "long-integer",
        "duplicate-key",
        "not-a-baseline",
        "no-fingerprint",
        "missing",
    ],
)
def test_corrupt_baseline_is_usage003(
    spec: Callable[..., Path], chdir: Path, content: str | None, expected: str
) -> None:
    if content is not None:
        (chdir / "baseline.json").write_text(content)
    result = invoke("validate", spec(), "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr


def test_one_finding_is_one_finding(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / ".contractgen.yaml").write_text("rules: {FAKE001: off}\n")
    written = invoke("validate", spec(title="bad"), "--write-baseline", "baseline.json")
    assert written.stderr == "wrote 1 finding to the baseline baseline.json\n"


def test_writing_a_baseline_exits_two_when_a_file_cannot_be_loaded(
    spec: Callable[..., Path], chdir: Path
) -> None:
    written = invoke("validate", spec(), "missing.yaml", "--write-baseline", "baseline.json")
    assert written.exit_code == 2
    assert written.stdout == ""
    assert written.stderr == (
        "missing.yaml: LOAD001 file not found\nwrote 2 findings to the baseline baseline.json\n"
    )
    recorded = json.loads((chdir / "baseline.json").read_text())["findings"]
    assert {entry["file"] for entry in recorded} == {"openapi.yaml"}


def test_a_baseline_that_cannot_be_written_is_usage004(spec: Callable[..., Path]) -> None:
    result = invoke("validate", spec(), "--write-baseline", "no/such/folder/baseline.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "no/such/folder/baseline.json: USAGE004 cannot write the baseline: "
        "No such file or directory\n"
    )
