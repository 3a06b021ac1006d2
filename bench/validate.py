#!/usr/bin/env python3
"""Benchmark `contractgen validate` against its peers on the real-world corpus.

Every tool runs as a child process, one at a time, so that each figure is what a user pays
for one command: CPU time is user+sys of the child (interpreter or Node start-up included)
and memory is the child's peak resident set, both from `os.wait4`. Each (file, tool) pair
runs `--repeat` times, interleaved with the other tools; the tables show the minimum CPU and
wall time and the median peak RSS. Usage and method: bench/README.md.

    python bench/validate.py --repeat 3 --output bench/README.md
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: The shared corpus beside the checkout, as the tests find it; CONTRACTGEN_CORPUS overrides it.
CORPUS = Path(os.environ.get("CONTRACTGEN_CORPUS", ROOT.parent / "shared" / "corpus"))
CACHE = BENCH / ".results" / "results.json"
REDOCLY = BENCH / "node_modules" / ".bin" / "redocly"
START_MARKER = "<!-- bench:results:start -->"
END_MARKER = "<!-- bench:results:end -->"
TIMEOUT_S = 120.0
#: Once a tool's first run on a file costs more CPU than this, it is not repeated.
SLOW_CUTOFF_S = 10.0
#: Files up to this size count as "small" for the 0.2 s target.
SMALL_BYTES = 64 * 1024

#: Keep Redocly quiet and offline: no usage data, no update or announcement check, no colour.
QUIET_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}

#: The version key: at column 0 (YAML, or JSON written on one line), else indented (JSON).
_VERSION_TOP = re.compile(r"""^["']?(openapi|swagger)["']?\s*:\s*["']?([0-9][0-9.]*)""", re.M)
_VERSION_ANY = re.compile(r"""^\s*["']?(openapi|swagger)["']?\s*:\s*["']?([0-9][0-9.]*)""", re.M)

LOAD_CODE = (
    "import sys\nfrom pathlib import Path\n"
    "from contractgen.load.document import load_document\n"
    "load_document(Path(sys.argv[1]))\n"
)
RAW_CODE = (
    "import sys\n"
    "if sys.argv[1].endswith('.json'):\n"
    "    import json\n"
    "    with open(sys.argv[1], 'rb') as f: json.load(f)\n"
    "else:\n"
    "    import yaml\n"
    "    with open(sys.argv[1], 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n"
)
#: Used only while the `contractgen` CLI is not importable: the same engine, without the CLI.
ENGINE_CODE = """
import sys
from pathlib import Path
from contractgen.load.document import LoadOptions
from contractgen.report.json_report import render_json
from contractgen.report.summary import summarize
from contractgen.validate.engine import RuleSettings, validate_file
result = validate_file(Path(sys.argv[1]), RuleSettings(), LoadOptions())
if result.error is not None:
    print(result.error, file=sys.stderr)
    sys.exit(2)
summary = summarize(result.findings, [result.file])
sys.stdout.write(render_json(result.findings, summary=summary, tool_version="engine"))
sys.exit(1 if any(f.level.value == "error" for f in result.findings) else 0)
"""
RYAML_CODE = """
import sys, ryaml
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        ryaml.loads(f.read())
except ryaml.InvalidYamlError as exc:
    if "i128" not in str(exc) and "u128" not in str(exc):
        raise
    sys.exit(3)  # an integer beyond 128 bits: contractgen falls back to PyYAML here
