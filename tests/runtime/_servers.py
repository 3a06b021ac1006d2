"""A FastAPI (any ASGI) app under a real uvicorn server, for tests that need real sockets.

In-process transports hide what the runtime must get right on the wire: chunks flushed as
they are sent, a client that goes away, a server that notices. The server runs in a thread
of the test process, so a test can share events and counters with the app it serves.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def run_app(app: Any, *, startup_timeout: float = 10.0, **config: Any) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and a free port until the block ends; yields the base URL.

    `config` goes to `uvicorn.Config` (e.g. `ws_ping_interval=0.5`).
    """
    port = free_port()
    settings: dict[str, Any] = {"log_level": "warning", "lifespan": "off", **config}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **settings))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn exited before it started")
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start within {startup_timeout} s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
