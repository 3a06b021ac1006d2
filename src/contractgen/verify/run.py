"""`contractgen verify SPEC --base-url URL`: exercise a running server against its contract.

Every selected operation gets `--max-examples` valid requests (JSON, stream and WebSocket
alike); each response, event and message is checked and every miss is a `Finding` of a rule
in `verify.rules`, reported in any of validate's formats. Exit 1 on any finding at warning or
above (latency lines are info), 2 on a usage error or a server that cannot be reached.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contractgen import __version__
from contractgen.errors import ContractgenError, UsageError
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.model.contract import Operation
from contractgen.model.json_schema import SchemaBundler
from contractgen.model.opening import open_contract
from contractgen.report import ReportFormat, RuleInfo, render
from contractgen.report.finding import Finding, Level
from contractgen.report.summary import summarize
from contractgen.verify import latency, probes, rules
from contractgen.verify.context import Run, Samples
from contractgen.verify.plan import RequestMaker, Schemas, selected
from contractgen.verify.responses import check_response
from contractgen.verify.streams import exercise_stream
from contractgen.verify.websocket import exercise_websocket


class VerifyError(ContractgenError):
    """The server cannot be verified: unreachable, or nothing selected to verify."""


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    spec: str
    base_url: str
    max_examples: int = 3
    seed: int | None = None
    headers: Sequence[str] = ()
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    probes: Sequence[str] = ()
    max_first_event_ms: float | None = None
    save_baseline: Path | None = None
    baseline: Path | None = None
    format: ReportFormat = ReportFormat.TEXT
    timeout: float = 30.0
    quiet_seconds: float = 1.0
    allow_external_refs: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    color: bool = False


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    report: str
    exit_code: int
    messages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def parse_headers(values: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, colon, text = value.partition(":")
        if not colon or not name.strip() or any(c in name for c in " \t\r\n"):
            raise UsageError("USAGE007", f"--header must be 'Name: value', not {value!r}")
        headers[name.strip()] = text.strip()
    return headers


def check_options(request: VerifyRequest) -> None:
    if not request.base_url.startswith(("http://", "https://")):
        raise UsageError(
            "USAGE007", f"--base-url must be an http:// or https:// URL, not {request.base_url!r}"
        )
    if request.max_examples < 1:
        raise UsageError(
            "USAGE007", f"--max-examples must be at least 1, not {request.max_examples}"
        )
    unknown = [probe for probe in request.probes if probe not in probes.PROBES]
    if unknown:
        raise UsageError(
            "USAGE007", f"--probe {unknown[0]!r} is not one of {', '.join(probes.PROBES)}"
        )
    if request.seed is not None and request.seed < 0:
        raise UsageError("USAGE007", f"--seed must not be negative, not {request.seed}")


def verify_command(request: VerifyRequest) -> VerifyOutcome:
    check_options(request)
    headers = parse_headers(request.headers)
    baseline = latency.read_baseline(request.baseline) if request.baseline else None
    opened = open_contract(
        request.spec,
        doing="verifying",
        max_bytes=request.max_bytes,
        allow_external_refs=request.allow_external_refs,
    )
    messages = [opened.warning] if opened.warning else []
    contract, document = opened.contract, opened.document
    operations = selected(contract.operations, request.include, request.exclude)
    if not operations:
        raise VerifyError(
            "VERIFY003", "no operation of the contract is selected", document.root.display
        )
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    messages.append(f"contractgen verify: {len(operations)} operations, seed {seed}")
    run = Run(
        contract,
        document,
        Schemas(SchemaBundler(document)),
        hidden_headers=tuple(name.lower() for name in headers),
        timeout=request.timeout,
        quiet_seconds=request.quiet_seconds,
    )
    maker = RequestMaker(request.base_url, run.schemas, headers, seed)
    with httpx.Client(timeout=request.timeout, follow_redirects=False) as client:
        _reachable(client, request.base_url)
        try:
            _exercise(run, client, maker, operations, request)
        except httpx.TransportError as error:
            raise VerifyError(
                "VERIFY001",
                f"lost the server at {request.base_url}: {error or type(error).__name__}",
            ) from None
    _latency_findings(run, request, baseline)
    if request.save_baseline is not None:
        latency.save_baseline(request.save_baseline, run.latency)
        messages.append(f"wrote the latency samples to {request.save_baseline}")
    findings = run.findings
    code = 1 if any(f.level.rank >= Level.WARNING.rank for f in findings) else 0
    files = [document.root.display]
    catalogue: dict[str, RuleInfo] = dict(rules.RULES)
    report = render(
        request.format,
        findings,
        summary=summarize(findings, files),
        files=files,
        rules=catalogue,
        tool_version=__version__,
        fail_on=Level.WARNING,
        color=request.color,
    )
    return VerifyOutcome(report, code, messages, findings)


def _reachable(client: httpx.Client, base_url: str) -> None:
    try:
        client.get(base_url, timeout=10)
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise VerifyError("VERIFY001", f"cannot reach the server at {base_url}: {reason}") from None


def _exercise(
    run: Run,
    client: httpx.Client,
    maker: RequestMaker,
    operations: list[Operation],
    request: VerifyRequest,
) -> None:
    for op in operations:
        ws_index = 0
        for exercise in maker.exercises(op, request.max_examples):
            if exercise.mode == "websocket":
                exercise_websocket(run, exercise, ws_index, maker.rng(op, f"ws{ws_index}"))
                ws_index += 1
            elif exercise.mode == "stream":
                exercise_stream(run, client, exercise)
            else:
                sent = exercise.request
                response = client.request(
                    sent.method, sent.url, headers=sent.headers, content=sent.body
                )
                check_response(
                    run, op, sent, response.status_code, response.headers, response.content
                )
    if "limits" in request.probes:
        for op in operations:
            if op.websocket is not None:
                probes.probe_websocket_size(run, maker, op)
            else:
                probes.probe_body_limit(run, client, maker, op)
                probes.probe_token_limit(run, client, maker, op)
    if "rate-limits" in request.probes:
        probes.probe_rate_limit(run, client, maker, operations)


def _latency_findings(
    run: Run, request: VerifyRequest, baseline: dict[str, Samples] | None
) -> None:
    for key, samples in sorted(run.latency.items()):
        op = run.contract.operation(key)
        if op is None or not samples.duration_ms:
            continue
        where = op.streams[0].location if op.streams else op.location
        run.report(rules.LATENCY, op, where, latency.summary_line(samples))
        budget = request.max_first_event_ms
        p95 = latency.percentile(samples.first_event_ms, 95)
        if budget is not None and p95 > budget:
            run.report(
                rules.FIRST_EVENT_BUDGET,
                op,
                where,
                f"p95 time to first event {p95:.0f} ms is over the budget of {budget:.0f} ms",
            )
        old = baseline.get(key) if baseline else None
        if old is None:
            continue
        for comparison in latency.compare(samples, old):
            if comparison.regression:
                run.report(rules.LATENCY_REGRESSION, op, where, comparison.sentence())
