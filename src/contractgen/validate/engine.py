"""Run validation on one document: load, build the model, run rules, apply configuration."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from contractgen.errors import ContractgenError
from contractgen.load.document import Document, LoadOptions
from contractgen.load.revision import load_input
from contractgen.model.build import build_contract
from contractgen.report.finding import Finding, Level
from contractgen.validate.registry import Rule, RuleContext, catalogue


@dataclass(frozen=True, slots=True)
class Ignore:
    """Accept the findings of one rule at a JSON pointer and below it, with the reason why.

    `file`, when given, limits the entry to files whose path ends with it. A trailing `/` on
    the pointer does not matter: `/paths/~1a/` covers what `/paths/~1a` covers.
    """

    rule: str
    pointer: str
    reason: str
    file: str | None = None


class IgnoreIndex:
    """The configured ignores by rule, then by the pointer they cover.

    A finding is looked up once for its own pointer and once per ancestor of it, so its cost
    is the depth of its pointer, whatever the number of entries (20k entries against 6k
    findings cost 6k short walks, not 120M comparisons).
    """

    def __init__(self, ignores: Iterable[Ignore]) -> None:
        self._files: dict[tuple[str, str], _Files] = {}
        for ignore in ignores:
            key = (ignore.rule.upper(), ignore.pointer.rstrip("/"))
            self._files.setdefault(key, _Files()).add(ignore.file)

    def accepts(self, finding: Finding) -> bool:
        if not self._files:
            return False
        rule, file = finding.rule_id, finding.location.file
        for pointer in _pointer_and_ancestors(finding.location.pointer):
            files = self._files.get((rule, pointer))
            if files is not None and files.cover(file):
                return True
        return False


class _Files:
    """The files the entries for one rule and pointer cover: all, or those ending in a suffix.

    Suffixes are grouped by length, so a file is checked once per distinct length (bounded by
    the length of its path), not once per entry.
    """

    __slots__ = ("everywhere", "suffixes_by_length")

    def __init__(self) -> None:
        self.everywhere = False
        self.suffixes_by_length: dict[int, set[str]] = {}

    def add(self, file: str | None) -> None:
        if file:
            self.suffixes_by_length.setdefault(len(file), set()).add(file)
        else:
            self.everywhere = True

    def cover(self, file: str) -> bool:
        return self.everywhere or any(
            file[-length:] in suffixes
            for length, suffixes in self.suffixes_by_length.items()
            if length <= len(file)
        )


def _pointer_and_ancestors(pointer: str) -> Iterator[str]:
    """`/a/b`, then `/a`, then `` (the root)."""
    yield pointer
    end = len(pointer)
    while (end := pointer.rfind("/", 0, end)) >= 0:
        yield pointer[:end]


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """What configuration says about rules: new levels, rules turned off, accepted findings."""

    levels: dict[str, Level] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    ignores: tuple[Ignore, ...] = ()
    _index: IgnoreIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", IgnoreIndex(self.ignores))

    def enabled_rules(self) -> list[Rule]:
        return [rule for rule in catalogue().values() if rule.id not in self.disabled]

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings no `ignore` entry accepts, at their configured level; how many it did."""
        kept: list[Finding] = []
        accepted = 0
        for finding in findings:
            if self._index.accepts(finding):
                accepted += 1
                continue
            level = self.levels.get(finding.rule_id)
            kept.append(replace(finding, level=level) if level else finding)
        return kept, accepted


@dataclass(frozen=True, slots=True)
class FileResult:
    """What validating one file produced: findings, or the input error that stopped it."""

    file: str
    findings: list[Finding]
    error: ContractgenError | None = None
    #: Findings an `ignore` entry of the configuration accepted (not among `findings`).
    accepted: int = 0


def validate_document(document: Document, settings: RuleSettings) -> FileResult:
    """All findings of the enabled rules, configured and positioned, in report order."""
    context = RuleContext(build_contract(document), document)
    findings: list[Finding] = []
    for rule in settings.enabled_rules():
        findings.extend(rule.run(context))
    configured, accepted = settings.apply(_dedupe(findings))
    positioned = [
        replace(
            f,
            location=document.locate(f.location),
            related=tuple(document.locate(r) for r in f.related),
        )
        for f in configured
    ]
    in_order = sorted(positioned, key=Finding.sort_key)
    return FileResult(document.root.display, in_order, accepted=accepted)


def validate_file(path: Path, settings: RuleSettings, options: LoadOptions) -> FileResult:
    """Validate one file (or `REV:path`); an input error becomes part of the result, not raised."""
    try:
        document = load_input(str(path), options)
    except ContractgenError as error:
        return FileResult(error.file or str(path), [], error)
    return validate_document(document, settings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule_id, finding.location.file, finding.location.pointer, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
