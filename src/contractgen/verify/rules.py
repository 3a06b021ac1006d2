"""The catalogue of verify's checks: each with an id, a level, a summary and an example.

A check that fails makes a `Finding` of its rule, at the place in the contract the server
broke (the response, event type or limit), with the request that caused it as a curl
command in the message. docs/verify.md lists these rules; a test keeps the two in step.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from contractgen.location import Location
from contractgen.report.finding import Finding, Level


@dataclass(frozen=True, slots=True)
class VerifyRule:
    id: str
    name: str
    level: Level
    summary: str
    rationale: str
    example: str
    """What the server did, as verify reports it."""

    def finding(
        self,
        location: Location,
        message: str,
        *,
        related: Iterable[Location] = (),
        scope: tuple[str, ...] = (),
        level: Level | None = None,
    ) -> Finding:
        return Finding(self.id, level or self.level, message, location, tuple(related), scope=scope)


RULES: dict[str, VerifyRule] = {}


def _rule(
    id: str, name: str, level: Level, summary: str, rationale: str, example: str
) -> VerifyRule:
    if id in RULES:
        raise RuntimeError(f"duplicate rule id {id}")
    found = VerifyRule(
        id,
        name,
        level,
        summary,
        textwrap.dedent(rationale).strip(),
        textwrap.dedent(example).strip(),
    )
    RULES[id] = found
    return found


UNDECLARED_STATUS = _rule(
    "VER001",
    "undeclared-status",
    Level.ERROR,
    "The server answered with a status code the operation does not declare.",
    """
    Clients are generated from the declared responses; an undeclared status reaches their
    fallback path at best. `4XX`/`5XX` ranges and `default` count as declared.
    """,
    "POST /v1/embeddings answered 418, which the operation does not declare",
)
BODY_SCHEMA = _rule(
    "VER002",
    "response-body-schema",
    Level.ERROR,
    "A response body does not match the schema declared for its status and media type.",
    """
    The message names the JSON Pointer of the failing value in the body; the location is the
    schema it fails.
    """,
    "at /choices/0/finish_reason: 'banana' is not one of ['stop', 'length', 'content_filter']",
)
MEDIA_TYPE = _rule(
    "VER003",
    "undeclared-media-type",
    Level.ERROR,
    "A response's Content-Type is not one the contract declares for its status.",
    """
    A client picks its decoder from the declared media types; a stream asked for must come
    back as the stream's media type.
    """,
    "200 answered with text/html; declared: application/json, text/event-stream",
)
RESPONSE_HEADER = _rule(
    "VER004",
    "missing-response-header",
    Level.ERROR,
    "A response lacks a header the contract declares required for it.",
    "Required response headers are part of the contract as much as the body is.",
    "429 without its required header Retry-After",
)
RETRY_AFTER = _rule(
    "VER005",
    "missing-retry-after",
    Level.ERROR,
    "An error whose catalogue code requires Retry-After came without it.",
    """
    `retryAfter: required` promises clients a delay to wait; without one they guess, and a
    fleet of clients guessing the same retries together.
    """,
    "429 rate_limited without Retry-After",
)
UNDECLARED_EVENT = _rule(
    "VER010",
    "undeclared-event-type",
    Level.ERROR,
    "A stream sent an event type its union does not declare.",
    """
    Clients dispatch on the declared types. In a stream declared `extensible` clients must
    ignore unknown types, so there it is a warning: the server has drifted from its contract.
    """,
    "event `thinking` is not one of the declared types status, delta, done, error",
)
EVENT_PAYLOAD = _rule(
    "VER011",
    "event-payload-schema",
    Level.ERROR,
    "An event's payload (SSE `data`, decoded) does not match its event type's schema.",
    "The message names the event, its position in the stream and the JSON Pointer of the failure.",
    "event 2 `delta` at /index: -1 is less than the minimum of 0",
)
TERMINAL_EVENT = _rule(
    "VER012",
    "terminal-event",
    Level.ERROR,
    "A stream did not end with exactly one terminal event, last.",
    """
    A client knows a stream is complete only by its terminal event; without one it cannot
    tell a finished answer from a cut connection, and an event after it is never read.
    """,
    "the stream ended without a terminal event (done, error)",
)
SENTINEL = _rule(
    "VER013",
    "sentinel",
    Level.ERROR,
    "The declared sentinel is missing after the terminal event, or came before it.",
    "Clients written against OpenAI-style streams stop reading at the sentinel.",
    "the sentinel [DONE] came before the terminal event",
)
HEARTBEAT_GAP = _rule(
    "VER014",
    "heartbeat-gap",
    Level.ERROR,
    "A stream was silent longer than its declared heartbeat interval.",
    """
    Proxies and clients time out idle connections; the heartbeat interval is the longest
    silence the contract allows. A little slack (a quarter of the interval, at least 0.5 s)
    is granted for the network.
    """,
    "2.6 s without an event or heartbeat; the heartbeat interval is 1 s",
)
STREAM_DURATION = _rule(
    "VER015",
    "stream-duration",
    Level.ERROR,
    "A stream stayed open past its `stream.maxDurationSeconds` (verify stops reading there).",
    "The limit promises clients a stream ends; one that does not holds their connection.",
    "the stream was still open after 600 s (stream.maxDurationSeconds)",
)
STREAM_FRAMING = _rule(
    "VER016",
    "stream-framing",
    Level.ERROR,
    "A stream item could not be read: `data` that is not the declared JSON, a bad line.",
    "The framing (SSE, JSON Lines, json-seq) and the data encoding are part of the contract.",
    "event 3 `delta`: data is not JSON: Expecting value: line 1 column 1 (char 0)",
)
WS_HANDSHAKE = _rule(
    "VER020",
    "websocket-handshake",
    Level.ERROR,
    "A WebSocket handshake failed, or chose a subprotocol the contract does not offer.",
    "A WebSocket endpoint that cannot be opened with a valid request breaks every client.",
    "the handshake was refused with 500",
)
WS_SERVER_MESSAGE = _rule(
    "VER021",
    "websocket-server-message",
    Level.ERROR,
    "A server message is not in the server union, or fails its schema.",
    """
    Each message is checked against the `serverMessages` union (an unknown type is a
    warning where the server side is `extensible`).
    """,
    "message 2: `response.thinking` is not a declared server message type",
)
WS_CLOSE = _rule(
    "VER022",
    "websocket-close-code",
    Level.ERROR,
    "The server closed a WebSocket with a code the contract does not declare.",
    "Close codes are how clients learn why a connection ended; 1000 and 1001 always count.",
    "closed with 4000, which closeCodes does not declare",
)
PROBE_BODY = _rule(
    "VER030",
    "probe-body-limit",
    Level.ERROR,
    "A body over `request.maxBytes` was not refused with 413 and the catalogue's code.",
    "Sent only with `--probe limits`: one body a little over the limit.",
    "a body of 1048577 bytes (request.maxBytes 1048576) was answered 500, not 413",
)
PROBE_TOKENS = _rule(
    "VER031",
    "probe-token-limit",
    Level.ERROR,
    "A request for more output tokens than `tokens.maxOutputTokens` was not refused as declared.",
    """
    Sent only with `--probe limits`. Expected: the catalogue code whose `limit` is
    `tokens.maxOutputTokens`, else a 400 or 422 problem with a code of the catalogue.
    """,
    "max_tokens 4097 (tokens.maxOutputTokens 4096) was answered 200",
)
PROBE_WS_SIZE = _rule(
    "VER032",
    "probe-websocket-message-size",
    Level.ERROR,
    "A WebSocket message over `maxMessageBytes.inbound` did not close the connection with 1009.",
    "Sent only with `--probe limits`.",
    "a message of 131073 bytes was answered with a message; expected close 1009",
)
PROBE_RATE = _rule(
    "VER033",
    "probe-rate-limit",
    Level.ERROR,
    "A burst over a rate limit did not end in 429 with Retry-After.",
    """
    Sent only with `--probe rate-limits`: at most the quota plus a few requests to the
    operation with the smallest `requests` quota, stopping at the first 429.
    """,
    "the 11th request of a burst (rpm quota 10) was answered 429 without Retry-After",
)
FIRST_EVENT_BUDGET = _rule(
    "VER040",
    "first-event-budget",
    Level.ERROR,
    "A streaming operation's p95 time to first event is over `--max-first-event-ms`.",
    "Only checked when the flag is given.",
    "p95 time to first event 812 ms is over the budget of 500 ms",
)
LATENCY_REGRESSION = _rule(
    "VER041",
    "latency-regression",
    Level.ERROR,
    "Latency is slower than the `--baseline` samples, and the difference is statistically real.",
    """
    The samples are compared with the one-sided Mann-Whitney U test (p < 0.01) and an effect
    size (the probability that a new sample is slower than a baseline one, above 0.71, a
    large effect), and the median must be slower by 5 ms and 10% at least; a difference that
    passes only some of these is noise or too small to matter, not a regression.
    """,
    "time to first event: median 420 ms against 210 ms (p = 0.0003, P(slower) = 0.93)",
)
LATENCY = _rule(
    "VER042",
    "latency",
    Level.INFO,
    "Time to first event and full stream duration of a streaming operation: p50, p95, p99.",
    "Reported for every streaming operation that was exercised; never fails a run.",
    "first event p50 12 ms, p95 20 ms, p99 21 ms; stream p50 210 ms, p95 230 ms, p99 231 ms",
)
