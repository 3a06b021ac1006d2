"""Latency: percentiles, the first-event budget, and baselines compared by Mann-Whitney U."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from contractgen.errors import ContractgenError
from contractgen.verify.context import Samples
from contractgen.verify.latency import compare, percentile, read_baseline, save_baseline
from tests.mock._helpers import CHAT, serve
from tests.verify._helpers import verify


def _samples(rng: random.Random, mean: float, n: int = 30) -> Samples:
    first = [max(0.0, rng.gauss(mean, mean / 5)) for _ in range(n)]
    return Samples(first, [value * 4 for value in first])


def test_percentiles_interpolate_like_numpy() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)


def test_two_runs_from_one_distribution_are_no_regression() -> None:
    rng = random.Random(1)
    for _ in range(20):
        old, new = _samples(rng, 100), _samples(rng, 100)
        assert not any(c.regression for c in compare(new, old))


def test_a_clearly_slower_run_is_a_regression() -> None:
    rng = random.Random(2)
    old, new = _samples(rng, 100), _samples(rng, 160)
    found = compare(new, old)
    assert [c.metric for c in found if c.regression] == ["first_event_ms", "duration_ms"]
    assert "Mann-Whitney p = " in found[0].sentence()


def test_a_tiny_but_significant_shift_is_not_a_regression() -> None:
    """Thousands of samples make any shift significant; the effect size keeps it quiet."""
    rng = random.Random(3)
    old, new = _samples(rng, 100, 3000), _samples(rng, 102, 3000)
    comparison = compare(new, old)[0]
    assert comparison.p_value < 0.01 and not comparison.regression


def test_baselines_round_trip_and_bad_ones_are_verify002(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    save_baseline(path, {"POST /a": Samples([1.0, 2.0], [3.0, 4.0])})
    assert read_baseline(path)["POST /a"].duration_ms == [3.0, 4.0]
    path.write_text(json.dumps({"version": 1, "operations": {"POST /a": {"first_event_ms": "x"}}}))
    with pytest.raises(ContractgenError) as raised:
        read_baseline(path)
    assert raised.value.code == "VERIFY002"


def test_a_run_saves_samples_and_compares_with_a_slower_server(tmp_path: Path) -> None:
    fast, baseline = tmp_path / "fast.json", tmp_path / "baseline.json"
    include = ["createChatCompletion"]
    with serve(CHAT, first_event_ms=20, event_interval_ms=0) as base:
        verify(CHAT, base, include=include, max_examples=8, save_baseline=baseline)
        again = verify(CHAT, base, include=include, max_examples=8, baseline=baseline)
    saved = json.loads(baseline.read_text())["operations"]["POST /v1/chat/completions"]
    assert len(saved["first_event_ms"]) == 8
    assert "VER041" not in {f.rule_id for f in again.findings}
    with serve(CHAT, first_event_ms=200, event_interval_ms=0) as base:
        slower = verify(
            CHAT,
            base,
            include=include,
            max_examples=8,
            baseline=baseline,
            max_first_event_ms=100,
            save_baseline=fast,
        )
    ids = [f.rule_id for f in slower.findings]
    assert "VER041" in ids and "VER040" in ids and slower.exit_code == 1
