"""`info.version`: the bump the changes need, and (opt-in) whether the new version has it.

The advice follows semantic versioning: a major bump when any change breaks clients, a
minor bump when there is any other change diff reports (each one adds to or alters the API
in a backward-compatible way: new operations and fields, widened limits, deprecations), and
otherwise no more than a patch bump (what remains are edits diff does not report, such as
descriptions). Below 1.0.0 every number moves one place down, as Cargo and oasdiff read
semver's "anything may change": a breaking change needs a minor bump, an addition a patch.
Changes accepted by ignore entries are not counted: accepting one is the team's judgement that
it breaks no client they answer for.

Versions are read leniently (`1.2`, `v1.2.3`, `1.2.3-rc.1+build`; pre-release and build parts
are ignored, since they do not say which number moved). Calendar versions (`2023-04-27`) and
other schemes say nothing about the size of a change: they are not judged.

Checking the new version (`--check-version`) is a step after the comparators, because it
judges what they found; `contractgen.diff.run` takes it. A version bumped too little is one
DVER001 finding at the new `info.version`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractgen.diff.registry import diff_rule
from contractgen.printable import printable
from contractgen.report.finding import Level
from contractgen.report.summary import Bump, VersionAdvice

if TYPE_CHECKING:
    from collections.abc import Iterable

    from contractgen.model.contract import Contract
    from contractgen.report.finding import Finding

VERSION_TOO_SMALL = diff_rule(
    "DVER001",
    "version-bump-too-small",
    Level.BREAKING,
    "With `--check-version`, the new `info.version` must be bumped as far as the changes need.",
    rationale="""
        Clients and their dependency tools read the API version to decide whether a new
        release is safe to take: `^1.4` accepts 1.5.0 and refuses 2.0.0. A breaking change
        released as a minor version reaches every such client unannounced; an addition
        released as a patch hides what there is to adopt; a version that goes down looks older
        than the one it replaces. Only semantic versions are judged (`1.2`, `v1.2.3` are read
        too); date versions are left alone. Off by default, as in oasdiff: without it an
        unchanged version is no finding.
    """,
    before="""
        info: {title: Chat, version: 1.4.2}
        paths:
          /v1/legacy: {get: {responses: {"200": {description: ok}}}}
    """,
    after="""
        info: {title: Chat, version: 1.5.0}   # the removal below needs 2.0.0
        paths: {}
    """,
    oasdiff=("api-version-not-bumped", "api-version-decreased", "api-major-version-not-bumped"),
)

_SEMANTIC = re.compile(
    r"[vV]?(\d{1,18})\.(\d{1,18})(?:\.(\d{1,18}))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
)
_CALENDAR = re.compile(r"(?:19|20)\d\d[-.]\d\d?(?:[-.]\d\d?)?")
#: Longest version quoted in a message.
_SHOWN = 40


@dataclass(frozen=True, slots=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str) -> Version | None:
    """A semantic version read leniently, or None for a date or any other scheme."""
    text = text.strip()
    if _CALENDAR.fullmatch(text):
        return None
    found = _SEMANTIC.fullmatch(text)
    if found is None:
        return None
    return Version(int(found[1]), int(found[2]), int(found[3] or 0))


def needed_bump(findings: Iterable[Finding]) -> Bump:
    """Major for any breaking change, minor for any other change, else patch."""
    bump = Bump.PATCH
    for finding in findings:
        if finding.level.rank >= Level.BREAKING.rank:
            return Bump.MAJOR
        bump = Bump.MINOR
    return bump


def minimum_version(old: Version, bump: Bump) -> Version:
    """The lowest version after `old` that carries a `bump` (patch: `old` itself will do)."""
    if bump is Bump.PATCH:
        return old
    if old.major == 0:  # 0.y.z: y is the major part, z the rest
        if bump is Bump.MAJOR:
            return Version(0, old.minor + 1, 0)
        return Version(0, old.minor, old.patch + 1)
    if bump is Bump.MAJOR:
        return Version(old.major + 1, 0, 0)
    return Version(old.major, old.minor + 1, 0)


def advise(findings: Iterable[Finding], old: Contract, new: Contract) -> VersionAdvice:
    """The bump the changes need, and whether the new `info.version` has it."""
    bump = needed_bump(findings)
    old_text, new_text = old.info_version, new.info_version
    old_version = parse_version(old_text) if old_text is not None else None
    new_version = parse_version(new_text) if new_text is not None else None
    note = _unreadable("old", old_text) if old_version is None else None
    note = note or (_unreadable("new", new_text) if new_version is None else None)
    if old_version is None:
        return VersionAdvice(bump, old_text, new_text, note=note)
    minimum = minimum_version(old_version, bump)
    enough = new_version >= minimum if new_version is not None else None
    return VersionAdvice(bump, old_text, new_text, str(minimum), enough, note)


def _unreadable(side: str, text: str | None) -> str:
    """Why the version of one side cannot be judged."""
    if text is None:
        return f"the {side} document has no `info.version`, so the bump cannot be checked"
    kind = "a date" if _CALENDAR.fullmatch(text.strip()) else "not a semantic version"
    return f"the {side} `info.version` `{_shown(text)}` is {kind}, so the bump cannot be checked"


def version_finding(advice: VersionAdvice, old: Contract, new: Contract) -> Finding | None:
    """DVER001 when the new version is known to be bumped too little; located unpositioned
    (the caller positions it, as the engine does the comparators' findings)."""
    if advice.enough is not False or new.info_version_location is None:
        return None
    old_text, new_text = _shown(advice.old or ""), _shown(advice.new or "")
    if advice.bump is Bump.PATCH:
        message = (
            f"`info.version` went down from `{old_text}` to `{new_text}`: clients and caches "
            "that compare versions take the new contract for an older one"
        )
    else:
        why = "some break clients" if advice.bump is Bump.MAJOR else "they add to the API"
        message = (
            f"`info.version` is `{new_text}` after `{old_text}`, but the changes need "
            f"`{advice.minimum}` or later ({why}): clients that accept every compatible "
            f"release of `{old_text}` take this one without knowing what changed"
        )
    return VERSION_TOO_SMALL.change(
        message, new=new.info_version_location, old=old.info_version_location
    )


def _shown(text: str) -> str:
    text = printable(text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
