"""One pair of schema nodes under comparison, and what the keyword checks may do with it.

A check reads `pair.old` and `pair.new` (the two `View`s), reports a change with
`pair.report(rule, text, old_at, new_at)` and compares subschemas with `pair.descend(...)`;
the comparator (`diff/schema.py`) decides where each finding belongs and whom it reaches.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from contractgen.printable import printable

if TYPE_CHECKING:
    from contractgen.diff.registry import DiffRule
    from contractgen.diff.schema_view import Side, View
    from contractgen.location import Location
    from contractgen.model.schema import Schema
    from contractgen.report.finding import Level


class Direction(StrEnum):
    REQUEST = "request"
    """Data the client sends: the new schema must accept all the old one did."""
    RESPONSE = "response"
    """Data the client receives: the new schema must produce only what the old one could."""


MAX_SHOWN_STEPS = 120
"""A longer path is shown with its middle elided."""
NodeKey = tuple[Hashable, Hashable, Direction]
"""What a change is attributed to: the old and new definitions holding it, and the direction."""


@dataclass(frozen=True, slots=True)
class SchemaPath:
    """How a finding names a place in a schema: `ChatRequest/messages/items/role`.

    The root is a component name (`named`) or the caller's label for an inline schema
    (`request body`, `query parameter limit`).
    """

    root: str
    named: bool
    steps: str = ""

    def child(self, step: str | None) -> SchemaPath:
        if not step:
            return self
        return SchemaPath(self.root, self.named, f"{self.steps}/{step}")

    def __str__(self) -> str:
        steps = self.steps
        if len(steps) > MAX_SHOWN_STEPS:
            cut = MAX_SHOWN_STEPS // 3
            steps = steps[:cut] + "/.../" + steps[cut - MAX_SHOWN_STEPS :].split("/", 1)[-1]
        if self.named:
            return f"`{printable(self.root + steps)}`"
        inner = f" `{printable(steps[1:])}`" if steps else ""
        return printable(self.root) + inner


class Walker(Protocol):
    def descend(
        self,
        pair: Pair,
        old: Schema,
        new: Schema,
        path: SchemaPath,
        nullable_done: bool,
    ) -> None: ...

    def report(
        self,
        pair: Pair,
        rule: DiffRule,
        message: str,
        old_at: Location,
        new_at: Location,
        level: Level | None,
    ) -> None: ...


@dataclass(slots=True)
class Pair:
    walker: Walker
    direction: Direction
    old_side: Side
    new_side: Side
    old_schema: Schema
    new_schema: Schema
    old: View
    new: View
    path: SchemaPath
    node: NodeKey
    depth: int
    """How deep inline this pair sits below the last one queued."""
    nullable_done: bool = False
    """`null` was compared already (the plain side of a union compared branch by branch)."""

    @property
    def request(self) -> bool:
        return self.direction is Direction.REQUEST

    def descend(
        self,
        old: Schema | None,
        new: Schema | None,
        step: str | None,
        *,
        nullable_done: bool = False,
        path: SchemaPath | None = None,
    ) -> None:
        """Compare two subschemas, named `step` below this pair (or at `path`)."""
        if old is not None and new is not None:
            where = path if path is not None else self.path.child(step)
            self.walker.descend(self, old, new, where, nullable_done)

    def report(
        self,
        rule: DiffRule,
        text: str,
        old_at: Location,
        new_at: Location,
        *,
        level: Level | None = None,
        path: SchemaPath | None = None,
    ) -> None:
        """Report a change: `text` says what changed and why it matters, after the path."""
        where = path if path is not None else self.path
        self.walker.report(self, rule, f"{where}: {text}", old_at, new_at, level)

    def old_subschema(self, value: Any, at: Location) -> Schema | None:
        return self.old_side.schema(value, at)

    def new_subschema(self, value: Any, at: Location) -> Schema | None:
        return self.new_side.schema(value, at)
