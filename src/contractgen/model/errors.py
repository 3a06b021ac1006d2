"""The error catalogue: one per document, shared by problem bodies and stream error events."""

from __future__ import annotations

from dataclasses import dataclass, field

from contractgen.location import Location

PRE_STREAM = "pre_stream"
MID_STREAM = "mid_stream"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    status: int | None
    retryable: bool | None
    location: Location
    retry_after: str | None = None
    """`required`, `optional` or `none`: whether responses carry `Retry-After`."""
    phases: tuple[str, ...] = (PRE_STREAM,)
    limit: str | None = None
    """The limit this code enforces, as a limit path such as `request.maxBytes`."""
    description: str | None = None
    title: str | None = None
    """A short human-readable summary: a problem body's `title`."""


@dataclass(frozen=True, slots=True)
class ErrorCatalog:
    location: Location
    format: str = "problem+json"
    type_base: str | None = None
    extensible: bool = False
    codes: dict[str, ErrorCode] = field(default_factory=dict)

    def for_limit(self, limit_path: str) -> list[ErrorCode]:
        """Codes enforcing a limit path or a parent of it: `rateLimits` covers `rateLimits.rpm`."""
        return [
            code
            for code in self.codes.values()
            if code.limit is not None
            and (limit_path == code.limit or limit_path.startswith(code.limit + "."))
        ]
