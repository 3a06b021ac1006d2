"""`contractgen validate`: expand the paths, validate one file per task, report, pick the exit.

Input errors (a file that cannot be loaded) do not stop the run: each becomes part of its
file's result, so every other file is still checked. They are printed on stderr and, in every
format but text, also reported as findings whose rule id is the LOAD code, at level error.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from contractgen import __version__
from contractgen.config import load_config
from contractgen.errors import LOAD_ERROR_CODES, ContractgenError, LoadError, UsageError
from contractgen.load.document import LoadOptions
from contractgen.load.source import DEFAULT_MAX_BYTES, open_regular
from contractgen.location import Location
from contractgen.report import ReportFormat, RuleInfo, render
from contractgen.report.finding import Finding, Level
from contractgen.validate.baseline import read_baseline, write_baseline
from contractgen.validate.engine import FileResult, RuleSettings, validate_file
from contractgen.validate.registry import catalogue

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

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
    fail_on = request.fail_on or config.fail_on or Level.ERROR
    allow_external = request.allow_external_refs or bool(config.allow_external_refs)
    options = LoadOptions(max_bytes=request.max_bytes, allow_external_refs=allow_external)
    paths = expand_inputs(request.inputs, max_bytes=request.max_bytes)
    baseline = read_baseline(request.baseline) if request.baseline is not None else None

    results = run_files(paths, config.settings, options, jobs=request.jobs)
    findings = [finding for result in results for finding in result.findings]
    errors = [(result.error, result.file) for result in results if result.error is not None]
    messages = [error.render() for error, _ in errors]
    failed = 2 if errors else 0

    if request.write_baseline is not None:
        write_baseline(request.write_baseline, findings)
        messages.append(f"wrote {len(findings)} findings to the baseline {request.write_baseline}")
        return ValidateOutcome("", messages, failed)

    accepted: list[Finding] = []
    if baseline is not None:
        findings, accepted = baseline.split(findings)
    if failed == 0 and any(finding.level.rank >= fail_on.rank for finding in findings):
        failed = 1
    report = _report(request, results, findings, errors, accepted=len(accepted))
    return ValidateOutcome(report, messages, failed)


def _report(
    request: ValidateRequest,
    results: Sequence[FileResult],
    findings: list[Finding],
    errors: Sequence[tuple[ContractgenError, str]],
    *,
    accepted: int,
) -> str:
    codes = {error.code for error, _ in errors}
    pseudo = {code: rule for code, rule in input_error_rules().items() if code in codes}
    rules: dict[str, RuleInfo] = {**pseudo, **catalogue()}
    if request.format is not ReportFormat.TEXT:
        findings = findings + [error_finding(error, file) for error, file in errors]
        files = [result.file for result in results]
        return render(
            request.format,
            findings,
            files=files,
            rules=rules,
            tool_version=__version__,
            source_root=str(Path.cwd()),
        )
    loaded = [result.file for result in results if result.error is None]
    text = render(
        request.format,
        findings,
        files=loaded,
        rules=rules,
        tool_version=__version__,
        color=request.color,
    ).rstrip("\n")
    notes = []
    if errors:
        notes.append(f"{_count(len(errors), 'file')} could not be loaded (see stderr)")
    if accepted:
        notes.append(f"{_count(accepted, 'finding')} accepted by the baseline")
    return text + "".join(f"; {note}" for note in notes) + "\n"


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
    root that references them. A FIFO or device is no spec and is never opened; a file that
    cannot be read, or is over the size limit, is kept so that the loader can say why.
    """
    try:
        status = path.stat()
    except OSError:
        return True
    if not stat.S_ISREG(status.st_mode):
        return False
    if status.st_size > max_bytes:
        return True
    try:
        with open_regular(path, str(path)) as handle:
            return _declares_openapi(handle, max_bytes)
    except (LoadError, OSError):
        return True


def _declares_openapi(handle: BinaryIO, max_bytes: int) -> bool:
    """Scan at most `max_bytes` in chunks for the root marker."""
    tail = b""
    budget = max_bytes
    while budget > 0 and (chunk := handle.read(min(_SCAN_CHUNK, budget))):
        if _ROOT_MARKER.search(tail + chunk):
            return True
        tail = chunk[-64:]
        budget -= len(chunk)
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
