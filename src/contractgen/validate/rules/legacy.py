"""Rules: legacy and vendor forms that the model reads, but that have a native 3.2 form."""

from __future__ import annotations

from collections.abc import Iterator

from contractgen.report.finding import Finding, Level
from contractgen.validate.registry import Rule, RuleContext, rule


@rule(
    "LEG001",
    "legacy-stream-form",
    Level.WARNING,
    "Streams use native forms: `itemSchema`, `x-contract-stream.sentinel`, "
    "`x-contract-stream.streamFlag`.",
    rationale="""
        contractgen reads what real specs write (a `schema` under `text/event-stream`,
        `x-oai-itemSchema`, Speakeasy and Fern sentinels and stream flags) so existing
        contracts validate today. These forms are ambiguous (is `schema` the stream or one
        item?) or tied to one vendor's tooling; the native forms say the same thing in a way
        every OpenAPI 3.2 tool understands.
    """,
    bad="""
        text/event-stream:
          schema: {$ref: '#/components/schemas/ChatChunk'}
          x-speakeasy-sse-sentinel: '[DONE]'
    """,
    good="""
        text/event-stream:
          itemSchema: {$ref: '#/components/schemas/ChatEvent'}
          x-contract-stream: {sentinel: '[DONE]'}
    """,
)
def check_legacy_stream_form(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for form in ctx.contract.legacy_forms:
        yield rule.finding(
            form.location,
            f"{form.form} is a legacy stream form; write the native `{form.native}` instead",
        )
