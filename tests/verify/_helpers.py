"""Running verify in-process against a server on a free port."""

from __future__ import annotations

from typing import Any

from contractgen.report.finding import Finding, Level
from contractgen.verify.run import VerifyOutcome, VerifyRequest, verify_command

AUTH = "Authorization: Bearer test-key"


def verify(spec: str, base: str, **options: Any) -> VerifyOutcome:
    options.setdefault("seed", 11)
    options.setdefault("headers", [AUTH])
    options.setdefault("max_examples", 1)
    options.setdefault("quiet_seconds", 0.3)
    options.setdefault("timeout", 10.0)
    return verify_command(VerifyRequest(spec=spec, base_url=base, **options))


def violations(outcome: VerifyOutcome) -> list[Finding]:
    """The findings that fail a run (latency lines are info)."""
    return [f for f in outcome.findings if f.level.rank >= Level.WARNING.rank]


def rule_ids(outcome: VerifyOutcome) -> set[str]:
    return {finding.rule_id for finding in violations(outcome)}
