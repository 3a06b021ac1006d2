"""Streaming responses: SSE, JSON Lines and JSON text sequences, with their event types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contractgen.location import Location
from contractgen.model.schema import Schema


class StreamFormat(StrEnum):
    SSE = "sse"
    JSONL = "jsonl"
    JSON_SEQ = "json-seq"


SEQUENTIAL_MEDIA_TYPES: dict[str, StreamFormat] = {
    "text/event-stream": StreamFormat.SSE,
    "application/jsonl": StreamFormat.JSONL,
    "application/x-ndjson": StreamFormat.JSONL,
    "application/json-seq": StreamFormat.JSON_SEQ,
}


LEGACY_MEDIA_TYPES: dict[str, str] = {"application/stream+json": "application/jsonl"}
"""Sequential media types read as the standard one they stand for (Spring's NDJSON name)."""


def sequential_format(media_type: str) -> StreamFormat | None:
    """The framing of a sequential media type (parameters ignored), or None for any other."""
    base = media_type.split(";")[0].strip().lower()
    return SEQUENTIAL_MEDIA_TYPES.get(LEGACY_MEDIA_TYPES.get(base, base))


class ItemSource(StrEnum):
    """Which form declared the item schema; all but ITEM_SCHEMA are legacy forms."""

    ITEM_SCHEMA = "itemSchema"
    SCHEMA = "schema"
    OAI_ITEM_SCHEMA = "x-oai-itemSchema"
    FERN_STREAMING = "x-fern-streaming"
    """The `schema` of a JSON response (or `response-stream`) that `x-fern-streaming` streams."""


@dataclass(frozen=True, slots=True)
class EventType:
    """One branch of a stream's event union."""

    name: str
    location: Location
    """Where the branch is written (the oneOf entry)."""
    frame: Schema
    """The whole item branch: for SSE the `{event, data, id, retry}` frame."""
    payload: Schema | None
    """The JSON payload: SSE `data`'s `contentSchema`, or the item itself for JSON Lines."""
    data_media_type: str | None = None
    """For SSE, `data`'s `contentMediaType` (None when `data` is not typed as encoded JSON)."""


@dataclass(frozen=True, slots=True)
class DiscriminatorMapping:
    """One entry of an OpenAPI `discriminator.mapping` on an event or message union."""

    value: str
    target: str
    location: Location
    in_union: bool
    """Whether the target is one of the union's branches (compared where each resolves)."""
    resolves: bool = True
    """Whether the target names a schema at all (a dangling one is OAS002's to report)."""


@dataclass(frozen=True, slots=True)
class Heartbeat:
    comment: bool = False
    event: str | None = None
    interval_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Stream:
    """A streaming response media type and everything the contract says about it."""

    media_type: str
    format: StreamFormat
    location: Location
    """The Media Type Object."""
    status: str
    item_schema: Schema | None
    item_source: ItemSource | None
    events: tuple[EventType, ...] = ()
    union_location: Location | None = None
    """Where the event union (`oneOf`/`anyOf`) is written, if the item is a union."""
    discriminator: str | None = None
    """`event` (the SSE field) or `data#/<pointer>` into the JSON payload."""
    discriminator_location: Location | None = None
    """Where it is said: `x-contract-stream.discriminator`, else the union it is read from."""
    has_union_discriminator: bool = False
    """Whether the union names its discriminator (OpenAPI `discriminator` or `const` pins)."""
    mappings: tuple[DiscriminatorMapping, ...] = ()
    declared: bool = False
    """Whether `x-contract-stream` (or a vendor equivalent) describes this stream."""
    extension_location: Location | None = None
    extensible: bool = False
    terminal: tuple[str, ...] = ()
    terminal_locations: tuple[Location, ...] = ()
    """Where each `terminal` entry is written, in the same order as `terminal`."""
    error_event: str | None = None
    error_event_location: Location | None = None
    sentinel: str | None = None
    sentinel_location: Location | None = None
    stream_flag: str | None = None
    stream_flag_location: Location | None = None
    heartbeat: Heartbeat | None = None
    heartbeat_location: Location | None = None
    resume_last_event_id: bool = False
    examples: tuple[Location, ...] = field(default=())

    def event(self, name: str) -> EventType | None:
        return next((event for event in self.events if event.name == name), None)

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(event.name for event in self.events)
