"""End to end: the mock serving the example contract passes verify, over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from contractgen.cli import app
from tests.mock._helpers import CHAT, serve
from tests.runtime._servers import free_port
from tests.verify._helpers import AUTH, verify, violations

ROOT = Path(__file__).resolve().parents[2]


def test_the_mock_of_the_example_contract_has_no_findings() -> None:
    with serve(CHAT, first_event_ms=5, event_interval_ms=2) as base:
        outcome = verify(CHAT, base, max_examples=3, probes=["limits"])
    assert violations(outcome) == [], outcome.report
    assert outcome.exit_code == 0
    latency = [f for f in outcome.findings if f.rule_id == "VER042"]
    assert len(latency) == 1 and "POST /v1/chat/completions" in latency[0].message
    assert "(3 streams, " in latency[0].message


def test_the_same_seed_sends_the_same_requests() -> None:
    from contractgen.load.document import LoadOptions
    from contractgen.load.revision import load_input
    from contractgen.model.build import build_contract
    from contractgen.model.json_schema import SchemaBundler
    from contractgen.verify.plan import RequestMaker, Schemas

    document = load_input(CHAT, LoadOptions())
    contract = build_contract(document)

    def requests(seed: int) -> list[str]:
        maker = RequestMaker("http://x", Schemas(SchemaBundler(document)), {}, seed)
        return [
            exercise.request.curl()
            for op in contract.operations
            for exercise in maker.exercises(op, 4)
        ]

    assert requests(5) == requests(5)
    assert requests(5) != requests(6)


def test_the_command_line_reports_in_validate_formats() -> None:
    runner = CliRunner()
    with serve(CHAT) as base:
        result = runner.invoke(
            app,
            [
                "verify",
                CHAT,
                "--base-url",
                base,
                "-H",
                AUTH,
                "--seed",
                "3",
                "--max-examples",
                "1",
                "--include",
                "retrieveModel",
                "--include",
                "POST /v1/chat/*",
                "--format",
                "sarif",
            ],
        )
    assert result.exit_code == 0, result.output
    sarif = json.loads(result.stdout)
    assert sarif["runs"][0]["tool"]["driver"]["rules"]


def test_an_unreachable_server_is_one_line_and_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "contractgen", "verify", CHAT, "--base-url", url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("VERIFY001 cannot reach the server"), lines


def test_bad_flags_are_usage007() -> None:
    runner = CliRunner()
    for args in (
        ["--base-url", "ftp://x"],
        ["--base-url", "http://x", "--probe", "everything"],
        ["--base-url", "http://x", "-H", "no colon"],
    ):
        result = runner.invoke(app, ["verify", CHAT, *args])
        assert result.exit_code == 2
        assert "USAGE007" in result.output
