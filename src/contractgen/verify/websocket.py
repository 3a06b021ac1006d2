"""A WebSocket session checked both ways: a valid client message out, every server message in
the server union and valid against its type, and the close code declared.

Uses the `websockets` library's synchronous client (the `client` and `test` extras install
it). Each session sends one client message (the types in turn, their contract examples
first) and reads until the server is quiet for a moment.
"""

from __future__ import annotations

import json
import random
from typing import Any

from contractgen.location import value_at
from contractgen.model.contract import Operation
from contractgen.model.generate import generate
from contractgen.model.websocket import MessageType, WebSocket
from contractgen.report.finding import Level
from contractgen.verify import rules
from contractgen.verify.context import Run
from contractgen.verify.plan import Exercise, HttpRequest

MAX_MESSAGES = 200
NORMAL_CLOSES = frozenset({1000, 1001, 1005})


def client_message(run: Run, ws: WebSocket, index: int, rng: random.Random) -> Any:
    """A valid client message: the `index`-th type in turn, its valid example first."""
    types = list(ws.client_types)
    if not types:
        compiled = run.compile(ws.client_messages)
        return generate(compiled.root, rng, compiled.checks).value if compiled else {}
    chosen = types[index % len(types)]
    compiled = run.compile(chosen.schema)
    if compiled is None:
        return {}
    examples = chosen.schema.get("examples")
    for example in examples if isinstance(examples, list) else ():
        if index < len(types) and compiled.checks.is_valid(compiled.root, example):
            return example
    return generate(compiled.root, rng, compiled.checks).value


def connect(request: HttpRequest, ws: WebSocket, timeout: float) -> Any:
    from websockets.sync.client import connect as ws_connect

    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("accept",)}
    return ws_connect(
        request.url,
        subprotocols=list(ws.subprotocols) or None,  # type: ignore[arg-type]
        additional_headers=headers,
        open_timeout=timeout,
        close_timeout=2,
        max_size=None,
    )


def exercise_websocket(run: Run, exercise: Exercise, index: int, rng: random.Random) -> None:
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

    op, request = exercise.op, exercise.request
    ws = op.websocket
    assert ws is not None
    try:
        connection = connect(request, ws, run.timeout)
    except InvalidStatus as error:
        status = error.response.status_code
        run.report(
            rules.WS_HANDSHAKE, op, ws.location, f"the handshake was refused with {status}", request
        )
        return
    except (InvalidHandshake, OSError, TimeoutError) as error:
        run.report(rules.WS_HANDSHAKE, op, ws.location, f"the handshake failed: {error}", request)
        return
    with connection:
        chosen = connection.subprotocol
        if ws.subprotocols and chosen not in ws.subprotocols:
            run.report(
                rules.WS_HANDSHAKE,
                op,
                ws.location.child("subprotocols"),
                f"the server chose the subprotocol {chosen!r}, not one of "
                f"{', '.join(ws.subprotocols)}",
                request,
            )
        checker = _ServerMessages(run, op, ws, request)
        try:
            checker.drain(connection)
            message = client_message(run, ws, index, rng)
            checker.sent = json.dumps(message)
            connection.send(checker.sent)
            checker.drain(connection)
        except ConnectionClosed:
            pass
        code = connection.close_code
        if code is not None and code not in NORMAL_CLOSES and code not in ws.close_codes:
            run.report(
                rules.WS_CLOSE,
                op,
                ws.location.child("closeCodes"),
                f"closed with {code}, which closeCodes does not declare",
                request,
            )


class _ServerMessages:
    def __init__(self, run: Run, op: Operation, ws: WebSocket, request: HttpRequest) -> None:
        self.run, self.op, self.ws, self.request = run, op, ws, request
        self.count = 0
        self.sent: str | None = None
        self.by_name: dict[str, MessageType] = {t.name: t for t in ws.server_types}

    def drain(self, connection: Any) -> None:
        while self.count < MAX_MESSAGES:
            try:
                text = connection.recv(timeout=self.run.quiet_seconds)
            except TimeoutError:
                return
            self.count += 1
            self.check(text)

    def report(self, location: Any, message: str, level: Level | None = None) -> None:
        sent = f" (after sending {self.sent[:300]})" if self.sent else ""
        self.run.report(
            rules.WS_SERVER_MESSAGE, self.op, location, message + sent, self.request, level=level
        )

    def check(self, text: str | bytes) -> None:
        ws, position = self.ws, self.count
        try:
            message = json.loads(text)
        except ValueError as error:
            self.report(ws.location, f"message {position} is not JSON: {error}")
            return
        union = ws.server_messages.location if ws.server_messages else ws.location
        if ws.discriminator and self.by_name:
            name = value_at(message, ws.discriminator)
            chosen = self.by_name.get(name) if isinstance(name, str) else None
            if chosen is None:
                level = Level.WARNING if ws.extensible_server else None
                self.report(
                    union,
                    f"message {position}: {name!r} is not a declared server message type "
                    f"({', '.join(self.by_name)})",
                    level,
                )
                return
            compiled = self.run.compile(chosen.schema)
            label = f"message {position} `{name}`"
            location = chosen.schema.location
        else:
            compiled = self.run.compile(ws.server_messages)
            label = f"message {position}"
            location = union
        if compiled is None:
            return
        for pointer, problem in compiled.errors(message):
            self.report(location, f"{label} at {pointer}: {problem}")
