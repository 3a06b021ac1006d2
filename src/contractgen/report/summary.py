"""Counting and ordering shared by the reporters, so every format agrees on the numbers.

Two kinds of report exist: problems found in files (`Summary`, what `validate` makes) and
changes found between two documents (`ChangeSummary`, what `diff` makes). Reporters lay the
findings out by which summary they are given: by file, or by the operation a change reaches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


@dataclass(frozen=True, slots=True)
class Summary:
    """How many findings of each level, over how many files, and what the counts leave out.

    A file that could not be loaded is one of `files` and its input error one of `errors`:
    a run that could not check a file never reads as clean. Accepted findings (by a baseline,
    by the configuration's `ignore` entries) are not among the counts, but are said.
    """

    errors: int
    warnings: int
    infos: int
    files: int
    unloaded: int = 0
    accepted_by_baseline: int = 0
    accepted_by_config: int = 0

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    def sentence(self) -> str:
        """`3 errors, 1 warning, 0 info in 2 files; 1 file could not be loaded`, or
        `No problems found in 2 files`, followed by what was accepted."""
        where = _plural(self.files, "file", "files")
        if self.total == 0:
            parts = [f"No problems found in {where}"]
        else:
            counts = (
                _plural(self.errors, "error", "errors"),
                _plural(self.warnings, "warning", "warnings"),
                f"{self.infos} info",
            )
            parts = [f"{', '.join(counts)} in {where}"]
        if self.unloaded:
            parts.append(f"{_plural(self.unloaded, 'file', 'files')} could not be loaded")
        if self.accepted_by_baseline:
            accepted = _plural(self.accepted_by_baseline, "finding", "findings")
            parts.append(f"{accepted} accepted by the baseline")
        if self.accepted_by_config:
            accepted = _plural(self.accepted_by_config, "finding", "findings")
            parts.append(f"{accepted} accepted by the configuration")
        return "; ".join(parts)


class Bump(StrEnum):
    """The semantic-versioning part a set of changes asks to increase."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


_BUMP_REASONS = {
    Bump.MAJOR: "breaking changes need a major version",
    Bump.MINOR: "backward-compatible changes need a minor version",
    Bump.PATCH: "no change to the API needs more than a patch version",
}


@dataclass(frozen=True, slots=True)
class VersionAdvice:
    """The `info.version` the changes between two documents call for.

    `minimum` is the lowest new version that is enough, when the old one reads as a
    semantic version; `enough` says whether the new one is (None: cannot tell, and `note`
    says why).
    """

    bump: Bump
    old: str | None
    new: str | None
    minimum: str | None = None
    enough: bool | None = None
    note: str | None = None

    def sentence(self) -> str:
        """`Version: breaking changes need a major version (2.0.0 or later after 1.4.2);
        1.5.0 is not enough`, or with the note on why it cannot be checked."""
        parts = [f"Version: {_BUMP_REASONS[self.bump]}"]
        if self.minimum is not None and self.bump is not Bump.PATCH:
            parts[0] += f" ({self.minimum} or later after {self.old})"
        elif self.minimum is not None and self.enough is False:
            parts[0] += f" (and none below {self.minimum})"
        if self.enough is not None and self.new is not None:
            parts.append(f"{self.new} is {'enough' if self.enough else 'not enough'}")
        if self.note is not None:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """How many changes of each level two documents differ by, and what the counts leave out.

    Accepted changes (by ignore entries) and hidden ones (below `--only`) are not among the
    counts, but are said.
    """

    breaking: int
    warnings: int
    infos: int
    old: str
    """The old document, as it was named (a file, or `REV:path`)."""
    new: str
    accepted: int = 0
    hidden: int = 0
    hidden_below: Level | None = None
    """The level `hidden` changes are below (what `--only` kept)."""
    version: VersionAdvice | None = None

    @property
    def total(self) -> int:
        return self.breaking + self.warnings + self.infos

    @property
    def errors(self) -> int:
        """The top rank, under the name problem summaries give it (colours, exit levels)."""
        return self.breaking

    def sentence(self) -> str:
        """`1 breaking, 2 warnings, 0 info`, or `No changes`, then what was left out."""
        if self.total == 0 and not self.accepted and not self.hidden:
            return "No changes"
        counts = (
            f"{self.breaking} breaking",
            _plural(self.warnings, "warning", "warnings"),
            f"{self.infos} info",
        )
        parts = [", ".join(counts)]
        if self.accepted:
            accepted = _plural(self.accepted, "change", "changes")
            parts.append(f"{accepted} accepted by ignore entries")
        if self.hidden:
            below = f" below {self.hidden_below.value}" if self.hidden_below else ""
            parts.append(f"{_plural(self.hidden, 'change', 'changes')}{below} not shown")
        return "; ".join(parts)


def summarize_changes(
    findings: Sequence[Finding],
    *,
    old: str,
    new: str,
    accepted: int = 0,
    hidden: int = 0,
    hidden_below: Level | None = None,
    version: VersionAdvice | None = None,
) -> ChangeSummary:
    """Count changes by level (`error` findings, should a change carry one, count as breaking)."""
    levels = Counter(finding.level for finding in findings)
    return ChangeSummary(
        breaking=levels[Level.BREAKING] + levels[Level.ERROR],
        warnings=levels[Level.WARNING],
        infos=levels[Level.INFO],
        old=old,
        new=new,
        accepted=accepted,
        hidden=hidden,
        hidden_below=hidden_below,
        version=version,
    )


#: The group of a change that reaches no operation.
DOCUMENT_GROUP = "Document"
_METHOD_ORDER = {
    method: index
    for index, method in enumerate(
        ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "QUERY")
    )
}


def group_of(finding: Finding) -> str:
    """The operation a change is grouped under (the first it reaches), or `Document`."""
    return finding.scope[0] if finding.scope else DOCUMENT_GROUP


def by_operation(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Changes grouped by operation: `Document` first, then by path and method; within a
    group the most severe first, then in `ordered` order."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(group_of(finding), []).append(finding)
    for members in groups.values():
        members.sort(key=lambda finding: (-finding.level.rank, finding.sort_key()))
    return sorted(groups.items(), key=lambda item: _group_order(item[0]))


def _group_order(group: str) -> tuple[int, str, int, str]:
    if group == DOCUMENT_GROUP:
        return (0, "", 0, "")
    method, _, path = group.partition(" ")
    return (1, path, _METHOD_ORDER.get(method, len(_METHOD_ORDER)), method)


def summarize(findings: Sequence[Finding], files: Sequence[str]) -> Summary:
    """Count findings by level; files are those checked plus any a finding names."""
    levels = Counter(finding.level for finding in findings)
    return Summary(
        errors=levels[Level.ERROR],
        warnings=levels[Level.WARNING],
        infos=levels[Level.INFO],
        files=len(all_files(findings, files)),
    )


def all_files(findings: Sequence[Finding], files: Sequence[str]) -> list[str]:
    """Checked files and files named by findings, sorted and without duplicates."""
    return sorted({*files, *(finding.location.file for finding in findings)})


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the one deterministic order every reporter uses."""
    return sorted(findings, key=Finding.sort_key)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
