"""Compare two loaded documents: build both contracts, run every comparator, locate findings."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contractgen.diff.context import DiffContext
from contractgen.diff.registry import COMPARE_MODULES, diff_catalogue
from contractgen.diff.schema import SchemaDiff
from contractgen.model.build import build_contract

if TYPE_CHECKING:
    from contractgen.load.document import Document
    from contractgen.model.contract import Contract
    from contractgen.report.finding import Finding


@dataclass(frozen=True, slots=True)
class Comparison:
    """The findings, and both contracts they came from (for what runs after the comparators:
    the version check, ignore entries naming an operationId)."""

    old: Contract
    new: Contract
    findings: list[Finding]


def diff_documents(old: Document, new: Document) -> list[Finding]:
    """Every change from `old` to `new`, each one finding, positioned on both sides."""
    return compare_documents(old, new).findings


def compare_documents(old: Document, new: Document) -> Comparison:
    """`diff_documents`, keeping the two contracts."""
    diff_catalogue()
    old_contract, new_contract = build_contract(old), build_contract(new)
    context = DiffContext(
        old_contract, new_contract, old, new, SchemaDiff(old_contract, new_contract)
    )
    findings: list[Finding] = []
    for name in COMPARE_MODULES:
        module = importlib.import_module(name)
        compare = getattr(module, "compare", None)
        if compare is not None:
            findings.extend(compare(context))
    findings.extend(context.schemas.findings())
    located = [locate(finding, old, new) for finding in findings]
    return Comparison(old_contract, new_contract, located)


def locate(finding: Finding, old: Document, new: Document) -> Finding:
    """The finding with line and column filled in, on both sides."""
    before = finding.before
    return replace(
        finding,
        location=new.locate(finding.location),
        before=old.locate(before) if before is not None else None,
    )
