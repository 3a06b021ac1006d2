"""`contractgen validate`: expand the paths, validate one file per task, report, pick the exit.

Input errors (a file that cannot be loaded) do not stop the run: each becomes part of its
file's result, so every other file is still checked. They are printed on stderr and, in every
format but text, also reported as findings whose rule id is the LOAD code, at level error.
"""

from __future__ import annotations

import glob
import os
import re
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
from contractgen.validate.registry import catalogue
from contractgen.validate.selection import (
    Selection,
    selected_rules,
    split_selectors,
    unknown_selector,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from contractgen.config import Config

#: Suffixes a folder is searched for.
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
#: Folders never searched: tool caches and dependency trees hold no contracts of ours.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv"})
_GLOB_CHARS = re.compile(r"[*?\[]")
#: A top-level `openapi:`/`swagger:` key in YAML, or an `"openapi": "..."` member in JSON.
_ROOT_MARKER = re.compile(
    rb"""^["']?(?:openapi|swagger)["']?[ \t]*:|"(?:openapi|swagger)"\s*:\s*["\d]""", re.MULTILINE
)
_SCAN_CHUNK = 1024 * 1024


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


def expand_inputs(arguments: Sequence[str], *, max_bytes: int) -> list[Path]:
    """The files the arguments name: files as given, folders searched, globs expanded.

    A file that does not exist is kept, so the loader reports it (LOAD001) beside the others.
    A folder or glob that yields no file is a usage error (USAGE001).
    """
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = find_specs(path, max_bytes=max_bytes)
            if not found:
                raise UsageError(
                    "USAGE001",
                    "folder holds no OpenAPI document (*.yaml, *.yml or *.json with a top-level "
                    "`openapi` key)",
                    argument,
                )
            paths.extend(found)
        elif not path.exists() and _GLOB_CHARS.search(argument):
            # glob.glob, not Path.glob: the pattern may be absolute or start with `**`.
            matches = [Path(m) for m in sorted(glob.glob(argument, recursive=True))]  # noqa: PTH207
            files = [match for match in matches if match.is_file()]
            if not files:
                raise UsageError("USAGE001", "no file matches this pattern", argument)
            paths.extend(files)
        else:
            paths.append(path)
    return _unique(paths)


def find_specs(folder: Path, *, max_bytes: int) -> list[Path]:
    """OpenAPI root documents below a folder, sorted; hidden folders and caches are skipped."""
    found: list[Path] = []
    for directory, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and name not in SKIPPED_FOLDERS
        )
        for name in sorted(files):
            path = Path(directory, name)
            if path.suffix.lower() in SPEC_SUFFIXES and looks_like_root(path, max_bytes=max_bytes):
                found.append(path)
    return found


def looks_like_root(path: Path, *, max_bytes: int) -> bool:
    """Whether a file declares `openapi` (or `swagger`) at its top level, by a cheap text scan.

    Referenced fragments (schemas in their own files) have no such key and are left to the
    root that references them. Files over the size limit are kept, so the loader can say so.
    """
    try:
        if path.stat().st_size > max_bytes:
            return True
        with path.open("rb") as handle:
            tail = b""
            while chunk := handle.read(_SCAN_CHUNK):
                if _ROOT_MARKER.search(tail + chunk):
                    return True
                tail = chunk[-64:]
    except OSError:
        return True  # unreadable: let the loader report why
    return False


def run_files(
    paths: Sequence[Path], settings: RuleSettings, options: LoadOptions, *, jobs: int
) -> list[FileResult]:
    """Validate every file, in input order; several files run in parallel, one per process."""
    if jobs <= 1 or len(paths) <= 1:
        return [validate_file(path, settings, options) for path in paths]
    from concurrent.futures import ProcessPoolExecutor  # only multi-file runs pay for it

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        return list(pool.map(validate_file, paths, [settings] * len(paths), [options] * len(paths)))


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
