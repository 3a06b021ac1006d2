"""`contractgen validate`: exit codes, output formats, folders and globs, parallel runs."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import invoke, run_contractgen
from tests.conftest import CORPUS, FIXTURES

pytestmark = pytest.mark.usefixtures("chdir")


@pytest.mark.parametrize(
    ("title", "fail_on", "expected"),
    [
        ("good", None, 0),  # only FAKE001 warnings; the default fail-on is error
        ("good", "warning", 1),
        ("good", "info", 1),
        ("bad", None, 1),  # FAKE002 is an error
        ("bad", "error", 1),
    ],
)
def test_exit_code_follows_fail_on(
    fake_rules: object, spec: Callable[..., Path], title: str, fail_on: str | None, expected: int
) -> None:
    path = spec(title=title)
    args = ["validate", path] + (["--fail-on", fail_on] if fail_on else [])
    result = invoke(*args)
    assert result.exit_code == expected, result.stdout + result.stderr


def test_clean_file_exits_zero_and_says_so(
    spec: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractgen.validate import registry

    registry.catalogue()
    monkeypatch.setattr(registry, "_CATALOGUE", {})
    result = invoke("validate", spec())
    assert result.exit_code == 0
    assert result.stdout == "No problems found in 1 file\n"
    assert result.stderr == ""


def test_text_lines_name_file_line_column(fake_rules: object, spec: Callable[..., Path]) -> None:
    result = invoke("validate", spec(), "--no-color")
    assert "openapi.yaml:7:5 warning FAKE001 GET /a" in result.stdout
    assert "openapi.yaml:11:5 warning FAKE001 POST /b" in result.stdout
    assert "\x1b[" not in result.stdout
    assert "\x1b[" in invoke("validate", spec(), "--color").stdout


def _parse(format: str, text: str) -> object:
    if format in ("json", "sarif"):
        return json.loads(text)
    if format == "junit":
        return ET.fromstring(text)
    return text


@pytest.mark.parametrize("format", ["text", "json", "sarif", "github", "junit", "markdown"])
def test_every_format_parses_and_carries_the_findings(
    fake_rules: object, spec: Callable[..., Path], format: str
) -> None:
    result = invoke("validate", spec(title="bad"), "--format", format, "--no-color")
    assert result.exit_code == 1
    parsed = _parse(format, result.stdout)
    if format == "json":
        assert isinstance(parsed, dict)
        assert sorted(f["rule"] for f in parsed["findings"]) == ["FAKE001", "FAKE001", "FAKE002"]
    elif format == "sarif":
        assert isinstance(parsed, dict)
        results = parsed["runs"][0]["results"]
        assert sorted(r["ruleId"] for r in results) == ["FAKE001", "FAKE001", "FAKE002"]
    elif format == "junit":
        assert isinstance(parsed, ET.Element)
        assert len(parsed.findall(".//testcase")) == 3
        assert len(parsed.findall(".//failure")) == 1  # the warnings pass at --fail-on error
    else:
        assert "FAKE002" in result.stdout


def test_input_errors_are_findings_in_machine_formats(
    fake_rules: object, spec: Callable[..., Path]
) -> None:
    good = spec()
    result = invoke("validate", good, "missing.yaml", "--format", "json", "-j1")
    assert result.exit_code == 2
    assert result.stderr == "missing.yaml: LOAD001 file not found\n"
    findings = json.loads(result.stdout)["findings"]
    load = [f for f in findings if f["rule"] == "LOAD001"]
    assert len(load) == 1 and load[0]["level"] == "error"
    assert sum(f["rule"] == "FAKE001" for f in findings) == 2  # the good file was still checked

    sarif = json.loads(invoke("validate", good, "missing.yaml", "--format", "sarif", "-j1").stdout)
    rules = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "LOAD001" in rules


def test_text_summary_counts_unloadable_files(
    fake_rules: object, spec: Callable[..., Path]
) -> None:
    result = invoke("validate", spec(), "missing.yaml", "-j1")
    assert result.exit_code == 2
    assert result.stdout.rstrip().endswith(
        "1 error, 2 warnings, 0 info in 2 files; 1 file could not be loaded"
    )
    assert "LOAD001" not in result.stdout  # the line itself is on stderr


def test_a_file_that_cannot_be_loaded_is_counted_alike_by_every_format(
    fake_rules: object,
) -> None:
    text = invoke("validate", "missing.yaml").stdout
    assert text == "1 error, 0 warnings, 0 info in 1 file; 1 file could not be loaded\n"
    markdown = invoke("validate", "missing.yaml", "-f", "markdown").stdout
    assert markdown.split("\n\n")[1] == text.strip() + "."
    data = json.loads(invoke("validate", "missing.yaml", "-f", "json").stdout)
    assert data["summary"] | {"accepted": None} == {
        "files": 1,
        "errors": 1,
        "warnings": 0,
        "info": 0,
        "total": 1,
        "unloaded": 1,
        "accepted": None,
    }
    junit = ET.fromstring(invoke("validate", "missing.yaml", "-f", "junit").stdout)
    assert (junit.get("tests"), junit.get("failures")) == ("1", "1")


@pytest.mark.parametrize(("fail_on", "failures"), [(None, 0), ("warning", 2), ("info", 2)])
def test_junit_failures_follow_fail_on(
    fake_rules: object, spec: Callable[..., Path], fail_on: str | None, failures: int
) -> None:
    args = ["validate", spec(), "-f", "junit"] + (["--fail-on", fail_on] if fail_on else [])
    result = invoke(*args)
    assert result.exit_code == (1 if failures else 0)
    root = ET.fromstring(result.stdout)
    assert root.get("failures") == str(failures)
    assert len(root.findall(".//failure")) == failures


def test_output_file(fake_rules: object, spec: Callable[..., Path], tmp_path: Path) -> None:
    result = invoke("validate", spec(), "--format", "json", "--output", tmp_path / "out.json")
    assert result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["warnings"] == 2


@pytest.mark.parametrize(
    ("output", "reason"),
    [("no/such/folder/report.json", "No such file or directory"), (".", "Is a directory")],
)
def test_a_report_that_cannot_be_written_is_usage004(
    fake_rules: object, spec: Callable[..., Path], output: str, reason: str
) -> None:
    result = invoke("validate", spec(), "--format", "json", "--output", output)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"{output}: USAGE004 cannot write the report: {reason}\n"


def test_folder_finds_only_openapi_roots(fake_rules: object, spec: Callable[..., Path]) -> None:
    spec("specs/one.yaml")
    spec(
        "specs/nested/two.json",
        text=json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}),
    )
    spec("specs/schemas/pet.yaml", text="type: object\nproperties: {openapi: {type: string}}\n")
    spec("specs/node_modules/dep.yaml")
    spec("specs/.hidden/three.yaml")
    spec("specs/notes.txt", text="openapi: 3.1.0\n")
    result = invoke("validate", "specs", "--format", "json", "-j1")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["files"] == 2


def test_folder_without_specs_is_usage001(spec: Callable[..., Path]) -> None:
    spec("empty/schema.yaml", text="type: object\n")
    result = invoke("validate", "empty")
    assert result.exit_code == 2
    assert result.stderr == (
        "empty: USAGE001 folder holds no OpenAPI document (*.yaml, *.yml or *.json with a "
        "top-level `openapi` key)\n"
    )


def test_quoted_globs_are_expanded(fake_rules: object, spec: Callable[..., Path]) -> None:
    spec("specs/a.yaml")
    spec("specs/deep/er/b.yaml")
    spec("specs/c.json", text='{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}')
    one_level = json.loads(invoke("validate", "specs/*.yaml", "-f", "json", "-j1").stdout)
    assert one_level["summary"]["files"] == 1
    recursive = invoke("validate", "specs/**/*.yaml", "specs/a.yaml", "-f", "json", "-j1")
    assert json.loads(recursive.stdout)["summary"]["files"] == 2  # a.yaml counted once
    nothing = invoke("validate", "specs/*.toml")
    assert nothing.exit_code == 2
    assert nothing.stderr == "specs/*.toml: USAGE001 no file matches this pattern\n"


def _fixture_specs() -> list[Path]:
    return sorted(FIXTURES.glob("rules/*/*.yaml"))


def test_parallel_run_matches_sequential(tmp_path: Path) -> None:
    """Real processes, real catalogue: --jobs 4 reports exactly what --jobs 1 reports."""
    inputs = [
        *_fixture_specs(),
        CORPUS / "learn-tictactoe-3.1.yaml",
        CORPUS / "learn-petstore-expanded-2.0.yaml",
        tmp_path / "missing.yaml",
    ]
    inputs = [path for path in inputs if path.name == "missing.yaml" or path.exists()]
    if len(inputs) < 4:
        pytest.skip("not enough specs to run in parallel")
    sequential = run_contractgen("validate", *inputs, "-f", "json", "-j", "1", cwd=tmp_path)
    parallel = run_contractgen("validate", *inputs, "-f", "json", "-j", "4", cwd=tmp_path)
    assert sequential.exit_code == parallel.exit_code == 2
    assert json.loads(parallel.stdout) == json.loads(sequential.stdout)
    assert parallel.stderr == sequential.stderr
    assert "Traceback" not in parallel.stderr


def test_installed_script_reports_and_exits_one(tmp_path: Path) -> None:
    """A bad rule fixture through the real console script: findings, exit 1, valid SARIF."""
    bad = next((p for p in _fixture_specs() if p.name == "bad.yaml"), None)
    if bad is None:
        pytest.skip("no rule fixtures yet")
    run = run_contractgen("validate", bad, "--fail-on", "info", "-f", "sarif", cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    assert json.loads(run.stdout)["runs"][0]["results"]


def test_version_and_python_m(tmp_path: Path) -> None:
    from contractgen import __version__

    assert invoke("--version").stdout == f"contractgen {__version__}\n"
    assert run_contractgen("--version", cwd=tmp_path).stdout == f"contractgen {__version__}\n"
    module = subprocess.run(
        [sys.executable, "-m", "contractgen", "--version"], capture_output=True, text=True
    )
    assert module.stdout == f"contractgen {__version__}\n"


def test_html_report_lists_problems_by_file(fake_rules: object, spec: Callable[..., Path]) -> None:
    path = spec(title="bad")
    result = invoke("validate", path, "-f", "html")
    assert result.exit_code == 1
    html = result.stdout
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<input type="checkbox" class="toggle" id="show-error" checked>' in html
    assert "<h2><code>openapi.yaml</code></h2>" in html
    assert '<li class="finding level-error">' in html and "<dt>at</dt>" in html
    assert "1 error, 2 warnings, 0 info in 1 file" in html
