"""How deep a YAML text nests flow collections, found in one linear pass without parsing it.

ryaml's scanner (a Rust port of libyaml) slows down with the square of flow nesting depth:
20k nested `[` cost 0.5 s before it reports its recursion limit, 100k cost 40 s. A YAML
file with many brackets is therefore scanned here first, and refused if a flow collection
nests past the limit, before ryaml sees it.

The scan follows libyaml's tokenizer wherever the answer could hide a bracket from it: a
bracket is skipped only inside text that libyaml certainly reads as text (a quoted scalar
started at a token start, a block scalar by libyaml's indentation rules, a plain scalar in
block context and its continuation lines, a comment). Everywhere else a bracket counts, so
the scan may count deeper than the parser would (a false alarm on a file that is invalid
anyway) but never shallower. It needs no YAML library, so what it decides does not depend
on which PyYAML or ryaml release is installed.
"""

from __future__ import annotations

import re
from functools import cache

Position = tuple[int, int]

#: Characters libyaml reads as line breaks besides `\n` (`\r\n` is one break).
_OTHER_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")
_BLANKS = re.compile(r"[ \t]*")
_SPACES = re.compile(r" *")
#: Where a plain scalar ends in block context: `: ` (a key), ` #` (a comment), or the line end.
_BLOCK_PLAIN_END = re.compile(r":(?=[ \t\n]|\Z)|(?<=[ \t])#|\n")
#: Where a plain scalar ends in flow context (libyaml 0.2.5 `yaml_parser_scan_plain_scalar`).
_FLOW_PLAIN_END = re.compile(
    r"[,\[\]{}]|:(?=[ \t\n,?\[\]{}]|\Z)|(?<=[ \t\n])#|(?<=\n)(?:---|\.\.\.)(?=[ \t\n]|\Z)"
)
#: A double-quoted and a single-quoted scalar, across lines; unterminated ones run to the end.
_DOUBLE_QUOTED = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_SINGLE_QUOTED = re.compile(r"'[^']*(?:''[^']*)*'?")
#: Anchor and alias names (libyaml: letters, digits, `_`, `-`), and tags (a tag may hold
#: `[`: stopping there only counts more).
_ANCHOR = re.compile(r"[0-9A-Za-z_-]*")
_TAG = re.compile(r"[^ \t\n,\[\]{}]*")
_BLOCK_SCALAR_HEADER = re.compile(r"[|>]([0-9+-]*)")
#: What may follow an indicator such as `- ` (a one-character slice of the text).
_BLANK_OR_END = ("", " ", "\t", "\n")


@cache
def _line_indented_less_than(indent: int) -> re.Pattern[str]:
    """The first line with content that starts with fewer than `indent` spaces."""
    return re.compile(rf"^(?! {{{indent}}})(?=[ \t]*[^ \t\n])", re.MULTILINE)


def first_flow_deeper_than(text: str, limit: int) -> Position | None:
    """1-based line and column of the first `[` or `{` nested more than `limit` levels deep."""
    if _OTHER_BREAKS.search(text):
        text = _OTHER_BREAKS.sub("\n", text)
    return _Scan(text, limit).run()


class _TooDeep(Exception):
    def __init__(self, offset: int) -> None:
        self.offset = offset


