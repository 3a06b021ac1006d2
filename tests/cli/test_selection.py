"""`--select` / `--ignore` and the configuration's `select` / `ignore`, through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import invoke

pytestmark = pytest.mark.usefixtures("chdir", "fake_rules")


def _rules(spec: Path, *options: str) -> list[str]:
    result = invoke("validate", spec, "-f", "json", *options)
    assert result.exit_code in (0, 1), result.stderr
    return sorted({finding["rule"] for finding in json.loads(result.stdout)["findings"]})


@pytest.mark.parametrize(
    ("options", "running"),
    [
        ((), ["FAKE001", "FAKE002"]),
        (("--select", "FAKE002"), ["FAKE002"]),
        (("--select", "FAKE"), ["FAKE001", "FAKE002"]),
        (("--select", "fake001,bad-title"), ["FAKE001", "FAKE002"]),
        (("--select", "FAKE001", "--select", "FAKE002"), ["FAKE001", "FAKE002"]),
        (("--ignore", "FAKE001"), ["FAKE002"]),
        (("--select", "FAKE", "--ignore", "every-operation"), ["FAKE002"]),
    ],
)
def test_command_line_selection(
    spec: Callable[..., Path], options: tuple[str, ...], running: list[str]
) -> None:
    assert _rules(spec(title="bad"), *options) == running


@pytest.mark.parametrize(
    ("config", "options", "running"),
    [
        ("select: [FAKE002]\n", (), ["FAKE002"]),
        ("select: [FAKE002]\n", ("--select", "FAKE001"), ["FAKE001"]),  # replaces
        ("ignore: [FAKE001]\n", ("--ignore", "FAKE002"), []),  # adds
        ("ignore: [FAKE]\n", ("--select", "FAKE001"), ["FAKE001"]),
        ("select: [FAKE]\nignore: [bad-title]\n", (), ["FAKE001"]),
        ("rules: {FAKE001: off}\n", ("--select", "FAKE001"), []),  # off stays off
    ],
)
def test_configuration_selection_and_the_command_line_over_it(
    spec: Callable[..., Path],
    chdir: Path,
    config: str,
    options: tuple[str, ...],
    running: list[str],
) -> None:
    (chdir / ".contractgen.yaml").write_text(config)
    assert _rules(spec(title="bad"), *options) == running


def test_pyproject_mixes_rule_selectors_and_accepted_findings_in_ignore(
    spec: Callable[..., Path], chdir: Path
) -> None:
    (chdir / "pyproject.toml").write_text(
        "[tool.contractgen]\n"
        'ignore = ["bad-title", {rule = "FAKE001", pointer = "/paths/~1a", reason = "proxy"}]\n'
    )
    result = invoke("validate", spec(title="bad"), "-f", "json")
    report = json.loads(result.stdout)
    assert [(f["rule"], f["pointer"]) for f in report["findings"]] == [
        ("FAKE001", "/paths/~1b/post")
    ]
    assert report["summary"]["accepted"]["configuration"] == 1


def test_an_unknown_selector_on_the_command_line_is_usage002(spec: Callable[..., Path]) -> None:
    result = invoke("validate", spec(), "--select", "FAKE002,FAKX")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "USAGE002 `--select`: no rule id, prefix or name 'FAKX' (did you mean 'FAKE'?); "
        "`contractgen rules` lists them\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "select:\n  - FAKE001\n  - NOPE\n",
            ".contractgen.yaml:3:5: USAGE002 `select[1]`: no rule id, prefix or name 'NOPE'",
        ),
        ("select: FAKE001\n", ".contractgen.yaml:1:1: USAGE002 `select`: must be a list"),
        (
            "ignore: [FAKE001, 3]\n",
            ".contractgen.yaml:1:19: USAGE002 `ignore[1]`: must be a rule selector (a string) "
            "or a {rule, pointer, reason} table",
        ),
        (
            "ignore: [every-operatoin]\n",
            ".contractgen.yaml:1:10: USAGE002 `ignore[0]`: no rule id, prefix or name "
            "'every-operatoin' (did you mean 'every-operation'?)",
        ),
    ],
)
def test_a_bad_selector_in_configuration_is_usage002_with_line(
    spec: Callable[..., Path], chdir: Path, text: str, expected: str
) -> None:
    (chdir / ".contractgen.yaml").write_text(text)
    result = invoke("validate", spec())
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
