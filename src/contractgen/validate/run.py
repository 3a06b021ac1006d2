"""`contractgen validate`: expand the paths, validate one file per task, report, pick the exit.

Input errors (a file that cannot be loaded) do not stop the run: each becomes part of its
file's result, so every other file is still checked. They are printed on stderr and, in every
format but text, also reported as findings whose rule id is the LOAD code, at level error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen import __version__
from contractgen.config import load_config
from contractgen.errors import LOAD_ERROR_CODES, ContractgenError, UsageError
from contractgen.load.document import LoadOptions
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.location import Location
from contractgen.printable import printable
from contractgen.report import ReportFormat, RuleInfo, render
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import summarize
from contractgen.validate.baseline import read_baseline, write_baseline
from contractgen.validate.engine import FileResult, RuleSettings, validate_file
from contractgen.validate.inputs import expand_inputs
from contractgen.validate.registry import catalogue
from contractgen.validate.selection import (
    Selection,
    selected_rules,
    split_selectors,
    unknown_selector,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractgen.config import Config


@dataclass(frozen=True, slots=True)
class ValidateRequest:
    """What the command line asked for; None means "not given" (configuration or default)."""

    inputs: Sequence[str]
    format: ReportFormat = ReportFormat.TEXT
    fail_on: Level | None = None
    config: Path | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    #: `--select` and `--ignore` values: rule selectors, repeated or comma-separated.
    select: Sequence[str] | None = None
    ignore: Sequence[str] = ()
    allow_external_refs: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int = 1
    color: bool = False


@dataclass(frozen=True, slots=True)
class ValidateOutcome:
    """The report for stdout (or --output), lines for stderr, and the exit status."""

    report: str
    messages: list[str]
    exit_code: int


def validate_command(request: ValidateRequest) -> ValidateOutcome:
    """Run `contractgen validate`: 0 clean, 1 findings at or above fail-on, 2 input errors.

    Usage errors (bad configuration, baseline or paths) raise before any file is validated.
    """
    config = load_config(request.config)
    settings = _selected_settings(config, request)
    fail_on = request.fail_on or config.fail_on or Level.ERROR
    allow_external = request.allow_external_refs or bool(config.allow_external_refs)
    options = LoadOptions(max_bytes=request.max_bytes, allow_external_refs=allow_external)
    paths = expand_inputs(request.inputs, max_bytes=request.max_bytes)
    baseline = read_baseline(request.baseline) if request.baseline is not None else None

    results = run_files(paths, settings, options, jobs=request.jobs)
    findings = [finding for result in results for finding in result.findings]
    errors = [(result.error, result.file) for result in results if result.error is not None]
    messages = [error.render() for error, _ in errors]
    failed = 2 if errors else 0

    if request.write_baseline is not None:
        write_baseline(request.write_baseline, findings)
        written = f"wrote {_count(len(findings), 'finding')} to the baseline"
        messages.append(f"{written} {printable(str(request.write_baseline))}")
        return ValidateOutcome("", messages, failed)

    accepted: list[Finding] = []
    if baseline is not None:
        findings, accepted = baseline.split(findings)
    if failed == 0 and any(finding.level.rank >= fail_on.rank for finding in findings):
        failed = 1
    report = _report(
        request, fail_on, results, findings, errors, accepted_by_baseline=len(accepted)
    )
    return ValidateOutcome(report, messages, failed)


def _selected_settings(config: Config, request: ValidateRequest) -> RuleSettings:
    """The configuration's rule settings, with only the selected rules enabled.

    `--select` and `--ignore` are a layer over the configuration's `select` and `ignore`
    (see `validate.selection`); a rule turned off by `rules: {ID: off}` stays off.
    """
    rules = catalogue()
    command_line = Selection(
        split_selectors(request.select) if request.select is not None else None,
        split_selectors(request.ignore),
    )
    given = (("--select", command_line.select or ()), ("--ignore", command_line.ignore))
    for option, selectors in given:
        for selector in selectors:
            problem = unknown_selector(selector, rules.values())
            if problem is not None:
                raise UsageError("USAGE002", f"`{option}`: {problem}")
    running = selected_rules([config.selection, command_line], rules.values())
    disabled = config.settings.disabled | (rules.keys() - running)
    return replace(config.settings, disabled=disabled)


def _report(
    request: ValidateRequest,
    fail_on: Level,
    results: Sequence[FileResult],
    findings: list[Finding],
    errors: Sequence[tuple[ContractgenError, str]],
    *,
    accepted_by_baseline: int,
) -> str:
    """The report in the requested format, with the one summary every format states.

    Input errors are findings in every format but text, which leaves them to stderr; every
    format counts them, as errors of files that were given.
    """
    codes = {error.code for error, _ in errors}
    pseudo = {code: rule for code, rule in input_error_rules().items() if code in codes}
    rules: dict[str, RuleInfo] = {**pseudo, **catalogue()}
    input_errors = [error_finding(error, file) for error, file in errors]
    files = [result.file for result in results]
    summary = replace(
        summarize([*findings, *input_errors], files),
        unloaded=len(errors),
        accepted_by_baseline=accepted_by_baseline,
        accepted_by_config=sum(result.accepted for result in results),
    )
    shown = findings if request.format is ReportFormat.TEXT else [*findings, *input_errors]
    return render(
        request.format,
        shown,
        summary=summary,
        files=files,
        rules=rules,
        tool_version=__version__,
        fail_on=fail_on,
        color=request.color,
        source_root=str(Path.cwd()),
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True)
class InputErrorRule:
    """A catalogue-like entry for a LOAD code, so SARIF can describe input errors as rules."""

    id: str
    name: str
    summary: str
    level: Level = Level.ERROR


def input_error_rules() -> dict[str, InputErrorRule]:
    """One pseudo rule per LOAD code: machine formats report unreadable files as findings."""
    return {
        code: InputErrorRule(code, "input-error", summary.capitalize())
        for code, summary in LOAD_ERROR_CODES.items()
        if code.startswith("LOAD")
    }


def error_finding(error: ContractgenError, fallback_file: str) -> Finding:
    """An input error as a finding (rule id = its code), for json, sarif and the other formats."""
    location = Location(error.file or fallback_file, "", error.line, error.column)
    return Finding(error.code, Level.ERROR, error.message, location)


def run_files(
    paths: Sequence[Path], settings: RuleSettings, options: LoadOptions, *, jobs: int
) -> list[FileResult]:
    """Validate every file, in input order; several files run in parallel, one per process."""
    if jobs <= 1 or len(paths) <= 1:
        return [validate_file(path, settings, options) for path in paths]
    from concurrent.futures import ProcessPoolExecutor  # only multi-file runs pay for it

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        return list(pool.map(validate_file, paths, [settings] * len(paths), [options] * len(paths)))
