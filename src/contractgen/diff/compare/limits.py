"""Limits: the bounds the API edge enforces, compared per operation after merging.

Each operation's effective limits (document, path item, operation, merged by the model) are
compared with its partner's, for the limits that can bind it. A limit on what the client
sends or uses (body size, tokens, stream duration, concurrency, inbound WebSocket messages)
breaks clients when lowered; a bound on what the server sends (outbound message size, the
heartbeat interval) breaks them when raised. A change to a limit declared once, for the
whole document, is one finding at the declaration, scoped to every operation it reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from contractgen.diff.compare.reporting import once_per_place, quoted
from contractgen.diff.context import DiffContext, OperationPair
from contractgen.diff.registry import DiffRule, diff_rule
from contractgen.location import Location
from contractgen.model.limits import RateLimit
from contractgen.model.reading import as_int
from contractgen.report.finding import Finding, Level


class _Side(Enum):
    CLIENT = "client"
    """Bounds what a client sends or uses: lowering it rejects what was accepted."""
    IDLE = "idle"
    """An idle timeout: lowering it closes quiet connections that stayed open."""
    SERVER = "server"
    """Bounds what the server sends: raising it sends what clients were not built for."""


@dataclass(frozen=True, slots=True)
class _Bound:
    side: _Side
    unit: str
    consequence: str
    """What a client meets beyond the limit."""


LIMITS: dict[str, _Bound] = {
    "request.maxBytes": _Bound(_Side.CLIENT, "bytes", "larger request bodies are rejected"),
    "tokens.maxInputTokens": _Bound(_Side.CLIENT, "tokens", "longer inputs are rejected"),
    "tokens.maxOutputTokens": _Bound(
        _Side.CLIENT, "tokens", "requests for more output tokens are rejected or cut short"
    ),
    "stream.maxDurationSeconds": _Bound(
        _Side.CLIENT, "seconds", "longer streams are ended with an error"
    ),
    "stream.maxConcurrentPerKey": _Bound(
        _Side.CLIENT, "streams", "more concurrent streams per key are refused"
    ),
    "websocket.maxMessageBytes.inbound": _Bound(
        _Side.CLIENT, "bytes", "larger client messages close the connection"
    ),
    "websocket.maxMessagesPerSecond": _Bound(
        _Side.CLIENT, "messages per second", "faster client messages are dropped"
    ),
    "websocket.maxConnectionSeconds": _Bound(
        _Side.CLIENT, "seconds", "longer connections are closed"
    ),
    "websocket.maxConnectionsPerKey": _Bound(
        _Side.CLIENT, "connections", "more connections per key are refused"
    ),
    "stream.idleTimeoutSeconds": _Bound(_Side.IDLE, "seconds", "quieter streams are closed"),
    "websocket.idleTimeoutSeconds": _Bound(_Side.IDLE, "seconds", "quieter connections are closed"),
    "websocket.maxMessageBytes.outbound": _Bound(
        _Side.SERVER, "bytes", "clients must accept server messages this large"
    ),
    "stream.heartbeatSeconds": _Bound(
        _Side.SERVER, "seconds", "clients may wait this long for a heartbeat"
    ),
}
"""Every numeric limit, by its path, with the side it bounds."""

TOKEN_REQUEST_FIELD = "tokens.requestField"
DEFAULT_PARTITION = "api_key"
DEFAULT_UNIT = "requests"

LOWERED = diff_rule(
    "DLIM001",
    "limit-lowered",
    Level.BREAKING,
    "A limit on what clients send or use was lowered.",
    rationale="""
        Requests, streams and messages between the new and the old limit were accepted and
        are now rejected or cut short: body size, input and output tokens, stream duration,
        concurrent streams or connections, inbound WebSocket message size and rate,
        connection duration.
    """,
    before="""\
        x-contract-limits:
          request: {maxBytes: 1048576}
    """,
    after="""\
        x-contract-limits:
          request: {maxBytes: 524288}
    """,
)
RAISED = diff_rule(
    "DLIM002",
    "limit-raised",
    Level.INFO,
    "A limit on what clients send or use was raised, or an idle timeout lengthened.",
    rationale="Everything that was accepted still is.",
    before="""\
        x-contract-limits:
          tokens: {maxInputTokens: 8192}
    """,
    after="""\
        x-contract-limits:
          tokens: {maxInputTokens: 16384}
    """,
)
IMPOSED = diff_rule(
    "DLIM003",
    "limit-imposed",
    Level.WARNING,
    "A limit on what clients send or use is declared where none was.",
    rationale="""
        An absent limit is not enforced, so clients may have sent more than the new limit
        allows. It is potentially breaking rather than breaking because an absent limit is
        far more often undocumented than truly unbounded (every server bounds a request
        body): a new limit is usually the contract catching up with the server. Check that
        the value is what the server always enforced.
    """,
    before="""\
        x-contract-limits: {}
    """,
    after="""\
        x-contract-limits:
          request: {maxBytes: 1048576}
    """,
)
LIFTED = diff_rule(
    "DLIM004",
    "limit-lifted",
    Level.INFO,
    "A limit on what clients send or use, or an idle timeout, no longer applies.",
    rationale="Everything that was accepted still is.",
    before="""\
        x-contract-limits:
          stream: {maxDurationSeconds: 600}
    """,
    after="""\
        x-contract-limits:
          stream: {maxDurationSeconds: null}
    """,
)
IDLE_SHORTENED = diff_rule(
    "DLIM005",
    "idle-timeout-shortened",
    Level.WARNING,
    "A stream or WebSocket idle timeout was lowered, or imposed where none was.",
    rationale="""
        Streams and connections that stay quiet longer than the new timeout (a slow
        generation, a client thinking) are closed as dead.
    """,
    before="""\
        x-contract-limits:
          stream: {idleTimeoutSeconds: 60}
    """,
    after="""\
        x-contract-limits:
          stream: {idleTimeoutSeconds: 30}
    """,
)
SERVER_BOUND_RAISED = diff_rule(
    "DLIM006",
    "server-bound-raised",
    Level.WARNING,
    "A bound on what the server sends was raised or dropped.",
    rationale="""
        Clients sized their buffers and timers for the old bound: larger outbound WebSocket
        messages may be refused by them, and a slower heartbeat may trip their idle timers.
    """,
    before="""\
        x-contract-limits:
          websocket: {maxMessageBytes: {outbound: 1048576}}
    """,
    after="""\
        x-contract-limits:
          websocket: {maxMessageBytes: {outbound: 4194304}}
    """,
)
SERVER_BOUND_TIGHTENED = diff_rule(
    "DLIM007",
    "server-bound-tightened",
    Level.INFO,
    "A bound on what the server sends was lowered, or declared where none was.",
    rationale="The server promises less: everything clients were built for still fits.",
    before="""\
        x-contract-limits:
          stream: {heartbeatSeconds: 30}
    """,
    after="""\
        x-contract-limits:
          stream: {heartbeatSeconds: 15}
    """,
)
RATE_LIMIT_ADDED = diff_rule(
    "DLIM008",
    "rate-limit-added",
    Level.WARNING,
    "An operation is bound by a rate limit it was not bound by.",
    rationale="""
        Clients that send faster than the new quota get 429 responses they did not get
        before; they can retry after waiting, so this is potentially breaking.
    """,
    before="""\
        x-contract-limits:
          rateLimits: []
    """,
    after="""\
        x-contract-limits:
          rateLimits:
            - {name: rpm, unit: requests, quota: 600, windowSeconds: 60}
    """,
)
RATE_LIMIT_REMOVED = diff_rule(
    "DLIM009",
    "rate-limit-removed",
    Level.INFO,
    "An operation is no longer bound by a rate limit.",
    rationale="Clients are throttled less; nothing that worked stops working.",
    before="""\
        x-contract-limits:
          rateLimits:
            - {name: rpm, unit: requests, quota: 600, windowSeconds: 60}
    """,
    after="""\
        x-contract-limits:
          rateLimits: []
    """,
)
QUOTA_LOWERED = diff_rule(
    "DLIM010",
    "rate-limit-quota-lowered",
    Level.WARNING,
    "A rate limit allows fewer units per window.",
    rationale="""
        Clients that stayed under the old quota may now get 429. Potentially breaking, not
        breaking: a rate-limited request is retryable and succeeds after `Retry-After`,
        where a request above a size limit never does; clients slow down rather than fail.
    """,
    before="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 60}
    """,
    after="""\
        rateLimits:
          - {name: rpm, quota: 300, windowSeconds: 60}
    """,
)
QUOTA_RAISED = diff_rule(
    "DLIM011",
    "rate-limit-quota-raised",
    Level.INFO,
    "A rate limit allows more units per window.",
    rationale="Clients are throttled less.",
    before="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 60}
    """,
    after="""\
        rateLimits:
          - {name: rpm, quota: 1200, windowSeconds: 60}
    """,
)
WINDOW_CHANGED = diff_rule(
    "DLIM012",
    "rate-limit-window-changed",
    Level.WARNING,
    "A rate limit counts its quota over another window.",
    rationale="""
        A longer window lowers the rate; a shorter one lowers the burst a client may send
        at once. Either way clients paced for the old window may meet 429 responses.
    """,
    before="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 60}
    """,
    after="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 120}
    """,
)
PARTITION_CHANGED = diff_rule(
    "DLIM013",
    "rate-limit-partition-changed",
    Level.WARNING,
    "A rate limit's quota is shared by someone else (per key, user, org, IP, connection).",
    rationale="""
        A quota shared more widely (per organisation instead of per API key) is used up by
        other clients' traffic; clients that paced themselves alone now meet 429.
    """,
    before="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 60, partition: api_key}
    """,
    after="""\
        rateLimits:
          - {name: rpm, quota: 600, windowSeconds: 60, partition: org}
    """,
)
UNIT_CHANGED = diff_rule(
    "DLIM014",
    "rate-limit-unit-changed",
    Level.WARNING,
    "A rate limit counts something else (requests, tokens, bytes, concurrent requests).",
    rationale="""
        The same quota of another unit is another limit: clients that budgeted requests now
        run out of tokens.
    """,
    before="""\
        rateLimits:
          - {name: budget, unit: requests, quota: 600, windowSeconds: 60}
    """,
    after="""\
        rateLimits:
          - {name: budget, unit: tokens, quota: 600, windowSeconds: 60}
    """,
)
REQUEST_FIELD_RENAMED = diff_rule(
    "DLIM015",
    "token-request-field-renamed",
    Level.BREAKING,
    "Another request property asks for output tokens.",
    rationale="""
        Clients set the old property to bound the output: it no longer does, and the cap
        they ask for is not applied.
    """,
    before="""\
        x-contract-limits:
          tokens: {maxOutputTokens: 4096, requestField: /max_tokens}
    """,
    after="""\
        x-contract-limits:
          tokens: {maxOutputTokens: 4096, requestField: /max_output_tokens}
    """,
)


