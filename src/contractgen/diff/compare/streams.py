"""Streams: what a client reading a stream relies on, compared between two contracts.

A client selects the stream (its media type, the stream flag), parses it (the framing, the
encoding of `data`, the event discriminator), dispatches on event types, knows when it ends
(terminal events, the sentinel), reads its errors (the error event), keeps it alive (the
heartbeat) and resumes it (`Last-Event-ID`). Event types are a response-side union: removing
one breaks the clients that wait for it, adding one may break clients that treat the set as
closed, unless the stream is `extensible`. Streams pair by status and media type within a
paired operation, event types by name; what changed inside a paired event's payload is the
schema comparator's to say.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from contractgen.diff.compare.reporting import listed, once_per_place, quoted
from contractgen.diff.compare.shapes import same_shape
from contractgen.diff.context import DiffContext, OperationPair
from contractgen.diff.registry import diff_rule
from contractgen.diff.schema import Direction
from contractgen.location import Location
from contractgen.model.stream import EventType, Heartbeat, Stream
from contractgen.report.finding import Finding, Level

_CHAT_STREAM = """\
responses:
  '200':
    content:
      text/event-stream:
        itemSchema: {$ref: '#/components/schemas/ChatEvent'}
"""

MEDIA_TYPE_REMOVED = diff_rule(
    "DSTR001",
    "streaming-media-type-removed",
    Level.BREAKING,
    "A streaming media type of a success response was removed.",
    rationale="""
        Clients that ask for the stream (by `Accept`, or by the stream flag) and parse it
        get no stream any more: a different body, or 406.
    """,
    before=_CHAT_STREAM,
    after="""\
        responses:
          '200':
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ChatCompletion'}
    """,
    oasdiff=("response-media-type-removed",),
)
FRAMING_SWITCHED = diff_rule(
    "DSTR002",
    "stream-framing-switched",
    Level.BREAKING,
    "A stream switched framing (SSE to JSON Lines, or any other switch).",
    rationale="""
        Clients read a stream with a parser for its framing: an SSE client cannot read JSON
        Lines, nor a JSON Lines client a json-seq stream.
    """,
    before=_CHAT_STREAM,
    after="""\
        responses:
          '200':
            content:
              application/jsonl:
                itemSchema: {$ref: '#/components/schemas/ChatChunk'}
    """,
)
MEDIA_TYPE_RENAMED = diff_rule(
    "DSTR003",
    "streaming-media-type-renamed",
    Level.WARNING,
    "A stream keeps its framing under another media type name.",
    rationale="""
        The items still parse, but clients that send `Accept` with the old name or check
        `Content-Type` before parsing may reject the response.
    """,
    before="""\
        content:
          application/x-ndjson:
            itemSchema: {$ref: '#/components/schemas/Chunk'}
    """,
    after="""\
        content:
          application/jsonl:
            itemSchema: {$ref: '#/components/schemas/Chunk'}
    """,
)
MEDIA_TYPE_ADDED = diff_rule(
    "DSTR004",
    "streaming-media-type-added",
    Level.INFO,
    "A response offers a streaming media type it did not offer before.",
    rationale="""
        An alternative: clients that ask for what they asked for before get it; new
        clients may choose the stream.
    """,
    before="""\
        content:
          text/event-stream:
            itemSchema: {$ref: '#/components/schemas/ChatEvent'}
    """,
    after="""\
        content:
          text/event-stream:
            itemSchema: {$ref: '#/components/schemas/ChatEvent'}
          application/jsonl:
            itemSchema: {$ref: '#/components/schemas/ChatChunk'}
    """,
)
ITEM_SCHEMA_REMOVED = diff_rule(
    "DSTR005",
    "stream-item-schema-removed",
    Level.BREAKING,
    "A stream no longer says what its items are.",
    rationale="""
        Without an item schema the stream's event types and payloads are no longer part of
        the contract: clients typed against them have nothing they may rely on.
    """,
    before="""\
        text/event-stream:
          itemSchema: {$ref: '#/components/schemas/ChatEvent'}
    """,
    after="""\
        text/event-stream: {}
    """,
)
ITEM_SCHEMA_ADDED = diff_rule(
    "DSTR006",
    "stream-item-schema-added",
    Level.INFO,
    "A stream that said nothing about its items now has an item schema.",
    rationale="The contract now types the items; nothing a client relied on changes.",
    before="""\
        text/event-stream: {}
    """,
    after="""\
        text/event-stream:
          itemSchema: {$ref: '#/components/schemas/ChatEvent'}
    """,
)
EVENT_REMOVED = diff_rule(
    "DSTR007",
    "event-type-removed",
    Level.BREAKING,
    "An event type of a stream was removed.",
    rationale="""
        Clients that wait for the event (to show text, to learn the stream ended) never see
        it again, and code that handles it is left behind.
    """,
    before="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
          - properties: {event: {const: usage}, data: {...}}
    """,
    after="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
    """,
)
EVENT_RENAMED = diff_rule(
    "DSTR008",
    "event-type-renamed",
    Level.BREAKING,
    "An event type was renamed: one removed and one added with the same payload.",
    rationale="""
        Clients dispatch on the event's name: the events they handled now arrive under a
        name they do not know.
    """,
    before="""\
        oneOf:
          - properties:
              event: {const: delta}
              data: {contentSchema: {$ref: '#/components/schemas/Delta'}}
    """,
    after="""\
        oneOf:
          - properties:
              event: {const: chunk}
              data: {contentSchema: {$ref: '#/components/schemas/Delta'}}
    """,
)
EVENT_ADDED = diff_rule(
    "DSTR009",
    "event-type-added",
    Level.WARNING,
    "A stream that is not `extensible` has a new event type.",
    rationale="""
        The declared event types were the complete set: clients written against it may
        fail on an event they do not know. Declare the stream `extensible` to make such
        additions safe.
    """,
    before="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
        x-contract-stream: {extensible: false}
    """,
    after="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
          - properties: {event: {const: usage}, data: {...}}
        x-contract-stream: {extensible: false}
    """,
)
EXTENSIBLE_EVENT_ADDED = diff_rule(
    "DSTR010",
    "event-type-added-to-extensible-stream",
    Level.INFO,
    "An `extensible` stream has a new event type.",
    rationale="Clients of an extensible stream must ignore event types they do not know.",
    before="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
        x-contract-stream: {extensible: true}
    """,
    after="""\
        oneOf:
          - properties: {event: {const: delta}, data: {...}}
          - properties: {event: {const: usage}, data: {...}}
        x-contract-stream: {extensible: true}
    """,
)
DISCRIMINATOR_MOVED = diff_rule(
    "DSTR011",
    "event-discriminator-moved",
    Level.BREAKING,
    "A stream's event type is read from another place (`event` to `data#/type`, ...).",
    rationale="""
        Clients read an item's type where the contract said it was: after the move they
        read nothing there, or the wrong thing, and cannot tell events apart.
    """,
    before="""\
        x-contract-stream: {discriminator: event}
    """,
    after="""\
        x-contract-stream: {discriminator: 'data#/type'}
    """,
)
DATA_ENCODING_CHANGED = diff_rule(
    "DSTR012",
    "event-data-encoding-changed",
    Level.BREAKING,
    "An SSE event's `data` is encoded differently (JSON to text, another media type).",
    rationale="""
        Clients decode `data` as its `contentMediaType` says: JSON parsers fail on plain
        text, and text handlers show raw JSON.
    """,
    before="""\
        data: {type: string, contentMediaType: application/json, contentSchema: {...}}
    """,
    after="""\
        data: {type: string}
    """,
)
TERMINAL_REMOVED = diff_rule(
    "DSTR013",
    "terminal-event-removed",
    Level.BREAKING,
    "An event that ended the stream no longer does.",
    rationale="""
        Clients stop reading, and finish their work, when a terminal event arrives: if it
        no longer ends the stream they stop too early, or wait for an end that never comes.
    """,
    before="""\
        x-contract-stream: {terminal: [done, error]}
    """,
    after="""\
        x-contract-stream: {terminal: [error]}
    """,
)
TERMINAL_ADDED = diff_rule(
    "DSTR014",
    "terminal-event-added",
    Level.WARNING,
    "A stream may end with an event that did not end it before.",
    rationale="""
        Clients that wait for one of the old terminal events see the stream end without
        one, and may take it for a broken connection.
    """,
    before="""\
        x-contract-stream: {terminal: [done, error]}
    """,
    after="""\
        x-contract-stream: {terminal: [done, error, cancelled]}
    """,
)
ERROR_EVENT_CHANGED = diff_rule(
    "DSTR015",
    "error-event-changed",
    Level.BREAKING,
    "The event that carries a mid-stream error changed, or is no longer declared.",
    rationale="""
        Clients read errors after the stream started from the error event: from another
        event, or none, they miss the error code and whether to retry.
    """,
    before="""\
        x-contract-stream: {terminal: [done, error], errorEvent: error}
    """,
    after="""\
        x-contract-stream: {terminal: [done, failure], errorEvent: failure}
    """,
)
ERROR_EVENT_DECLARED = diff_rule(
    "DSTR016",
    "error-event-declared",
    Level.INFO,
    "A stream now says which event carries its mid-stream errors.",
    rationale="Nothing on the wire changes; clients learn where to read errors.",
    before="""\
        x-contract-stream: {terminal: [done, error]}
    """,
    after="""\
        x-contract-stream: {terminal: [done, error], errorEvent: error}
    """,
)
SENTINEL_REMOVED = diff_rule(
    "DSTR017",
    "sentinel-removed",
    Level.BREAKING,
    "A stream no longer ends with its sentinel line (`data: [DONE]`).",
    rationale="Clients that read until the sentinel wait for a line that never comes.",
    before="""\
        x-contract-stream: {terminal: [done], sentinel: '[DONE]'}
    """,
    after="""\
        x-contract-stream: {terminal: [done]}
    """,
)
SENTINEL_CHANGED = diff_rule(
    "DSTR018",
    "sentinel-changed",
    Level.BREAKING,
    "A stream ends with another sentinel line.",
    rationale="""
        Clients compare each data line with the sentinel: they miss the new one, and try to
        parse it as an event.
    """,
    before="""\
        x-contract-stream: {sentinel: '[DONE]'}
    """,
    after="""\
        x-contract-stream: {sentinel: '[END]'}
    """,
)
SENTINEL_ADDED = diff_rule(
    "DSTR019",
    "sentinel-added",
    Level.WARNING,
    "A stream now sends a sentinel line after its terminal event.",
    rationale="""
        The sentinel is a raw line, not an event: clients that parse every data line as
        JSON fail on it unless they stop reading at the terminal event.
    """,
    before="""\
        x-contract-stream: {terminal: [done]}
    """,
    after="""\
        x-contract-stream: {terminal: [done], sentinel: '[DONE]'}
    """,
)
STREAM_FLAG_RENAMED = diff_rule(
    "DSTR020",
    "stream-flag-renamed",
    Level.BREAKING,
    "Another request property selects the stream.",
    rationale="""
        Clients set the old property to ask for a stream: they now get the non-streaming
        response, which they do not parse as a stream.
    """,
    before="""\
        x-contract-stream: {streamFlag: /stream}
    """,
    after="""\
        x-contract-stream: {streamFlag: /options/stream}
    """,
)
STREAM_FLAG_REMOVED = diff_rule(
    "DSTR021",
    "stream-flag-removed",
    Level.BREAKING,
    "No request property selects the stream any more: the operation always streams.",
    rationale="""
        Clients that left the flag false or absent expect one JSON body and now get a stream.
    """,
    before="""\
        x-contract-stream: {streamFlag: /stream}
    """,
    after="""\
        x-contract-stream: {}
    """,
)
STREAM_FLAG_ADDED = diff_rule(
    "DSTR022",
    "stream-flag-added",
    Level.BREAKING,
    "A stream that was always sent is now selected by a request property.",
    rationale="""
        Clients that do not set the new flag (none did) get the non-streaming response
        instead of the stream they read.
    """,
    before="""\
        x-contract-stream: {}
    """,
    after="""\
        x-contract-stream: {streamFlag: /stream}
    """,
)
RESUME_REMOVED = diff_rule(
    "DSTR023",
    "resume-support-removed",
    Level.BREAKING,
    "A stream can no longer be resumed with `Last-Event-ID`.",
    rationale="""
        Clients that reconnect after a broken connection and send `Last-Event-ID` get the
        stream from the start, or an error, instead of the events they missed.
    """,
    before="""\
        x-contract-stream: {resume: {lastEventId: true}}
    """,
    after="""\
        x-contract-stream: {}
    """,
)
RESUME_ADDED = diff_rule(
    "DSTR024",
    "resume-support-added",
    Level.INFO,
    "A stream can now be resumed with `Last-Event-ID`.",
    rationale="Clients may reconnect where they left off; nothing else changes.",
    before="""\
        x-contract-stream: {}
    """,
    after="""\
        x-contract-stream: {resume: {lastEventId: true}}
    """,
)
HEARTBEAT_REMOVED = diff_rule(
    "DSTR025",
    "heartbeat-removed",
    Level.WARNING,
    "A stream no longer sends heartbeats while it is quiet.",
    rationale="""
        Clients and proxies that close a stream on which nothing arrives for a while now
        close slow streams.
    """,
    before="""\
        x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 15}}
    """,
    after="""\
        x-contract-stream: {}
    """,
)
HEARTBEAT_TOO_SLOW = diff_rule(
    "DSTR026",
    "heartbeat-slower-than-idle-timeout",
    Level.WARNING,
    "A stream's heartbeat interval was raised to the idle timeout or beyond.",
    rationale="""
        A quiet stream is closed as dead after the idle timeout: a heartbeat that comes
        later no longer keeps it open.
    """,
    before="""\
        x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 15}}
        # x-contract-limits: {stream: {idleTimeoutSeconds: 30}}
    """,
    after="""\
        x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 45}}
        # x-contract-limits: {stream: {idleTimeoutSeconds: 30}}
    """,
)
HEARTBEAT_CHANGED = diff_rule(
    "DSTR027",
    "heartbeat-changed",
    Level.INFO,
    "A stream's heartbeat was added or changed, within the idle timeout.",
    rationale="""
        Heartbeat comments are ignored by every SSE parser, and a heartbeat event is an
        event type (reported as such); the keep-alive still comes in time.
    """,
    before="""\
        x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 15}}
    """,
    after="""\
        x-contract-stream: {heartbeat: {comment: true, intervalSeconds: 10}}
    """,
)
MADE_EXTENSIBLE = diff_rule(
    "DSTR028",
    "stream-made-extensible",
    Level.WARNING,
    "A stream is now `extensible`: the server may add event types.",
    rationale="""
        The event types were a closed set that clients could match exhaustively; from now
        on new types are added without warning, and clients must ignore those they do not
        know.
    """,
    before="""\
        x-contract-stream: {extensible: false}
    """,
    after="""\
        x-contract-stream: {extensible: true}
    """,
)
MADE_CLOSED = diff_rule(
    "DSTR029",
    "stream-made-non-extensible",
    Level.INFO,
    "A stream is no longer `extensible`: its event types are the complete set.",
    rationale="""
        A narrower promise: clients that ignore unknown types keep working, and adding an
        event type is now reported as potentially breaking.
    """,
    before="""\
        x-contract-stream: {extensible: true}
    """,
    after="""\
        x-contract-stream: {extensible: false}
    """,
)


