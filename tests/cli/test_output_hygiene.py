"""Control characters written into a spec reach no terminal, log or report raw.

Every human-facing format (the text report and stderr, GitHub commands, Markdown, JUnit) shows
them escaped; JSON and SARIF carry the exact text, escaped by their own encoding.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import invoke

pytestmark = pytest.mark.usefixtures("chdir")

FORGED = "fake.yaml:1:1: LOAD000 injected"
#: A version that would print a diagnostic line of its own (LOAD010 quotes it).
VERSION_SPEC = f'openapi: "9.9\\n{FORGED}"\ninfo: {{title: t, version: "1"}}\npaths: {{}}\n'
#: A path key with ESC, a newline, a line separator and a bidi override: it reaches OP002's
#: message and every pointer below it.
KEY = "/x\\e[31m\\nfake.yaml:1:1: error OP002 injected\\u2028\\u202e"
KEY_SPEC = f"""\
openapi: 3.1.0
info: {{title: t, version: "1"}}
paths:
  "{KEY}":
    get:
      responses:
        "200": {{description: ok}}
"""
MISSING = "missing\x1b.yaml"  # no glob characters: a file name, so LOAD001
#: What must never reach a human-facing output: the raw characters, or a forged line.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FORGED_LINE = re.compile(r"^\s*fake\.yaml:", re.MULTILINE)


def _run(format: str, chdir: Path) -> tuple[str, str]:
    (chdir / "version.yaml").write_text(VERSION_SPEC)
    (chdir / "key.yaml").write_text(KEY_SPEC)
    result = invoke(
        "validate", "version.yaml", "key.yaml", MISSING, "-f", format, "-j1", "--no-color"
    )
    assert result.exit_code == 2, result.stdout + result.stderr
    return result.stdout, result.stderr


@pytest.mark.parametrize("format", ["text", "github", "markdown", "junit"])
def test_human_formats_escape_control_characters(format: str, chdir: Path) -> None:
    stdout, stderr = _run(format, chdir)
    for output in (stdout, stderr):
        assert RAW.search(output) is None, repr(output)
        assert FORGED_LINE.search(output) is None, output
    assert "9.9\\nfake.yaml:1:1: LOAD000 injected" in stderr
    assert "missing\\x1b.yaml: LOAD001" in stderr
    shown = r"\x1b[31m\nfake.yaml:1:1: error OP002 injected\u2028\u202e"
    if format == "markdown":  # where backslashes and brackets are escaped once more
        shown = shown.replace("\\", "\\\\").replace("[", "\\[")
    assert shown in stdout


@pytest.mark.parametrize("format", ["json", "sarif"])
def test_machine_formats_keep_the_exact_text(format: str, chdir: Path) -> None:
    stdout, stderr = _run(format, chdir)
    assert RAW.search(stderr) is None
    data = json.loads(stdout)
    if format == "json":
        messages = [finding["message"] for finding in data["findings"]]
    else:
        messages = [result["message"]["text"] for result in data["runs"][0]["results"]]
    assert any(f"9.9\n{FORGED}" in message for message in messages)
    key = "/x\x1b[31m\nfake.yaml:1:1: error OP002 injected\u2028\u202e"
    assert any(key in message for message in messages)
