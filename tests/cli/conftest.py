"""CLI test helpers: a small fake rule catalogue, in-process and real-process runs.

In-process tests (typer's CliRunner) swap the catalogue for two fake rules, so exit codes,
levels and configuration are tested against findings we control. Subprocess tests run the
installed `contractgen` with the real catalogue.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
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


#: Starts contractgen from a small process and records its exit status and peak RSS. A child
#: spawned by pytest directly would report pytest's memory as its peak: Linux keeps the
#: high-water mark of the process it was forked from across exec, and workers grow large.
_LAUNCHER = """\
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_maxrss], out)
"""


def run_contractgen(*args: str | Path, cwd: Path, timeout: float = 120) -> Run:
    """Run the real `contractgen` in a child process; measure its time and peak memory."""
    out, err, measured = cwd / ".stdout", cwd / ".stderr", cwd / ".rusage"
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-c", _LAUNCHER, str(measured), *contractgen_command()]
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, *map(str, args)],
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
            env=env,
            start_new_session=True,  # one process group: a timeout kills both processes
        )
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"contractgen {args} ran longer than {timeout}s") from None
    exit_code, max_rss_kib = json.loads(measured.read_text())
    return Run(
        exit_code=exit_code,
        stdout=out.read_text(),
        stderr=err.read_text(),
        seconds=time.monotonic() - started,
        max_rss_bytes=max_rss_kib * 1024,  # Linux reports KiB
    )
