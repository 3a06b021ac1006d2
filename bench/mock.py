#!/usr/bin/env python3
"""How many concurrent SSE streams `contractgen mock` sustains, next to a hand-written endpoint.

Both servers run as a child process (uvicorn, one worker) and are loaded by the same client
in this process: N chat streams opened at once (each with its own API key, so no per-key limit
refuses them), each read to its end. The mock serves the example contract's chat stream; the
hand-written peer is a plain FastAPI route (`fastapi.sse`) doing the same work: the same delay
before the first event, the same number of events at the same interval, then `[DONE]`. A stream
ends well when it reaches its terminal event and the sentinel. Time to first event is from
sending the request to the first event's `data:` line. Usage: bench/README.md.

    python bench/mock.py --output bench/README.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SPEC = ROOT / "specs" / "chat-service.yaml"
START_MARKER = "<!-- bench:mock:start -->"
END_MARKER = "<!-- bench:mock:end -->"
FIRST_EVENT_MS = 200
EVENT_INTERVAL_MS = 50
TARGET_P95_RATIO = 1.2
"""The issue's target: the mock's first-event p95 within 1.2x the hand-written endpoint's."""
CHAT = "/v1/chat/completions"
BODY = {"model": "chat-small", "messages": [{"role": "user", "content": "hi"}], "stream": True}

PEER = textwrap.dedent(
    f"""
    import asyncio, json, sys
    import uvicorn
    from fastapi import FastAPI
    from fastapi.sse import EventSourceResponse, ServerSentEvent

    app = FastAPI()

    @app.post("{CHAT}", response_class=EventSourceResponse)
    async def chat(body: dict):
        await asyncio.sleep({FIRST_EVENT_MS / 1000})
        yield ServerSentEvent(event="status", data={{"phase": "thinking"}}, id="1")
        for index in range(5):
            await asyncio.sleep({EVENT_INTERVAL_MS / 1000})
            delta = {{"index": index, "delta": {{"content": "word "}}}}
            yield ServerSentEvent(event="delta", data=delta, id=str(index + 2))
        await asyncio.sleep({EVENT_INTERVAL_MS / 1000})
        yield ServerSentEvent(event="done", data={{"finish_reason": "stop"}}, id="7")
        yield ServerSentEvent(raw_data="[DONE]")

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
    """
)


@dataclass
class Result:
    server: str
    streams: int
    ended_well: int
    first_event_ms: list[float]
    wall_s: float
    server_cpu_s: float
    failures: dict[str, int]

    def p(self, q: float) -> float | None:
        if not self.first_event_ms:
            return None
        if len(self.first_event_ms) == 1:
            return self.first_event_ms[0]
        return statistics.quantiles(self.first_event_ms, n=100, method="inclusive")[int(q) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(server: str, port: int) -> subprocess.Popen[bytes]:
    if server == "mock":
        argv = [
            sys.executable,
            "-m",
            "contractgen",
            "mock",
            str(SPEC),
            "--port",
            str(port),
            "--seed",
            "1",
            "--first-event-ms",
            str(FIRST_EVENT_MS),
            "--event-interval-ms",
            str(EVENT_INTERVAL_MS),
        ]
    else:
        argv = [sys.executable, "-c", PEER, str(port)]
    log = Path(tempfile.mkdtemp(prefix="contractgen-bench-")) / f"{server}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{server} did not start: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{server} did not listen on {port} within 60 s")


def cpu_seconds(pid: int) -> float:
    """user+sys of a running process, from /proc (it is still serving: no wait4 yet)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def one_stream(client: httpx.AsyncClient, url: str, key: int) -> tuple[float | None, str]:
    """(ms to first event or None, outcome): outcome 'ok' when terminal event and sentinel came."""
    headers = {"Authorization": f"Bearer bench-{key}", "Accept": "text/event-stream"}
    sent = time.perf_counter()
    first: float | None = None
    events: list[str] = []
    try:
        async with client.stream("POST", url + CHAT, json=BODY, headers=headers) as response:
            if response.status_code != 200:
                return None, f"status {response.status_code}"
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    events.append(line[6:].strip())
                elif line.startswith("data:"):
                    if first is None:
                        first = (time.perf_counter() - sent) * 1000
                    if line[5:].strip() == "[DONE]":
                        break
    except httpx.HTTPError as error:
        return first, type(error).__name__
    ended = bool(events) and events[-1] == "done"
    return first, "ok" if ended else f"ended after {events[-1:] or 'nothing'}"


async def load(url: str, streams: int) -> tuple[list[tuple[float | None, str]], float]:
    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=0)
    timeout = httpx.Timeout(60.0, connect=30.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one_stream(client, url, i) for i in range(streams)))
        return list(outcomes), time.perf_counter() - started


def bench(server: str, streams: int) -> Result:
    port = free_port()
    process = start(server, port)
    url = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(load(url, 4))  # warm up: imports, schema compilation on first request
        before = cpu_seconds(process.pid)
        outcomes, wall = asyncio.run(load(url, streams))
        used = cpu_seconds(process.pid) - before
    finally:
        process.terminate()
        process.wait(timeout=10)
    failures: dict[str, int] = {}
    for _, outcome in outcomes:
        if outcome != "ok":
            failures[outcome] = failures.get(outcome, 0) + 1
    firsts = sorted(first for first, outcome in outcomes if first is not None)
    ended = sum(outcome == "ok" for _, outcome in outcomes)
    return Result(server, streams, ended, firsts, wall, used, failures)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def render(results: list[Result]) -> str:
    lines = [
        START_MARKER,
        f"Chat streams of `specs/chat-service.yaml`, all opened at once, each with its own key; "
        f"first event after {FIRST_EVENT_MS} ms, then one every {EVENT_INTERVAL_MS} ms. One "
        f"uvicorn worker per server; client in the bench process. "
        f"Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs.",
        "",
        "| streams | server | ended well | first event p50 | p95 | wall | server CPU | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_load: dict[int, dict[str, Result]] = {}
    for measured in results:
        by_load.setdefault(measured.streams, {})[measured.server] = measured
    for streams, pair in sorted(by_load.items()):
        for name in ("mock", "hand-written"):
            if (result := pair.get(name)) is None:
                continue
            target = "-"
            peer = pair.get("hand-written")
            if name == "mock" and peer is not None:
                mine, theirs = result.p(95), peer.p(95)
                all_ended = result.ended_well == result.streams
                ratio = (mine / theirs) if mine and theirs else None
                met = all_ended and ratio is not None and ratio <= TARGET_P95_RATIO
                shown = f"{ratio:.2f}x" if ratio is not None else "n/a"
                target = (
                    f"all end well, p95 <= {TARGET_P95_RATIO}x: {'met' if met else 'MISSED'} "
                    f"({shown})"
                )
            ended = f"{result.ended_well}/{result.streams}"
            if result.failures:
                ended += " (" + ", ".join(f"{k}: {v}" for k, v in result.failures.items()) + ")"
            lines.append(
                f"| {streams} | {name} | {ended} | {_ms(result.p(50))} | {_ms(result.p(95))} | "
                f"{result.wall_s:.2f} s | {result.server_cpu_s:.2f} s | {target} |"
            )
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def write_readme(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        tail = rest.split(END_MARKER, 1)[1].lstrip("\n")
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--output", type=Path, help="write the table into this README")
    args = parser.parse_args(argv)
    results = [
        bench(server, streams) for streams in args.streams for server in ("hand-written", "mock")
    ]
    block = render(results)
    if args.output:
        write_readme(args.output, block)
    print(block, end="")
    return 0 if all(r.ended_well == r.streams for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