"""


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class SpecFile:
    path: Path
    size: int
    family: str  # "openapi" or "swagger"
    version: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_json(self) -> bool:
        return self.path.suffix.lower() == ".json"


def spec_file(path: Path) -> SpecFile:
    text = path.read_bytes().decode("utf-8", "replace")  # Stripe's `openapi:` is mid-file
    match = _VERSION_TOP.search(text) or _VERSION_ANY.search(text)
    family, version = (match.group(1), match.group(2)) if match else ("?", "?")
    return SpecFile(path, path.stat().st_size, family, version)


def corpus_files(selected: list[str] | None) -> list[SpecFile]:
    if selected:
        paths = []
        for item in selected:
            candidate = Path(item)
            if not candidate.exists():
                candidate = CORPUS / item
            if not candidate.exists():
                matches = sorted(CORPUS.glob(f"*{item}*"))
                if not matches:
                    sys.exit(f"bench: no corpus file matches {item!r}")
                paths.extend(matches)
                continue
            paths.append(candidate)
    else:
        paths = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    files = [spec_file(p) for p in dict.fromkeys(paths)]
    return sorted(files, key=lambda f: (f.size, f.name))


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    key: str
    label: str
    argv: Callable[[SpecFile], list[str]]
    #: Why this tool cannot run on a file, or None when it can.
    unsupported: Callable[[SpecFile], str | None]
    #: Exit codes that mean "ran fine" (findings or not).
    ok_codes: tuple[int, ...]
    #: From (exit code, stdout, stderr): a short verdict, or None when the run failed.
    verdict: Callable[[int, bytes, bytes], str | None]
    missing: str | None = None
    version: str = ""
    #: How this tool was run, when not the way the table header says.
    note: str = ""


def _python() -> str:
    return sys.executable


def _venv_script(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def _only_openapi3(spec: SpecFile) -> str | None:
    if spec.family == "openapi" and spec.version.startswith("3."):
        return None
    return f"{spec.family} {spec.version} not supported"


def _any(_spec: SpecFile) -> str | None:
    return None


def _yaml_only(spec: SpecFile) -> str | None:
    return "JSON (same as raw)" if spec.is_json else None


def _exit_verdict(code: int, _out: bytes, _err: bytes) -> str | None:
    return "ok" if code == 0 else None


#: A verdict with this prefix: the tool ran but cannot handle the file (not a failure).
CANNOT = "n/a: "


def _ryaml_verdict(code: int, _out: bytes, _err: bytes) -> str | None:
    if code == 3:
        return CANNOT + "ryaml rejects an integer beyond 128 bits"
    return "ok" if code == 0 else None


def _contractgen_verdict(code: int, out: bytes, _err: bytes) -> str | None:
    if code not in (0, 1):
        return None
    try:
        summary = json.loads(out)["summary"]
        return f"{summary['errors']}E {summary['warnings']}W {summary['info']}I"
    except (ValueError, KeyError, TypeError):
        return f"exit {code}"


def _osv_verdict(code: int, out: bytes, err: bytes) -> str | None:
    text = (out + err).decode("utf-8", "replace")
    if code == 0 and ": OK" in text:
        return "valid"
    if code == 1 and "Validation Error" in text:
        return "invalid"
    return None


def _redocly_verdict(code: int, out: bytes, _err: bytes) -> str | None:
    if code not in (0, 1):
        return None
    try:
        totals = json.loads(out)["totals"]
        return f"{totals['errors']}E {totals['warnings']}W"
    except (ValueError, KeyError, TypeError):
        return None


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _command_output(argv: list[str]) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=60, env=_env(), check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return lines[-1].strip() if lines else f"exit {done.returncode}"


def _contractgen_ready(script: str | None) -> str | None:
    """None when `contractgen validate` can run, else why not."""
    if script is None:
        return "`contractgen` is not on PATH"
    done = subprocess.run(
        [script, "validate", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["?"]
        return f"CLI not ready: `contractgen validate --help` exits {done.returncode}: {last[0]}"
    return None


def _engine_missing() -> str | None:
    probe = "import contractgen.validate.engine, contractgen.report.json_report"
    done = subprocess.run(
        [_python(), "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["?"])[-1]
    return None


def make_tools() -> dict[str, Tool]:
    python = _python()
    cg = _venv_script("contractgen")
    osv = _venv_script("openapi-spec-validator")
    cli_missing = _contractgen_ready(cg)
    engine_missing = _engine_missing() if cli_missing else None
    contractgen = Tool(
        "contractgen",
        "contractgen validate",
        lambda s: [cg or "contractgen", "validate", str(s.path), "--format", "json"],
        _only_openapi3,
        (0, 1),
        _contractgen_verdict,
        version=_dist_version("contractgen"),
    )
    if cli_missing and engine_missing:
        contractgen.missing = f"{cli_missing}; engine fallback: {engine_missing}"
    elif cli_missing:
        contractgen.label = "contractgen engine (CLI fallback)"
        contractgen.note = (
            f"{cli_missing}. Measured instead: `python -c` running "
            "`contractgen.validate.engine.validate_file` (all rules) and `render_json`"
        )
        contractgen.argv = lambda s: [python, "-c", ENGINE_CODE, str(s.path)]
    tools = {
        "contractgen": contractgen,
        "load": Tool(
            "load",
            "load_document (floor)",
            lambda s: [python, "-c", LOAD_CODE, str(s.path)],
            _only_openapi3,
            (0,),
            _exit_verdict,
            version=_dist_version("contractgen"),
        ),
        "raw": Tool(
            "raw",
            "raw parse (json / libyaml)",
            lambda s: [python, "-c", RAW_CODE, str(s.path)],
            _any,
            (0,),
            _exit_verdict,
            version=f"PyYAML {_dist_version('PyYAML')} CSafeLoader, json stdlib",
        ),
        "ryaml": Tool(
            "ryaml",
            "raw parse (ryaml)",
            lambda s: [python, "-c", RYAML_CODE, str(s.path)],
            _yaml_only,
            (0, 3),
            _ryaml_verdict,
            version=f"ryaml {_dist_version('ryaml')}",
        ),
        "osv": Tool(
            "osv",
            "openapi-spec-validator",
            lambda s: [osv or "openapi-spec-validator", str(s.path)],
            _any,
            (0, 1),
            _osv_verdict,
            missing=None if osv else "`openapi-spec-validator` is not installed",
            version=_dist_version("openapi-spec-validator"),
        ),
        "redocly": Tool(
            "redocly",
            "Redocly CLI lint",
            lambda s: [str(REDOCLY), "lint", str(s.path), "--format=json"],
            _any,
            (0, 1),
            _redocly_verdict,
            missing=_redocly_missing(),
        ),
    }
    if tools["redocly"].missing is None:
        tools["redocly"].version = "@redocly/cli " + _command_output([str(REDOCLY), "--version"])
    return tools


def _redocly_missing() -> str | None:
    if REDOCLY.exists():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed: Redocly skipped"
    return "not installed: run `npm ci --prefix bench` (pinned in bench/package-lock.json)"


def _env() -> dict[str, str]:
    """The children's environment: quiet, and with bytecode caching on.

    An installed tool runs from cached bytecode (pip compiles it at install time); an
    inherited PYTHONDONTWRITEBYTECODE would make an editable checkout recompile every module
    on every run and measure the compiler instead of the tool.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(QUIET_ENV)
    return env


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    cpu: float
    user: float
    sys: float
    wall: float
    rss_mib: float
    code: int | None
    verdict: str | None
    timed_out: bool = False
    error: str = ""


