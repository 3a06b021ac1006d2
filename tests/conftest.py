"""Shared test helpers: run the validation engine on a fixture and read expectations from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from contractgen.load.document import LoadOptions, load_document
from contractgen.report.finding import Finding
from contractgen.validate.engine import RuleSettings, validate_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def validate_path(path: Path, options: LoadOptions | None = None) -> list[Finding]:
    """All findings (every rule, default settings) for one spec file, positioned."""
    return validate_document(load_document(path, options), RuleSettings()).findings


def expected_lines(path: Path, rule_id: str) -> set[int]:
    """Lines marked `# expect: RULE` in a fixture: where the rule must report, and nowhere else."""
    lines: set[int] = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        found = _EXPECT.search(line)
        if found and rule_id in [r.strip() for r in found[1].split(",")]:
            lines.add(number)
    return lines


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a spec text into a temporary folder and return its path."""

    def write(text: str, name: str = "openapi.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write
