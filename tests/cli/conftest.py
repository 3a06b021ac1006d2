"""CLI test helpers: a small fake rule catalogue, in-process and real-process runs.

In-process tests (typer's CliRunner) swap the catalogue for two fake rules, so exit codes,
levels and configuration are tested against findings we control. Subprocess tests run the
installed `contractgen` with the real catalogue.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from contractgen.cli import app
from contractgen.report.finding import Finding, Level
from contractgen.validate import registry
from contractgen.validate.registry import Rule, RuleContext

#: A spec the fake rules report on: FAKE001 (warning) at each operation, FAKE002 (error)
#: at `info` when the title contains "bad".
SPEC = """\
openapi: 3.1.0
info:
  title: {title}
  version: "1"
paths:
  /a:
    get:
      responses:
        "200": {{description: ok}}
  /b:
    post:
      responses:
        "200": {{description: ok}}
"""


def _each_operation(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for operation in ctx.contract.operations:
        yield rule.finding(operation.location, f"{operation.method.upper()} {operation.path}")


def _bad_title(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if "bad" in ctx.contract.title:
        yield rule.finding(ctx.document.root.location("/info"), "the title says bad")


FAKE_RULES = {
    "FAKE001": Rule(
        "FAKE001",
        "every-operation",
        Level.WARNING,
        "Reports each operation.",
        "",
        "",
        "",
        _each_operation,
        "fake",
    ),
    "FAKE002": Rule(
        "FAKE002", "bad-title", Level.ERROR, "Reports a bad title.", "", "", "", _bad_title, "fake"
    ),
}


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> dict[str, Rule]:
    """Replace the catalogue with the two fake rules for this test."""
    registry.catalogue()  # import the real modules first, so they do not refill it later
    monkeypatch.setattr(registry, "_CATALOGUE", dict(FAKE_RULES))
    return FAKE_RULES


@pytest.fixture
def spec(tmp_path: Path) -> Callable[..., Path]:
    """Write SPEC (or given text) to tmp_path/name."""

    def write(name: str = "openapi.yaml", *, title: str = "good", text: str | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC.format(title=title) if text is None else text)
        return path

    return write


@pytest.fixture
def chdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, a repository root of its own (so no outer configuration applies)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process; exceptions other than exits propagate (a bug must fail the test)."""
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_bytes: int


def contractgen_command() -> list[str]:
    """The installed console script, or `python -m contractgen` next to this interpreter."""
    script = Path(sys.executable).parent / "contractgen"
    if script.exists():
        return [str(script)]
    found = shutil.which("contractgen")
    return [found] if found else [sys.executable, "-m", "contractgen"]


def run_contractgen(*args: str | Path, cwd: Path, timeout: float = 120) -> Run:
    """Run the real `contractgen` in a child process; measure its time and peak memory."""
    out, err = cwd / ".stdout", cwd / ".stderr"
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*contractgen_command(), *map(str, args)],
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"contractgen {args} ran longer than {timeout}s")
            time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        exit_code=process.returncode,
        stdout=out.read_text(),
        stderr=err.read_text(),
        seconds=time.monotonic() - started,
        max_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports KiB
    )