@dataclass
class Cell:
    """All runs of one tool on one file, or why there are none."""

    file: str
    tool: str
    runs: list[Run] = field(default_factory=list)
    skipped: str = ""
    measured_at: str = ""
    #: Set when the tool was not run the way its column says (contractgen's engine fallback).
    via: str = ""

    @property
    def good(self) -> list[Run]:
        return [
            r
            for r in self.runs
            if r.verdict is not None and not r.timed_out and not r.verdict.startswith(CANNOT)
        ]

    @property
    def cannot(self) -> str:
        """Why the tool could not handle this file, found out by running it."""
        for run in self.runs:
            if run.verdict and run.verdict.startswith(CANNOT):
                return run.verdict.removeprefix(CANNOT)
        return ""

    @property
    def failed(self) -> Run | None:
        bad = [r for r in self.runs if r.verdict is None or r.timed_out]
        return bad[0] if bad else None

    def cpu(self) -> float | None:
        return min(r.cpu for r in self.good) if self.good else None

    def cpu_median(self) -> float | None:
        return statistics.median(r.cpu for r in self.good) if self.good else None

    def wall(self) -> float | None:
        return min(r.wall for r in self.good) if self.good else None

    def rss(self) -> float | None:
        return statistics.median(r.rss_mib for r in self.good) if self.good else None

    def verdict(self) -> str:
        return self.good[0].verdict or "" if self.good else ""


#: Spawns the measured command and reports its rusage. Linux charges a child's peak RSS with
#: the high-water mark of the address space it was spawned from (exec records the old mm's
#: hiwater), so the parent must be small: this launcher runs with `python -I -S` (about 8 MiB,
#: below any measured tool) rather than spawning straight from this benchmark process.
LAUNCHER = """
import json, os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
try:
    pid = os.posix_spawn(argv[0], argv, os.environ)
except OSError as exc:
    print(f"cannot run {argv[0]}: {exc}", file=sys.stderr)
    sys.exit(127)
_pid, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(report, "w") as f:
    json.dump([ru.ru_utime, ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status), wall], f)
"""


