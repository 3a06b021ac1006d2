"""Latency of streaming operations: percentiles, a budget, and a baseline compared fairly.

Time to first event and full stream duration are kept per operation as samples in
milliseconds. `--save-baseline FILE` writes them as JSON; `--baseline FILE` compares a run's
samples with a saved one by the one-sided Mann-Whitney U test (scipy) and an effect size,
the probability that a new sample is slower than a baseline one (U / (n1 * n2)). A regression
is reported only when both say so: p below `ALPHA` and the effect at least `LARGE_EFFECT`
(Vargha and Delaney's "large", 0.71), so noise and trivial shifts do not fail a build; and
the median must be slower by at least `MIN_SHIFT_MS` and `MIN_SHIFT_RATIO` of the baseline's,
since a sub-millisecond shift can be statistically real and still mean nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractgen.errors import UsageError
from contractgen.verify.context import Samples

ALPHA = 0.01
LARGE_EFFECT = 0.71
MIN_SHIFT_MS = 5.0
MIN_SHIFT_RATIO = 0.10
MIN_SAMPLES = 5
"""Fewer samples on either side than this are not compared (the test has no power)."""
BASELINE_VERSION = 1
METRICS = (("first_event_ms", "time to first event"), ("duration_ms", "stream duration"))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_line(samples: Samples) -> str:
    def three(values: list[float]) -> str:
        return ", ".join(f"p{q} {percentile(values, q):.0f} ms" for q in (50, 95, 99))

    return (
        f"first event {three(samples.first_event_ms)}; stream {three(samples.duration_ms)} "
        f"({len(samples.duration_ms)} streams, {samples.events} events)"
    )


def save_baseline(path: Path, latency: dict[str, Samples]) -> None:
    data = {
        "version": BASELINE_VERSION,
        "operations": {
            key: {"first_event_ms": s.first_event_ms, "duration_ms": s.duration_ms}
            for key, s in sorted(latency.items())
        },
    }
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(
            "USAGE004", f"cannot write the baseline: {error.strerror or error}", str(path)
        ) from None


def read_baseline(path: Path) -> dict[str, Samples]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(
            "VERIFY002", f"cannot read the latency baseline: {error.strerror or error}", str(path)
        ) from None
    except ValueError as error:
        raise UsageError(
            "VERIFY002", f"the latency baseline is not JSON: {error}", str(path)
        ) from None
    operations = data.get("operations") if isinstance(data, dict) else None
    if not isinstance(operations, dict) or data.get("version") != BASELINE_VERSION:
        raise UsageError("VERIFY002", "not a latency baseline of contractgen verify", str(path))
    out: dict[str, Samples] = {}
    for key, entry in operations.items():
        samples = Samples()
        for name in ("first_event_ms", "duration_ms"):
            values = entry.get(name) if isinstance(entry, dict) else None
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise UsageError("VERIFY002", f"{key}: {name} is not a list of numbers", str(path))
            getattr(samples, name).extend(float(v) for v in values)
        out[str(key)] = samples
    return out


@dataclass(frozen=True, slots=True)
class Comparison:
    metric: str
    label: str
    median_new: float
    median_old: float
    p_value: float
    effect: float
    """P(a new sample is slower than a baseline one), ties counting half."""

    @property
    def regression(self) -> bool:
        shift = self.median_new - self.median_old
        meaningful = shift >= max(MIN_SHIFT_MS, MIN_SHIFT_RATIO * self.median_old)
        return self.p_value < ALPHA and self.effect >= LARGE_EFFECT and meaningful

    def sentence(self) -> str:
        return (
            f"{self.label}: median {self.median_new:.0f} ms against {self.median_old:.0f} ms "
            f"(Mann-Whitney p = {self.p_value:.2g}, P(slower) = {self.effect:.2f})"
        )


def compare(new: Samples, old: Samples) -> list[Comparison]:
    from scipy.stats import mannwhitneyu

    out = []
    for metric, label in METRICS:
        a: list[float] = getattr(new, metric)
        b: list[float] = getattr(old, metric)
        if len(a) < MIN_SAMPLES or len(b) < MIN_SAMPLES:
            continue
        result: Any = mannwhitneyu(a, b, alternative="greater")
        effect = float(result.statistic) / (len(a) * len(b))
        out.append(
            Comparison(
                metric,
                label,
                percentile(a, 50),
                percentile(b, 50),
                float(result.pvalue),
                effect,
            )
        )
    return out
