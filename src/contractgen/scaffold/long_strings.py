"""Long string literals split into parenthesised parts that fit the line, as a person would.

ruff format never splits a string, and datamodel-code-generator's own formatter, which does,
cost a third of the models' CPU on Stripe. This pass does only that one thing, on text ruff
has already formatted: a plain string given as a value (`description="..."`, `X = "..."`)
that runs past the line length becomes `("part " "part")`, split after a space; ruff format
then lays the parts out one per line. The value is unchanged: implicit concatenation.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

INDENT = 4
"""How far ruff indents the parts inside the parentheses, past the line they belong to."""


def split_long_strings(source: str, line_length: int) -> str:
    """`source` with each over-long value string split; the same text if none is."""
    lines = source.splitlines(keepends=True)
    edits = list(_edits(source, lines, line_length))
    for row, start, end, replacement in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + replacement + line[end:]
    return "".join(lines)


def _edits(source: str, lines: list[str], line_length: int) -> Iterator[tuple[int, int, int, str]]:
    previous: tokenize.TokenInfo | None = None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return
    for token in tokens:
        if token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        (row, start), (end_row, end) = token.start, token.end
        if (
            token.type == tokenize.STRING
            and previous is not None
            and previous.type == tokenize.OP
            and previous.string == "="
            and row == end_row
            and len(lines[row - 1].rstrip("\r\n")) > line_length
        ):
            line = lines[row - 1]
            indent = len(line) - len(line.lstrip(" "))
            parts = _parts(token.string, line_length - indent - INDENT)
            if len(parts) > 1:
                yield row, start, end, "(" + " ".join(parts) + ")"
        previous = token


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
