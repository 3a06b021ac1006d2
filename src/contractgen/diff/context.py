"""What every comparator reads: both contracts, their documents, and the operations paired.

Operations pair by method and path template, with path parameter names ignored
(`/a/{id}` and `/a/{item_id}` are one URL to a client). The one `SchemaDiff` is shared, so a
shared component compared from many places is compared, and reported, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contractgen.location import Location, join_pointer, split_pointer

if TYPE_CHECKING:
    from contractgen.diff.schema import SchemaDiff
    from contractgen.load.document import Document
    from contractgen.model.contract import Contract, Operation

_PATH_PARAMETER = re.compile(r"\{[^{}/]*\}")


def path_shape(path: str) -> str:
    """A path template with its parameter names blanked: `/a/{id}` -> `/a/{}`."""
    return _PATH_PARAMETER.sub("{}", path.rstrip("/") or "/")


@dataclass(frozen=True, slots=True)
class OperationPair:
    old: Operation
    new: Operation

    @property
    def key(self) -> str:
        """The operation as the new contract names it (`POST /v1/chat`)."""
        return self.new.key


@dataclass(slots=True)
class DiffContext:
    old: Contract
    new: Contract
    old_document: Document
    new_document: Document
    schemas: SchemaDiff
    pairs: list[OperationPair] = field(default_factory=list)
    removed: list[Operation] = field(default_factory=list)
    """Operations of the old contract with no counterpart in the new one."""
    added: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pairs, self.removed, self.added = pair_operations(
            self.old.operations, self.new.operations
        )

    def surviving(self, old: Location) -> Location:
        """Where a removed thing would sit in the new document: its nearest surviving parent.

        The old pointer is followed in the new root file as far as it exists; a location in
        another file of the old document maps to the new root.
        """
        root = self.new_document.root
        if old.file != self.old_document.root.display:
            return root.location()
        tokens = split_pointer(old.pointer)
        node = root.data
        kept: list[str] = []
        for token in tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                break
            kept.append(token)
        return root.location(join_pointer(kept))


def pair_operations(
    old: tuple[Operation, ...], new: tuple[Operation, ...]
) -> tuple[list[OperationPair], list[Operation], list[Operation]]:
    """Pair operations by method and path; a path parameter rename keeps the pair.

    The exact path pairs first; then the path shape (parameter names blanked), for what is
    left, when it is unambiguous on both sides.
    """
    by_key = {op.key: op for op in new}
    pairs: list[OperationPair] = []
    unmatched_old: list[Operation] = []
    for op in old:
        partner = by_key.pop(op.key, None)
        if partner is None:
            unmatched_old.append(op)
        else:
            pairs.append(OperationPair(op, partner))
    by_shape: dict[tuple[str, str], list[Operation]] = {}
    for op in by_key.values():
        by_shape.setdefault((op.method, path_shape(op.path)), []).append(op)
    old_shapes: dict[tuple[str, str], int] = {}
    for op in unmatched_old:
        shape = (op.method, path_shape(op.path))
        old_shapes[shape] = old_shapes.get(shape, 0) + 1
    removed: list[Operation] = []
    for op in unmatched_old:
        shape = (op.method, path_shape(op.path))
        candidates = by_shape.get(shape, [])
        if len(candidates) == 1 and old_shapes[shape] == 1:
            partner = candidates.pop()
            del by_key[partner.key]
            pairs.append(OperationPair(op, partner))
        else:
            removed.append(op)
    return pairs, removed, list(by_key.values())
