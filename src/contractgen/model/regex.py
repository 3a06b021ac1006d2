"""A string matching a JSON Schema `pattern`, built from Python's own parse of the regex.

Patterns in contracts are short (`^[a-z][a-z0-9_]*$`, `^sk-[A-Za-z0-9]{32}$`), so a walk of
the parsed pattern is enough: literals are copied, classes give one of their members,
repeats run between their minimum and a few more, alternatives pick one branch. Look-around
and back-references are skipped (the value is validated afterwards, and regenerated when it
misses). ECMAScript patterns that Python cannot parse give None.
"""

from __future__ import annotations

import random
import re
import string
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

EXTRA_REPEATS = 3
"""How far past its minimum an open-ended repeat (`*`, `+`, `{2,}`) may run."""
_CATEGORIES: dict[Any, str] = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_NOT_WORD: "-.!",
}
_PRINTABLE = string.ascii_letters + string.digits + "-_."


def from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string the pattern matches (searched, as JSON Schema does), or None."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    try:
        return _walk(parsed, rng, 0)
    except (_Unsupported, RecursionError):
        return None


class _Unsupported(Exception):
    pass


def _walk(items: Any, rng: random.Random, depth: int) -> str:
    if depth > 40:
        raise _Unsupported
    out: list[str] = []
    for op, arg in items:
        out.append(_one(op, arg, rng, depth))
    return "".join(out)


def _one(op: Any, arg: Any, rng: random.Random, depth: int) -> str:
    if op is sre_constants.LITERAL:
        return chr(arg)
    if op is sre_constants.NOT_LITERAL:
        return next(char for char in _PRINTABLE if ord(char) != arg)
    if op is sre_constants.ANY:
        return rng.choice(string.ascii_letters)
    if op is sre_constants.IN:
        return _in(arg, rng)
    if op is sre_constants.BRANCH:
        return _walk(rng.choice(arg[1]), rng, depth + 1)
    if op is sre_constants.SUBPATTERN:
        return _walk(arg[-1], rng, depth + 1)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, _POSSESSIVE):
        low, high, body = arg
        top = low + EXTRA_REPEATS if high is sre_constants.MAXREPEAT else min(high, low + 3)
        return "".join(_walk(body, rng, depth + 1) for _ in range(rng.randint(low, top)))
    if op is _ATOMIC:
        return _walk(arg, rng, depth + 1)
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return ""
    if op is sre_constants.CATEGORY:
        return rng.choice(_CATEGORIES.get(arg, "a"))
    raise _Unsupported(op)


_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", object())
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", object())


def _in(members: Any, rng: random.Random) -> str:
    negated = bool(members) and members[0][0] is sre_constants.NEGATE
    choices: list[str] = []
    for op, arg in members:
        if op is sre_constants.LITERAL:
            choices.append(chr(arg))
        elif op is sre_constants.RANGE:
            low, high = arg
            choices.extend(chr(code) for code in range(low, min(high, low + 64) + 1))
        elif op is sre_constants.CATEGORY:
            choices.extend(_CATEGORIES.get(arg, "a"))
    if negated:
        allowed = [char for char in _PRINTABLE if char not in choices]
        return rng.choice(allowed or ["~"])
    if not choices:
        raise _Unsupported("empty class")
    return rng.choice(choices)
