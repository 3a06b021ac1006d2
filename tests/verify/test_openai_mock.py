"""The mock serving OpenAI's contract: no finding on the JSON operations, streams read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.mock._helpers import serve
from tests.verify._helpers import verify, violations

OPENAI = Path("/work/shared/corpus/openai-openapi.yaml")

pytestmark = pytest.mark.skipif(not OPENAI.is_file(), reason="the corpus is not on this machine")


def test_the_openai_mock_passes_and_its_streams_are_read_event_by_event() -> None:
    spec = str(OPENAI)
    with serve(spec, first_event_ms=0, event_interval_ms=0) as base:
        outcome = verify(spec, base, headers=["Authorization: Bearer sk-test"], max_examples=2)
    assert violations(outcome) == [], outcome.report
    streamed = {
        f.scope[0]: int(re.search(r"(\d+) events\)", f.message).group(1))  # type: ignore[union-attr]
        for f in outcome.findings
        if f.rule_id == "VER042"
    }
    assert {"POST /chat/completions", "POST /responses"} <= streamed.keys()
    assert all(count >= 2 for count in streamed.values()), streamed
