#!/usr/bin/env python3
"""Benchmark `contractgen diff` on two Stripe releases, from YAML and from JSON.

Each command runs as a child process, one at a time, interleaved `--repeat` times; CPU time
is the child's user+sys and memory its peak resident set, both from `os.wait4`. The floor is
the same interpreter loading both documents with contractgen's loader and nothing else, so
the ratio says what diffing costs on top of reading. The JSON pair is converted from the
YAML pair once per run. A peer (specshift) is measured when installed. Usage: bench/README.md.

    python bench/diff.py --repeat 3 --output bench/README.md
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPUS = Path(os.environ.get("CONTRACTGEN_CORPUS", ROOT.parent / "shared" / "corpus"))
OLD, NEW = "stripe-spec3-2023-04-27.yaml", "stripe-spec3.yaml"
START_MARKER = "<!-- bench:diff:start -->"
END_MARKER = "<!-- bench:diff:end -->"
TIMEOUT_S = 300.0
#: The issue's targets: CPU seconds for the whole command, and peak memory.
TARGET_CPU_S = {"yaml": 2.0, "json": 1.0}
TARGET_RSS_MIB = 1024

LOAD_BOTH = (
    "import sys\nfrom pathlib import Path\n"
    "from contractgen.load.document import load_document\n"
    "load_document(Path(sys.argv[1])); load_document(Path(sys.argv[2]))\n"
)


@dataclass
class Run:
    cpu: float
    wall: float
    rss_mib: float
    code: int


@dataclass
class Cell:
    tool: str
    syntax: str
    runs: list[Run] = field(default_factory=list)
    failure: str | None = None
    findings: str = ""

    @property
    def cpu(self) -> float | None:
        return min((run.cpu for run in self.runs), default=None)

    @property
    def wall(self) -> float | None:
        return min((run.wall for run in self.runs), default=None)

    @property
    def rss(self) -> float | None:
        return statistics.median(run.rss_mib for run in self.runs) if self.runs else None


def measure(argv: list[str], ok_codes: tuple[int, ...]) -> tuple[Run, bytes]:
    """Run one child to completion; its CPU, wall time and peak RSS, and its stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        deadline = start + TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                raise RuntimeError(f"timed out after {TIMEOUT_S:.0f} s")
            time.sleep(0.005)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    run = Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, child.returncode)
    if run.code not in ok_codes:
        raise RuntimeError(f"exit {run.code}")
    return run, output


def to_json(source: Path, target: Path) -> None:
    import yaml

    with source.open("rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    target.write_text(json.dumps(data, default=str), encoding="utf-8")


def contractgen_findings(output: bytes) -> str:
    try:
        summary = json.loads(output)["summary"]
    except (ValueError, KeyError, TypeError):
        return "?"
    return f"{summary.get('breaking', '?')} breaking, {summary.get('warnings', '?')} warning"


def tools(python: str) -> dict[str, tuple[list[str], tuple[int, ...]] | str]:
    """Each tool's command prefix (the two files follow) and its good exit codes, or why not."""
    contractgen = shutil.which("contractgen", path=str(Path(python).parent)) or shutil.which(
        "contractgen"
    )
    specshift = os.environ.get("SPECSHIFT") or shutil.which("specshift")
    found: dict[str, tuple[list[str], tuple[int, ...]] | str] = {
        "contractgen": ([contractgen, "diff"], (0, 1))
        if contractgen
        else "`contractgen` is not on PATH",
        "load": ([python, "-c", LOAD_BOTH], (0,)),
    }
    found["specshift"] = (
        ([specshift, "diff"], (0, 1)) if specshift else "not installed (set $SPECSHIFT)"
    )
    return found


def bench(repeat: int, selected: list[str]) -> tuple[list[Cell], dict[str, str]]:
    python = sys.executable
    available = tools(python)
    cells: list[Cell] = []
    with tempfile.TemporaryDirectory() as scratch:
        pairs = {"yaml": (CORPUS / OLD, CORPUS / NEW)}
        old_json, new_json = Path(scratch) / "old.json", Path(scratch) / "new.json"
        to_json(CORPUS / OLD, old_json)
        to_json(CORPUS / NEW, new_json)
        pairs["json"] = (old_json, new_json)
        for syntax, (old, new) in pairs.items():
            row = {name: Cell(name, syntax) for name in selected}
            for cell in row.values():
                tool = available[cell.tool]
                if isinstance(tool, str):
                    cell.failure = tool
            for _ in range(repeat):
                for cell in row.values():
                    tool = available[cell.tool]
                    if cell.failure or isinstance(tool, str):
                        continue
                    argv, ok = tool
                    extra = ["--format", "json"] if cell.tool == "contractgen" else []
                    try:
                        run, output = measure([*argv, str(old), str(new), *extra], ok)
                    except RuntimeError as error:
                        cell.failure = str(error)
                        continue
                    cell.runs.append(run)
                    if cell.tool == "contractgen":
                        cell.findings = contractgen_findings(output)
            cells.extend(row.values())
    versions = {
        "contractgen": _version("contractgen"),
        "specshift": _specshift_version(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    return cells, versions


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "n/a"


def _specshift_version() -> str:
    specshift = os.environ.get("SPECSHIFT") or shutil.which("specshift")
    if specshift is None:
        return "n/a"
    done = subprocess.run([specshift, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout.strip() or done.stderr.strip()).split()[-1:][0] if done.stdout else "?"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def render(cells: list[Cell], versions: dict[str, str], repeat: int) -> str:
    floor = {cell.syntax: cell.cpu for cell in cells if cell.tool == "load"}
    lines = [
        START_MARKER,
        f"Stripe `{OLD}` -> `{NEW}`, {repeat} interleaved runs each: minimum CPU and wall "
        f"time, median peak RSS. contractgen {versions['contractgen']}, specshift "
        f"{versions['specshift']}, Python {versions['python']}, {versions['machine']}.",
        "",
        "| input | command | CPU | x floor | wall | peak RSS | target | result |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cell in cells:
        if cell.failure and not cell.runs:
            lines.append(f"| {cell.syntax} | {cell.tool} | - | - | - | - | - | {cell.failure} |")
            continue
        base = floor.get(cell.syntax)
        ratio = f"{cell.cpu / base:.2f}x" if cell.cpu and base else "-"
        target = "-"
        if cell.tool == "contractgen" and cell.cpu is not None and cell.rss is not None:
            limit = TARGET_CPU_S[cell.syntax]
            met = cell.cpu < limit and cell.rss < TARGET_RSS_MIB
            target = f"< {limit:.0f} s, < 1 GiB: {'met' if met else 'MISSED'}"
        rss = f"{cell.rss:.0f} MiB" if cell.rss is not None else "-"
        result = cell.findings or ("ok" if not cell.failure else cell.failure)
        lines.append(
            f"| {cell.syntax} | {cell.tool} | {_s(cell.cpu)} | {ratio} | {_s(cell.wall)} "
            f"| {rss} | {target} | {result} |"
        )
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def write_readme(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        tail = rest.split(END_MARKER, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", nargs="+", default=["contractgen", "load", "specshift"])
    parser.add_argument("--output", type=Path, help="write the table into this README")
    args = parser.parse_args(argv)
    cells, versions = bench(args.repeat, args.tools)
    block = render(cells, versions, args.repeat)
    sys.stdout.write(block)
    if args.output:
        write_readme(args.output, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
