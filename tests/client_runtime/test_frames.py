"""The wire parsers and the decoder's rules, fed by hand (no server)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter

from contractgen.client_runtime.errors import (
    ApiClientError,
    ApiError,
    ApiServerError,
    ErrorCatalogue,
    ProtocolViolation,
    StreamTruncated,
    parse_retry_after,
)
from contractgen.client_runtime.frames import LineParser, SSEFrame, SSEParser
from contractgen.client_runtime.spec import StreamSpec
from contractgen.client_runtime.streams import StreamDecoder, StreamProgress


def frames(*chunks: str) -> list[SSEFrame]:
    parser = SSEParser()
    return [frame for chunk in chunks for frame in parser.feed(chunk)]


def test_sse_fields_multi_line_data_and_comments() -> None:
    found = frames(": keep-alive\n\nevent: delta\nid: 7\nretry: 1500\ndata: one\ndata:two\n\n")
    assert found == [SSEFrame(event="delta", data="one\ntwo", id="7", retry=1500)]


def test_sse_line_endings_crlf_cr_and_lf_even_split_across_chunks() -> None:
    found = frames("data: a\r", "\n\r", "\ndata: b\rdata: c\r\r", "data: d\n", "\n")
    assert [frame.data for frame in found] == ["a", "b\nc", "d"]


def test_sse_byte_at_a_time() -> None:
    text = '\ufeffevent: x\r\ndata: {"k": 1}\r\n\r\n'
    assert frames(*text) == [SSEFrame(event="x", data='{"k": 1}', id=None, retry=None)]


def test_sse_rules_for_odd_lines() -> None:
    parser = SSEParser()
    found = parser.feed(
        "data\n\n"  # a field without a colon: empty value
        "id: 1\nevent: nothing\n\n"  # no data: nothing dispatched, but the id is kept
        "data: x\nretry: soon\nunknown: y\nid: a\0b\n\n"  # bad retry, unknown field, NUL id
        "data:  two spaces\n\n"
        "data: cut off"  # never dispatched
    )
    assert [(frame.event, frame.data, frame.id) for frame in found] == [
        ("message", "", None),
        ("message", "x", None),
        ("message", " two spaces", None),
    ]
    assert parser.last_event_id == "1"
    assert found[1].retry is None


def test_line_parser_json_lines_and_json_seq() -> None:
    lines = LineParser()
    assert lines.feed('{"a": 1}\r\n\n{"b"') == ['{"a": 1}']
    assert lines.feed(': 2}\n{"c": 3}') == ['{"b": 2}']
    assert lines.end() == ['{"c": 3}']
    seq = LineParser(json_seq=True)
    assert seq.feed('\x1e{"a": 1}\n\x1e"\u2028"\n') == ['{"a": 1}', '"\u2028"']


class Ping(BaseModel):
    event: Literal["ping"]
    data: dict[str, Any]


class Tick(BaseModel):
    event: Literal["tick"]
    data: int
    id: str | None = None


class End(BaseModel):
    event: Literal["end"]
    data: str


EVENTS: TypeAdapter[Tick | End] = TypeAdapter(Annotated[Tick | End, Field(discriminator="event")])
SSE = StreamSpec(
    "sse",
    terminal=("end", "error"),
    error_event="error",
    sentinel="[DONE]",
    heartbeat_event="ping",
    event_names=("tick", "end", "error", "ping"),
    extensible=True,
)
CATALOGUE = ErrorCatalogue.from_entries([("busy", 503, True), ("too_big", 413, False)])


def decoder(spec: StreamSpec = SSE, progress: StreamProgress | None = None) -> StreamDecoder[Any]:
    return StreamDecoder(spec, EVENTS, CATALOGUE, progress)


def test_decoder_skips_heartbeats_and_unknown_types_of_an_extensible_stream() -> None:
    stream = decoder()
    out = stream.feed(
        "event: ping\ndata: {}\n\nevent: novel\ndata: 1\n\nevent: tick\nid: 1\ndata: 5\n\n"
    )
    assert out == [Tick(event="tick", data=5, id="1")]
    assert stream.progress.events_seen == 1 and not stream.done


def test_decoder_stops_at_the_terminal_event_and_ignores_what_follows() -> None:
    stream = decoder()
    out = stream.feed('event: end\ndata: "bye"\n\nevent: tick\ndata: 1\n\n')
    assert out == [End(event="end", data="bye")]
    assert stream.done
    assert stream.feed("event: tick\ndata: 2\n\n") == []
    assert stream.end() == []


def test_decoder_stops_at_the_sentinel() -> None:
    stream = decoder(StreamSpec("sse", sentinel="[DONE]"))
    assert stream.feed("event: tick\ndata: 1\n\ndata: [DONE]\n\n") == [Tick(event="tick", data=1)]
    assert stream.done


def test_decoder_raises_stream_truncated_at_an_early_end() -> None:
    stream = decoder()
    stream.feed("event: tick\nid: 9\ndata: 1\n\nevent: tick\ndata: 2")
    with pytest.raises(StreamTruncated) as raised:
        stream.end()
    assert (raised.value.events_seen, raised.value.last_event_id) == (1, "9")


def test_a_stream_that_declares_no_end_may_just_stop() -> None:
    stream = decoder(StreamSpec("sse"))
    stream.feed("event: tick\ndata: 1\n\n")
    assert stream.end() == []


def test_decoder_error_event_becomes_the_catalogue_class() -> None:
    stream = decoder()
    stream.feed('event: error\ndata: {"code": "busy", "message": "m", "retryable": true}\n\n')
    assert stream.done
    error = stream.error
    assert isinstance(error, ApiServerError) and type(error) is CATALOGUE.get("busy")
    assert (error.status, error.code, error.detail, error.phase) == (503, "busy", "m", "mid_stream")


def test_decoder_skips_ids_delivered_before_a_reconnect() -> None:
    progress = StreamProgress(events_seen=1, last_event_id="1", seen_ids={"1"})
    stream = decoder(progress=progress)
    out = stream.feed("event: tick\nid: 1\ndata: 1\n\nevent: tick\nid: 2\ndata: 2\n\n")
    assert out == [Tick(event="tick", data=2, id="2")]
    assert progress.events_seen == 2 and progress.last_event_id == "2"


def test_decoder_refuses_an_event_that_breaks_the_contract() -> None:
    with pytest.raises(ProtocolViolation):
        decoder().feed('event: tick\ndata: "not a number"\n\n')


def test_json_lines_cut_mid_line_is_truncated_not_a_protocol_violation() -> None:
    spec = StreamSpec("jsonl", terminal=("end",), discriminator="data#/event")
    stream = decoder(spec)
    assert stream.feed('{"event": "tick", "data": 1}\n{"event": "ti') == [
        Tick(event="tick", data=1)
    ]
    with pytest.raises(StreamTruncated):
        stream.end()


def test_catalogue_classes_and_unknown_codes() -> None:
    busy = CATALOGUE.get("busy")
    assert busy is not None and busy.__name__ == "BusyError" and busy.retryable
    problem = CATALOGUE.from_problem(
        413, b'{"code": "too_big", "status": 413, "title": "T", "retryable": true}'
    )
    assert type(problem) is CATALOGUE.get("too_big")
    assert not problem.retryable  # the catalogue decides for a code it knows
    unknown = CATALOGUE.from_problem(409, b'{"code": "conflict", "retryable": false}')
    assert type(unknown) is ApiClientError and unknown.code == "conflict"
    html = CATALOGUE.from_problem(502, b"<html>bad gateway</html>", content_type="text/html")
    assert type(html) is ApiServerError and html.code is None and not html.retryable
    assert CATALOGUE.from_problem(503, b"").retryable
    assert isinstance(unknown, ApiError)


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
