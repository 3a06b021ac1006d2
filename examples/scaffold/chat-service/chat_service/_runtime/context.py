# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""What a service method learns about the request besides its typed inputs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    """Accepted from `X-Request-ID` or generated; echoed on the response and in every log line."""
    operation_id: str
    partition_key: str
    """The key limits are counted against (API key, bearer token or client address), hashed."""
    last_event_id: str | None = None
    """`Last-Event-ID` on a reconnect, where the stream declares `resume`."""


class ContractError(Exception):
    """Raised by a service to answer with a catalogue code (a problem, or a terminal error event).

    Only `code` and `detail` reach the client; anything else raised becomes `internal_error`
    with a generic message, and the exception is logged, not sent.
    """

    def __init__(self, code: str, detail: str | None = None, *, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


class NotImplementedOperation(ContractError):
    """What the generated service base raises until the user implements an operation (501)."""

    def __init__(self, operation_id: str):
        super().__init__("not_implemented", f"{operation_id} is not implemented yet.")
        self.operation_id = operation_id
