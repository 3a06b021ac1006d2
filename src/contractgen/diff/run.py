"""`contractgen diff OLD NEW`: load both sides, compare, accept known changes, report, exit.

A side that cannot be loaded ends the run: its LOAD error is printed on stderr, exactly as
`validate` prints it, and the exit status is 2 (both sides are tried, so both errors show).
A side that loads but is not structurally valid OpenAPI is still compared, as far as the
comparators can read it, after one warning line (see `load.structure` for the test, which
costs a few tens of milliseconds on Stripe's spec; `validate` lists the problems themselves).

After the comparators: ignore entries (configuration and `--ignore FILE`) set aside the
changes they accept, the version advice is worked out from what remains, `--check-version`
adds DVER001 when the new `info.version` is bumped too little (an ignore entry may accept it
too), and `--only` leaves lower levels out of the report and the exit status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen import __version__
from contractgen.config import load_config, read_ignore_file
from contractgen.diff.accept import Acceptance
from contractgen.diff.engine import compare_documents, locate
from contractgen.diff.registry import diff_catalogue
from contractgen.diff.semver import advise, version_finding
from contractgen.errors import ContractgenError
from contractgen.load.document import LoadOptions
from contractgen.load.revision import load_input
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.load.structure import structure_problem
from contractgen.printable import printable
from contractgen.report import ReportFormat, render
from contractgen.report.finding import Level
from contractgen.report.summary import summarize_changes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.diff.accept import AcceptedChange
    from contractgen.load.document import Document
    from contractgen.report.finding import Finding
    from contractgen.report.summary import VersionAdvice

#: Longest ignore-entry reason quoted on stderr.
_REASON_SHOWN = 80


@dataclass(frozen=True, slots=True)
class DiffRequest:
    """What the command line asked for; None means "not given" (configuration or default)."""

    old: str
    new: str
    format: ReportFormat = ReportFormat.TEXT
    fail_on: Level | None = None
    only: Level | None = None
    ignore_file: Path | None = None
    check_version: bool | None = None
    config: Path | None = None
    allow_external_refs: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    color: bool = False


@dataclass(frozen=True, slots=True)
class DiffOutcome:
    """The report for stdout (or --output), lines for stderr, and the exit status."""

    report: str
    messages: list[str]
    exit_code: int


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The changes from one document to the other, once ignore entries and the version check
    have had their say."""

    findings: list[Finding]
    accepted: list[Finding]
    advice: VersionAdvice


def diff_command(request: DiffRequest) -> DiffOutcome:
    """Run `contractgen diff`: 0 nothing at or above fail-on, 1 something is, 2 input errors.

    Usage errors (bad configuration or ignore file) raise before either side is loaded.
    """
    config = load_config(request.config)
    settings = config.diff
    entries = list(settings.accepted)
    if request.ignore_file is not None:
        entries += read_ignore_file(request.ignore_file)
    acceptance = Acceptance.of(entries, datetime.date.today())
    fail_on = request.fail_on or settings.fail_on or Level.BREAKING
    check_version = (
        request.check_version if request.check_version is not None else bool(settings.check_version)
    )
    allow_external = request.allow_external_refs or bool(config.allow_external_refs)
    options = LoadOptions(max_bytes=request.max_bytes, allow_external_refs=allow_external)

    loaded = [_load(argument, options) for argument in (request.old, request.new)]
    errors = [outcome for outcome in loaded if isinstance(outcome, ContractgenError)]
    if errors:
        return DiffOutcome("", [error.render() for error in errors], 2)
    old, new = (outcome for outcome in loaded if not isinstance(outcome, ContractgenError))

    messages = [_expired(entry) for entry in acceptance.expired]
    messages += _structure_warnings(old, new)
    result = compare(old, new, acceptance, check_version=check_version)
    if check_version and result.advice.note is not None:
        messages.append(f"warning: --check-version: {printable(result.advice.note)}")

    shown, hidden = _at_or_above(result.findings, request.only)
    failed = 1 if any(finding.level.rank >= fail_on.rank for finding in shown) else 0
    summary = summarize_changes(
        shown,
        old=old.root.display,
        new=new.root.display,
        accepted=len(result.accepted),
        hidden=len(hidden),
        hidden_below=request.only,
        version=result.advice,
    )
    report = render(
        request.format,
        shown,
        summary=summary,
        files=[new.root.display],
        rules=diff_catalogue(),
        tool_version=__version__,
        fail_on=fail_on,
        color=request.color,
        source_root=str(Path.cwd()),
    )
    return DiffOutcome(report, messages, failed)


def compare(
    old: Document, new: Document, acceptance: Acceptance, *, check_version: bool
) -> DiffResult:
    """The comparators' findings, split by the ignore entries, with the version advice and,
    when asked, the version check."""
    comparison = compare_documents(old, new)
    kept, accepted = acceptance.split(comparison.findings, comparison.old, comparison.new)
    advice = advise(kept, comparison.old, comparison.new)
    if check_version:
        finding = version_finding(advice, comparison.old, comparison.new)
        if finding is not None:
            located = [locate(finding, old, new)]
            more_kept, more_accepted = acceptance.split(located, comparison.old, comparison.new)
            kept += more_kept
            accepted += more_accepted
    return DiffResult(kept, accepted, advice)


def _load(argument: str, options: LoadOptions) -> Document | ContractgenError:
    try:
        return load_input(argument, options)
    except ContractgenError as error:
        return error


def _structure_warnings(old: Document, new: Document) -> list[str]:
    """One line per side that is not structurally valid OpenAPI."""
    warnings = []
    for side, document in (("old", old), ("new", new)):
        problem = structure_problem(document)
        if problem is not None:
            display = printable(document.root.display)
            warnings.append(
                f"{display}: warning: the {side} document is not valid OpenAPI: "
                f"{printable(problem)}; it is compared as far as it can be read "
                f"(`contractgen validate {display}` lists the problems)"
            )
    return warnings


def _expired(entry: AcceptedChange) -> str:
    reason = printable(entry.reason.strip())
    if len(reason) > _REASON_SHOWN:
        reason = reason[: _REASON_SHOWN - 3] + "..."
    return (
        f"{printable(entry.source)}: warning: this ignore entry expired on {entry.until} and "
        f"no longer applies (reason: {reason})"
    )


def _at_or_above(
    findings: Sequence[Finding], level: Level | None
) -> tuple[list[Finding], list[Finding]]:
    """The findings at or above `level` (all when None), and the others."""
    if level is None:
        return list(findings), []
    shown = [finding for finding in findings if finding.level.rank >= level.rank]
    hidden = [finding for finding in findings if finding.level.rank < level.rank]
    return shown, hidden
