"""Long string literals split into parenthesised parts that fit the line, as a person would.

ruff format never splits a string, and datamodel-code-generator's own formatter, which does,
cost a third of the models' CPU on Stripe. This pass does only that one thing, on text ruff
has already formatted: a plain string given as a value (`description="..."`, `X = "..."`)
that runs past the line length becomes `("part " "part")`, split after a space; ruff format
then lays the parts out one per line. The value is unchanged (implicit concatenation, and
checked). It reads the module with `ast` (C-fast), not `tokenize`, and only when a long line
could hold such a value.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

INDENT = 4
"""How far ruff indents the parts inside the parentheses, past the line they belong to."""


def split_long_strings(source: str, line_length: int) -> str:
    """`source` with each over-long value string split; the same text if none is."""
    lines = source.splitlines(keepends=True)
    long_rows = {
        row
        for row, line in enumerate(lines, start=1)
        if len(line.rstrip("\r\n")) > line_length and ("=" in line)
    }
    if not long_rows:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    edits = sorted(_edits(tree, lines, long_rows, line_length), reverse=True)
    for row, start, end, replacement in edits:
        line = lines[row - 1]
        lines[row - 1] = line[:start] + replacement + line[end:]
    return "".join(lines)


def _edits(
    tree: ast.AST, lines: list[str], long_rows: set[int], line_length: int
) -> Iterator[tuple[int, int, int, str]]:
    for node in _value_strings(tree):
        row = node.lineno
        if row not in long_rows or node.end_lineno != row or node.end_col_offset is None:
            continue
        line = lines[row - 1]
        encoded = line.encode("utf-8")  # ast's columns count UTF-8 bytes
        start = len(encoded[: node.col_offset].decode("utf-8"))
        end = len(encoded[: node.end_col_offset].decode("utf-8"))
        indent = len(line) - len(line.lstrip(" "))
        parts = _parts(line[start:end], line_length - indent - INDENT)
        if len(parts) < 2:
            continue
        replacement = "(" + " ".join(parts) + ")"
        if ast.literal_eval(replacement) == node.value:  # never change what the code says
            yield row, start, end, replacement


def _value_strings(tree: ast.AST) -> Iterator[ast.Constant]:
    """String constants given as a keyword argument or assigned: where parts read naturally."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword):
            value: ast.expr | None = node.value
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
        else:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value


def _parts(literal: str, width: int) -> list[str]:
    """A plain one-line literal as quoted parts of at most `width` characters, cut after spaces."""
    quote = literal[:1]
    if quote not in ("'", '"') or literal[:3] == quote * 3 or literal[-1:] != quote:
        return [literal]  # a prefix (f, b, r), or a triple-quoted string: left alone
    body, room = literal[1:-1], width - 2
    parts: list[str] = []
    while len(body) > room:
        cut = _last_space_before(body, room)
        if cut is None:
            break
        parts.append(body[:cut])
        body = body[cut:]
    parts.append(body)
    return [quote + part + quote for part in parts]


def _last_space_before(body: str, room: int) -> int | None:
    """Where to cut `body`: just after the last space that fits, and that no backslash escapes."""
    for index in range(min(room, len(body)) - 1, 0, -1):
        if body[index] == " " and not _escaped(body, index):
            return index + 1
    return None


def _escaped(body: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and body[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
