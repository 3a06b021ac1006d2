"""`contractgen mock SPEC`: load the contract, build the mock app, serve it with uvicorn.

The address is bound before anything is served, so a port in use is one `MOCK001` line and
exit status 2, like any other input error; so are bad flags (`USAGE006`) and a contract with
nothing to serve (`MOCK002`). Without `--seed` a seed is drawn and printed, so a run's data
can be reproduced.
"""

from __future__ import annotations

import logging
import secrets
import socket
import sys
from dataclasses import dataclass
from typing import Any

from contractgen.errors import ContractgenError, UsageError
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.mock.app import MockOptions, build_app
from contractgen.mock.streams import Timing
from contractgen.model.opening import open_contract
from contractgen.printable import printable

MAX_DELAY_MS = 600_000


class MockError(ContractgenError):
    """The mock cannot be served: nothing to serve, or an address it cannot listen on."""


@dataclass(frozen=True, slots=True)
class MockRequest:
    spec: str
    host: str = "127.0.0.1"
    port: int = 4010
    seed: int | None = None
    first_event_ms: int = 200
    event_interval_ms: int = 50
    allow_external_refs: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class PreparedMock:
    app: Any
    seed: int
    operations: int
    warnings: list[str]


def parse_count(flag: str, text: str) -> int:
    """A whole number from the command line, or USAGE006 naming the flag."""
    try:
        return int(text.strip())
    except ValueError:
        raise UsageError("USAGE006", f"{flag} must be a whole number, not {text!r}") from None


def check_options(request: MockRequest) -> None:
    """Flags the parser cannot check itself: ranges."""
    if not 0 <= request.port <= 65535:
        raise UsageError("USAGE006", f"--port must be between 0 and 65535, not {request.port}")
    for flag, value in (
        ("--first-event-ms", request.first_event_ms),
        ("--event-interval-ms", request.event_interval_ms),
    ):
        if not 0 <= value <= MAX_DELAY_MS:
            raise UsageError(
                "USAGE006", f"{flag} must be between 0 and {MAX_DELAY_MS}, not {value}"
            )
    if request.seed is not None and request.seed < 0:
        raise UsageError("USAGE006", f"--seed must not be negative, not {request.seed}")


def prepare(request: MockRequest) -> PreparedMock:
    """The app for a contract (loaded, modelled); raises ContractgenError on bad input."""
    check_options(request)
    opened = open_contract(
        request.spec,
        doing="serving",
        max_bytes=request.max_bytes,
        allow_external_refs=request.allow_external_refs,
    )
    document, contract = opened.document, opened.contract
    warnings = [opened.warning] if opened.warning else []
    if not contract.operations:
        raise MockError("MOCK002", "the contract has no operations to serve", document.root.display)
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    timing = Timing(request.first_event_ms, request.event_interval_ms)
    app = build_app(contract, document, MockOptions(seed=seed, timing=timing))
    return PreparedMock(app, seed, len(contract.operations), warnings)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound and listening on the address, or MOCK001."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise MockError("MOCK001", f"cannot listen on {host}:{port}: {error}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        raise MockError("MOCK001", f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def mock_command(request: MockRequest) -> int:
    """Serve until interrupted; 0 after a clean shutdown. Bad input raises ContractgenError."""
    import uvicorn

    prepared = prepare(request)
    sock = listen(request.host, request.port)
    for warning in prepared.warnings:
        print(warning, file=sys.stderr)
    _configure_log()
    port = sock.getsockname()[1]
    shown = f"[{request.host}]" if ":" in request.host else request.host
    print(
        f"contractgen mock: {prepared.operations} operations of {printable(request.spec)} on "
        f"http://{shown}:{port} (seed {prepared.seed})",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(
        prepared.app, log_level="warning", access_log=False, lifespan="off", ws=_websocket_impl()
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _websocket_impl() -> str:
    """uvicorn's sans-I/O websockets protocol where websockets is installed (the older one is
    deprecated), else whatever uvicorn finds (wsproto, or no WebSocket support)."""
    import importlib.util

    return "websockets-sansio" if importlib.util.find_spec("websockets") else "auto"


def _configure_log() -> None:
    """The request lines on stderr, one per request, as plain text; the runtime's warnings too
    (a stream ended with an error code, a refused WebSocket message)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    for name, level in (
        ("contractgen.mock", logging.INFO),
        ("contractgen.service", logging.WARNING),
    ):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, "_contractgen_mock", False)]:
            logger.removeHandler(old)
        handler._contractgen_mock = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
