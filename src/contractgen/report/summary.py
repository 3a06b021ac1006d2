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
    """How many findings of each level, over how many files."""

    errors: int
    warnings: int
    infos: int
    files: int

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    def sentence(self) -> str:
        """`3 errors, 1 warning, 0 info in 2 files`, or `No problems found in 2 files`."""
        where = _plural(self.files, "file", "files")
        if self.total == 0:
            return f"No problems found in {where}"
        counts = (
            _plural(self.errors, "error", "errors"),
            _plural(self.warnings, "warning", "warnings"),
            f"{self.infos} info",
        )
        return f"{', '.join(counts)} in {where}"


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
