"""Timeouts computed from the contract's stream limits."""

from __future__ import annotations

from contractgen.client_runtime.spec import StreamSpec
from contractgen.client_runtime.timeouts import TimeoutSettings, timeouts_for


def test_a_plain_call_gets_the_settings() -> None:
    limits = timeouts_for(None, TimeoutSettings(connect=2, read=9, write=3, pool=4))
    assert (limits.http.connect, limits.http.read, limits.http.write, limits.http.pool) == (
        2,
        9,
        3,
        4,
    )
    assert limits.deadline is None


def test_a_stream_reads_longer_than_its_idle_timeout_and_heartbeat() -> None:
    spec = StreamSpec(
        "sse", heartbeat_seconds=15, idle_timeout_seconds=30, max_duration_seconds=600
    )
    limits = timeouts_for(spec, TimeoutSettings(margin_seconds=5))
    assert limits.http.read == 35
    assert limits.deadline == 605
    heartbeat_only = timeouts_for(StreamSpec("sse", heartbeat_seconds=20))
    assert heartbeat_only.http.read is not None and heartbeat_only.http.read > 20
    assert heartbeat_only.deadline is None


def test_a_stream_without_idle_bounds_uses_the_read_setting() -> None:
    assert timeouts_for(StreamSpec("jsonl"), TimeoutSettings(read=42)).http.read == 42


def test_the_settings_override_what_the_contract_gives() -> None:
    spec = StreamSpec("sse", idle_timeout_seconds=30, max_duration_seconds=600)
    limits = timeouts_for(spec, TimeoutSettings(stream_read=100, stream_deadline=50))
    assert (limits.http.read, limits.deadline) == (100, 50)
