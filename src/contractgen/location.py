"""Where something sits in a contract: a file and a JSON Pointer into it.

The ground floor: `load/` records locations, `model/` carries them, commands report them.
Nothing here knows about findings or reporters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """A file and a JSON Pointer into it.

    `line` and `column` are 1-based and filled in late (see `Document.locate`), because
    computing positions costs a second parse and is only worth it for reported findings.
    """

    file: str
    pointer: str
    line: int | None = None
    column: int | None = None

    def child(self, *tokens: str | int) -> Location:
        """The location of a node below this one."""
        suffix = "".join("/" + escape_token(str(token)) for token in tokens)
        return Location(self.file, self.pointer + suffix)

    def at(self, line: int, column: int) -> Location:
        return replace(self, line=line, column=column)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}#{self.pointer}"
        return f"{self.file}:{self.line}:{self.column}"


def escape_token(token: str) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON Pointer ('' is the root) into unescaped reference tokens."""
    if pointer in ("", "#"):
        return []
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise ValueError(f"JSON Pointer must start with '/': {pointer!r}")
    return [unescape_token(token) for token in pointer[1:].split("/")]


def value_at(document: Any, pointer: str) -> Any:
    """The value a JSON Pointer names in a decoded JSON document, or None where there is none
    (a malformed pointer names nothing)."""
    try:
        tokens = split_pointer(pointer)
    except ValueError:
        return None
    node = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def join_pointer(tokens: list[str] | tuple[str, ...]) -> str:
    return "".join("/" + escape_token(token) for token in tokens)
