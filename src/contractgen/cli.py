"""The command line: parse flags, call one function per command, turn user errors into exit 2.

No logic lives here. A `ContractgenError` becomes one line on stderr,
`file:line:col: CODE message`, and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from contractgen import __version__
from contractgen.errors import ContractgenError, UsageError
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.report import ReportFormat
from contractgen.report.finding import Level

app = typer.Typer(
    name="contractgen",
    help="Contract-first toolkit for streaming APIs: validate an OpenAPI contract, find the "
    "changes that break clients, scaffold its service and client, mock it, and verify a running "
    "server against it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class RulesFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"


class ChangeLevel(StrEnum):
    """The levels of a change, for `diff --fail-on`."""

    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"


class ShownLevel(StrEnum):
    """What `diff --only` keeps: changes at or above one of these."""

    BREAKING = "breaking"
    WARNING = "warning"


def main() -> None:
    """Console-script entry point (`contractgen`)."""
    app(prog_name="contractgen")


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a `ContractgenError` as its one line on stderr and exit with status 2."""
    try:
        yield
    except ContractgenError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(2) from None


def _at_least_one(value: int | None) -> int | None:
    """A count from the command line, refused below 1 (typer's `min=` would print `[x>=1]`)."""
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a positive number")
    return value


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"contractgen {__version__}")
        raise typer.Exit()


