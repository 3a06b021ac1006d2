"""Event types of a stream (and message types of a WebSocket union), read from schemas.

An item's events are told apart by a discriminator: the SSE `event` field, or a property of
the JSON payload (`data#/type`). The union that lists them is the item itself (a union of
SSE frames, or of payloads) or, for a single SSE frame, its `data`. A union without a
`discriminator` keyword is still discriminated when every branch pins the same property to a
value of its own; and an SSE union branch that is a bare string constant (`[DONE]`) is the
stream's sentinel, not an event type.
"""

from __future__ import annotations

from typing import NamedTuple

from contractgen.load.collect import is_schema_name
from contractgen.location import Location
from contractgen.model.contract import is_json_media_type
from contractgen.model.reading import Reader, as_dict, as_str
from contractgen.model.schema import Schema
from contractgen.model.stream import DiscriminatorMapping, EventType, StreamFormat

SSE_DEFAULT_EVENT = "message"
"""The event type an SSE client sees when a frame has no `event` field."""

FRAME_FIELDS = ("event", "data", "id", "retry")
"""The fields of an SSE frame."""


class _Events(NamedTuple):
    """What an item schema says about a stream's event types."""

    events: tuple[EventType, ...] = ()
    union: Location | None = None
    """Where the event union (`oneOf`/`anyOf`) is written."""
    discriminator: str | None = None
    """`event` or `data#/<prop>`."""
    pinned: bool = False
    """Whether the union tells its branches apart (see `Stream.has_union_discriminator`)."""
    mappings: tuple[DiscriminatorMapping, ...] = ()
    sentinel: str | None = None
    """The raw `data` line a sentinel branch of an SSE union pins (`[DONE]`)."""
    sentinel_location: Location | None = None


