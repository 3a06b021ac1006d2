# Created by contractgen from chat-service.yaml, once.
# This file is yours: contractgen never rewrites it.
"""Your service: implement the contract's operations here.

Override the methods of `Service` (service.py lists every one, with its typed inputs).
An operation you leave alone answers 501 `not_implemented` in the contract's problem shape.

- Return a model for a JSON answer.
- Return an async iterator of the stream's events (see streams.py) to stream: the runtime
  frames them, sends heartbeats, ends the stream with exactly one terminal event, enforces
  its time limits and closes your iterator when the client goes away. Its `finally` then
  runs while being cancelled: wrap an `await` there in `anyio.CancelScope(shield=True)`.
- For a WebSocket, return an async iterator of server messages that reads the client's
  messages; both are validated against the contract.
- Raise `ContractError("code", "detail")` to answer with a code of the contract's catalogue.
"""

from __future__ import annotations

from .service import Service


class Implementation(Service):
    """The operations this service serves."""