def measure(
    argv: list[str],
    *,
    timeout: float,
    cwd: Path,
    verdict: Callable[[int, bytes, bytes], str | None] = _exit_verdict,
) -> Run:
    """Run argv once: CPU (user+sys), peak RSS and wall time of the child, from wait4."""
    executable = shutil.which(argv[0]) or argv[0]
    handle, name = tempfile.mkstemp(prefix="cg-bench-", suffix=".json")
    os.close(handle)
    report_path = Path(name)
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report_path), executable]
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                [*launcher, *argv[1:]],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env=_env(),
                start_new_session=True,
            )
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if timed_out:
            return Run(
                0.0, 0.0, 0.0, timeout, 0.0, None, None, True, f"timed out after {timeout:g} s"
            )
        try:
            utime, stime, maxrss, code, wall = json.loads(report_path.read_text())
        except (OSError, ValueError):
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-2:]
            return Run(0.0, 0.0, 0.0, 0.0, 0.0, proc.returncode, None, False, " | ".join(tail))
    finally:
        report_path.unlink(missing_ok=True)
    run = Run(
        cpu=utime + stime,
        user=utime,
        sys=stime,
        wall=wall,
        rss_mib=maxrss / 1024,  # KiB on Linux
        code=code,
        verdict=verdict(code, stdout, stderr),
    )
    if run.verdict is None:
        tail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()[-3:]
        run.error = f"exit {run.code}: " + " | ".join(line.strip() for line in tail)
    return run


def bench(
    files: list[SpecFile],
    tools: list[Tool],
    *,
    repeat: int,
    timeout: float,
    slow_cutoff: float,
    log: Callable[[str], None],
) -> list[Cell]:
    stamp = time.strftime("%Y-%m-%d %H:%M")
    cells: list[Cell] = []
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as scratch:
        cwd = Path(scratch)  # empty: no redocly.yaml or contractgen config is picked up
        for spec in files:
            row = {
                t.key: Cell(spec.name, t.key, measured_at=stamp, via=t.label if t.note else "")
                for t in tools
            }
            cells.extend(row.values())
            for tool in tools:
                why = tool.missing or tool.unsupported(spec)
                if why:
                    row[tool.key].skipped = why
            for rep in range(repeat):
                for tool in tools:
                    cell = row[tool.key]
                    if cell.skipped or cell.cannot or (cell.failed is not None):
                        continue
                    if rep > 0 and cell.good and cell.good[0].cpu > slow_cutoff:
                        continue  # one run of a 20 s tool is enough; noise is small there
                    run = measure(tool.argv(spec), timeout=timeout, cwd=cwd, verdict=tool.verdict)
                    cell.runs.append(run)
                    shown = run.verdict if run.verdict is not None else f"FAILED {run.error}"
                    log(
                        f"{spec.name:36} {tool.key:12} #{rep + 1} cpu {run.cpu:7.3f} s"
                        f"  wall {run.wall:7.3f} s  rss {run.rss_mib:7.1f} MiB  {shown}"
                    )
    return cells


def startup_baselines(repeat: int) -> dict[str, float]:
    """CPU of doing nothing: the interpreter start-up every child pays."""
    probes = {
        "python -c pass": [_python(), "-c", "pass"],
        "python -c 'import contractgen.load.document'": [
            _python(),
            "-c",
            "import contractgen.load.document",
        ],
    }
    if shutil.which("node"):
        probes["node -e 0"] = ["node", "-e", "0"]
    result = {}
    for name, argv in probes.items():
        runs = [measure(argv, timeout=60, cwd=BENCH) for _ in range(max(repeat, 3))]
        good = [r.cpu for r in runs if r.verdict]
        if good:
            result[name] = min(good)
    return result


# --------------------------------------------------------------------------- machine


def machine_info(tools: dict[str, Tool]) -> dict[str, Any]:
    cpu_model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, IndexError, ValueError):
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        mem = f"{int(first.split()[1]) / 1024 / 1024:.1f} GiB"
    node = _command_output(["node", "--version"]) if shutil.which("node") else "absent"
    commit = _command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model,
        "memory": mem,
        "kernel": platform.release(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "node": node,
        "commit": commit + (" (with uncommitted changes under src/)" if dirty else ""),
        "versions": {
            "contractgen": _dist_version("contractgen"),
            "jsonschema-rs": _dist_version("jsonschema-rs"),
            "ryaml": _dist_version("ryaml"),
            "PyYAML": _dist_version("PyYAML"),
            "openapi-spec-validator": _dist_version("openapi-spec-validator"),
            "@redocly/cli": tools["redocly"].version.removeprefix("@redocly/cli ")
            if tools["redocly"].missing is None
            else "absent",
        },
    }


