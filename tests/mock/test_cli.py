"""`python -m contractgen mock ...` as a subprocess: it serves, logs a line per request,
and refuses bad input with one line and exit status 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.mock._helpers import AUTH, CHAT, CHAT_BODY
from tests.runtime._servers import free_port

SRC = str(Path(__file__).resolve().parents[2] / "src")
OPENAI = Path("/work/shared/corpus/openai-openapi.yaml")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


@contextmanager
def _mock(*args: str, spec: str = CHAT) -> Iterator[tuple[str, subprocess.Popen[str], float]]:
    """The mock process; yields its URL, the process, and the seconds to the first answer."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "contractgen", "mock", spec, "--port", str(port), *args],
        env=_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = started + 60
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the mock did not answer within 60 s"
                time.sleep(0.05)
        yield base, process, time.monotonic() - started
    finally:
        process.terminate()
        process.wait(10)


def test_the_command_serves_the_contract_and_logs_one_line_per_request() -> None:
    with _mock("--seed", "5", "--first-event-ms", "0", "--event-interval-ms", "0") as (
        base,
        process,
        _,
    ):
        response = httpx.post(
            base + "/v1/chat/completions",
            json=CHAT_BODY,
            headers={**AUTH, "X-Request-ID": "req-abc"},
        )
        assert response.status_code == 200
        assert response.json()["object"] == "chat.completion"
        streamed = httpx.post(
            base + "/v1/chat/completions", json={**CHAT_BODY, "stream": True}, headers=AUTH
        )
        assert streamed.text.rstrip().endswith("data: [DONE]")
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    lines = stderr.splitlines()
    assert any("seed 5" in line and "5 operations" in line for line in lines)
    logged = [line for line in lines if "POST /v1/chat/completions 200" in line]
    assert len(logged) == 2
    assert logged[0].endswith("req-abc") and "ms " in logged[0]
    assert "Traceback" not in stderr


@pytest.mark.skipif(not OPENAI.is_file(), reason="the corpus is not on this machine")
def test_startup_on_a_big_spec_is_fast() -> None:
    with _mock("--seed", "1", spec=str(OPENAI)) as (base, _, seconds):
        response = httpx.get(base + "/models", headers={"Authorization": "Bearer k"})
    assert response.status_code == 200
    print(f"openai-openapi.yaml: first answer {seconds:.2f} s after start")
    assert seconds < 15


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contractgen", "mock", *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["missing.yaml"], "LOAD001"),
        ([CHAT, "--port", "http"], "USAGE006"),
        ([CHAT, "--port", "70000"], "USAGE006"),
        ([CHAT, "--first-event-ms", "-1"], "USAGE006"),
        ([CHAT, "--seed", "x"], "USAGE006"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], code: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f" {code} " in f" {lines[0]}", result.stderr


def test_a_port_in_use_is_mock001() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = _run(CHAT, "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2
    assert "MOCK001" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_unparsable_spec_names_the_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: [\n")
    result = _run(str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bad}:") and "LOAD006" in result.stderr
