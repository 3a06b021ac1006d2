"""Find where a JSON Pointer's node starts in block-style YAML, from the text's lines.

Locating findings on Stripe's spec took 0.76 s with PyYAML's composer, which builds a node
for every scalar in the file to answer a few hundred lookups. Real specs are block-style
YAML, where a mapping's keys are the lines at one indentation inside the parent's range
and a sequence's items are its `- ` lines. This index answers from those lines with
compiled regular expressions, and reads only the ranges a pointer passes through.

It answers only what it is sure of. Anything else (a flow collection, anchor or tag on the
way, a quoted key with escapes, tabs, a key it cannot find) raises `Unsupported`, and the
caller asks the composer instead. tests/unit/test_positions.py checks it against the
composer on every node of the real specs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

Position = tuple[int, int]

_FIRST_CONTENT = re.compile(r"^([ \t]*)[^ \t\r\n#]", re.MULTILINE)
#: A plain key ends in a character that is not a space or tab: the lazy part may stop only there,
#: so a long run of spaces is crossed once, not once per space (a 300k-space line took minutes).
_KEY = (
    r"(?P<key>\"[^\"\\\n]*\"|'(?:[^'\n]|'')*'"
    r"|[^\s#'\"\-?&*!|>%@`{\[\]},](?:[^\n]*?[^ \t\n])??|-[^\s](?:[^\n]*?[^ \t\n])??)"
    r"[ \t]*:(?=[ \t\r]|$)(?P<value>[^\n]*)"
)
_KEY_HERE = re.compile(_KEY, re.MULTILINE)
_NOTHING_INLINE = re.compile(r"[ \t\r]*(?:#[^\n]*)?\Z")


class Unsupported(Exception):
    """The text is not plain enough here to answer without a full parse."""


@cache
def _keys_at(indent: int) -> re.Pattern[str]:
    """Lines that hold a mapping key at exactly `indent` spaces."""
    return re.compile(rf"^ {{{indent}}}{_KEY}", re.MULTILINE)


@cache
def _items_at(indent: int) -> re.Pattern[str]:
    """Lines that start a sequence item at exactly `indent` spaces."""
    return re.compile(rf"^ {{{indent}}}-(?=[ \t]|\r?$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _Node:
    """Where a node starts (`offset`, 0-based `column`) and the text range of its content.

    `content` may start in the middle of a line: the mapping of a `- key: value` item starts
    right after its dash. `inline` is true when the value sits on the node's own line, so
    there is nothing below it to descend into.
    """

    offset: int
    column: int
    content: tuple[int, int]
    inline: bool = False


class BlockYamlIndex:
    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._mappings: dict[int, dict[str, _Node]] = {}

    def locate(self, tokens: list[str]) -> Position:
        """1-based line and column where the node at `tokens` starts (a member: its key)."""
        node = self._root()
        for token in tokens:
            if node.inline:
                raise Unsupported("an inline value has no block content to descend into")
            node = self._child(node, token)
        return self._line(node.offset), node.column + 1

    def _root(self) -> _Node:
        end = len(self.text)
        offset, indent = self._first_content(0, end)
        line = self.text[offset : self._line_end(offset)].rstrip("\r")
        if line == "---":
            start = self._line_end(offset) + 1
            offset, indent = self._first_content(start, end)
        elif line.startswith(("---", "%", "{", "[")):
            raise Unsupported("document marker, directive or flow-style root")
        return _Node(offset, indent, (offset, end))

    def _child(self, parent: _Node, token: str) -> _Node:
        start, end = parent.content
        if start >= end:
            raise Unsupported("no content below")
        if not self._at_line_start(start):  # the mapping of a `- key: value` item
            return self._member(start, end, start - self._line_start(start), token)
        offset, indent = self._first_content(start, end)
        if self.text.startswith("-", offset + indent) and _items_at(indent).match(
            self.text, offset
        ):
            return self._item(offset, end, indent, token)
        return self._member(offset, end, indent, token)

    def _member(self, start: int, end: int, indent: int, token: str) -> _Node:
        members = self._mapping(start, end, indent)
        node = members.get(token)
        if node is None:
            raise Unsupported(f"key {token!r} not found by line scan")
        return node

    def _mapping(self, start: int, end: int, indent: int) -> dict[str, _Node]:
        """The block mapping whose first key is at `start`, with its keys at `indent`."""
        cached = self._mappings.get(start)
        if cached is not None:
            return cached
        found: list[tuple[int, str, str]] = []
        scan_from = start
        if not self._at_line_start(start):
            first = _KEY_HERE.match(self.text, start, self._line_end(start))
            if first is None:
                raise Unsupported("item is not a mapping")
            found.append((start, first["key"], first["value"]))
            scan_from = self._line_end(start) + 1
        for match in _keys_at(indent).finditer(self.text, scan_from, end):
            found.append((match.start(), match["key"], match["value"]))
        members: dict[str, _Node] = {}
        for index, (offset, raw_key, value) in enumerate(found):
            key = _key_text(raw_key)
            if key in members:
                raise Unsupported("duplicate key")
            member_end = found[index + 1][0] if index + 1 < len(found) else end
            inline = not _NOTHING_INLINE.match(value)
            column = indent if self._at_line_start(offset) else offset - self._line_start(offset)
            below = min(self._line_end(offset) + 1, member_end)
            members[key] = _Node(offset, column, (below, member_end), inline)
        self._mappings[start] = members
        return members

    def _item(self, start: int, end: int, indent: int, token: str) -> _Node:
        if not token.isdigit():
            raise Unsupported("sequence indexed by a name")
        dashes = [match.start() for match in _items_at(indent).finditer(self.text, start, end)]
        index = int(token)
        if index >= len(dashes):
            raise Unsupported("index past the sequence")
        dash = dashes[index]
        item_end = dashes[index + 1] if index + 1 < len(dashes) else end
        after_dash = dash + indent + 2
        rest = self.text[after_dash : self._line_end(dash)]
        if _NOTHING_INLINE.match(rest):  # the item's content starts on a later line
            offset, column = self._first_content(self._line_end(dash) + 1, item_end)
            return _Node(offset, column, (offset, item_end))
        if rest[0] in "{[&*!|>\"'" or rest[0].isspace():
            raise Unsupported("flow, anchored, tagged, quoted or block-scalar item")
        if _KEY_HERE.match(self.text, after_dash, self._line_end(dash)) is None:
            return _Node(after_dash, indent + 2, (after_dash, item_end), inline=True)
        return _Node(after_dash, indent + 2, (after_dash, item_end))

    # --- text helpers ---------------------------------------------------------------------

    def _first_content(self, start: int, end: int) -> tuple[int, int]:
        """Offset of the first line in range that holds content, and its indentation."""
        found = _FIRST_CONTENT.search(self.text, start, end)
        if found is None:
            raise Unsupported("no content")
        if "\t" in found[1]:
            raise Unsupported("tab indentation")
        return found.start(), len(found[1])

    def _line(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def _line_start(self, offset: int) -> int:
        return self._line_starts[self._line(offset) - 1]

    def _at_line_start(self, offset: int) -> bool:
        return offset == 0 or self.text[offset - 1] == "\n"

    def _line_end(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end


def _key_text(raw: str) -> str:
    if raw.startswith('"'):
        return raw[1:-1]
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    return raw.rstrip()
