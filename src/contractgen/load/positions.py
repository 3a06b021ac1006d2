"""Source positions for JSON Pointers, computed only when a finding needs one.

Values come from the fast parsers, which keep no positions. When findings are reported,
each pointer is found in a second look at the text: for block-style YAML from its lines
(`block_yaml`), falling back to a syntax tree from PyYAML's C composer; for JSON a
tree-sitter tree, or above TREE_SITTER_MAX_CHARS a scan of the text (`json_scan`). Each
pointer is walked down from the root. Mappings are indexed on first visit, so locating many
findings in one file stays linear.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from contractgen.load.block_yaml import BlockYamlIndex, Unsupported
from contractgen.load.json_scan import JsonScanPositions

if TYPE_CHECKING:
    import yaml

Position = tuple[int, int]


class PositionIndex(Protocol):
    def locate(self, tokens: list[str]) -> Position:
        """1-based line and column of the node at `tokens`, or of its deepest existing ancestor.

        A mapping member is located at its key, so a finding about `/paths/~1a/post` points at
        the `post:` line.
        """
        ...


#: tree-sitter keeps a node per token: 8-12 bytes per byte of a real spec, up to 145 for a
#: file of small numbers. Up to this size that stays cheap; above it, the scanner answers
#: (GitHub's 13 MB spec: 0.91 s for its 523 findings and no memory, against 0.97 s and 128 MiB).
TREE_SITTER_MAX_CHARS = 1024 * 1024


def positions_for(text: str, syntax: str) -> PositionIndex:
    if syntax != "json":
        return YamlPositions(text)
    if len(text) > TREE_SITTER_MAX_CHARS:
        return JsonScanPositions(text)
    return JsonPositions(text)


class YamlPositions:
    """Block-style lines first (fast); PyYAML's composer for whatever they cannot answer."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines = BlockYamlIndex(text)
        self._composed = False
        self._root: yaml.Node | None = None
        self._maps: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def locate(self, tokens: list[str]) -> Position:
        try:
            return self._lines.locate(tokens)
        except Unsupported:
            return self._locate_composed(tokens)

    def _locate_composed(self, tokens: list[str]) -> Position:
        import yaml  # only for what the line index declines

        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                self._root = None
        node = self._root
        if node is None:
            return 1, 1
        mark = node.start_mark
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                pair = self._members(node).get(token)
                if pair is None:
                    break
                mark = pair[0].start_mark
                node = pair[1]
            elif (
                isinstance(node, yaml.SequenceNode)
                and token.isdigit()
                and int(token) < len(node.value)
            ):
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1

    def _members(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        import yaml

        members = self._maps.get(id(node))
        if members is None:
            members = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    members.setdefault(key.value, (key, value))
            self._maps[id(node)] = members
        return members


class JsonPositions:
    def __init__(self, text: str) -> None:
        import tree_sitter
        import tree_sitter_json

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_json.language()))
        self._source = text.encode()
        self._tree = parser.parse(self._source)
        self._maps: dict[int, dict[str, tuple[Any, Any]]] = {}

    def locate(self, tokens: list[str]) -> Position:
        node = self._value(self._tree.root_node)
        if node is None:
            return 1, 1
        anchor = node
        for token in tokens:
            if node.type == "object":
                pair = self._members(node).get(token)
                if pair is None:
                    break
                anchor, node = pair
            elif node.type == "array":
                items = [child for child in node.named_children if child.type != "comment"]
                if not token.isdigit() or int(token) >= len(items):
                    break
                node = anchor = items[int(token)]
            else:
                break
        return self._position(anchor)

    def _value(self, node: Any) -> Any:
        if node.type == "document":
            children = [child for child in node.named_children if child.type != "comment"]
            return children[0] if children else None
        return node

    def _members(self, node: Any) -> dict[str, tuple[Any, Any]]:
        members = self._maps.get(node.id)
        if members is None:
            members = {}
            for pair in node.named_children:
                if pair.type == "pair":
                    value = pair.child_by_field_name("value")
                    members.setdefault(self._key_text(pair), (pair, value if value else pair))
            self._maps[node.id] = members
        return members

    def _key_text(self, pair: Any) -> str:
        key = pair.child_by_field_name("key")
        raw = self._source[key.start_byte : key.end_byte].decode()
        try:
            decoded = json.loads(raw)
        except ValueError:
            return raw.strip('"')
        return decoded if isinstance(decoded, str) else raw

    def _position(self, node: Any) -> Position:
        # tree-sitter columns count bytes; findings count characters.
        row, byte_column = node.start_point
        line_start = node.start_byte - byte_column
        column = len(self._source[line_start : node.start_byte].decode(errors="replace"))
        return row + 1, column + 1
