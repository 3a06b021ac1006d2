"""What the plain-OpenAPI comparators share: one finding per change, quoting, sunset dates.

A comparator looks at each pair of operations on its own, so a change to something several
operations share (the root `security`, a root server, a `$ref`'d parameter or response, a
path item) is seen once per operation. Those findings agree on rule, level, message and both
locations; `one_per_change` merges them into one whose scope lists every operation reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from contractgen.location import Location
from contractgen.printable import printable

if TYPE_CHECKING:
    pass

_PATH_PARAMETER = re.compile(r"\{([^{}/]*)\}")
#: Quoted spec text longer than this is cut, so that one long value cannot flood a report.
MAX_QUOTED = 80


def code(text: str) -> str:
    """Spec text as a message quotes it: in backticks, printable, cut when long."""
    if len(text) > MAX_QUOTED:
        text = text[: MAX_QUOTED - 1] + "…"
    return f"`{printable(text)}`"


def codes(texts: Iterable[str]) -> str:
    """Several quoted values, comma-separated, in a stable order."""
    return ", ".join(code(text) for text in sorted(texts))


def parent(location: Location) -> Location:
    """The location of the node holding this one (a list entry's list, a key's mapping)."""
    return Location(location.file, location.pointer.rsplit("/", 1)[0])


def today() -> date:
    """The date sunsets are judged against (UTC)."""
    return datetime.now(UTC).date()


def sunset_date(text: str | None) -> date | None:
    """An `x-sunset` value as a date: `YYYY-MM-DD`, an RFC 3339 date-time or an HTTP-date.

    None when there is none or it cannot be read.
    """
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def path_parameter_renames(old_path: str, new_path: str) -> dict[str, str]:
    """Old name -> new name of the path parameters whose name differs at the same position."""
    old_names = _PATH_PARAMETER.findall(old_path)
    new_names = _PATH_PARAMETER.findall(new_path)
    if len(old_names) != len(new_names):
        return {}
    return {a: b for a, b in zip(old_names, new_names, strict=True) if a != b}
