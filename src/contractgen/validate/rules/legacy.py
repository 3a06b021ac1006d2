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
        every OpenAPI 3.2 tool understands. `itemSchema` exists from OpenAPI 3.2 on, so in a
        3.0 or 3.1 document the item-schema forms are the right ones and only an `info` note
        suggests moving to 3.2; the vendor sentinel and stream-flag forms have a native
        `x-contract-stream` form in every version and stay warnings.
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
    version = ctx.contract.version_tuple
    for form in ctx.contract.legacy_forms:
        since = form.native_since
        if since is not None and version < since:
            yield rule.finding(
                form.location,
                f"{form.form} is read as `{form.native}`, which OpenAPI {since[0]}.{since[1]} "
                f"introduced; in an OpenAPI {ctx.contract.version} document it is accepted as "
                f"is: move the document to {since[0]}.{since[1]} to write `{form.native}` natively",
                level=Level.INFO,
            )
        else:
            yield rule.finding(
                form.location,
                f"{form.form} is a legacy stream form; write the native `{form.native}` instead",
            )
