"""`Prefer: error=<code>[; phase=mid_stream]`: ask the mock for one of the catalogue's errors.

The preference (RFC 7240 syntax: `name=value` with `;`-separated parameters, several
preferences comma-separated) names an error code of the contract's catalogue. Before the
stream (`phase=pre_stream`, the default) it is answered as that code's problem response;
mid-stream it ends the stream (or WebSocket reply) with the error event after a few events.
A code the catalogue does not have, a phase the code does not declare (the catalogue's
`phases`), or `mid_stream` on a response that does not stream, is a 400 problem: a client
testing its error paths learns at once that it asked for an error the contract cannot send.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractgen.runtime.spec import MID_STREAM, PRE_STREAM, ErrorCatalogue, ErrorCode


@dataclass(frozen=True, slots=True)
class PreferredError:
    entry: ErrorCode
    phase: str


class PreferenceError(ValueError):
    """The preference cannot be honoured; the message says why (the 400 problem's detail)."""


def preferred_error(header: str | None, catalogue: ErrorCatalogue) -> PreferredError | None:
    """The error a `Prefer` header asks for, or None when it asks for none."""
    if not header:
        return None
    for preference in header.split(","):
        parts = [part.strip() for part in preference.split(";")]
        name, _, value = parts[0].partition("=")
        if name.strip().lower() != "error":
            continue
        code = value.strip().strip('"')
        params = {}
        for part in parts[1:]:
            key, _, param = part.partition("=")
            params[key.strip().lower()] = param.strip().strip('"')
        phase = params.get("phase", PRE_STREAM) or PRE_STREAM
        if phase not in (PRE_STREAM, MID_STREAM):
            raise PreferenceError(f"Prefer: phase must be pre_stream or mid_stream, not {phase!r}.")
        entry = catalogue.get(code)
        if entry is None:
            known = ", ".join(sorted(item.code for item in catalogue.codes)) or "none"
            raise PreferenceError(
                f"Prefer: error={code!r} is not a code of the contract's catalogue "
                f"(its codes: {known})."
            )
        if phase not in entry.phases:
            raise PreferenceError(
                f"Prefer: {code} is not sent {phase} by this contract "
                f"(its phases: {', '.join(entry.phases)})."
            )
        return PreferredError(entry, phase)
    return None