# Options validate and diff share, declared once so their help stays the same.

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        show_default=False,
        help="Configuration file (default: the nearest .contractgen.yaml, or pyproject.toml "
        "with a tool.contractgen table).",
    ),
]
AllowExternalRefsOption = Annotated[
    bool,
    typer.Option(
        "--allow-external-refs",
        metavar="",
        show_default=False,
        help="Follow $refs to files outside the spec's folder. URLs are never fetched.",
    ),
]
MaxFileSizeOption = Annotated[
    int,
    typer.Option(
        "--max-file-size",
        metavar="BYTES",
        callback=_at_least_one,
        show_default=False,
        help=f"Refuse larger files before reading them (default: {DEFAULT_MAX_BYTES}, "
        f"{DEFAULT_MAX_BYTES // 2**20} MiB).",
    ),
]
ColorOption = Annotated[
    bool | None,
    typer.Option(
        "--color/--no-color",
        metavar="",
        show_default=False,
        help="Colour the text report (default: when stdout is a terminal and NO_COLOR is unset).",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help="Write the report to this file instead of stdout.",
    ),
]


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            metavar="",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Contract-first toolkit for streaming APIs."""


@app.command()
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            show_default=False,
            help="Spec files, folders (searched for OpenAPI documents) or quoted globs such as "
            "'specs/**/*.yaml'.",
        ),
    ],
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            show_default=False,
            help="text (the default), json, sarif, github, junit, markdown or html.",
        ),
    ] = ReportFormat.TEXT,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            "--fail-on",
            metavar="LEVEL",
            case_sensitive=False,
            show_default=False,
            help="Exit 1 when a finding is at this level or above: error (the default), "
            "warning or info.",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="RULES",
            show_default=False,
            help="Run only these rules: ids, id prefixes (OAS, STR) or names, comma-separated "
            "or repeated. Replaces the configuration's selection.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="RULES",
            show_default=False,
            help="Do not run these rules (as for --select); adds to the configuration's.",
        ),
    ] = None,
    config: ConfigOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            show_default=False,
            help="Accept the findings recorded in this baseline.",
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            metavar="FILE",
            show_default=False,
            help="Record the findings in this baseline and print no report. Exit 0, or 2 when a "
            "file cannot be loaded (the other files' findings are recorded).",
        ),
    ] = None,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            callback=_at_least_one,
            show_default=False,
            help="Files validated in parallel (default: the CPU count).",
        ),
    ] = None,
    color: ColorOption = None,
    output: OutputOption = None,
) -> None:
    """Validate OpenAPI contracts.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 input or usage errors.
    """
    from contractgen.validate.run import ValidateRequest, validate_command  # not for scaffold

    request = ValidateRequest(
        inputs=paths,
        format=format,
        fail_on=fail_on,
        config=config,
        baseline=baseline,
        write_baseline=write_baseline,
        select=select,
        ignore=ignore or (),
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
        jobs=jobs or _cpu_count(),
        color=_use_color(color, output),
    )
    with user_errors():
        outcome = validate_command(request)
        _write_report(outcome.report, output)
    for message in outcome.messages:
        typer.echo(message, err=True)
    raise typer.Exit(outcome.exit_code)


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            show_default=False,
            help="The contract as it was: a spec file, or REV:path in git.",
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW",
            show_default=False,
            help="The contract as it is now: a spec file, or REV:path in git.",
        ),
    ],
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            show_default=False,
            help="text (the default), markdown (a changelog), html, json, sarif, github or junit.",
        ),
    ] = ReportFormat.TEXT,
    fail_on: Annotated[
        ChangeLevel | None,
        typer.Option(
            "--fail-on",
            metavar="LEVEL",
            case_sensitive=False,
            show_default=False,
            help="Exit 1 when a change is at this level or above: breaking (the default), "
            "warning or info.",
        ),
    ] = None,
    only: Annotated[
        ShownLevel | None,
        typer.Option(
            "--only",
            metavar="LEVEL",
            case_sensitive=False,
            show_default=False,
            help="Report only changes at this level or above: breaking or warning.",
        ),
    ] = None,
    ignore: Annotated[
        Path | None,
        typer.Option(
            "--ignore",
            metavar="FILE",
            show_default=False,
            help="Accept the changes this YAML file lists (entries naming a rule, operation or "
            "pointer, each with a reason); adds to the configuration's diff.ignore.",
        ),
    ] = None,
    check_version: Annotated[
        bool | None,
        typer.Option(
            "--check-version/--no-check-version",
            metavar="",
            show_default=False,
            help="Report a new info.version bumped less than the changes need (DVER001). Off "
            "by default.",
        ),
    ] = None,
    config: ConfigOption = None,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
    color: ColorOption = None,
    output: OutputOption = None,
) -> None:
    """Report the changes from OLD to NEW, and which of them break existing clients.

    Exit status: 0 nothing at or above --fail-on, 1 changes at or above it, 2 input or usage
    errors.
    """
    from contractgen.diff.run import DiffRequest, diff_command  # `validate` never pays for it

    request = DiffRequest(
        old=old,
        new=new,
        format=format,
        fail_on=Level(fail_on.value) if fail_on is not None else None,
        only=Level(only.value) if only is not None else None,
        ignore_file=ignore,
        check_version=check_version,
        config=config,
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
        color=_use_color(color, output),
    )
    with user_errors():
        outcome = diff_command(request)
        _write_report(outcome.report, output)
    for message in outcome.messages:
        typer.echo(message, err=True)
    raise typer.Exit(outcome.exit_code)


@app.command()
def rules(
    rule: Annotated[
        str | None,
        typer.Argument(
            metavar="RULE",
            show_default=False,
            help="A rule id or name to explain (with --diff, also an oasdiff id); without it, "
            "list every rule.",
        ),
    ] = None,
    format: Annotated[
        RulesFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            show_default=False,
            help="text (the default), or markdown: the whole catalogue, as in docs/rules.md "
            "(with --diff, docs/diff-rules.md).",
        ),
    ] = RulesFormat.TEXT,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            metavar="",
            show_default=False,
            help="The rules of `contractgen diff` (the kinds of change it reports) instead.",
        ),
    ] = False,
) -> None:
    """List the validation rules (or, with --diff, the diff rules), or explain one."""
    # Imported here: jinja2 and rich's syntax highlighting would slow every `validate` start.
    from contractgen.docs import explain_rule, rules_markdown, rules_table
    from contractgen.validate.registry import catalogue, find_rule

    if diff:
        _diff_rules(rule, format)
    elif format is RulesFormat.MARKDOWN:
        typer.echo(rules_markdown(catalogue().values()), nl=False)
    elif rule is None:
        rules_table(catalogue().values())
    else:
        found = find_rule(rule)
        if found is None:
            raise typer.BadParameter(
                f"no rule {rule!r}; `contractgen rules` lists them", param_hint="RULE"
            )
        explain_rule(found)


def _diff_rules(rule: str | None, format: RulesFormat) -> None:
    from contractgen.diff.registry import diff_catalogue, find_diff_rule
    from contractgen.docs import diff_rules_markdown, explain_diff_rule, rules_table

    if format is RulesFormat.MARKDOWN:
        typer.echo(diff_rules_markdown(diff_catalogue().values()), nl=False)
    elif rule is None:
        rules_table(diff_catalogue().values())
    else:
        found = find_diff_rule(rule)
        if found is None:
            raise typer.BadParameter(
                f"no diff rule {rule!r}; `contractgen rules --diff` lists them",
                param_hint="RULE",
            )
        explain_diff_rule(found)


def _use_color(flag: bool | None, output: Path | None) -> bool:
    if flag is not None:
        return flag
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@app.command()
def scaffold(
    spec: Annotated[
        str,
        typer.Argument(metavar="SPEC", show_default=False, help="The contract to scaffold from."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            show_default=False,
            help="The project folder to create or update.",
        ),
    ],
    package_name: Annotated[
        str | None,
        typer.Option(
            "--package-name",
            metavar="NAME",
            show_default=False,
            help="The Python package (default: from info.title, e.g. chat_service).",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            show_default=False,
            help="Templates overriding contractgen's own by relative path (docs/templates.md).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            metavar="",
            show_default=False,
            help="Write nothing; exit 1 when the generated files are stale (for CI).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            metavar="",
            show_default=False,
            help="List what would change; write nothing.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            metavar="",
            show_default=False,
            help="Overwrite generated files that were edited (your own files are never touched).",
        ),
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            metavar="PART",
            show_default=False,
            help="Render one part: `server` (the service and its project) or `client` "
            "(client/, the typed client package); the other part's files are left alone.",
        ),
    ] = None,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
) -> None:
    """Render a FastAPI service whose streams, limits and errors follow SPEC, and its client.

    Generated files are rewritten on every run; the files that are yours (implementation.py,
    settings.py, README.md) are created once and never overwritten. Exit status: 0 done,
    1 stale (--check) or files kept that block the update, 2 input or usage errors.
    """
    from contractgen.scaffold.run import ScaffoldRequest, scaffold_command

    request = ScaffoldRequest(
        spec=spec,
        out=out,
        package=package_name,
        templates=templates,
        check=check,
        dry_run=dry_run,
        force=force,
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
        only=only,
    )
    with user_errors():
        outcome = scaffold_command(request)
    for message in outcome.messages:
        typer.echo(message, err=True)
    raise typer.Exit(outcome.exit_code)


export_app = typer.Typer(
    name="export",
    help="Export the contract's streams and WebSocket endpoints for other tools.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(export_app)

SpecArgument = Annotated[
    str,
    typer.Argument(metavar="SPEC", show_default=False, help="The contract to export from."),
]
CheckOption = Annotated[
    bool,
    typer.Option(
        "--check",
        metavar="",
        show_default=False,
        help="Write nothing; exit 1 when the output is stale (for CI).",
    ),
]


@export_app.command("events")
def export_events(
    spec: SpecArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            show_default=False,
            help="The folder for the schemas and index.json (created when missing).",
        ),
    ],
    check: CheckOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            metavar="",
            show_default=False,
            help="Overwrite schema files that were edited since contractgen wrote them.",
        ),
    ] = False,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
) -> None:
    """Write one JSON Schema (2020-12) per event type of every stream and message type of every
    WebSocket, and index.json.

    Exit status: 0 done, 1 stale (--check) or edited files kept, 2 input or usage errors
    (EXPORT001: nothing to export).
    """
    from contractgen.export.run import ExportRequest, export_events_command

    request = ExportRequest(
        spec=spec,
        out=out,
        check=check,
        force=force,
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
    )
    with user_errors():
        outcome = export_events_command(request)
    for message in outcome.messages:
        typer.echo(message, err=True)
    raise typer.Exit(outcome.exit_code)


@export_app.command("asyncapi")
def export_asyncapi(
    spec: SpecArgument,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            show_default=False,
            help="Write the document here (YAML for .yaml or .yml, else JSON) instead of stdout.",
        ),
    ] = None,
    check: CheckOption = False,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
) -> None:
    """Write an AsyncAPI 3.0.0 document for the WebSocket endpoints.

    Exit status: 0 done, 1 stale (--check), 2 input or usage errors (EXPORT001: no WebSocket
    endpoint).
    """
    from contractgen.export.run import ExportRequest, export_asyncapi_command

    request = ExportRequest(
        spec=spec,
        out=out,
        check=check,
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
    )
    with user_errors():
        outcome = export_asyncapi_command(request)
    if outcome.output is not None:
        typer.echo(outcome.output, nl=False)
    for message in outcome.messages:
        typer.echo(message, err=True)
    raise typer.Exit(outcome.exit_code)


@app.command()
def mock(
    spec: Annotated[
        str, typer.Argument(metavar="SPEC", show_default=False, help="The contract to serve.")
    ],
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="The address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        str, typer.Option("--port", metavar="N", help="The port to listen on (0: any free one).")
    ] = "4010",
    seed: Annotated[
        str | None,
        typer.Option(
            "--seed",
            metavar="S",
            show_default=False,
            help="Seed of the generated data: the same seed gives the same bytes (default: "
            "drawn at start and printed).",
        ),
    ] = None,
    first_event_ms: Annotated[
        str,
        typer.Option("--first-event-ms", metavar="MS", help="Delay before a stream's first event."),
    ] = "200",
    event_interval_ms: Annotated[
        str,
        typer.Option("--event-interval-ms", metavar="MS", help="Delay between a stream's events."),
    ] = "50",
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
) -> None:
    """Serve a mock of the contract: every operation, requests checked, responses from its
    examples or generated from its schemas, streams of its events, its limits and errors.

    `Prefer: error=CODE` (optionally `; phase=mid_stream`) answers with a catalogue error.
    Exit status: 0 after Ctrl-C, 2 input or usage errors.
    """
    from contractgen.mock.run import MockRequest, mock_command, parse_count

    with user_errors():
        request = MockRequest(
            spec=spec,
            host=host,
            port=parse_count("--port", port),
            seed=None if seed is None else parse_count("--seed", seed),
            first_event_ms=parse_count("--first-event-ms", first_event_ms),
            event_interval_ms=parse_count("--event-interval-ms", event_interval_ms),
            allow_external_refs=allow_external_refs,
            max_bytes=max_file_size,
        )
        code = mock_command(request)
    raise typer.Exit(code)


@app.command()
def verify(
    spec: Annotated[
        str, typer.Argument(metavar="SPEC", show_default=False, help="The contract to verify.")
    ],
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url", metavar="URL", show_default=False, help="The running server to verify."
        ),
    ],
    max_examples: Annotated[
        int, typer.Option("--max-examples", metavar="N", help="Requests per operation.")
    ] = 3,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="S",
            show_default=False,
            help="Seed of the generated requests (default: drawn and printed).",
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            "-H",
            metavar="'NAME: VALUE'",
            show_default=False,
            help="A header sent with every request (repeatable), such as a credential.",
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            metavar="OP",
            show_default=False,
            help="Verify only these operations: operationIds or 'METHOD /path', globs allowed.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", metavar="OP", show_default=False, help="Do not verify these operations."
        ),
    ] = None,
    probe: Annotated[
        list[str] | None,
        typer.Option(
            "--probe",
            metavar="KIND",
            show_default=False,
            help="Also break declared limits on purpose: limits, rate-limits (repeatable).",
        ),
    ] = None,
    max_first_event_ms: Annotated[
        float | None,
        typer.Option(
            "--max-first-event-ms",
            metavar="MS",
            show_default=False,
            help="Fail when a stream's p95 time to first event is over this budget.",
        ),
    ] = None,
    save_baseline: Annotated[
        Path | None,
        typer.Option(
            "--save-baseline", metavar="FILE", show_default=False, help="Store latency samples."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            show_default=False,
            help="Compare latency with stored samples (Mann-Whitney U and effect size).",
        ),
    ] = None,
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            show_default=False,
            help="text (the default), json, sarif, github, junit, markdown or html.",
        ),
    ] = ReportFormat.TEXT,
    allow_external_refs: AllowExternalRefsOption = False,
    max_file_size: MaxFileSizeOption = DEFAULT_MAX_BYTES,
    color: ColorOption = None,
    output: OutputOption = None,
) -> None:
    """Verify a running server against the contract: every operation exercised with valid
    requests, responses, streams and WebSocket messages checked.

    Exit status: 0 clean, 1 findings, 2 input or usage errors or an unreachable server.
    """
    from contractgen.verify.run import VerifyRequest, verify_command

    request = VerifyRequest(
        spec=spec,
        base_url=base_url,
        max_examples=max_examples,
        seed=seed,
        headers=header or (),
        include=include or (),
        exclude=exclude or (),
        probes=probe or (),
        max_first_event_ms=max_first_event_ms,
        save_baseline=save_baseline,
        baseline=baseline,
        format=format,
        allow_external_refs=allow_external_refs,
        max_bytes=max_file_size,
        color=_use_color(color, output),
    )
    with user_errors():
        outcome = verify_command(request)
        for message in outcome.messages:
            typer.echo(message, err=True)
        _write_report(outcome.report, output)
    raise typer.Exit(outcome.exit_code)


def _write_report(report: str, output: Path | None) -> None:
    if output is None:
        typer.echo(report, nl=False, color=True)  # colour was decided already: keep it
        return
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as exc:
        message = f"cannot write the report: {exc.strerror or exc}"
        raise UsageError("USAGE004", message, str(output)) from None
