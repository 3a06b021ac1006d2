"""The progress display: each step named on a terminal, nothing of it in a pipe or a log."""

from __future__ import annotations

import os
import pty
import re
import sys
from pathlib import Path

from tests.scaffold._harness import ROOT, scaffold

SPEC = ROOT / "specs" / "chat-service.yaml"
STEPS = ("loading the contract", "generating models", "rendering templates", "writing files")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def run_on_a_terminal(*args: str) -> tuple[int, str]:
    """`contractgen ARGS` with a pseudo-terminal as its stdout and stderr; status and output."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes contractgen, never returns
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "120"})
        os.environ.pop("NO_COLOR", None)
        os.execv(sys.executable, [sys.executable, "-m", "contractgen", *args])
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_sees_each_step_with_its_time(tmp_path: Path) -> None:
    status, output = run_on_a_terminal("scaffold", str(SPEC), "-o", str(tmp_path / "out"))
    assert status == 0, output
    text = ANSI.sub("", output)
    for step in STEPS:
        assert re.search(rf"scaffold: {step} \d+\.\d s", text), text
    assert re.search(r"out: \d+ written, 0 unchanged, 0 kept, 0 removed", text), text
    assert (tmp_path / "out" / "chat_service" / "app.py").is_file()


def test_a_pipe_gets_only_the_summary(tmp_path: Path) -> None:
    run = scaffold(SPEC, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "\x1b[" not in run.stderr
    assert not any(step in run.stderr for step in STEPS)
    assert re.fullmatch(r".*out: \d+ written, 0 unchanged, 0 kept, 0 removed", run.stderr.strip())
