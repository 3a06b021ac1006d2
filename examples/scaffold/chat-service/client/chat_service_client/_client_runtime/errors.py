# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""Typed errors: one class per catalogue code, whichever way the code arrived.

A code reaches the client either as an RFC 9457 `application/problem+json` response (before a
stream starts) or as a stream's terminal error event `{code, message, retryable, status?,
retry_after_ms?}` (after). Both become the same `ApiError` subclass, looked up in the
`ErrorCatalogue`; a code the catalogue does not know becomes the class for its status
(`ApiClientError` for 4xx, `ApiServerError` for 5xx), as an extensible catalogue asks.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
PRE_STREAM = "pre_stream"
MID_STREAM = "mid_stream"
DEFAULT_RETRYABLE_STATUSES = frozenset({429, 503})
"""Retryable when the server said nothing about it (no problem body, no catalogue entry)."""


class ClientRuntimeError(Exception):
    """The base of every error this library raises."""


class ApiError(ClientRuntimeError):
    """The server answered with an error code, as a problem response or an error event.

    Subclasses set the class attributes `code`, `status` and `retryable` from the catalogue;
    an instance carries what the server actually said.
    """

    code: str | None = None
    status: int = 0
    retryable: bool = False

    def __init__(
        self,
        *,
        status: int,
        code: str | None,
        title: str | None = None,
        detail: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
        phase: str = PRE_STREAM,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        if retryable is not None:
            self.retryable = retryable
        self.retry_after = retry_after
        """Seconds to wait before retrying, from `Retry-After` or the event's `retry_after_ms`."""
        self.request_id = request_id
        self.problem: dict[str, Any] = dict(problem or {})
        """The problem body, or the error event's fields."""
        self.phase = phase
        """`pre_stream` (a problem response) or `mid_stream` (an error event)."""
        super().__init__(self._summary())

    def _summary(self) -> str:
        text = f"{self.status} {self.code or 'error'}"
        what = self.detail or self.title
        if what:
            text += f": {what}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text


class ApiClientError(ApiError):
    """A 4xx code (or one the catalogue does not know with a 4xx status)."""


class ApiServerError(ApiError):
    """A 5xx code (or one the catalogue does not know with a 5xx status)."""


class StreamTruncated(ClientRuntimeError):
    """The stream ended (or the connection dropped) before its terminal event."""

    def __init__(
        self, events_seen: int, last_event_id: str | None, reason: str = "the body ended"
    ) -> None:
        self.events_seen = events_seen
        self.last_event_id = last_event_id
        self.reason = reason
        where = f", last event id {last_event_id!r}" if last_event_id is not None else ""
        super().__init__(
            f"The stream ended without its terminal event ({reason}) "
            f"after {events_seen} event(s){where}."
        )


class StreamTimeout(StreamTruncated):
    """The stream ran past its deadline (the contract's maxDurationSeconds plus a margin)."""


class ProtocolViolation(ClientRuntimeError):
    """The server sent something its contract does not allow (bad JSON, an invalid event)."""


class CircuitOpen(ClientRuntimeError):
    """The operation's circuit breaker is open: the call was not sent."""

    def __init__(self, operation_id: str, remaining: float) -> None:
        self.operation_id = operation_id
        self.remaining = remaining
        """Seconds until a probe call is let through (0 while a probe is in flight)."""
        super().__init__(
            f"{operation_id}: the circuit is open after repeated failures; "
            f"retry in {remaining:.3g} s."
        )


class ConnectionClosedByServer(ClientRuntimeError):
    """The server closed the WebSocket with a code other than a normal close."""

    def __init__(self, code: int | None, reason: str, name: str | None) -> None:
        self.code = code
        self.reason = reason
        self.name = name
        """The close code's name in the contract (`message_too_big`, ...), when declared."""
        label = f" ({name})" if name else ""
        super().__init__(f"The server closed the connection: {code}{label} {reason}".rstrip())


def _class_name(code: str) -> str:
    words = [word for word in re.split(r"[^0-9A-Za-z]+", code) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words) or "Api"
    if name[0].isdigit():
        name = "Code" + name
    return name if name.endswith("Error") else name + "Error"


class ErrorCatalogue:
    """Catalogue code -> exception class.

    Built from declared subclasses (`ErrorCatalogue.of(RateLimitedError, ...)`, what a
    generated client writes) or from plain entries (`ErrorCatalogue.from_entries([("rate_limited",
    429, True)])`, which creates the classes).
    """

    def __init__(self, classes: Iterable[type[ApiError]] = ()) -> None:
        self._classes: dict[str, type[ApiError]] = {}
        for cls in classes:
            self.register(cls)

    @classmethod
    def of(cls, *classes: type[ApiError]) -> ErrorCatalogue:
        return cls(classes)

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, int, bool]]) -> ErrorCatalogue:
        catalogue = cls()
        for code, status, retryable in entries:
            catalogue.define(code, status, retryable)
        return catalogue

    def define(self, code: str, status: int, retryable: bool) -> type[ApiError]:
        """Create (or return) the class for a code."""
        found = self._classes.get(code)
        if found is not None:
            return found
        base = status_class(status)
        attributes = {
            "code": code,
            "status": status,
            "retryable": retryable,
            "__module__": __name__,
        }
        created = type(_class_name(code), (base,), attributes)
        return self.register(created)

    def register(self, cls: type[ApiError]) -> type[ApiError]:
        """Add a declared subclass (usable as a class decorator)."""
        if not cls.code:
            raise ValueError(f"{cls.__name__} declares no code")
        self._classes[cls.code] = cls
        return cls

    def get(self, code: str | None) -> type[ApiError] | None:
        return None if code is None else self._classes.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._classes

    def __iter__(self) -> Iterator[type[ApiError]]:
        return iter(self._classes.values())

    def class_for(self, code: str | None, status: int) -> type[ApiError]:
        return self.get(code) or status_class(status)

    def retryable(self, code: str | None, status: int, said: bool | None) -> bool:
        """The catalogue decides for a code it knows; else what the server said, else the status."""
        cls = self.get(code)
        if cls is not None:
            return cls.retryable
        if said is not None:
            return said
        return status in DEFAULT_RETRYABLE_STATUSES

    def from_problem(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = "",
        retry_after: str | None = None,
        request_id: str | None = None,
    ) -> ApiError:
        """The error for an HTTP error response (a problem body or anything else)."""
        problem: dict[str, Any] = {}
        if body and ("json" in content_type or content_type == ""):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                problem = parsed
        code = _str(problem.get("code"))
        said = problem.get("retryable")
        status_said = problem.get("status")
        if isinstance(status_said, int) and not isinstance(status_said, bool):
            status = status_said if 400 <= status_said < 600 else status
        cls = self.class_for(code, status)
        return cls(
            status=status,
            code=code,
            title=_str(problem.get("title")),
            detail=_str(problem.get("detail")),
            retryable=self.retryable(code, status, said if isinstance(said, bool) else None),
            retry_after=parse_retry_after(retry_after),
            request_id=request_id,
            problem=problem,
            phase=PRE_STREAM,
        )

    def from_event(self, fields: Mapping[str, Any], *, request_id: str | None = None) -> ApiError:
        """The error for a terminal error event's fields (nested under `error` or not)."""
        nested = fields.get("error")
        if "code" not in fields and isinstance(nested, Mapping):
            fields = nested
        code = _str(fields.get("code"))
        cls = self.get(code)
        status = fields.get("status")
        if not isinstance(status, int) or isinstance(status, bool):
            status = cls.status if cls is not None and cls.status else 500
        said = fields.get("retryable")
        wait = fields.get("retry_after_ms")
        retry_after = (
            wait / 1000
            if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0
            else None
        )
        return self.class_for(code, status)(
            status=status,
            code=code,
            detail=_str(fields.get("message")),
            retryable=self.retryable(code, status, said if isinstance(said, bool) else None),
            retry_after=retry_after,
            request_id=request_id,
            problem=dict(fields),
            phase=MID_STREAM,
        )


def status_class(status: int) -> type[ApiError]:
    if 400 <= status < 500:
        return ApiClientError
    if status >= 500:
        return ApiServerError
    return ApiError


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds from now: delay-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
