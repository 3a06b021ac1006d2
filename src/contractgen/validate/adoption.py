"""One cause, one finding: a practice the document never adopted is reported once.

A policy rule (every operation declares a body-size limit, every stream names the events
that end it, every operation has an operationId) fails on every operation of a document
that never took the practice up. Those findings share one cause, the document, and a
hundred copies of them hide everything else. So when no subject of the document follows the
practice, the rule reports once, at the document root, with the count and the first few
places as related locations. Where some subjects follow it, the others differ from their
siblings, and each of them gets its own finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from contractgen.location import Location
from contractgen.report.finding import Finding
from contractgen.validate.registry import Rule

MAX_RELATED = 5
"""How many of the places a summary names as related locations."""


def report_gaps(
    rule: Rule,
    gaps: Iterable[Finding],
    *,
    adopted: bool,
    at: Location,
    summary: Callable[[int], str],
) -> Iterator[Finding]:
    """The gaps as they are, or one finding at `at` when nothing in the document is adopted.

    `gaps` are the rule's findings, one per subject without the practice; `adopted` says
    whether any subject has it. `summary(count)` is the message of the single finding; it
    takes the highest level among the gaps, so a rule that lowered every gap stays lowered.
    """
    found = list(gaps)
    if adopted or len(found) < 2:
        yield from found
        return
    level = max((gap.level for gap in found), key=lambda level: level.rank)
    yield rule.finding(
        at,
        summary(len(found)),
        related=[gap.location for gap in found[:MAX_RELATED]],
        level=level,
    )