# --------------------------------------------------------------------------- report


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value >= 0.995 else f"{value:.3f}"


def _fmt_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MiB"
    return f"{size / 1024:.1f} KiB"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def _cell_text(cell: Cell | None, what: str) -> str:
    if cell is None:
        return "-"
    if cell.skipped or cell.cannot:
        return "n/a"
    if not cell.good:
        return "FAILED" if cell.failed else "-"
    if what == "cpu":
        return _fmt_s(cell.cpu())
    if what == "wall":
        return _fmt_s(cell.wall())
    return f"{cell.rss():.0f}"


def render_markdown(
    files: list[SpecFile],
    tools: list[Tool],
    cells: list[Cell],
    machine: dict[str, Any],
    baselines: dict[str, float],
    command: str,
) -> str:
    index = {(c.file, c.tool): c for c in cells}
    keys = [t.key for t in tools]
    out: list[str] = []
    add = out.append
    add(f"Generated by `{command}` on {machine['date']}.")
    add("")
    add("### Machine")
    add("")
    add(f"- CPU: {machine['cpu']}, {machine['nproc']} cores (`nproc`), {machine['memory']} RAM")
    add(f"- Linux {machine['kernel']}, load average at start {machine['loadavg']}")
    add(f"- contractgen source: commit {machine.get('commit', '?')}")
    add(f"- Python {machine['python']}, Node {machine['node']}")
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    add(f"- Versions: {versions}")
    if baselines:
        parts = ", ".join(f"`{k}` {_fmt_s(v)} s" for k, v in baselines.items())
        add(f"- Start-up cost included in every figure (CPU): {parts}")
    for tool in tools:
        if tool.note:
            add(f"- **{tool.key}**: {tool.note}")
    vias = sorted({(c.tool, c.via) for c in cells if c.via and c.runs})
    for key, via in vias:
        if not any(t.key == key and t.note for t in tools):
            add(f"- **{key}**: some figures were measured as {via} (see the verdicts table)")
    missing = [t for t in tools if t.missing]
    for tool in missing:
        add(f"- **{tool.label}: not measured** ({tool.missing})")
    add("")

    add("### CPU seconds (user+sys of the child, minimum of runs) and peak RSS (MiB)")
    add("")
    header = ["file", "size", "version"]
    for tool in tools:
        header += [f"{tool.key} CPU s", f"{tool.key} MiB"]
    add("| " + " | ".join(header) + " |")
    add("|" + "|".join([" --- "] * 3 + [" ---: "] * (2 * len(tools))) + "|")
    for spec in files:
        row = [f"`{spec.name}`", _fmt_size(spec.size), f"{spec.family} {spec.version}"]
        for key in keys:
            cell = index.get((spec.name, key))
            row += [_cell_text(cell, "cpu"), _cell_text(cell, "rss")]
        add("| " + " | ".join(row) + " |")
    add("")

    add("### Ratios (CPU unless noted; below 1 means contractgen is cheaper)")
    add("")
    ratio_cols = [
        ("redocly", "cpu", "contractgen / Redocly"),
        ("osv", "cpu", "contractgen / openapi-spec-validator"),
        ("load", "cpu", "contractgen / load_document"),
        ("raw", "cpu", "contractgen / raw parse"),
        ("redocly", "rss", "memory contractgen / Redocly"),
    ]
    ratio_cols = [c for c in ratio_cols if c[0] in keys and "contractgen" in keys]
    if ratio_cols:
        add("| file | " + " | ".join(c[2] for c in ratio_cols) + " |")
        add("| --- |" + "|".join([" ---: "] * len(ratio_cols)) + "|")
        for spec in files:
            cg = index.get((spec.name, "contractgen"))
            row = [f"`{spec.name}`"]
            for key, what, _label in ratio_cols:
                peer = index.get((spec.name, key))
                if what == "cpu":
                    row.append(_ratio(cg.cpu() if cg else None, peer.cpu() if peer else None))
                else:
                    row.append(_ratio(cg.rss() if cg else None, peer.rss() if peer else None))
            add("| " + " | ".join(row) + " |")
        add("")
    else:
        add("(contractgen not measured in this run: no ratios.)")
        add("")

    add("### Wall seconds (minimum of runs) and runs per cell")
    add("")
    add("| file | " + " | ".join(f"{k} wall s (runs)" for k in keys) + " |")
    add("| --- |" + "|".join([" ---: "] * len(keys)) + "|")
    for spec in files:
        row = [f"`{spec.name}`"]
        for key in keys:
            cell = index.get((spec.name, key))
            text = _cell_text(cell, "wall")
            if cell is not None and cell.good:
                text += f" ({len(cell.good)})"
            row.append(text)
        add("| " + " | ".join(row) + " |")
    add("")

    add("### Verdicts (what each tool reported; E/W/I = errors/warnings/info)")
    add("")
    verdict_keys = [k for k in keys if k in ("contractgen", "osv", "redocly")]
    add("| file | " + " | ".join(verdict_keys) + " |")
    add("| --- |" + "|".join([" --- "] * len(verdict_keys)) + "|")
    for spec in files:
        row = [f"`{spec.name}`"]
        for key in verdict_keys:
            cell = index.get((spec.name, key))
            if cell is None:
                row.append("-")
            elif cell.skipped:
                row.append(f"n/a: {cell.skipped}")
            elif cell.good:
                row.append(cell.verdict() + (f" ({cell.via})" if cell.via else ""))
            elif cell.failed:
                row.append(f"FAILED: {cell.failed.error}"[:160].replace("|", "/"))
            else:
                row.append("-")
        add("| " + " | ".join(row) + " |")
    add("")

    add("### Targets (from the issue)")
    add("")
    add("| target | measured | status |")
    add("| --- | --- | --- |")
    for target, measured, status in targets(files, index):
        add(f"| {target} | {measured} | {status} |")
    add("")
    cannot = [c for c in cells if c.cannot]
    if cannot:
        add("Not applicable, found out by running:")
        add("")
        for cell in cannot:
            add(f"- `{cell.file}` / {cell.tool}: {cell.cannot}")
        add("")
    notes = [c for c in cells if c.runs and c.failed]
    if notes:
        add("Failures:")
        add("")
        for cell in notes:
            error = cell.failed.error if cell.failed else ""
            add(f"- `{cell.file}` / {cell.tool}: {error}")
        add("")
    return "\n".join(out)


