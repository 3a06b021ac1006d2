"""Configuration through the CLI: levels, rules off, ignores with reasons, and every mistake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.config import find_config, load_config
from contractgen.report.finding import Level
from tests.cli.conftest import invoke

pytestmark = pytest.mark.usefixtures("chdir", "fake_rules")


def _rules(result_stdout: str) -> list[str]:
    return sorted(finding["rule"] for finding in json.loads(result_stdout)["findings"])


def test_level_override_in_pyproject(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.contractgen]\nrules = {FAKE001 = "error"}\n'
    )
    result = invoke("validate", spec(), "-f", "json")
    assert result.exit_code == 1
    levels = {finding["level"] for finding in json.loads(result.stdout)["findings"]}
    assert levels == {"error"}


def test_rule_off_by_name_in_yaml(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / ".contractgen.yaml").write_text("rules:\n  every-operation: off\n")
    result = invoke("validate", spec(title="bad"), "-f", "json")
    assert _rules(result.stdout) == ["FAKE002"]


def test_ignore_with_reason_accepts_one_finding(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / ".contractgen.yaml").write_text(
        "ignore:\n"
        "  - rule: FAKE001\n"
        "    pointer: /paths/~1a/get\n"
        "    reason: the proxy handles it\n"
    )
    result = invoke("validate", spec(), "-f", "json")
    report = json.loads(result.stdout)
    assert [f["pointer"] for f in report["findings"]] == ["/paths/~1b/post"]
    assert report["summary"]["accepted"] == {"baseline": 0, "configuration": 1}
    text = invoke("validate", spec()).stdout
    assert text.rstrip().endswith(
        "0 errors, 1 warning, 0 info in 1 file; 1 finding accepted by the configuration"
    )


def test_fail_on_from_config_and_cli_wins(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / ".contractgen.yaml").write_text("fail-on: warning\n")
    assert invoke("validate", spec()).exit_code == 1
    assert invoke("validate", spec(), "--fail-on", "error").exit_code == 0


def test_explicit_config_file(spec: Callable[..., Path], tmp_path: Path) -> None:
    config = tmp_path / "conf" / "strict.yaml"
    config.parent.mkdir()
    config.write_text("rules: {FAKE001: error}\n")
    assert invoke("validate", spec(), "--config", config).exit_code == 1
    assert invoke("validate", spec()).exit_code == 0


def test_search_stops_at_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".contractgen.yaml").write_text("fail-on: info\n")
    inner = tmp_path / "repo" / "sub"
    inner.mkdir(parents=True)
    assert find_config(inner) == tmp_path / ".contractgen.yaml"
    (tmp_path / "repo" / ".git").mkdir()
    assert find_config(inner) is None
    (tmp_path / "repo" / "pyproject.toml").write_text("[tool.ruff]\n")  # no contractgen table
    assert find_config(inner) is None
    (tmp_path / "repo" / "pyproject.toml").write_text("[tool.contractgen]\nfail-on = 'info'\n")
    assert load_config(start=inner).fail_on is Level.INFO


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules: {NOPE01: warning}\n",
            ".contractgen.yaml:1:9: USAGE002 `rules.NOPE01`: unknown rule 'NOPE01'",
        ),
        (
            "rules:\n  FAKE001: loud\n",
            ".contractgen.yaml:2:3: USAGE002 `rules.FAKE001`: 'loud' is not one of error, warning, "
            "info, off",
        ),
        (
            "rulez: {}\n",
            ".contractgen.yaml:1:1: USAGE002 `rulez`: unknown key (did you mean 'rules'?)",
        ),
        (
            "ignore:\n  - rule: FAKE001\n    pointer: /paths\n",
            ".contractgen.yaml:2:5: USAGE002 `ignore[0]`: needs a non-empty `reason` string",
        ),
        (
            "fail-on: never\n",
            ".contractgen.yaml:1:1: USAGE002 `fail-on`: 'never' is not one of error, warning, info",
        ),
        ("rules: [\n", ".contractgen.yaml:2:1: USAGE002 invalid YAML"),
        (
            "rules:\n" + "- " * 100_000 + "a\n",
            ".contractgen.yaml:2:255: USAGE002 YAML is nested more than 128 levels deep",
        ),
        ("fail-on: info\nfail-on: error\n", ".contractgen.yaml:2:1: USAGE002 duplicate key"),
    ],
    ids=[
        "unknown-rule",
        "bad-level",
        "unknown-key",
        "no-reason",
        "bad-fail-on",
        "syntax",
        "deep-block",
        "duplicate-key",
    ],
)
def test_bad_yaml_config_is_usage002_with_line(
    spec: Callable[..., Path], chdir: Path, text: str, expected: str
) -> None:
    (chdir / ".contractgen.yaml").write_text(text)
    result = invoke("validate", spec())
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_bad_toml_config_names_the_key_path(spec: Callable[..., Path], chdir: Path) -> None:
    (chdir / "pyproject.toml").write_text('[tool.contractgen]\nrules = {FAKE002 = "fatal"}\n')
    result = invoke("validate", spec())
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "pyproject.toml: USAGE002 `tool.contractgen.rules.FAKE002`: 'fatal' is not one of"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
            "pyproject.toml: USAGE002 invalid TOML: nested too deeply",
        ),
        (
            "[tool.contractgen]\nfail-on = " + "9" * 100_000 + "\n",
            "pyproject.toml: USAGE002 invalid TOML: integer with more than 4300 digits",
        ),
        (
            "[tool.contractgen]\nfail-on = 0x" + "f" * 20_000 + "\n",
            "pyproject.toml: USAGE002 `tool.contractgen.fail-on`: an integer of 80000 bits is not",
        ),
    ],
    ids=["deep", "long-integer", "long-hex"],
)
def test_hostile_pyproject_met_on_the_way_up(
    spec: Callable[..., Path], chdir: Path, text: str, expected: str
) -> None:
    (chdir / "pyproject.toml").write_text(text)
    result = invoke("validate", spec())
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr


def test_missing_explicit_config(spec: Callable[..., Path]) -> None:
    result = invoke("validate", spec(), "--config", "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == "nope.yaml: USAGE002 configuration file not found\n"
