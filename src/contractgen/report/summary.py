"""Counting and ordering shared by the reporters, so every format agrees on the numbers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
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