def targets(files: list[SpecFile], index: dict[tuple[str, str], Cell]) -> Iterable[tuple[str, ...]]:
    def get(name: str, key: str) -> Cell | None:
        return index.get((name, key))

    def status(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "**not met**")

    for name, label in (
        ("stripe-spec3.yaml", "Stripe 4.2 MB YAML"),
        ("github-api.github.com.json", "GitHub 13 MB JSON"),
    ):
        cg, rd = get(name, "contractgen"), get(name, "redocly")
        a, b = (cg.cpu() if cg else None), (rd.cpu() if rd else None)
        ok = None if a is None or b is None else a < b
        add = f"{_fmt_s(a)} s vs {_fmt_s(b)} s"
        yield (f"{label}: contractgen CPU below Redocly's", add, status(ok))
    small = [f for f in files if f.size <= SMALL_BYTES]
    small_cg = [(f, get(f.name, "contractgen")) for f in small]
    small_cpu = [(f, c.cpu()) for f, c in small_cg if c is not None and c.cpu() is not None]
    if small_cpu:
        worst_file, worst = max(small_cpu, key=lambda item: item[1] or 0.0)
        assert worst is not None
        ok: bool | None = worst < 0.2
        measured = f"worst {_fmt_s(worst)} s (`{worst_file.name}`), {len(small_cpu)} files"
    else:
        ok, measured = None, "-"
    yield ("Small spec (<= 64 KiB): contractgen under 0.2 s CPU", measured, status(ok))
    peers = []
    for f in small:
        for key in ("osv", "redocly"):
            cell = get(f.name, key)
            if cell is not None and cell.cpu() is not None:
                peers.append(cell.cpu() or 0.0)
    if peers:
        yield (
            "(context) peers on small specs",
            f"{_fmt_s(min(peers))} to {_fmt_s(max(peers))} s",
            "issue: 0.3 to 1.3 s",
        )
    cg, rd = (
        get("github-api.github.com.json", "contractgen"),
        get("github-api.github.com.json", "redocly"),
    )
    a, b = (cg.rss() if cg else None), (rd.rss() if rd else None)
    ok = None if a is None or b is None else a < b
    measured = f"{a:.0f} MiB vs {b:.0f} MiB" if a is not None and b is not None else "-"
    yield ("GitHub JSON: peak RSS below Redocly's", measured, status(ok))


