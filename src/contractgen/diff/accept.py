"""Accepting known changes: ignore entries, from `--ignore FILE` and the configuration.

An entry names a rule, an operation or a pointer (one or more; all it names must match) and
says why the change is accepted. Until an optional `until` date has passed, the changes it
matches are left out of the report and the exit status, and counted as accepted; after it,
the entry no longer applies and is reported once, so that it is renewed or removed.

- `rule`: a diff rule (its id, its name or an oasdiff id, resolved when the entry is read).
- `operation`: `POST /v1/chat` or an operationId, of either document. It matches a change
  that reaches that operation only: a change to a shared component that other operations use
  as well still breaks them, so it stays reported (accept it by its pointer).
- `pointer`: a JSON Pointer; it matches a change at or below it, on either side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractgen.model.contract import HTTP_METHODS

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping, Sequence

    from contractgen.model.contract import Contract
    from contractgen.report.finding import Finding


@dataclass(frozen=True, slots=True)
class AcceptedChange:
    """One ignore entry, as read from the file (`source` says where it is written)."""

    reason: str
    source: str
    """`file:line:col`, or the file and the entry's key where the format keeps no positions."""
    rule: str | None = None
    """A diff rule id."""
    operation: str | None = None
    """`METHOD /path` (method upper-cased) or an operationId, as written."""
    pointer: str | None = None
    until: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        """Whether the entry no longer applies: its `until` day has passed."""
        return self.until is not None and self.until < today


def operation_key(text: str) -> str:
    """`post /v1/chat` -> `POST /v1/chat`; anything else (an operationId) unchanged."""
    method, _, path = text.strip().partition(" ")
    if method.lower() in HTTP_METHODS and path.strip().startswith("/"):
        return f"{method.upper()} {path.strip()}"
    return text


@dataclass(frozen=True, slots=True)
class Acceptance:
    """The entries that apply today, and those that have expired."""

    entries: tuple[AcceptedChange, ...]
    expired: tuple[AcceptedChange, ...]

    @classmethod
    def of(cls, entries: Iterable[AcceptedChange], today: datetime.date) -> Acceptance:
        listed = tuple(entries)
        return cls(
            tuple(entry for entry in listed if not entry.expired(today)),
            tuple(entry for entry in listed if entry.expired(today)),
        )

    def split(
        self, findings: Sequence[Finding], old: Contract, new: Contract
    ) -> tuple[list[Finding], list[Finding]]:
        """The findings no entry accepts, and those one does."""
        if not self.entries:
            return list(findings), []
        operations = _operation_ids(old, new)
        kept: list[Finding] = []
        accepted: list[Finding] = []
        for finding in findings:
            matched = any(_matches(entry, finding, operations) for entry in self.entries)
            (accepted if matched else kept).append(finding)
        return kept, accepted


def _operation_ids(old: Contract, new: Contract) -> dict[str, set[str]]:
    """operationId -> the keys of the operations carrying it, in either document."""
    keys: dict[str, set[str]] = {}
    for contract in (old, new):
        for operation in contract.operations:
            if operation.operation_id is not None:
                keys.setdefault(operation.operation_id, set()).add(operation.key)
    return keys


def _matches(entry: AcceptedChange, finding: Finding, operations: Mapping[str, set[str]]) -> bool:
    if entry.rule is not None and entry.rule != finding.rule_id:
        return False
    if entry.operation is not None and not _reaches_only(entry.operation, finding, operations):
        return False
    return entry.pointer is None or _at_or_below(entry.pointer, finding)


def _reaches_only(operation: str, finding: Finding, operations: Mapping[str, set[str]]) -> bool:
    """Whether every operation the change reaches is the one the entry names."""
    named = {operation, *operations.get(operation, ())}
    return bool(finding.scope) and all(key in named for key in finding.scope)


def _at_or_below(pointer: str, finding: Finding) -> bool:
    prefix = pointer.rstrip("/")
    sides = [finding.location, *([finding.before] if finding.before is not None else [])]
    return any(side.pointer == prefix or side.pointer.startswith(prefix + "/") for side in sides)
