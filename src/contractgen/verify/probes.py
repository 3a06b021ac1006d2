"""Probes: requests that break a declared limit on purpose, sent only when asked.

`--probe limits`: a body one byte over `request.maxBytes` (expects 413 and the catalogue's
code), output tokens one over `tokens.maxOutputTokens` (expects the declared error), a
WebSocket message one byte over `maxMessageBytes.inbound` (expects close 1009).
`--probe rate-limits`: a burst of at most the smallest `requests` quota plus a few requests,
which must end in 429 with Retry-After. Every probe goes to the `--base-url` only.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx

from contractgen.model.contract import Operation
from contractgen.verify import rules
from contractgen.verify.context import Run
from contractgen.verify.plan import RequestMaker, set_pointer

PROBES = ("limits", "rate-limits")
BURST_EXTRA = 5
MAX_BURST = 2000


def _problem_code(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def probe_body_limit(run: Run, client: httpx.Client, maker: RequestMaker, op: Operation) -> None:
    limit = op.limits.request_max_bytes
    if limit is None or op.request_body is None:
        return
    prefix, suffix = b'{"padding":"', b'"}'
    body = prefix + b"x" * max(0, limit + 1 - len(prefix) - len(suffix)) + suffix
    request = maker.request(op, maker.rng(op, "probe"), None, raw_body=body)
    response = client.request(request.method, request.url, headers=request.headers, content=body)
    codes = (
        [entry.code for entry in run.contract.errors.for_limit("request.maxBytes")]
        if (run.contract.errors)
        else []
    )
    code = _problem_code(response)
    shown = request_without_body(request, len(body))
    if response.status_code != 413 or (codes and code not in codes):
        run.report(
            rules.PROBE_BODY,
            op,
            op.limits.source("request.maxBytes") or op.location,
            f"a body of {len(body)} bytes (request.maxBytes {limit}) was answered "
            f"{response.status_code}{' ' + str(code) if code else ''}, not 413 "
            f"{' or '.join(codes) if codes else ''}".rstrip(),
            shown,
        )


def request_without_body(request: Any, size: int) -> Any:
    from dataclasses import replace

    return replace(request, body=f"<{size} bytes>".encode())


def probe_token_limit(run: Run, client: httpx.Client, maker: RequestMaker, op: Operation) -> None:
    cap, field = op.limits.max_output_tokens, op.limits.tokens_request_field
    if cap is None or not field or op.request_body is None:
        return
    rng = maker.rng(op, "probe-tokens")
    compiled = maker.body_schema(op)
    from contractgen.model.generate import generate

    body = generate(compiled.root, rng, compiled.checks).value if compiled else {}
    if not isinstance(body, dict):
        return
    for stream in op.streams:
        if stream.stream_flag:
            set_pointer(body, stream.stream_flag, False)
    set_pointer(body, field, cap + 1)
    request = maker.request(op, rng, body, accept="application/json")
    response = client.request(
        request.method, request.url, headers=request.headers, content=request.body
    )
    catalog = run.contract.errors
    exact = [e.code for e in catalog.for_limit("tokens.maxOutputTokens")] if catalog else []
    code = _problem_code(response)
    if exact:
        fine = code in exact
        wanted = " or ".join(exact)
    else:
        fine = response.status_code in (400, 422) and (catalog is None or code in catalog.codes)
        wanted = "a 400 or 422 problem of the catalogue"
    if not fine:
        run.report(
            rules.PROBE_TOKENS,
            op,
            op.limits.source("tokens.maxOutputTokens") or op.location,
            f"{field.lstrip('/')} {cap + 1} (tokens.maxOutputTokens {cap}) was answered "
            f"{response.status_code}{' ' + str(code) if code else ''}; expected {wanted}",
            request,
        )


def probe_websocket_size(run: Run, maker: RequestMaker, op: Operation) -> None:
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    from contractgen.verify.websocket import client_message, connect

    ws, limit = op.websocket, op.limits.ws_max_inbound_message_bytes
    if ws is None or limit is None:
        return
    rng = maker.rng(op, "probe-ws")
    request = maker.request(op, rng, None, websocket=True)
    message = client_message(run, ws, 0, rng)
    if isinstance(message, dict):
        empty = len(json.dumps({**message, "padding": ""}).encode())
        payload = json.dumps({**message, "padding": "x" * max(1, limit + 1 - empty)})
    else:
        payload = json.dumps(message) + " " * (limit + 1)
    code: int | None = None
    try:
        with connect(request, ws, run.timeout) as connection:
            connection.send(payload)
            try:
                while True:
                    connection.recv(timeout=5)
            except ConnectionClosed:
                pass
            except TimeoutError:
                code = None
            code = connection.close_code
    except (InvalidHandshake, OSError) as error:
        run.report(rules.WS_HANDSHAKE, op, ws.location, f"the handshake failed: {error}", request)
        return
    if code != 1009:
        shown = "stayed open" if code is None else f"closed with {code}"
        run.report(
            rules.PROBE_WS_SIZE,
            op,
            op.limits.source("websocket.maxMessageBytes.inbound") or ws.location,
            f"a message of {len(payload.encode())} bytes (maxMessageBytes.inbound {limit}) "
            f"{shown}; expected close 1009",
            request_without_body(request, len(payload.encode())),
        )


def probe_rate_limit(
    run: Run, client: httpx.Client, maker: RequestMaker, operations: list[Operation]
) -> None:
    """Burst the operation with the smallest `requests` quota (GETs first at a tie)."""
    candidates = [
        (limit.quota, op.method != "get", index, op, limit)
        for index, op in enumerate(operations)
        if op.websocket is None
        for limit in op.limits.rate_limits
        if limit.unit in (None, "requests") and limit.quota
    ]
    if not candidates:
        return
    quota, _, _, op, limit = min(candidates, key=lambda item: item[:3])
    rng = random.Random(maker.seed)
    bodies = maker.bodies(op, rng, 1)
    body = bodies[0] if bodies else None
    for stream in op.streams:
        if stream.stream_flag and isinstance(body, dict):
            set_pointer(body, stream.stream_flag, False)
    request = maker.request(op, rng, body, accept="application/json")
    sent = 0
    for sent in range(1, min(quota + BURST_EXTRA, MAX_BURST) + 1):
        response = client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        if response.status_code == 429:
            if "retry-after" not in response.headers:
                run.report(
                    rules.PROBE_RATE,
                    op,
                    limit.location,
                    f"request {sent} of a burst ({limit.name} quota {quota}) was answered 429 "
                    "without Retry-After",
                    request,
                )
            return
    run.report(
        rules.PROBE_RATE,
        op,
        limit.location,
        f"{sent} requests in a burst ({limit.name} quota {quota} per "
        f"{limit.window_seconds} s) got no 429",
        request,
    )
