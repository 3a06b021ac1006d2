"""Structural comparison of two JSON Schemas, in the direction data flows.

Request-side schemas are contravariant: the new schema must accept everything the old one
accepted (widening is safe, narrowing breaks clients). Response-side schemas are covariant:
the new schema may produce only what the old one could (narrowing is safe, widening may
break clients). Schemas are compared through `$ref`, `allOf`, `oneOf`, `anyOf`,
discriminators and recursion; each pair of component schemas is compared once per
direction, and its changes are reported once with every operation that reaches it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.model.contract import Contract
    from contractgen.model.schema import Schema
    from contractgen.report.finding import Finding


class Direction(StrEnum):
    REQUEST = "request"
    """Data the client sends: the new schema must accept all the old one did."""
    RESPONSE = "response"
    """Data the client receives: the new schema must produce only what the old one could."""


class SchemaDiff:
    """Compares schemas for one pair of contracts; `findings()` once every compare is made."""

    def __init__(self, old: Contract, new: Contract) -> None:
        self.old = old
        self.new = new

    def compare(
        self,
        old: Schema | None,
        new: Schema | None,
        *,
        direction: Direction,
        scope: str,
        label: str,
    ) -> None:
        """Record the changes from `old` to `new` as `scope` (an operation key) uses them.

        `label` names the schema where it is not a component, as the first step of each
        finding's schema path: `request body`, `response 200`, `query parameter limit`,
        `event delta`. A schema that is a component is named by its component name instead.
        """
        raise NotImplementedError

    def findings(self) -> list[Finding]:
        """Every change recorded, one finding each, scoped to the operations reaching it."""
        return []  # until the schema comparator lands, nothing is recorded