def compare(context: DiffContext) -> Iterator[Finding]:
    """Every limit change of every paired operation, once per declaration it comes from."""
    yield from once_per_place(
        finding for pair in context.pairs for finding in _Changes(context, pair).findings()
    )


@dataclass(frozen=True, slots=True)
class _Changes:
    context: DiffContext
    pair: OperationPair

    @property
    def scope(self) -> tuple[str]:
        return (self.pair.key,)

    def findings(self) -> Iterator[Finding]:
        for path, bound in LIMITS.items():
            if self.pair.old.limit_fits(path) and self.pair.new.limit_fits(path):
                yield from self.limit(path, bound)
        yield from self.request_field()
        yield from self.rate_limits()

    def limit(self, path: str, bound: _Bound) -> Iterator[Finding]:
        old_raw, new_raw = self.pair.old.limits.get(path), self.pair.new.limits.get(path)
        old, new = as_int(old_raw), as_int(new_raw)
        if old == new or (old is None and old_raw is not None):
            return  # unchanged, or a malformed value we cannot compare
        if new is None and new_raw is not None:
            return
        rule = _rule_for(bound.side, old, new)
        message = _limit_message(path, bound, old, new)
        if rule.level is not Level.INFO:
            message += f": {_consequence(bound, new)}{self.error_hint(path, bound)}"
        yield rule.change(
            message + ".",
            new=self.new_source(path),
            old=self.pair.old.limits.source(path),
            scope=self.scope,
        )

    def error_hint(self, path: str, bound: _Bound) -> str:
        """The catalogue code a client meets at a client-side limit."""
        errors = self.context.new.errors
        codes = (
            errors.for_limit(path) if errors is not None and bound.side is not _Side.SERVER else []
        )
        if not codes:
            return ""
        status = f", {codes[0].status}" if codes[0].status is not None else ""
        return f" (error {quoted(codes[0].code)}{status})"

    def new_source(self, path: str) -> Location:
        """Where the new value is declared; for a dropped limit, where it was dropped."""
        source = self.pair.new.limits.source(path)
        if source is not None:
            return source
        return self.dropped_at(self.pair.old.limits.source(path))

    def dropped_at(self, old: Location | None) -> Location:
        """A declaration gone from the new document is located at its surviving parent;
        one still there was overridden (`null`, `disabled`) by the operation or its path."""
        own = self.pair.new.location.child("x-contract-limits")
        if old is None:
            return own
        survivor = self.context.surviving(old)
        return own if survivor.pointer == old.pointer else survivor

    def request_field(self) -> Iterator[Finding]:
        if not (
            self.pair.old.limit_fits(TOKEN_REQUEST_FIELD)
            and self.pair.new.limit_fits(TOKEN_REQUEST_FIELD)
        ):
            return
        old = self.pair.old.limits.tokens_request_field
        new = self.pair.new.limits.tokens_request_field
        if old is None or new is None or old == new:
            return
        yield REQUEST_FIELD_RENAMED.change(
            f"Output tokens are asked for with {quoted(new)} instead of {quoted(old)}: "
            "clients that set the old property no longer bound the output.",
            new=self.new_source(TOKEN_REQUEST_FIELD),
            old=self.pair.old.limits.source(TOKEN_REQUEST_FIELD),
            scope=self.scope,
        )

    # --- rate limits ------------------------------------------------------------------------

    def rate_limits(self) -> Iterator[Finding]:
        old = {limit.name: limit for limit in self.pair.old.limits.rate_limits}
        new = {limit.name: limit for limit in self.pair.new.limits.rate_limits}
        for name, limit in old.items():
            partner = new.get(name)
            if partner is None:
                yield RATE_LIMIT_REMOVED.change(
                    f"Rate limit {quoted(name)} ({_policy(limit)}) no longer applies.",
                    new=self.dropped_at(limit.location),
                    old=limit.location,
                    scope=self.scope,
                )
            else:
                yield from self.rate_limit(limit, partner)
        for name, limit in new.items():
            if name not in old:
                yield RATE_LIMIT_ADDED.change(
                    f"Rate limit {quoted(name)} ({_policy(limit)}) now applies: clients "
                    "that send faster get 429.",
                    new=limit.location,
                    old=None,
                    scope=self.scope,
                )

    def rate_limit(self, old: RateLimit, new: RateLimit) -> Iterator[Finding]:
        name = quoted(new.name)
        old_unit, new_unit = old.unit or DEFAULT_UNIT, new.unit or DEFAULT_UNIT
        if old_unit != new_unit:
            yield UNIT_CHANGED.change(
                f"Rate limit {name} counts {new_unit} instead of {old_unit}.",
                new=new.source("unit"),
                old=old.source("unit"),
                scope=self.scope,
            )
        if old.quota is not None and new.quota is not None and old.quota != new.quota:
            rule = QUOTA_LOWERED if new.quota < old.quota else QUOTA_RAISED
            consequence = (
                ": clients that stayed under it may get 429" if rule is QUOTA_LOWERED else ""
            )
            yield rule.change(
                f"Rate limit {name} allows {new.quota} {new_unit} instead of {old.quota}"
                f"{_per(new.window_seconds)}{consequence}.",
                new=new.source("quota"),
                old=old.source("quota"),
                scope=self.scope,
            )
        if old.window_seconds != new.window_seconds:
            yield WINDOW_CHANGED.change(
                f"Rate limit {name} counts its quota over {_window(new.window_seconds)} "
                f"instead of {_window(old.window_seconds)}: clients paced for the old window "
                "may get 429.",
                new=new.source("windowSeconds"),
                old=old.source("windowSeconds"),
                scope=self.scope,
            )
        old_partition = old.partition or DEFAULT_PARTITION
        new_partition = new.partition or DEFAULT_PARTITION
        if old_partition != new_partition:
            yield PARTITION_CHANGED.change(
                f"Rate limit {name} is shared per {new_partition} instead of per "
                f"{old_partition}: its quota is used up by other traffic than before.",
                new=new.source("partition"),
                old=old.source("partition"),
                scope=self.scope,
            )