class EventReader:
    """Reads event types from item schemas; one per contract build."""

    def __init__(self, read: Reader) -> None:
        self.read = read

    def events(
        self, item: Schema | None, stream_format: StreamFormat, declared: str | None
    ) -> _Events:
        """Event types of a stream, read from its item schema."""
        if item is None or not isinstance(item.value, dict):
            return _Events()
        sse = stream_format is StreamFormat.SSE
        if sse and self.is_frame(item):
            if self.read.branches(item):
                return self.union_events(item, declared, framed=True, sse=True)
            return self.single_frame_events(item, declared)
        return self.payload_events(item, declared, sse=sse)

    def is_frame(self, item: Schema) -> bool:
        """Whether an SSE item is the frame `{event, data, ...}` itself, or a union of frames."""

        def framed(schema: Schema) -> bool:
            return "data" in schema.properties or "event" in schema.properties

        branches = self.read.branches(item)
        return framed(item) or (bool(branches) and all(framed(branch) for branch in branches))

    def single_frame_events(self, frame: Schema, declared: str | None) -> _Events:
        """One SSE frame: its `data` is a union of payloads, or `event` lists the event names."""
        data = self.read.property_schema(frame, "data")
        payload, media = self.payload_of(data) if data else (None, None)
        union = payload or data
        if union is not None and self.read.branches(union):
            return self.union_events(union, declared, framed=False, media=media, sse=True)
        names = self.event_enum(frame)
        events = tuple(
            EventType(name, frame.location, frame, payload, media)
            for name in names or [SSE_DEFAULT_EVENT]
        )
        return _Events(events, discriminator="event" if names else None, pinned=bool(names))

    def payload_events(self, payload: Schema, declared: str | None, *, sse: bool) -> _Events:
        """The item is the JSON payload: JSON Lines, json-seq, legacy SSE `schema` (OpenAI)."""
        if self.read.branches(payload):
            return self.union_events(payload, declared, framed=False, sse=sse)
        single = SSE_DEFAULT_EVENT if sse else "item"
        return _Events((EventType(single, payload.location, payload, payload),))

    def union_events(
        self,
        union: Schema,
        declared: str | None,
        *,
        framed: bool,
        media: str | None = None,
        sse: bool = False,
    ) -> _Events:
        """Event types of a union of SSE frames (`framed`) or of payloads.

        `declared` is the discriminator the contract names, if any (see `discriminator_of`).
        In an SSE union a sentinel branch is set apart first. The union is pinned when every
        other branch is named, or when it has an OpenAPI `discriminator` (which names its
        branches even where we cannot).
        """
        branches = self.read.branches(union)
        sentinel = self.sentinel_branch(branches, framed) if sse else None
        members = [branch for branch in branches if sentinel is None or branch is not sentinel[1]]
        discriminator = self.discriminator_of(union, members, declared, framed)
        names = [self.branch_name(union, b, discriminator, framed) for b in members]
        events = tuple(
            self.event_type(name, branch, framed, media)
            for name, branch in zip(names, members, strict=True)
            if name is not None
        )
        has_openapi_discriminator = "discriminator" in union.value
        return _Events(
            events,
            self.read.union_keyword_location(union),
            discriminator,
            discriminator is not None
            and (len(events) == len(members) or has_openapi_discriminator),
            tuple(self.mappings(union, branches)),
            sentinel[0] if sentinel else None,
            sentinel[1].location if sentinel else None,
        )

    def discriminator_of(
        self, union: Schema, members: list[Schema], declared: str | None, framed: bool
    ) -> str | None:
        """`event` or `data#/<prop>`: as declared, else the OpenAPI discriminator, else inferred.

        A frame has no property but `event`, `data`, `id` and `retry`, so an OpenAPI
        discriminator on a frame union naming any other property names one of the data.
        Without either, the property every branch pins to a value of its own is the
        discriminator: `event` for frames that all pin it, else one of their payloads'.
        """
        name = as_str(as_dict(union.get("discriminator")).get("propertyName"))
        if framed:
            if declared is not None and (declared == "event" or declared.startswith("data#/")):
                return declared
            if name:
                return f"data#/{name}" if name not in FRAME_FIELDS else "event"
            if all(len(self.event_enum(member)) == 1 for member in members):
                return "event"
            inferred = self.pinned_property([self.frame_payload(m)[0] for m in members])
            return f"data#/{inferred}" if inferred else "event"
        if declared and declared.startswith("data#/"):
            return declared
        inferred = name or self.pinned_property(list(members))
        return f"data#/{inferred}" if inferred else None

    def pinned_property(self, payloads: list[Schema | None]) -> str | None:
        """The property every payload pins (`const`, one-value `enum`) to a value of its own.

        That is a discriminator written without the keyword. When several qualify, `type`
        is preferred, else the first in the first payload's order.
        """
        if not payloads or any(payload is None for payload in payloads):
            return None
        pins = [self.pins(payload) for payload in payloads if payload is not None]
        candidates = [
            prop
            for prop in pins[0]
            if all(prop in other for other in pins[1:])
            and len({pin[prop] for pin in pins}) == len(pins)
        ]
        if "type" in candidates:
            return "type"
        return candidates[0] if candidates else None

    def pins(self, schema: Schema) -> dict[str, str]:
        """The properties a schema pins to one string value, through `allOf`."""
        found: dict[str, str] = {}
        for name in self.read.property_names(schema):
            prop = self.read.property_schema(schema, name)
            values = _pinned_values(prop) if prop is not None else []
            if len(values) == 1:
                found[name] = values[0]
        return found

    def sentinel_branch(self, branches: list[Schema], framed: bool) -> tuple[str, Schema] | None:
        """The branch of an SSE union that is a bare data line (`[DONE]`), and its value.

        A frame whose `data` is a string pinned to one value with no JSON content, and
        which pins no `event`; or, in a union of payloads, a string pinned to one value.
        """
        for branch in branches:
            if framed and self.event_enum(branch):
                continue
            data = self.read.property_schema(branch, "data") if framed else branch
            value = _sentinel_value(data) if data is not None else None
            if value is not None:
                return value, branch
        return None

    def branch_name(
        self, union: Schema, branch: Schema, discriminator: str | None, framed: bool
    ) -> str | None:
        """The value a branch pins for the discriminator, else what the union's mapping says."""
        if discriminator is None:
            return None
        if discriminator == "event":
            names = self.event_enum(branch)
        else:
            payload = self.frame_payload(branch)[0] if framed else branch
            prop = discriminator.removeprefix("data#/").split("/")[0]
            pin = self.read.property_schema(payload, prop) if payload else None
            names = _pinned_values(pin) if pin else []
        return names[0] if len(names) == 1 else _mapped_name(union, branch)

    def event_type(self, name: str, branch: Schema, framed: bool, media: str | None) -> EventType:
        """A frame branch carries its payload in `data`; a payload branch is the payload."""
        if framed:
            payload, media = self.frame_payload(branch)
            return EventType(name, branch.location, branch, payload, media)
        return EventType(name, branch.location, branch, branch, media)

    def frame_payload(self, frame: Schema) -> tuple[Schema | None, str | None]:
        """The JSON payload a frame's `data` carries, and data's contentMediaType."""
        data = self.read.property_schema(frame, "data")
        return self.payload_of(data) if data else (None, None)

    def event_enum(self, frame: Schema) -> list[str]:
        event = self.read.property_schema(frame, "event")
        if event is None:
            return []
        return _pinned_values(event)

    def payload_of(self, data: Schema) -> tuple[Schema | None, str | None]:
        """SSE `data`: a string with contentMediaType+contentSchema, or (legacy) the JSON itself."""
        media = as_str(data.get("contentMediaType"))
        if data.get("type") == "string" or media is not None:
            content = data.get("contentSchema")
            if content is None:
                return None, media
            return self.read.schema(content, data.value_location.child("contentSchema")), media
        return data, None

    def mappings(self, union: Schema, branches: list[Schema]) -> list[DiscriminatorMapping]:
        """The union's `discriminator.mapping`, each entry resolved and checked against it.

        A target is a branch when it resolves where a branch does, or is written as one
        (a bare name stands for `#/components/schemas/<name>`).
        """
        mapping = as_dict(as_dict(union.get("discriminator")).get("mapping"))
        written = {_component_ref(branch.ref) for branch in branches if branch.ref}
        placed = {branch.value_location for branch in branches}
        at = union.value_location.child("discriminator", "mapping")
        found = []
        for value, target in mapping.items():
            if not isinstance(target, str):
                continue
            ref = _component_ref(target)
            resolved, where = self.read.deref({"$ref": ref}, at.child(value))
            exists = resolved is not None
            in_union = ref in written or (exists and where in placed)
            found.append(DiscriminatorMapping(value, target, at.child(value), in_union, exists))
        return found


