"""A mocked WebSocket endpoint: each client message answered by a plausible run of replies.

`runtime.websocket.serve_websocket` keeps the contract (subprotocol, sizes, rates, close
codes, validation both ways, the error message); this module is the service. On connect it
sends the server message types that read as a greeting (`session.created`) and need no
correlation. A client message `response.create` is answered by the server types of the same
family (`response.*`): one that names its past tense (`session.update` -> `session.updated`),
else the delta-like type a few times and then the one that reads as an end
(`response.done`); a `cancel` or `stop` gets only the end. Every reply echoes the client
message's correlation field, and all of them are generated from their schemas with the
request's seeded `random.Random`.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from pydantic import AfterValidator, TypeAdapter

from contractgen.mock.operations import DONE_WORDS, CompiledSchema, MockOperation
from contractgen.mock.streams import MAX_BODY, MIN_BODY, Timing
from contractgen.model.generate import generate
from contractgen.runtime.context import ContractError, RequestContext
from contractgen.runtime.spec import ErrorCode
from contractgen.runtime.streaming import top_field

GREETING_WORDS = ("created", "hello", "welcome", "connected", "ready", "opened")
STOP_WORDS = ("cancel", "stop", "abort", "close")


class WebSocketPlan:
    """The message schemas of one endpoint, compiled on first use."""

    def __init__(self, mock: MockOperation) -> None:
        ws = mock.op.websocket
        assert ws is not None and mock.spec.websocket is not None
        self.spec = mock.spec.websocket
        self.field = top_field(self.spec.discriminator) if self.spec.discriminator else "type"
        self.correlation = top_field(self.spec.correlation) if self.spec.correlation else None
        self.client = mock.compile(ws.client_messages)
        self.server = mock.compile(ws.server_messages)
        self.types: dict[str, CompiledSchema] = {}
        for message in ws.server_types:
            compiled = mock.compile(message.schema)
            if compiled is not None and message.name != self.spec.error_message:
                self.types[message.name] = compiled

    @functools.cached_property
    def client_adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.client)

    @functools.cached_property
    def server_adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.server)

    def correlated(self, name: str) -> bool:
        schema = self.types[name].root
        props = schema.get("properties", {}) if isinstance(schema, dict) else {}
        return self.correlation is not None and self.correlation in props

    def greetings(self) -> list[str]:
        return [
            name
            for name in self.types
            if _last_word(name) in GREETING_WORDS
            and not (self.correlation and self.correlation in self._required(name))
        ]

    def _required(self, name: str) -> list[str]:
        schema = self.types[name].root
        return list(schema.get("required", ())) if isinstance(schema, dict) else []

    def replies_to(self, client_type: str, rng: random.Random) -> list[str]:
        family = _family(client_type)
        greetings = set(self.greetings())
        same = [n for n in self.types if _family(n) == family and n not in greetings]
        for suffix in ("d", "ed"):
            if client_type + suffix in self.types:
                return [client_type + suffix]
        candidates = same or [n for n in self.types if self.correlated(n) and n not in greetings]
        if not candidates:
            return []
        ends = [name for name in candidates if _last_word(name) in DONE_WORDS]
        deltas = [name for name in candidates if "delta" in name.lower() and name not in ends]
        if _last_word(client_type) in STOP_WORDS:
            return ends[:1] or candidates[:1]
        body = [rng.choice(deltas)] * rng.randint(MIN_BODY, MAX_BODY) if deltas else []
        if ends:
            return [*body, ends[0]]
        return body or [rng.choice(candidates)]

    def message(self, name: str, rng: random.Random, answering: Any) -> Any:
        compiled = self.types[name]
        value = generate(compiled.root, rng, compiled.checks, name=name).value
        if isinstance(value, dict):
            value[self.field] = name
            correlation = self.correlation
            echoed = isinstance(answering, dict) and correlation in answering
            if correlation and echoed and self.correlated(name):
                value[correlation] = answering[correlation]
        return value


def _adapter(schema: CompiledSchema | None) -> TypeAdapter[Any]:
    """A pydantic adapter that checks a message against its JSON Schema (what the runtime takes)."""

    def check(value: Any) -> Any:
        if schema is not None:
            errors = sorted(schema.validator.iter_errors(value), key=lambda e: list(e.path))
            if errors:
                error = errors[0]
                where = "".join(f"/{part}" for part in error.absolute_path)
                raise ValueError(f"{where or '/'}: {error.message}")
        return value

    return TypeAdapter(Annotated[Any, AfterValidator(check)])


def _family(name: str) -> str:
    return re.split(r"[._:/]", name)[0]


def _last_word(name: str) -> str:
    return re.split(r"[._:/-]", name)[-1].lower()


Handler = Callable[[AsyncIterator[Any], RequestContext], AsyncIterator[Any]]


def mock_handler(
    plan: WebSocketPlan, rng: random.Random, timing: Timing, fail_with: ErrorCode | None
) -> Handler:
    """What `serve_websocket` runs: replies for the client's messages, as they come."""

    async def replies(messages: AsyncIterator[Any], context: RequestContext) -> AsyncIterator[Any]:
        for name in plan.greetings():
            yield plan.message(name, rng, None)
        async for message in messages:
            client_type = message.get(plan.field) if isinstance(message, dict) else None
            names = plan.replies_to(str(client_type or ""), rng)
            for index, name in enumerate(names):
                await anyio.sleep(
                    (timing.first_event_ms if index == 0 else timing.event_interval_ms) / 1000
                )
                if fail_with is not None and index >= 1:
                    raise ContractError(
                        fail_with.code,
                        f"{fail_with.title or fail_with.code} (asked for with Prefer).",
                    )
                yield plan.message(name, rng, message)

    return replies
