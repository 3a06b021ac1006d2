"""The events a mocked stream yields: a plausible sequence, one terminal event, on a clock.

The runtime frames and ends the stream (`runtime.streaming`), exactly as for a scaffolded
service; this module only plays the service. A sequence opens with the event types that read
as a start (`status`, `response.created`, `*.in_progress`), goes on with one delta-like type
(`delta`, `response.output_text.delta`) a few times, or with the other non-terminal types,
and ends with the first terminal type that is not the error event. Payloads are the
contract's examples of the event where it has valid ones, else generated from the payload
schema; all of them come from one seeded `random.Random`, so a request gives the same
events every time. `Last-Event-ID` (on a resumable stream) skips what the client has seen.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import anyio

from contractgen.mock.operations import EventPlan, MockOperation
from contractgen.model.generate import generate
from contractgen.runtime.context import ContractError, RequestContext
from contractgen.runtime.spec import ErrorCode, StreamSpec
from contractgen.runtime.streaming import Event, top_field

START_WORDS = ("status", "created", "started", "start", "queued", "in_progress", "begin")
DELTA_WORD = "delta"
MIN_BODY, MAX_BODY = 3, 6
"""How many times the body of a stream (its delta-like events) repeats."""
ERROR_AFTER = 2
"""Events sent before a mid-stream error asked for with `Prefer`."""


class MockEvent(Event):
    """An SSE frame of a named type (the runtime frames it; `data` is the JSON payload)."""

    event: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class Timing:
    first_event_ms: int = 200
    """Before the first event: a model thinking."""
    event_interval_ms: int = 50
    """Between events."""


def plan_sequence(spec: StreamSpec, rng: random.Random) -> list[str]:
    """The event types of one stream, in order, the terminal one last."""
    skipped = {spec.heartbeat_event, spec.error_event, *spec.terminal}
    names = [name for name in spec.event_names if name not in skipped]
    ends = [name for name in spec.terminal if name != spec.error_event] or list(spec.terminal)
    terminal = ends[0] if ends else None
    if not names and terminal is not None and terminal in spec.event_names:
        # a stream of one event type that also ends it (OpenAI's chat chunks)
        return [terminal] * rng.randint(MIN_BODY, MAX_BODY) + [terminal]
    starts = [name for name in names if _starts(name)][:2]
    rest = [name for name in names if name not in starts]
    deltas = [name for name in rest if DELTA_WORD in name.lower()]
    sequence = list(starts)
    count = rng.randint(MIN_BODY, MAX_BODY)
    if deltas:
        sequence += [rng.choice(deltas)] * count
    elif rest:
        sequence += [rng.choice(rest) for _ in range(count)]
    if terminal is not None:
        sequence.append(terminal)
    return sequence


def _starts(name: str) -> bool:
    lowered = name.lower()
    return any(lowered == word or lowered.endswith(word) for word in START_WORDS) or bool(
        re.search(r"(^|[._:/-])(created|started|in_progress)$", lowered)
    )


def payload(plan: EventPlan | None, name: str, rng: random.Random, pointer: str | None) -> Any:
    """One event's payload: a valid contract example, else generated from its schema."""
    value: Any = None
    if plan is not None and plan.examples:
        value = rng.choice(plan.examples)
    elif plan is not None and plan.payload is not None:
        value = generate(plan.payload.root, rng, plan.payload.checks, name=name).value
    elif pointer is not None:
        value = {}
    if pointer is not None and isinstance(value, dict) and pointer.strip("/").count("/") == 0:
        value[top_field(pointer)] = name
    return value


async def mock_events(
    mock: MockOperation,
    spec: StreamSpec,
    rng: random.Random,
    timing: Timing,
    context: RequestContext,
    fail_with: ErrorCode | None = None,
) -> AsyncIterator[Any]:
    """The service's side of one stream; a `fail_with` code ends it after a few events."""
    sequence = plan_sequence(spec, rng)
    pointer = spec.discriminator[len("data#") :] if spec.discriminator.startswith("data#") else None
    frame_ids = _frames_have_ids(mock) and not spec.resume
    items = []
    seen: set[str] = set()
    for index, name in enumerate(sequence):
        plan = mock.events.get(name)
        if name in seen and plan is not None and plan.payload is not None:
            plan = replace(plan, examples=())  # an example once, then new data
        seen.add(name)
        data = payload(plan, name, rng, pointer)
        last = index == len(sequence) - 1
        if pointer is not None or (name in spec.terminal and not last):
            items.append(data)  # typed inside the data, or the `message` default type
        else:
            items.append(MockEvent(event=name, data=data, id=str(index) if frame_ids else None))
    start = 0
    last_seen = context.last_event_id
    if spec.resume and last_seen is not None and last_seen.isdigit():
        start = min(int(last_seen), len(items) - 1)  # the runtime numbers events from 1
    await anyio.sleep(timing.first_event_ms / 1000)
    for index in range(start, len(items)):
        if index > start:
            await anyio.sleep(timing.event_interval_ms / 1000)
        if fail_with is not None and index - start >= min(ERROR_AFTER, len(items) - 1):
            raise ContractError(fail_with.code, _asked(fail_with))
        yield items[index]


def _frames_have_ids(mock: MockOperation) -> bool:
    stream = mock.stream
    if stream is None or stream.item_schema is None:
        return False
    return "id" in stream.item_schema.properties


def _asked(entry: ErrorCode) -> str:
    title = entry.title or entry.code.replace("_", " ").capitalize()
    return f"{title} (asked for with Prefer)."
