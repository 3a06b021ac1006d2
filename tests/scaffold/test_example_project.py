"""examples/scaffold/chat-service is what `contractgen scaffold specs/chat-service.yaml` writes.

The end-to-end test installs, serves and calls that same output; this test keeps the copy
in the repository in sync with it. Regenerate with `python -m tests.scaffold.test_example_project`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.scaffold._harness import ROOT, scaffold

SPEC = ROOT / "specs" / "chat-service.yaml"
EXAMPLE = ROOT / "examples" / "scaffold" / "chat-service"
REGENERATE = "python -m tests.scaffold.test_example_project"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_example_project_is_in_sync(tmp_path: Path) -> None:
    out = tmp_path / "chat-service"
    done = scaffold(SPEC, out)
    assert done.returncode == 0, done.stderr
    expected, current = tree(out), tree(EXAMPLE)
    stale = sorted(
        path for path in expected.keys() | current.keys() if expected.get(path) != current.get(path)
    )
    assert not stale, f"examples/scaffold is out of date ({stale[:5]}); run {REGENERATE}"


def regenerate() -> None:
    shutil.rmtree(EXAMPLE, ignore_errors=True)
    done = scaffold(SPEC, EXAMPLE)
    sys.stderr.write(done.stderr)
    raise SystemExit(done.returncode)


if __name__ == "__main__":
    regenerate()
