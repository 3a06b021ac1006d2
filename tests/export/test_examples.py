"""examples/events/ and examples/asyncapi/ are what `contractgen export` writes for specs/.

Regenerate them with `python -m tests.export.test_examples` (from the project root).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.export._helpers import CHAT, export, tree

EVENTS = ROOT / "examples" / "events" / "chat-service"
ASYNCAPI = ROOT / "examples" / "asyncapi" / "chat-service.yaml"
REGENERATE = "python -m tests.export.test_examples"


def test_the_events_example_is_in_sync(tmp_path: Path) -> None:
    out = tmp_path / "chat-service"
    result = export("events", CHAT, "-o", out)
    assert result.exit_code == 0, result.stderr
    expected, current = tree(out), tree(EVENTS)
    stale = sorted(p for p in expected.keys() | current.keys() if expected.get(p) != current.get(p))
    assert not stale, f"examples/events is out of date ({stale[:5]}); run {REGENERATE}"


def test_the_asyncapi_example_is_in_sync(tmp_path: Path) -> None:
    out = tmp_path / "chat-service.yaml"
    result = export("asyncapi", CHAT, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == ASYNCAPI.read_bytes(), (
        f"examples/asyncapi is stale; run {REGENERATE}"
    )


def test_the_examples_name_no_machine_path() -> None:
    for text in [ASYNCAPI.read_text(), *(p.decode() for p in tree(EVENTS).values())]:
        assert str(ROOT) not in text


def test_scaffold_puts_the_same_schemas_in_the_projects_events_folder() -> None:
    scaffolded = tree(ROOT / "examples" / "scaffold" / "chat-service" / "events")
    exported = {path: data for path, data in tree(EVENTS).items() if not path.startswith(".")}
    assert scaffolded == exported


def regenerate() -> None:
    shutil.rmtree(EVENTS, ignore_errors=True)
    ASYNCAPI.parent.mkdir(parents=True, exist_ok=True)
    for command in (["events", CHAT, "-o", EVENTS], ["asyncapi", CHAT, "-o", ASYNCAPI]):
        result = export(*command)
        sys.stderr.write(result.stderr)
        if result.exit_code != 0:
            raise SystemExit(result.exit_code)


if __name__ == "__main__":
    regenerate()
