#!/usr/bin/env python3
"""Profile `contractgen validate FILE` in-process with cProfile; print the top functions.

    python bench/profile_validate.py ../shared/corpus/stripe-spec3.yaml
    python bench/profile_validate.py github --sort tottime --top 40 --save github.prof

FILE may also be a fragment of a file name in the corpus (`../shared/corpus` beside the
checkout, as the tests find it, or `$CONTRACTGEN_CORPUS`). The command runs through the CLI's own
`main` (so the profile is what users pay, minus interpreter start-up); its report goes to
/dev/null. Open a saved profile with `python -m pstats FILE` or snakeviz. (Not named
profile.py: cProfile imports the standard library's `profile`, which bench/profile.py would
shadow when run as a script.)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("CONTRACTGEN_CORPUS", ROOT.parent / "shared" / "corpus"))


def resolve(item: str) -> Path:
    path = Path(item)
    if path.exists():
        return path
    matches = sorted(CORPUS.glob(f"*{item}*"))
    if len(matches) != 1:
        sys.exit(f"profile: {item!r} matches {len(matches)} corpus files; be more specific")
    return matches[0]


def _engine_main() -> None:
    """`contractgen validate FILE --format json` without the CLI: engine plus JSON report."""
    from contractgen.load.document import LoadOptions
    from contractgen.report.json_report import render_json
    from contractgen.report.summary import summarize
    from contractgen.validate.engine import RuleSettings, validate_file

    result = validate_file(Path(sys.argv[1]), RuleSettings(), LoadOptions())
    summary = summarize(result.findings, [result.file])
    sys.stdout.write(render_json(result.findings, summary=summary, tool_version="engine"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="spec path, or a fragment of a corpus file name")
    parser.add_argument("--top", type=int, default=25, help="how many functions (25)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative)")
    parser.add_argument("--save", type=Path, help="also write the raw profile here")
    parser.add_argument(
        "cli_args", nargs="*", help="extra arguments for `contractgen validate` (after --)"
    )
    args = parser.parse_args()
    path = resolve(args.file)
    argv = ["validate", str(path), "--format", "json", *args.cli_args]
    try:
        from contractgen.cli import main as cli_main  # imported outside the profile
    except ImportError as exc:  # the CLI is younger than the engine
        print(f"(contractgen.cli not importable: {exc}; profiling the engine instead)")
        cli_main, argv = _engine_main, [str(path)]
    profiler = cProfile.Profile()
    code: object = 0
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    with Path(os.devnull).open("w") as sink, contextlib.redirect_stdout(sink):
        profiler.enable()
        try:
            sys.argv = ["contractgen", *argv]
            cli_main()
        except SystemExit as exc:
            code = exc.code
        finally:
            profiler.disable()
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(f"contractgen {' '.join(argv)}: exit {code}, {cpu:.3f} s CPU, {wall:.3f} s wall")
    print("(cProfile overhead included; compare with bench/validate.py for real figures)\n")
    if args.save:
        profiler.dump_stats(args.save)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(args.sort)
    stats.print_stats(args.top)
    print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