def write_readme(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    body = f"{START_MARKER}\n{block.rstrip()}\n{END_MARKER}"
    if START_MARKER in text and END_MARKER in text:
        before = text.split(START_MARKER, 1)[0]
        after = text.split(END_MARKER, 1)[1]
        text = before + body + after
    else:
        text = (text.rstrip() + "\n\n## Results\n\n" if text else "## Results\n\n") + body + "\n"
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- cache


def load_cache() -> list[Cell]:
    try:
        data = json.loads(CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    cells = []
    for item in data.get("cells", []):
        runs = [Run(**r) for r in item.pop("runs", [])]
        cells.append(Cell(**item, runs=runs))
    return cells


def save_cache(cells: list[Cell], machine: dict[str, Any]) -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine, "cells": [asdict(c) for c in cells]}
    CACHE.write_text(json.dumps(payload, indent=1), encoding="utf-8")


def merge(old: list[Cell], new: list[Cell]) -> list[Cell]:
    merged = {(c.file, c.tool): c for c in old}
    for cell in new:
        merged[(cell.file, cell.tool)] = cell
    return list(merged.values())


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file and tool (3)")
    parser.add_argument(
        "--files", nargs="+", metavar="FILE", help="corpus file names, paths or name fragments"
    )
    parser.add_argument(
        "--tools",
        nargs="+",
        metavar="TOOL",
        help="subset of: contractgen load raw ryaml osv redocly (default: all)",
    )
    parser.add_argument("--output", type=Path, help="rewrite the results section of this README")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument(
        "--merge",
        action="store_true",
        help=f"render earlier results from {CACHE.relative_to(ROOT)} for pairs not run now",
    )
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="per run, seconds")
    parser.add_argument(
        "--slow-cutoff",
        type=float,
        default=SLOW_CUTOFF_S,
        help="do not repeat a run whose first CPU time exceeds this (seconds)",
    )
    args = parser.parse_args(argv)

    all_tools = make_tools()
    keys = args.tools or list(all_tools)
    unknown = [k for k in keys if k not in all_tools]
    if unknown:
        parser.error(f"unknown tool(s) {unknown}; choose from {list(all_tools)}")
    tools = [all_tools[k] for k in keys]
    files = corpus_files(args.files)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    for tool in tools:
        if tool.missing:
            log(f"bench: {tool.label} skipped: {tool.missing}")

    # Warm the page cache so that the first timed run is not the one reading from disk.
    for spec in files:
        spec.path.read_bytes()
    machine = machine_info(all_tools)
    baselines = startup_baselines(args.repeat)
    cells = bench(
        files,
        tools,
        repeat=max(1, args.repeat),
        timeout=args.timeout,
        slow_cutoff=args.slow_cutoff,
        log=log,
    )
    cached = load_cache()
    all_cells = merge(cached, cells)
    save_cache(all_cells, machine)
    shown = all_cells if args.merge else cells
    if args.merge:
        shown_files = {c.file for c in shown}
        files = sorted(
            {f.name: f for f in [*files, *corpus_files(None)] if f.name in shown_files}.values(),
            key=lambda f: (f.size, f.name),
        )
        shown_keys = {c.tool for c in shown}
        tools = [all_tools[k] for k in all_tools if k in shown_keys or k in keys]

    command = "python bench/validate.py " + " ".join(argv if argv is not None else sys.argv[1:])
    markdown = render_markdown(files, tools, shown, machine, baselines, command.strip())
    if args.json:
        payload = {
            "machine": machine,
            "startup_cpu_s": baselines,
            "cells": [
                {
                    **asdict(c),
                    "cpu_min": c.cpu(),
                    "cpu_median": c.cpu_median(),
                    "wall_min": c.wall(),
                    "rss_mib_median": c.rss(),
                }
                for c in shown
            ],
        }
        print(json.dumps(payload, indent=1))
    else:
        print(markdown)
    if args.output:
        write_readme(args.output, markdown)
        log(f"bench: wrote results into {args.output}")
    failed = [c for c in cells if c.runs and c.failed]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
