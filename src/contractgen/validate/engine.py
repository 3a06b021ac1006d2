"""Run validation on one document: load, build the model, run rules, apply configuration."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from contractgen.errors import ContractgenError
from contractgen.load.document import Document, LoadOptions, load_document
from contractgen.model.build import build_contract
from contractgen.report.finding import Finding, Level
from contractgen.validate.registry import Rule, RuleContext, catalogue


@dataclass(frozen=True, slots=True)
class Ignore:
    """Accept one finding: a rule at a JSON pointer (a prefix match), with the reason why."""

    rule: str
    pointer: str
    reason: str
    file: str | None = None

    def matches(self, finding: Finding) -> bool:
        if self.rule.upper() != finding.rule_id:
            return False
        if self.file is not None and not finding.location.file.endswith(self.file):
            return False
        pointer = finding.location.pointer
        return pointer == self.pointer or pointer.startswith(self.pointer.rstrip("/") + "/")


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """What configuration says about rules: new levels, rules turned off, accepted findings."""

    levels: dict[str, Level] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    ignores: tuple[Ignore, ...] = ()

    def enabled_rules(self) -> list[Rule]:
        return [rule for rule in catalogue().values() if rule.id not in self.disabled]

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings no `ignore` entry accepts, at their configured level; how many it did."""
        kept: list[Finding] = []
        accepted = 0
        for finding in findings:
            if any(ignore.matches(finding) for ignore in self.ignores):
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
    """Validate one file; an input error becomes part of the result instead of an exception."""
    try:
        document = load_document(path, options)
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