def _pinned_values(schema: Schema) -> list[str]:
    """Values a schema pins a string to: `const`, or an `enum` of strings."""
    const = schema.get("const")
    if isinstance(const, str):
        return [const]
    enum = schema.get("enum")
    if isinstance(enum, list):
        return [value for value in enum if isinstance(value, str)]
    return []


def _sentinel_value(data: Schema) -> str | None:
    """The one raw line a `data` schema allows: a string pinned by `const` or one-value `enum`."""
    if data.get("type") not in ("string", None) or isinstance(data.get("properties"), dict):
        return None
    media_type = as_str(data.get("contentMediaType"))
    if data.get("contentSchema") is not None or is_json_media_type(media_type or ""):
        return None
    values = _pinned_values(data)
    return values[0] if len(values) == 1 else None


def _mapped_name(union: Schema, branch: Schema) -> str | None:
    """A branch's name under the union's OpenAPI discriminator.

    The `mapping` value that targets it, or without a mapping its component name
    (OpenAPI's implicit mapping).
    """
    discriminator = union.get("discriminator")
    if discriminator is None:
        return None
    mapping = as_dict(as_dict(discriminator).get("mapping"))
    if not mapping:
        return branch.name
    by_target = {
        _component_ref(target): value
        for value, target in mapping.items()
        if isinstance(target, str)
    }
    return by_target.get(_component_ref(branch.ref or ""))


def _component_ref(ref: str) -> str:
    """Normalise a mapping target: a bare name means `#/components/schemas/<name>`."""
    return f"#/components/schemas/{ref}" if ref and is_schema_name(ref) else ref
