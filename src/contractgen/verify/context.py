"""What every check of a run shares: the contract, its schemas, and the findings so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contractgen.location import Location
from contractgen.report.finding import Finding, Level
from contractgen.verify.plan import Compiled, HttpRequest, Schemas

if TYPE_CHECKING:
    from contractgen.load.document import Document
    from contractgen.model.contract import Contract, Operation
    from contractgen.verify.rules import VerifyRule


@dataclass
class Samples:
    """Latency of one streaming operation, in milliseconds."""

    first_event_ms: list[float] = field(default_factory=list)
    duration_ms: list[float] = field(default_factory=list)
    events: int = 0
    """Events read (and checked) over all of this operation's streams."""


@dataclass
class Run:
    contract: Contract
    document: Document
    schemas: Schemas
    hidden_headers: tuple[str, ...] = ()
    """Lower-case names of `--header`s whose values a curl command elides (credentials)."""
    timeout: float = 30.0
    quiet_seconds: float = 1.0
    """A WebSocket session ends when the server has sent nothing for this long."""
    findings: list[Finding] = field(default_factory=list)
    latency: dict[str, Samples] = field(default_factory=dict)

    def report(
        self,
        rule: VerifyRule,
        op: Operation,
        location: Location,
        message: str,
        request: HttpRequest | None = None,
        *,
        level: Level | None = None,
    ) -> None:
        text = f"{op.key}: {message}"
        if request is not None:
            text += f"; request: {request.curl(hidden=self.hidden_headers)}"
        self.findings.append(
            rule.finding(self.locate(location), text, scope=(op.key,), level=level)
        )

    def locate(self, location: Location) -> Location:
        try:
            return self.document.locate(location)
        except (KeyError, ValueError, IndexError, TypeError):
            return location

    def compile(self, schema: object) -> Compiled | None:
        from contractgen.model.schema import Schema

        return self.schemas.compile(schema) if isinstance(schema, Schema) else None

    def samples(self, op: Operation) -> Samples:
        return self.latency.setdefault(op.key, Samples())
