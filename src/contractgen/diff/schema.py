"""Structural comparison of two JSON Schemas, in the direction data flows.

Request-side schemas are contravariant: the new schema must accept everything the old one
accepted (widening is safe, narrowing breaks clients). Response-side schemas are covariant:
the new schema may produce only what the old one could (narrowing is safe, widening may
break clients). Schemas are compared through `$ref`, `allOf`, `oneOf`, `anyOf`,
discriminators and recursion; each pair of component schemas is compared once per
direction, and its changes are reported once with every operation that reaches it.

How a change is reported once: every compared pair of schema nodes belongs to a node of a
graph, the pair of definitions (components) holding the two nodes, or the caller's root
schemas for what is written inline. A finding belongs to the node holding the keyword that
changed; an edge records each node reaching another. When every `compare` is made,
`findings()` gives each finding the operations whose roots reach its node.

Why it is fast and bounded: a pair of nodes is compared once per direction (a pair met
again, recursion included, only records the edge); identical nodes are not compared, only
the references inside them are followed; a pair in another definition is queued rather
than recursed into, so the stack is as deep as one definition's inline nesting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from contractgen.diff.schema_pair import Direction as Direction
from contractgen.diff.schema_pair import NodeKey, Pair, SchemaPath
from contractgen.diff.schema_structure import compare_views
from contractgen.diff.schema_view import Side

if TYPE_CHECKING:
    from collections.abc import Iterator

    from contractgen.diff.registry import DiffRule
    from contractgen.location import Location
    from contractgen.model.contract import Contract
    from contractgen.model.schema import Schema
    from contractgen.report.finding import Finding, Level

MAX_INLINE_DEPTH = 64
"""Nesting below which a pair is queued instead of recursed into, whatever it is."""
_ONE_SUBSCHEMA = frozenset(
    {
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
        "contains",
        "propertyNames",
        "contentSchema",
        "not",
        "if",
        "then",
        "else",
    }
)
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})


@dataclass(slots=True)
class _Node:
    parents: set[NodeKey] = field(default_factory=set)
    scopes: int = 0
    """The operations whose compare starts here, as bits of `SchemaDiff._scope_bits`."""
    findings: dict[tuple[str, str, str, str, str], Finding] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Work:
    old: Schema
    new: Schema
    path: SchemaPath
    node: NodeKey
    depth: int
    nullable_done: bool


class SchemaDiff:
    """Compares schemas for one pair of contracts; `findings()` once every compare is made."""

    def __init__(self, old: Contract, new: Contract) -> None:
        self.old = old
        self.new = new
        self._old_side = Side(old)
        self._new_side = Side(new)
        self._seen: set[tuple[str, str, str, str, Direction]] = set()
        self._nodes: dict[NodeKey, _Node] = {}
        self._queue: list[_Work] = []
        self._scope_bits: dict[str, int] = {}

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
        if old is None or new is None:
            return
        root: NodeKey = (
            ("root", old.location.file, old.location.pointer),
            ("root", new.location.file, new.location.pointer),
            direction,
        )
        node = self._nodes.get(root)
        if node is None:
            node = self._nodes[root] = _Node()
        node.scopes |= self._scope_bits.setdefault(scope, 1 << len(self._scope_bits))
        self._schedule(old, new, SchemaPath(label, False), root, 0, False)
        while self._queue:
            self._visit(self._queue.pop())

    def findings(self) -> list[Finding]:
        """Every change recorded, one finding each, scoped to the operations reaching it."""
        reach = self._reach()
        names = sorted(self._scope_bits, key=self._scope_bits.__getitem__)
        found: list[Finding] = []
        for key, node in self._nodes.items():
            if node.findings:
                scope = tuple(sorted(_names(reach.get(key, 0), names)))
                found.extend(replace(finding, scope=scope) for finding in node.findings.values())
        return found

    # --- walking ---------------------------------------------------------------------------

    def descend(
        self, pair: Pair, old: Schema, new: Schema, path: SchemaPath, nullable_done: bool
    ) -> None:
        self._schedule(old, new, path, pair.node, pair.depth + 1, nullable_done)

    def report(
        self,
        pair: Pair,
        rule: DiffRule,
        message: str,
        old_at: Location,
        new_at: Location,
        level: Level | None,
    ) -> None:
        """Record a finding on the node holding both changed keywords (reached from `pair`'s)."""
        key = self._node_key(old_at, new_at, pair.node)
        node = self._node(key, pair.node)
        identity = (rule.id, new_at.file, new_at.pointer, old_at.file, old_at.pointer)
        if identity not in node.findings:
            node.findings[identity] = rule.change(message, new=new_at, old=old_at, level=level)

    def _node_key(self, old: Location, new: Location, parent: NodeKey) -> NodeKey:
        """The definitions holding two locations; one written inline keeps the parent's."""
        old_unit, new_unit = self._old_side.unit(old), self._new_side.unit(new)
        return (
            old_unit.key if old_unit is not None else parent[0],
            new_unit.key if new_unit is not None else parent[1],
            parent[2],
        )

    def _node(self, key: NodeKey, parent: NodeKey) -> _Node:
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = _Node()
        if key != parent:
            node.parents.add(parent)
        return node

    def _schedule(
        self,
        old: Schema,
        new: Schema,
        path: SchemaPath,
        parent: NodeKey,
        depth: int,
        nullable_done: bool,
    ) -> None:
        """Compare a pair once per direction: now if it is in the parent's node, else later."""
        if old.value is None or new.value is None:
            return
        old_at, new_at = old.value_location, new.value_location
        key = self._node_key(old_at, new_at, parent)
        self._node(key, parent)
        seen = (old_at.file, old_at.pointer, new_at.file, new_at.pointer, parent[2])
        if seen in self._seen:
            return
        self._seen.add(seen)
        crossed = new.ref is not None and new_at != new.location
        unit = self._new_side.unit(new_at) if crossed else None
        if unit is not None:
            path = SchemaPath(unit.name, True)
        if key != parent or depth > MAX_INLINE_DEPTH:
            self._queue.append(_Work(old, new, path, key, 0, nullable_done))
        else:
            self._visit(_Work(old, new, path, key, depth, nullable_done))

    def _visit(self, work: _Work) -> None:
        old, new = work.old, work.new
        if old.value == new.value:
            self._follow_references(work)
            return
        pair = Pair(
            self,
            work.node[2],
            self._old_side,
            self._new_side,
            old,
            new,
            self._old_side.view(old),
            self._new_side.view(new),
            work.path,
            work.node,
            work.depth,
            work.nullable_done,
        )
        compare_views(pair)

    def _follow_references(self, work: _Work) -> None:
        """Two identical nodes differ only where their references lead: compare those."""
        for value, tokens in _references(work.old.value):
            old = self._old_side.schema(value, work.old.value_location.child(*tokens))
            new = self._new_side.schema(value, work.new.value_location.child(*tokens))
            if old is not None and new is not None:
                self._schedule(old, new, work.path, work.node, work.depth + 1, False)

    # --- reach -----------------------------------------------------------------------------

    def _reach(self) -> dict[NodeKey, int]:
        """The scopes reaching each node with findings, through every path of parents.

        Tarjan's algorithm over the parent edges finds the strongly connected parts (the
        recursive schemas) with every part's ancestors before it, so one pass of unions
        suffices.
        """
        index: dict[NodeKey, int] = {}
        low: dict[NodeKey, int] = {}
        stack: list[NodeKey] = []
        on_stack: set[NodeKey] = set()
        reach: dict[NodeKey, int] = {}
        for start, node in self._nodes.items():
            if node.findings and start not in index:
                self._strong_parts(start, index, low, stack, on_stack, reach)
        return reach

    def _strong_parts(
        self,
        start: NodeKey,
        index: dict[NodeKey, int],
        low: dict[NodeKey, int],
        stack: list[NodeKey],
        on_stack: set[NodeKey],
        reach: dict[NodeKey, int],
    ) -> None:
        def enter(key: NodeKey) -> Iterator[NodeKey]:
            index[key] = low[key] = len(index)
            stack.append(key)
            on_stack.add(key)
            return iter(self._nodes[key].parents)

        work = [(start, enter(start))]
        while work:
            key, parents = work[-1]
            for parent in parents:
                if parent not in index:
                    work.append((parent, enter(parent)))
                    break
                if parent in on_stack:
                    low[key] = min(low[key], index[parent])
            else:
                work.pop()
                if work:
                    child = work[-1][0]
                    low[child] = min(low[child], low[key])
                if low[key] == index[key]:
                    self._settle_part(key, stack, on_stack, reach)

    def _settle_part(
        self, root: NodeKey, stack: list[NodeKey], on_stack: set[NodeKey], reach: dict[NodeKey, int]
    ) -> None:
        members = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            members.append(member)
            if member == root:
                break
        bits = 0
        for member in members:
            node = self._nodes[member]
            bits |= node.scopes
            for parent in node.parents:
                bits |= reach.get(parent, 0)
        for member in members:
            reach[member] = bits


def _names(bits: int, names: list[str]) -> Iterator[str]:
    while bits:
        lowest = bits & -bits
        yield names[lowest.bit_length() - 1]
        bits ^= lowest


def _references(value: Any) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """The `$ref` objects among a schema's subschemas (not in examples), with their paths."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, tokens = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("$ref"), str):
            yield node, tokens
            continue
        for keyword, item in node.items():
            if keyword in _ONE_SUBSCHEMA or (keyword == "items" and isinstance(item, dict)):
                stack.append((item, (*tokens, keyword)))
            elif (keyword in _SUBSCHEMA_LISTS or keyword == "items") and isinstance(item, list):
                stack.extend((sub, (*tokens, keyword, i)) for i, sub in enumerate(item))
            elif keyword in _SUBSCHEMA_MAPS and isinstance(item, dict):
                stack.extend((sub, (*tokens, keyword, name)) for name, sub in item.items())
