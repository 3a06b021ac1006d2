"""A deliberately broken server: each violation is reported by its rule, and none without."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime._servers import run_app
from tests.verify._broken import broken_app, fast_spec
from tests.verify._helpers import rule_ids, verify, violations

CASES = [
    # flag, operations to verify, probes, the rule that must report it
    ("undeclared_event", ["createChatCompletion"], [], "VER010"),
    ("missing_terminal", ["createChatCompletion"], [], "VER012"),
    ("sentinel_first", ["createChatCompletion"], [], "VER013"),
    ("bad_payload", ["createChatCompletion"], [], "VER011"),
    ("oversized_500", ["createEmbedding"], ["limits"], "VER030"),
    ("no_retry_after", ["retrieveModel"], ["rate-limits"], "VER033"),
    ("heartbeat_gap", ["createChatCompletion"], [], "VER014"),
    ("ws_outside_union", ["GET /v1/realtime"], [], "VER021"),
    ("undeclared_status", ["createChatCompletion"], [], "VER001"),
    ("bad_body", ["retrieveModel"], [], "VER002"),
    ("wrong_media_type", ["createChatCompletion"], [], "VER003"),
    ("rate_limited_no_retry_after", ["createChatCompletion"], [], "VER005"),
    # ... and its 429 response declares the header required, so it is missing too
    ("rate_limited_no_retry_after", ["createChatCompletion"], [], "VER004"),
    ("stream_too_long", ["createChatCompletion"], [], "VER015"),
    ("bad_framing", ["createChatCompletion"], [], "VER016"),
    ("ws_wrong_subprotocol", ["GET /v1/realtime"], [], "VER020"),
    ("ws_bad_close", ["GET /v1/realtime"], [], "VER022"),
    ("ws_no_1009", ["GET /v1/realtime"], ["limits"], "VER032"),
]


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fast_spec(tmp_path_factory.mktemp("verify"))


def test_the_server_without_violations_passes_every_check(spec: str) -> None:
    with run_app(broken_app()) as base:
        outcome = verify(spec, base, probes=["limits", "rate-limits"], max_examples=2)
    assert violations(outcome) == [], outcome.report
    assert outcome.exit_code == 0
    assert any(f.rule_id == "VER042" for f in outcome.findings)  # latency was measured


@pytest.mark.parametrize(
    ("flag", "include", "probes", "rule"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES]
)
def test_each_violation_is_reported_by_its_rule(
    spec: str, flag: str, include: list[str], probes: list[str], rule: str
) -> None:
    with run_app(broken_app(flag)) as base:
        outcome = verify(spec, base, include=include, probes=probes)
    assert rule in rule_ids(outcome), outcome.report
    assert outcome.exit_code == 1
    finding = next(f for f in violations(outcome) if f.rule_id == rule)
    assert finding.location.file.endswith("chat-service.yaml")
    assert finding.location.line is not None
    assert finding.scope and finding.scope[0] in finding.message
    if rule not in ("VER020", "VER021", "VER022", "VER032"):
        assert "request: curl -X " in finding.message
    else:
        assert "request: curl -X GET" in finding.message and "ws://" in finding.message


def test_a_payload_failure_names_the_json_pointer_and_hides_the_credential(spec: str) -> None:
    with run_app(broken_app("bad_payload")) as base:
        outcome = verify(spec, base, include=["createChatCompletion"])
    messages = [f.message for f in violations(outcome) if f.rule_id == "VER011"]
    assert messages and "at /index:" in messages[0]
    assert "Authorization: ..." in messages[0] and "test-key" not in messages[0]


def test_an_undeclared_status_points_at_the_operation_responses(spec: str) -> None:
    with run_app(broken_app("undeclared_status")) as base:
        outcome = verify(spec, base, include=["createChatCompletion"])
    found = [f for f in violations(outcome) if f.rule_id == "VER001"]
    assert found and "answered 418" in found[0].message
    assert found[0].location.pointer.endswith("/responses")
    assert '"stream":false' in found[0].message


def test_an_unreachable_server_is_verify001(spec: str, tmp_path: Path) -> None:
    from contractgen.errors import ContractgenError
    from tests.runtime._servers import free_port

    with pytest.raises(ContractgenError) as raised:
        verify(spec, f"http://127.0.0.1:{free_port()}")
    assert raised.value.code == "VERIFY001"