class _Scan:
    """One pass over the text. `indents` is libyaml's stack of block indentation columns."""

    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.indents: list[int] = []
        #: The block indentation a plain scalar that ran to its line end started at: a later
        #: line indented deeper than it continues that scalar.
        self.open_plain: int | None = None

    def run(self) -> Position | None:
        try:
            self._document()
        except _TooDeep as found:
            before = self.text[: found.offset]
            return before.count("\n") + 1, found.offset - (before.rfind("\n") + 1) + 1
        return None

    # --- block context, line by line -------------------------------------------------------

    def _document(self) -> None:
        text, end, offset = self.text, len(self.text), 0
        while offset < end:
            content = _skip(_SPACES, text, offset)
            column = content - offset
            line_end = _line_end(text, content)
            rest = text[content:line_end].strip(" \t")
            if not rest:  # a blank line: a plain scalar may go on after it
                offset = line_end + 1
                continue
            if rest.startswith("#"):
                self.open_plain = None
                offset = line_end + 1
                continue
            if column == 0 and _is_document_marker(text, content):  # ends any scalar
                self.open_plain = None
                self.indents.clear()
                offset = self._tokens(content + 3)
                continue
            if self.open_plain is not None and column > self.open_plain:
                offset = self._tokens(self._plain_in_block(content, continuation=True))
                continue
            self.open_plain = None
            if column == 0 and rest.startswith("%"):
                offset = line_end + 1
                continue
            while self.indents and self.indents[-1] > column:
                self.indents.pop()
            offset = self._tokens(content)

    def _tokens(self, offset: int) -> int:
        """Read block-context tokens from `offset` to the end of the line the last one ends on.

        Returns the offset of the next line to read. A node that spans lines (a flow
        collection, a quoted or block scalar) moves the line along with it.
        """
        text = self.text
        line_start = text.rfind("\n", 0, offset) + 1
        # Where a mapping key would start: the first token after the line start or after an
        # indicator. A `: ` rolls the indentation to it, as libyaml's possible simple key.
        key_column: int | None = None
        while True:
            offset = _skip(_BLANKS, text, offset)
            if offset >= len(text):
                return offset
            char = text[offset]
            if char == "\n" or char == "#":
                return _line_end(text, offset) + 1
            column = offset - line_start
            if char in "-?:" and text[offset + 1 : offset + 2] in _BLANK_OR_END:
                self._roll(key_column if char == ":" and key_column is not None else column)
                key_column = None
                offset += 1
                continue
            if char in "|>":
                return self._block_scalar(offset)
            if char in "]},":  # stray: an error for the parser, and never a key
                key_column = None
                offset += 1
                continue
            if key_column is None:
                key_column = column
            start = offset
            if char in "&!*":
                offset = _skip(_TAG if char == "!" else _ANCHOR, text, offset + 1)
            elif char in "[{":
                offset = self._flow(offset)
            elif char in "\"'":
                offset = _quoted(text, offset)
            else:
                offset = self._plain_in_block(offset, continuation=False)
                continue  # a plain scalar never spans lines here
            if text.find("\n", start, offset) >= 0:  # the node went on over lines
                line_start = text.rfind("\n", start, offset) + 1
                key_column = None

    def _roll(self, column: int) -> None:
        if not self.indents or column > self.indents[-1]:
            self.indents.append(column)

    def _plain_in_block(self, offset: int, *, continuation: bool) -> int:
        """Skip a plain scalar (or its continuation line); note it if it runs to the line end."""
        found = _BLOCK_PLAIN_END.search(self.text, offset)
        if found is None:
            return len(self.text)
        if found[0] == "\n":
            if not continuation:
                self.open_plain = self.indents[-1] if self.indents else -1
        else:  # a key's `: ` or a comment ends it
            self.open_plain = None
        return found.start()

    def _block_scalar(self, offset: int) -> int:
        """Skip a literal or folded scalar; return the offset of the first line after it.

        The content indentation is libyaml's: the header's indentation indicator added to
        the block indentation, or else the deepest of the leading blank lines and the first
        line with content, at least one more than the block indentation.
        """
        text = self.text
        parent = self.indents[-1] if self.indents else -1
        header = _BLOCK_SCALAR_HEADER.match(text, offset)
        digits = [c for c in header[1] if c.isdigit()] if header else []
        offset = _line_end(text, offset) + 1
        if digits and digits[0] != "0":
            indent = max(parent, 0) + int(digits[0])
        else:
            deepest, scan = 0, offset
            while scan < len(text):
                spaces = _skip(_SPACES, text, scan)
                deepest = max(deepest, spaces - scan)
                if spaces >= len(text) or text[spaces] != "\n":
                    break
                scan = spaces + 1
            indent = max(deepest, parent + 1, 1)
        after = _line_indented_less_than(indent).search(text, offset)
        return len(text) if after is None else after.start()

    # --- flow context ----------------------------------------------------------------------

    def _flow(self, offset: int) -> int:
        """Skip a flow collection starting at `offset`; return the offset after it closes."""
        text, end = self.text, len(self.text)
        depth = 0
        while offset < end:
            char = text[offset]
            if char in " \t\n":
                offset += 1
            elif char in "[{":
                depth += 1
                if depth > self.limit:
                    raise _TooDeep(offset)
                offset += 1
            elif char in "]}":
                depth -= 1
                offset += 1
                if depth == 0:
                    return offset
            elif char == "#":  # a comment wherever a token may start
                offset = _line_end(text, offset)
            elif (offset == 0 or text[offset - 1] == "\n") and _is_document_marker(text, offset):
                offset += 3  # an error for the parser; libyaml's scanner reads on
            elif char in ",?:" or (char == "-" and text[offset + 1 : offset + 2] in _BLANK_OR_END):
                offset += 1  # `?`, `:` and `- ` at a token start are indicators (libyaml)
            elif char in "\"'":
                offset = _quoted(text, offset)
            elif char in "&!*":
                offset = _skip(_TAG if char == "!" else _ANCHOR, text, offset + 1)
            else:  # a plain scalar, across lines: it ends where libyaml ends it
                found = _FLOW_PLAIN_END.search(text, offset + 1)
                offset = end if found is None else found.start()
        return offset


def _skip(pattern: re.Pattern[str], text: str, offset: int) -> int:
    """The offset after what `pattern` (which may match nothing) matches at `offset`."""
    found = pattern.match(text, offset)
    return found.end() if found else offset


def _quoted(text: str, offset: int) -> int:
    pattern = _DOUBLE_QUOTED if text[offset] == '"' else _SINGLE_QUOTED
    found = pattern.match(text, offset)
    return found.end() if found else len(text)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _is_document_marker(text: str, offset: int) -> bool:
    return (
        text.startswith(("---", "..."), offset) and text[offset + 3 : offset + 4] in _BLANK_OR_END
    )
