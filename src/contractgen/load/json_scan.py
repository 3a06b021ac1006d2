"""Find where a JSON Pointer's node starts by scanning the JSON text, in bounded memory.

tree-sitter (`positions.JsonPositions`) builds a node for every token of the file: about
10 bytes per byte of a real spec, but 145 for a file of small numbers, so one finding in a
50 MB single-line JSON cost 3.5 GB. This index reads only the containers a pointer passes
through: it skips a value's strings and nested values with regular expressions, keeps the
key offsets of each object it has read, and every `_ITEM_STRIDE`-th item offset of each
array. Lines are counted between offsets already placed, so a long single line costs
nothing more. It answers exactly as `JsonPositions` does (tests/unit/test_positions.py
compares them on the corpus), for text that `json.loads` accepted.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right, insort

Position = tuple[int, int]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
#: Everything up to the next bracket outside a string, strings included.
_NO_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+')
_SCALAR = re.compile(r"[^\s,\]}]*")
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[{}\[\]]')
#: An array remembers the offset of every this-many-th item it has been read up to.
_ITEM_STRIDE = 64


class JsonScanPositions:
    def __init__(self, text: str) -> None:
        self._text = text
        self._members: dict[int, dict[str, int]] = {}
        self._items: dict[int, list[int]] = {}
        self._lines = _LineCounter(text)

    def locate(self, tokens: list[str]) -> Position:
        """1-based line and column of the node at `tokens`, or of its deepest existing ancestor.

        A member is located at its key, as in `JsonPositions`.
        """
        node = self._skip_whitespace(0)
        if node >= len(self._text):
            return 1, 1
        anchor = node
        for token in tokens:
            kind = self._text[node]
            if kind == "{":
                key = self._object(node).get(token)
                if key is None:
                    break
                anchor, node = key, self._value_of_member(key)
            elif kind == "[" and token.isdigit():
                item = self._item(node, int(token))
                if item is None:
                    break
                anchor = node = item
            else:
                break
        return self._lines.position(anchor)

    def find_duplicate_key(self, key: str) -> tuple[int | None, int | None]:
        """Where `key` repeats in the first object to close with it twice (for LOAD007).

        That is the object json.loads refused: its hook sees objects as they close.
        """
        open_containers: list[tuple[set[str], list[int]] | None] = []  # None for an array
        for token in _TOKEN.finditer(self._text):
            found = token[0]
            if found in "{[":
                open_containers.append((set(), []) if found == "{" else None)
            elif found in "}]":
                closed = open_containers.pop() if open_containers else None
                if closed is not None and closed[1]:
                    return self._lines.position(closed[1][0])
            else:
                container = open_containers[-1] if open_containers else None
                after = self._skip_whitespace(token.end())
                if container is not None and self._text.startswith(":", after):
                    name = _decode(found)
                    if name == key and name in container[0]:
                        container[1].append(token.start())
                    container[0].add(name)
        return None, None

    # --- containers -----------------------------------------------------------------------

    def _object(self, start: int) -> dict[str, int]:
        """Key -> offset of the key, for the object at `start` (read once)."""
        members = self._members.get(start)
        if members is not None:
            return members
        members = {}
        text = self._text
        position: int | None = self._skip_whitespace(start + 1)
        while position is not None and text.startswith('"', position):
            key = _STRING.match(text, position)
            if key is None:
                break
            members.setdefault(_decode(key[0]), position)
            position = self._after_value(self._value_of_member(position))
        self._members[start] = members
        return members

    def _item(self, start: int, index: int) -> int | None:
        """Offset of item `index` of the array at `start`, resuming from the nearest stride."""
        strides = self._items.get(start)
        if strides is None:
            first = self._skip_whitespace(start + 1)
            if self._text.startswith("]", first):
                return None
            strides = self._items[start] = [first]
        reached = min(index // _ITEM_STRIDE, len(strides) - 1)
        position: int | None = strides[reached]
        current = reached * _ITEM_STRIDE
        while current < index and position is not None:
            position = self._after_value(position)
            current += 1
            if position is not None and current == len(strides) * _ITEM_STRIDE:
                strides.append(position)
        return position

    # --- text -------------------------------------------------------------------------------

    def _value_of_member(self, key: int) -> int:
        """Offset of the value of the member whose key starts at `key`."""
        found = _STRING.match(self._text, key)
        end = found.end() if found is not None else key
        colon = self._skip_whitespace(end)
        return self._skip_whitespace(colon + 1)

    def _after_value(self, value: int) -> int | None:
        """Offset of the next sibling after the value at `value`, or None at the container's end."""
        position = self._skip_whitespace(self._end_of(value))
        if not self._text.startswith(",", position):
            return None
        return self._skip_whitespace(position + 1)

    def _end_of(self, value: int) -> int:
        text = self._text
        if text.startswith('"', value):
            found = _STRING.match(text, value)
            return found.end() if found is not None else len(text)
        if not text.startswith(("{", "["), value):
            found = _SCALAR.match(text, value)
            return found.end() if found is not None else len(text)
        depth = 0
        position = value
        while position < len(text):
            char = text[position]
            depth += 1 if char in "[{" else -1
            position += 1
            if depth == 0:
                break
            found = _NO_BRACKET.match(text, position)
            position = found.end() if found is not None else position
        return position

    def _skip_whitespace(self, position: int) -> int:
        found = _WHITESPACE.match(self._text, position)
        return found.end() if found is not None else position


def _decode(raw: str) -> str:
    """A key's text, as `JsonPositions` reads it."""
    if "\\" not in raw:
        return raw[1:-1]
    try:
        decoded = json.loads(raw)
    except ValueError:
        return raw.strip('"')
    return decoded if isinstance(decoded, str) else raw


class _LineCounter:
    """Lines of offsets, counted from the nearest offset already placed (either side)."""

    def __init__(self, text: str) -> None:
        self._text = text
        #: Sorted (offset, line, offset of that line's start); the start of the text first.
        self._known: list[tuple[int, int, int]] = [(0, 1, 0)]

    def position(self, offset: int) -> Position:
        index = bisect_right(self._known, (offset, float("inf"), 0)) - 1
        below = self._known[index]
        above = self._known[index + 1] if index + 1 < len(self._known) else None
        if above is not None and above[0] - offset < offset - below[0]:
            line, line_start = self._back_from(above, offset, below)
        else:
            line, line_start = self._forward_from(below, offset)
        if (offset, line, line_start) != below:
            insort(self._known, (offset, line, line_start))
        return line, offset - line_start + 1

    def _forward_from(self, known: tuple[int, int, int], offset: int) -> tuple[int, int]:
        start, line, line_start = known
        newlines = self._text.count("\n", start, offset)
        if newlines:
            line_start = self._text.rfind("\n", start, offset) + 1
        return line + newlines, line_start

    def _back_from(
        self, known: tuple[int, int, int], offset: int, below: tuple[int, int, int]
    ) -> tuple[int, int]:
        end, line, line_start = known
        newlines = self._text.count("\n", offset, end)
        if not newlines:
            return line, line_start
        previous = self._text.rfind("\n", below[0], offset)
        return line - newlines, previous + 1 if previous >= 0 else below[2]