def compare(context: DiffContext) -> Iterator[Finding]:
    """Every stream change of every paired operation, once per place it is written."""
    yield from once_per_place(
        finding for pair in context.pairs for finding in _operation(context, pair)
    )


class _Match(Enum):
    SAME = "same"
    RENAMED = "renamed"
    """The same framing under another media type name."""
    SWITCHED = "switched"
    """Another framing, in the same response."""


def _operation(context: DiffContext, pair: OperationPair) -> Iterator[Finding]:
    if not pair.old.streams and not pair.new.streams:
        return
    scope = (pair.key,)
    matched, removed, added = _pair_streams(pair.old.streams, pair.new.streams)
    for old, new, match in matched:
        if match is _Match.SWITCHED:
            yield FRAMING_SWITCHED.change(
                f"{_named(old)} is now {quoted(new.media_type)} ({new.format.value}) instead "
                f"of {old.format.value}: clients parse a stream by its framing and cannot read "
                "the new one.",
                new=new.location,
                old=old.location,
                scope=scope,
            )
            continue
        if match is _Match.RENAMED:
            yield MEDIA_TYPE_RENAMED.change(
                f"{_named(old)} is now named {quoted(new.media_type)}, with the same "
                f"{new.format.value} framing: clients that ask for or check the old name may "
                "reject it.",
                new=new.location,
                old=old.location,
                scope=scope,
            )
        yield from _StreamChanges(context, pair, old, new).findings()
    old_statuses = set(pair.old.responses)
    for old in removed:
        response = pair.new.responses.get(old.status)
        if response is not None:  # a removed response is the responses comparator's
            yield MEDIA_TYPE_REMOVED.change(
                f"{_named(old)} was removed: clients that ask for the stream no longer get it.",
                new=response.location.child("content"),
                old=old.location,
                scope=scope,
            )
    for new in added:
        if new.status in old_statuses:  # a new response is the responses comparator's
            others = [s.media_type for s in pair.old.streams if s.status == new.status]
            alternative = f" beside {listed(others)}" if others else ""
            yield MEDIA_TYPE_ADDED.change(
                f"Response {quoted(new.status)} now also offers the {quoted(new.media_type)} "
                f"stream{alternative}.",
                new=new.location,
                old=None,
                scope=scope,
            )


