"""Scaffold a contract, install the project in a venv of its own, and serve it for real.

The project must install from the package index alone: its venv sees no contractgen, and
versions come from the same lock as CI (`.ci/constraints.txt`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / ".ci" / "constraints.txt"


def scaffold(spec: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run `contractgen scaffold` as a user would, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "contractgen", "scaffold", str(spec), "-o", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def install(project: Path, env_dir: Path) -> Path:
    """A fresh venv with the project and its `test` extra installed; its python."""
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(CONSTRAINTS), "hatchling", "editables"], check=True)
    subprocess.run(
        [*pip, "-c", str(CONSTRAINTS), "--no-build-isolation", "-e", f"{project}[test]"],
        check=True,
    )
    return python


def install_client(python: Path, client: Path) -> None:
    """The generated client package (`DIR/client`) into an existing venv."""
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-c", str(CONSTRAINTS), "--no-build-isolation", "-e", str(client)], check=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(
    python: Path, package: str, cwd: Path, *, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`python -m PACKAGE --host 127.0.0.1 --port P` in a child; yields its base URL."""
    port = free_port()
    log = (cwd / f"server-{port}.log").open("w")
    child = subprocess.Popen(
        [str(python), "-m", package, "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"server exited: {(cwd / log.name).read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 30 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
        log.close()
