"""The one naming authority: every Python name the scaffold writes comes from here.

Names derive from where a thing sits in the contract (a component's name, an operation's
id, an owner plus a property path), never from a counter, so a name stays the same across
runs and across edits elsewhere in the contract. Everything a spec supplies is untrusted:
the result is always a valid identifier that is no keyword, builtin or dunder.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
"""Names a generated identifier must not shadow."""


def words(text: str) -> list[str]:
    """Split any spec-supplied text into ASCII words: `createChatCompletion`, `x-api_key`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(ascii_text)


def snake(text: str, *, fallback: str = "value") -> str:
    """`createChatCompletion` -> `create_chat_completion`; a safe identifier, never empty."""
    name = "_".join(word.lower() for word in words(text)) or fallback
    return _safe(name, suffix="_")


def pascal(text: str, *, fallback: str = "Model") -> str:
    """`chat.completion-chunk` -> `ChatCompletionChunk`; a safe identifier, never empty."""
    name = "".join(word[:1].upper() + word[1:] for word in words(text)) or fallback
    return _safe(name, suffix="_")


def constant(text: str, *, fallback: str = "VALUE") -> str:
    """`createChatCompletion` -> `CREATE_CHAT_COMPLETION`."""
    return _safe("_".join(word.upper() for word in words(text)) or fallback, suffix="_")


def _safe(name: str, *, suffix: str) -> str:
    if name[0].isdigit():
        name = "n" + name if name.islower() else "N" + name
    if name in RESERVED:
        name += suffix
    return name


class Namespace:
    """One scope of names (a module's classes, a class's fields): each name given once.

    A clash is settled by the contract, not a counter: the caller passes qualifiers (the
    owner, the status, the media type) that are tried in order before the name is final.
    A name is remembered with the key it was given for, so asking twice gives the same name.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set(taken)

    def claim(self, key: str, candidates: Iterable[str]) -> str:
        """The first free candidate for `key` (a stable id such as a JSON Pointer)."""
        if key in self._by_key:
            return self._by_key[key]
        tried: list[str] = []
        for candidate in candidates:
            tried.append(candidate)
            if candidate not in self._taken:
                return self._give(key, candidate)
        if not tried:
            raise ValueError(f"no candidate name for {key!r}")
        # Every candidate the contract offers is taken: qualify the last by the key itself,
        # which is unique and stable (a pointer), so still no counter.
        return self._give(key, tried[-1] + pascal(key, fallback="Alt"))

    def _give(self, key: str, name: str) -> str:
        self._taken.add(name)
        self._by_key[key] = name
        return name

    def __contains__(self, name: object) -> bool:
        return name in self._taken