def _pair_streams(
    old: tuple[Stream, ...], new: tuple[Stream, ...]
) -> tuple[list[tuple[Stream, Stream, _Match]], list[Stream], list[Stream]]:
    """Pair streams by status and media type, then by framing, then by status alone."""
    left_old, left_new = list(old), list(new)
    pairs: list[tuple[Stream, Stream, _Match]] = []
    keys = (
        (_Match.SAME, lambda s: (s.status, _base(s.media_type))),
        (_Match.RENAMED, lambda s: (s.status, s.format)),
        (_Match.SWITCHED, lambda s: s.status),
    )
    for match, key in keys:
        for stream in list(left_old):
            partner = next((n for n in left_new if key(n) == key(stream)), None)
            if partner is not None:
                pairs.append((stream, partner, match))
                left_old.remove(stream)
                left_new.remove(partner)
    return pairs, left_old, left_new


def _base(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


def _named(stream: Stream) -> str:
    return f"The {quoted(stream.media_type)} stream of response {quoted(stream.status)}"


@dataclass
class _StreamChanges:
    """The changes between two paired streams of one paired operation."""

    context: DiffContext
    pair: OperationPair
    old: Stream
    new: Stream
    renames: dict[str, EventType] = field(default_factory=dict)
    """Old event name -> the new event it was renamed to."""

    @property
    def scope(self) -> tuple[str]:
        return (self.pair.key,)

    def findings(self) -> Iterator[Finding]:
        old, new = self.old, self.new
        if old.item_schema is not None and new.item_schema is None:
            yield ITEM_SCHEMA_REMOVED.change(
                f"{_named(old)} no longer has an item schema: its event types and payloads "
                "are no longer part of the contract.",
                new=new.location,
                old=old.item_schema.location,
                scope=self.scope,
            )
        elif old.item_schema is None and new.item_schema is not None:
            yield ITEM_SCHEMA_ADDED.change(
                f"{_named(new)} now has an item schema.",
                new=new.item_schema.location,
                old=old.location,
                scope=self.scope,
            )
        elif old.item_schema is not None:
            yield from self.discriminator()
            self.renames = self.find_renames()
            yield from self.events()
            yield from self.terminal()
            yield from self.error_event()
        yield from self.sentinel()
        yield from self.stream_flag()
        yield from self.resume()
        yield from self.heartbeat()
        yield from self.extensible()

    # --- event types ----------------------------------------------------------------------

    def discriminator(self) -> Iterator[Finding]:
        old, new = self.old.discriminator, self.new.discriminator
        if old is None or new is None or old == new:
            return
        yield DISCRIMINATOR_MOVED.change(
            f"{_named(self.new)} tells its events apart by {quoted(new)} instead of "
            f"{quoted(old)}: clients read the event type where it no longer is.",
            new=self.new.discriminator_location or self.new.location,
            old=self.old.discriminator_location or self.old.location,
            scope=self.scope,
        )

    def find_renames(self) -> dict[str, EventType]:
        """Removed events paired one to one with added events of the same payload shape."""
        removed = [e for e in self.old.events if self.new.event(e.name) is None]
        added = [e for e in self.new.events if self.old.event(e.name) is None]
        if not removed or not added:
            return {}
        candidates = {
            gone.name: [e for e in added if self.same_event_shape(gone, e)] for gone in removed
        }
        taken: dict[str, int] = {}
        for found in candidates.values():
            for event in found:
                taken[event.name] = taken.get(event.name, 0) + 1
        return {
            name: found[0]
            for name, found in candidates.items()
            if len(found) == 1 and taken[found[0].name] == 1
        }

    def same_event_shape(self, old: EventType, new: EventType) -> bool:
        if _media(old.data_media_type) != _media(new.data_media_type):
            return False
        return same_shape(
            (self.context.old, old.payload),
            (self.context.new, new.payload),
            without=(_data_property(self.old), _data_property(self.new)),
        )

    def events(self) -> Iterator[Finding]:
        compared: set[tuple[Location, Location]] = set()
        for event in self.old.events:
            partner = self.new.event(event.name)
            if partner is not None:
                yield from self.paired_event(event, partner, compared)
            elif event.name in self.renames:
                yield self.renamed(event, self.renames[event.name])
            else:
                terminal = " terminal" if event.name in self.old.terminal else ""
                yield EVENT_REMOVED.change(
                    f"{_named(self.old)} no longer has the{terminal} event type "
                    f"{quoted(event.name)}: clients that wait for it never see it again.",
                    new=self.new.union_location or self.new.location,
                    old=event.location,
                    scope=self.scope,
                )
        renamed_to = {event.name for event in self.renames.values()}
        for event in self.new.events:
            if self.old.event(event.name) is not None or event.name in renamed_to:
                continue
            if event.name in self.newly_terminal():
                continue  # terminal-event-added says it, at its level
            yield self.added(event)

    def paired_event(
        self, old: EventType, new: EventType, compared: set[tuple[Location, Location]]
    ) -> Iterator[Finding]:
        if _media(old.data_media_type) != _media(new.data_media_type):
            yield DATA_ENCODING_CHANGED.change(
                f"The `data` of event {quoted(new.name)} in {_named(self.new).lower()} is "
                f"{_encoding(new.data_media_type)} instead of {_encoding(old.data_media_type)}: "
                "clients decode it as it was.",
                new=new.location,
                old=old.location,
                scope=self.scope,
            )
            return
        if old.payload is None or new.payload is None:
            return
        key = (old.payload.location, new.payload.location)
        if key not in compared:  # one payload shared by several events of one frame
            compared.add(key)
            self.context.schemas.compare(
                old.payload,
                new.payload,
                direction=Direction.RESPONSE,
                scope=self.pair.key,
                label=f"event {new.name}",
            )

    def renamed(self, old: EventType, new: EventType) -> Finding:
        terminal = " terminal" if old.name in self.old.terminal else ""
        return EVENT_RENAMED.change(
            f"The{terminal} event type {quoted(old.name)} of {_named(self.new).lower()} is now "
            f"{quoted(new.name)}, with the same payload: clients that dispatch on "
            f"{quoted(old.name)} no longer recognise it.",
            new=new.location,
            old=old.location,
            scope=self.scope,
        )

    def added(self, event: EventType) -> Finding:
        if self.new.extensible:
            return EXTENSIBLE_EVENT_ADDED.change(
                f"{_named(self.new)} has a new event type {quoted(event.name)}; the stream is "
                "extensible, so clients ignore it until they handle it.",
                new=event.location,
                old=None,
                scope=self.scope,
            )
        return EVENT_ADDED.change(
            f"{_named(self.new)} has a new event type {quoted(event.name)} and is not "
            "extensible: clients written for the complete set of event types may fail on it.",
            new=event.location,
            old=None,
            scope=self.scope,
        )

    # --- how the stream ends --------------------------------------------------------------

    def newly_terminal(self) -> list[str]:
        """Events that end the stream now and did not before (a rename keeps its role)."""
        if not self.old.terminal:
            return []  # the old contract said nothing about how the stream ends
        was_terminal = {self.renames[n].name for n in self.old.terminal if n in self.renames}
        return [
            name
            for name in self.new.terminal
            if name not in self.old.terminal and name not in was_terminal
        ]

    def terminal(self) -> Iterator[Finding]:
        gone = {e.name for e in self.old.events if self.new.event(e.name) is None}
        for name, where in zip(self.old.terminal, self.old.terminal_locations, strict=True):
            if name in self.new.terminal or name in gone:
                continue  # an event removed or renamed is reported as such
            yield TERMINAL_REMOVED.change(
                f"Event {quoted(name)} no longer ends {_named(self.new).lower()}: clients "
                "that stop reading at it stop too early, or wait for an end that never comes.",
                new=self.field(self.new, "terminal"),
                old=where,
                scope=self.scope,
            )
        newly = self.newly_terminal()
        for name, where in zip(self.new.terminal, self.new.terminal_locations, strict=True):
            if name not in newly:
                continue
            new_event = "new event " if self.old.event(name) is None else "event "
            yield TERMINAL_ADDED.change(
                f"{_named(self.new)} may now end with {new_event}{quoted(name)}: clients that "
                f"wait for {listed(self.old.terminal, 'or')} may take the stream for broken.",
                new=where,
                old=self.field(self.old, "terminal"),
                scope=self.scope,
            )

    def error_event(self) -> Iterator[Finding]:
        old, new = self.old.error_event, self.new.error_event
        if old == new:
            return
        if old is None:
            yield ERROR_EVENT_DECLARED.change(
                f"{_named(self.new)} now carries its mid-stream errors in event {quoted(new)}.",
                new=self.new.error_event_location or self.new.location,
                old=self.field(self.old, "errorEvent"),
                scope=self.scope,
            )
            return
        renamed = self.renames.get(old)
        if renamed is not None and renamed.name == new:
            return  # the event's rename says it
        if new is None and self.new.event(old) is None:
            return  # the error event was removed, and that is reported
        now = f"event {quoted(new)}" if new is not None else "no declared event"
        yield ERROR_EVENT_CHANGED.change(
            f"{_named(self.new)} carries its mid-stream errors in {now} instead of "
            f"{quoted(old)}: clients miss the error code and whether to retry.",
            new=self.new.error_event_location or self.field(self.new, "errorEvent"),
            old=self.old.error_event_location or self.old.location,
            scope=self.scope,
        )

    def sentinel(self) -> Iterator[Finding]:
        old, new = self.old.sentinel, self.new.sentinel
        if old == new:
            return
        old_at = self.old.sentinel_location or self.field(self.old, "sentinel")
        new_at = self.new.sentinel_location or self.field(self.new, "sentinel")
        if old is not None and new is None:
            yield SENTINEL_REMOVED.change(
                f"{_named(self.new)} no longer ends with the line `data: {_raw(old)}`: clients "
                "that read until it wait for a line that never comes.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
        elif old is None and new is not None:
            yield SENTINEL_ADDED.change(
                f"{_named(self.new)} now ends with the raw line `data: {_raw(new)}`: clients "
                "that parse every data line as an event fail on it.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
        elif old is not None and new is not None:
            yield SENTINEL_CHANGED.change(
                f"{_named(self.new)} ends with `data: {_raw(new)}` instead of "
                f"`data: {_raw(old)}`: clients watching for the old line miss the new one.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )

    # --- how the stream is selected, kept alive and resumed --------------------------------

    def stream_flag(self) -> Iterator[Finding]:
        old, new = self.old.stream_flag, self.new.stream_flag
        if old == new:
            return
        old_at = self.old.stream_flag_location or self.field(self.old, "streamFlag")
        new_at = self.new.stream_flag_location or self.field(self.new, "streamFlag")
        if old is not None and new is not None:
            yield STREAM_FLAG_RENAMED.change(
                f"{_named(self.new)} is selected by {quoted(new)} instead of {quoted(old)}: "
                "clients that set the old property get the non-streaming response.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
        elif old is not None:
            yield STREAM_FLAG_REMOVED.change(
                f"{_named(self.new)} is no longer selected by {quoted(old)}: it is always "
                "sent, also to clients that expect the non-streaming response.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
        else:
            yield STREAM_FLAG_ADDED.change(
                f"{_named(self.new)} is now sent only when the request sets {quoted(new)}: "
                "clients that do not set it get the non-streaming response.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )

    def resume(self) -> Iterator[Finding]:
        old, new = self.old.resume_last_event_id, self.new.resume_last_event_id
        if old == new:
            return
        rule = RESUME_REMOVED if old else RESUME_ADDED
        what = "can no longer" if old else "can now"
        yield rule.change(
            f"{_named(self.new)} {what} be resumed with `Last-Event-ID`.",
            new=self.field(self.new, "resume"),
            old=self.field(self.old, "resume"),
            scope=self.scope,
        )

    def heartbeat(self) -> Iterator[Finding]:
        old, new = self.old.heartbeat, self.new.heartbeat
        if old == new:
            return
        old_at = self.old.heartbeat_location or self.field(self.old, "heartbeat")
        new_at = self.new.heartbeat_location or self.field(self.new, "heartbeat")
        if new is None:
            yield HEARTBEAT_REMOVED.change(
                f"{_named(self.new)} no longer sends heartbeats: clients and proxies that "
                "close quiet connections may close it.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
            return
        idle = self.pair.new.limits.stream_idle_timeout_seconds
        interval = new.interval_seconds
        if idle is not None and interval is not None and interval >= idle and self.slowed(old):
            yield HEARTBEAT_TOO_SLOW.change(
                f"{_named(self.new)} sends a heartbeat every {interval} s, no sooner than its "
                f"idle timeout of {idle} s: a quiet stream is closed before the heartbeat "
                "comes.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
            return
        yield HEARTBEAT_CHANGED.change(
            f"{_named(self.new)} has a heartbeat {_beat(new)}"
            + (f" (was {_beat(old)})." if old is not None else "."),
            new=new_at,
            old=old_at,
            scope=self.scope,
        )

    def slowed(self, old: Heartbeat | None) -> bool:
        """Whether the old heartbeat came within the old idle timeout (or there was none)."""
        idle = self.pair.old.limits.stream_idle_timeout_seconds
        if old is None or old.interval_seconds is None or idle is None:
            return True
        return old.interval_seconds < idle

    def extensible(self) -> Iterator[Finding]:
        if self.old.extensible == self.new.extensible:
            return
        if self.new.extensible:
            message = (
                f"{_named(self.new)} is now extensible: new event types may come without "
                "notice, and clients must ignore those they do not know."
            )
        else:
            message = f"{_named(self.new)} is no longer extensible: its event types are complete."
        yield (MADE_EXTENSIBLE if self.new.extensible else MADE_CLOSED).change(
            message,
            new=self.field(self.new, "extensible"),
            old=self.field(self.old, "extensible"),
            scope=self.scope,
        )

    @staticmethod
    def field(stream: Stream, name: str) -> Location:
        """Where a field of `x-contract-stream` is, or would be, written."""
        if stream.extension_location is None:
            return stream.location
        return stream.extension_location.child(name)


def _data_property(stream: Stream) -> str | None:
    """The payload property that names an event (`type` for `data#/type`), if any."""
    if stream.discriminator and stream.discriminator.startswith("data#/"):
        return stream.discriminator.removeprefix("data#/").split("/")[0] or None
    return None


def _media(media_type: str | None) -> str | None:
    return _base(media_type) if media_type is not None else None


def _encoding(media_type: str | None) -> str:
    return quoted(media_type) if media_type is not None else "plain text"


def _raw(line: str) -> str:
    return quoted(line).strip("`")


def _beat(heartbeat: Heartbeat) -> str:
    how = f"event {quoted(heartbeat.event)}" if heartbeat.event else "comment"
    every = f" every {heartbeat.interval_seconds} s" if heartbeat.interval_seconds else ""
    return f"{how}{every}"