def _rule_for(side: _Side, old: int | None, new: int | None) -> DiffRule:
    """Which rule a change of a limit is, from the side it bounds and its direction."""
    tighter = new is not None and (old is None or new < old)
    if side is _Side.SERVER:
        return SERVER_BOUND_TIGHTENED if tighter else SERVER_BOUND_RAISED
    if not tighter:
        return LIFTED if new is None else RAISED
    if side is _Side.IDLE:
        return IDLE_SHORTENED
    return IMPOSED if old is None else LOWERED


def _limit_message(path: str, bound: _Bound, old: int | None, new: int | None) -> str:
    name = quoted(path)
    if old is None:
        return f"{name} is now {new} {bound.unit}, where there was no limit"
    if new is None:
        return f"{name} ({old} {bound.unit}) no longer applies"
    verb = "lowered" if new < old else "raised"
    return f"{name} {verb} from {old} to {new} {bound.unit}"


def _consequence(bound: _Bound, new: int | None) -> str:
    if new is None:
        return "the server no longer promises a bound"
    return bound.consequence


def _policy(limit: RateLimit) -> str:
    quota = limit.quota if limit.quota is not None else "?"
    return f"{quota} {limit.unit or DEFAULT_UNIT}{_per(limit.window_seconds)}"


def _per(window: int | None) -> str:
    return f" per {window} s" if window is not None else ""


def _window(window: int | None) -> str:
    return f"{window} s" if window is not None else "no window"
