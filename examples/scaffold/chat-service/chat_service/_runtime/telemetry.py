# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""Stream timings as OpenTelemetry histograms, when opentelemetry-api is installed.

A scaffolded project must run without OpenTelemetry, so the import is optional and every
method is a no-op without it. With the API but no SDK configured, OpenTelemetry itself hands
out no-op instruments: recording costs next to nothing until the operator wires an exporter.
"""

from __future__ import annotations

from typing import Any

METER_NAME = "contractgen.service"
FIRST_EVENT_METRIC = "contractgen.stream.time_to_first_event"
DURATION_METRIC = "contractgen.stream.duration"


class Telemetry:
    """Records how long a stream took to its first event and how long it stayed open."""

    def __init__(self, meter_name: str = METER_NAME) -> None:
        self._first_event: Any = None
        self._duration: Any = None
        try:
            from opentelemetry import metrics
        except ImportError:  # the optional dependency is absent: record nothing
            return
        meter = metrics.get_meter(meter_name)
        self._first_event = meter.create_histogram(
            FIRST_EVENT_METRIC,
            unit="s",
            description="Time from the request reaching the service to the first stream event.",
        )
        self._duration = meter.create_histogram(
            DURATION_METRIC,
            unit="s",
            description="Time a stream stayed open, by how it ended.",
        )

    @property
    def enabled(self) -> bool:
        """Whether measurements reach OpenTelemetry (its API is importable)."""
        return self._duration is not None

    def record_first_event(self, operation_id: str, seconds: float) -> None:
        if self._first_event is not None:
            self._first_event.record(seconds, {"contractgen.operation_id": operation_id})

    def record_stream_duration(self, operation_id: str, seconds: float, outcome: str) -> None:
        """`outcome`: completed, error, max_duration, idle_timeout, incomplete or disconnected."""
        if self._duration is not None:
            self._duration.record(
                seconds,
                {"contractgen.operation_id": operation_id, "contractgen.outcome": outcome},
            )
