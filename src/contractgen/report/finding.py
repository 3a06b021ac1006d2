"""The one shape every command reports and every reporter reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from contractgen.location import Location


class Level(StrEnum):
    """How much a finding matters. `breaking` is diff's name for the top rank: a change that
    breaks existing clients; it ranks with `error` (SARIF `error`, fails by default)."""

    BREAKING = "breaking"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2, Level.BREAKING: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, at one place, found by one rule."""

    rule_id: str
    level: Level
    message: str
    location: Location
    related: tuple[Location, ...] = field(default=())
    before: Location | None = None
    """For a change between two documents: where the changed thing sits in the old one
    (`location` is in the new one, or its nearest surviving parent for a removal)."""
    scope: tuple[str, ...] = ()
    """What the finding reaches, such as the operations (`POST /chat`) a changed shared
    component is used by; reporters group by its first entry."""

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines and SARIF: independent of line numbers.

        A change between two documents is also identified by where it was in the old one
        (its pointer only: the old side's file name differs between a file and `REV:path`).
        """
        parts = [self.rule_id, self.location.file, self.location.pointer, self.message]
        if self.before is not None:
            parts.append(self.before.pointer)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.rule_id, self.message)
