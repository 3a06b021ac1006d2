"""Errors: the catalogue of codes clients branch on, compared between two contracts.

Clients decide what to do with an error by its code: retry it, wait `Retry-After`, show it,
give up. A code that disappears, changes name or status, stops being retryable or moves
into the stream breaks that handling. Codes are a response-side union: a new code may break
clients that treat the set as closed, unless the catalogue is `extensible`. The catalogue
is written once per document, so its findings reach the document, not one operation.
"""

from __future__ import annotations

from collections.abc import Iterator

from contractgen.diff.compare.reporting import listed, quoted
from contractgen.diff.context import DiffContext
from contractgen.diff.registry import diff_rule
from contractgen.model.errors import MID_STREAM, PRE_STREAM, ErrorCatalog, ErrorCode
from contractgen.report.finding import Finding, Level

REQUIRED = "required"

CODE_REMOVED = diff_rule(
    "DERR001",
    "error-code-removed",
    Level.BREAKING,
    "An error code was removed from the catalogue.",
    rationale="""
        Clients branch on codes (back off on `rate_limited`, shorten the prompt on
        `context_length_exceeded`): the failure the code named now arrives under another
        code, or none, and their handling no longer applies.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true}
          rate_limited: {status: 429, retryable: true}
    """,
    after="""\
        codes:
          rate_limited: {status: 429, retryable: true}
    """,
)
CODE_RENAMED = diff_rule(
    "DERR002",
    "error-code-renamed",
    Level.BREAKING,
    "An error code was renamed: one removed and one added for the same status and limit.",
    rationale="""
        The failure is the same, but clients match the old name: they no longer recognise
        it and fall back to generic handling.
    """,
    before="""\
        codes:
          content_too_large: {status: 413, retryable: false, limit: request.maxBytes}
    """,
    after="""\
        codes:
          payload_too_large: {status: 413, retryable: false, limit: request.maxBytes}
    """,
)
STATUS_CHANGED = diff_rule(
    "DERR003",
    "error-code-status-changed",
    Level.BREAKING,
    "An error code is sent with another HTTP status.",
    rationale="""
        Clients and their HTTP libraries handle errors by status class first (retry a 503,
        never a 400): the same code under another status takes another path.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true}
    """,
    after="""\
        codes:
          overloaded: {status: 429, retryable: true}
    """,
)
NO_LONGER_RETRYABLE = diff_rule(
    "DERR004",
    "error-code-no-longer-retryable",
    Level.WARNING,
    "An error code that was retryable no longer is.",
    rationale="""
        Clients that retry the code now repeat a request that cannot succeed unchanged,
        wasting quota and time.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true}
    """,
    after="""\
        codes:
          overloaded: {status: 503, retryable: false}
    """,
)
NOW_RETRYABLE = diff_rule(
    "DERR005",
    "error-code-now-retryable",
    Level.INFO,
    "An error code that was not retryable now is.",
    rationale="Clients that give up on it still behave correctly; they may now retry.",
    before="""\
        codes:
          conflict: {status: 409, retryable: false}
    """,
    after="""\
        codes:
          conflict: {status: 409, retryable: true}
    """,
)
RETRY_AFTER_OPTIONAL = diff_rule(
    "DERR006",
    "retry-after-no-longer-required",
    Level.WARNING,
    "An error code no longer always carries a retry delay (`Retry-After`, `retry_after_ms`).",
    rationale="""
        Clients that wait the delay they are given before retrying find none, and either
        retry at once, adding load, or fail.
    """,
    before="""\
        codes:
          rate_limited: {status: 429, retryable: true, retryAfter: required}
    """,
    after="""\
        codes:
          rate_limited: {status: 429, retryable: true, retryAfter: optional}
    """,
)
RETRY_AFTER_REQUIRED = diff_rule(
    "DERR007",
    "retry-after-now-required",
    Level.INFO,
    "An error code now always carries a retry delay.",
    rationale="Clients may rely on the delay from now on; nothing they did breaks.",
    before="""\
        codes:
          overloaded: {status: 503, retryable: true, retryAfter: optional}
    """,
    after="""\
        codes:
          overloaded: {status: 503, retryable: true, retryAfter: required}
    """,
)
MOVED_MID_STREAM = diff_rule(
    "DERR008",
    "error-code-moved-to-mid-stream",
    Level.BREAKING,
    "An error code that was an HTTP error response is now sent only inside the stream.",
    rationale="""
        Clients catch it as an HTTP status before reading the body: as a mid-stream error
        event, after a 200, it reaches code that does not expect it.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [pre_stream]}
    """,
    after="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [mid_stream]}
    """,
)
GAINED_MID_STREAM = diff_rule(
    "DERR009",
    "error-code-gained-mid-stream",
    Level.WARNING,
    "An error code may now also arrive inside the stream.",
    rationale="""
        Clients handle the code as an HTTP error; a stream that now ends with it in an error
        event needs handling they may not have.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [pre_stream]}
    """,
    after="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [pre_stream, mid_stream]}
    """,
)
PHASES_CHANGED = diff_rule(
    "DERR010",
    "error-code-phases-changed",
    Level.INFO,
    "An error code's phases changed in a way clients already handle.",
    rationale="""
        It no longer arrives mid-stream, or it now also arrives before the stream as an HTTP
        error response: clients that handled it where it was still do.
    """,
    before="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [pre_stream, mid_stream]}
    """,
    after="""\
        codes:
          overloaded: {status: 503, retryable: true, phases: [pre_stream]}
    """,
)
CODE_ADDED = diff_rule(
    "DERR011",
    "error-code-added",
    Level.WARNING,
    "A catalogue that is not `extensible` has a new error code.",
    rationale="""
        The codes were the complete set: clients that match them exhaustively meet one
        they do not know. Declare the catalogue `extensible` to make additions safe.
    """,
    before="""\
        x-contract-errors:
          codes:
            rate_limited: {status: 429, retryable: true}
    """,
    after="""\
        x-contract-errors:
          codes:
            rate_limited: {status: 429, retryable: true}
            quota_exhausted: {status: 429, retryable: false}
    """,
)
EXTENSIBLE_CODE_ADDED = diff_rule(
    "DERR012",
    "error-code-added-to-extensible-catalogue",
    Level.INFO,
    "An `extensible` catalogue has a new error code.",
    rationale="Clients of an extensible catalogue handle unknown codes by status class.",
    before="""\
        x-contract-errors:
          extensible: true
          codes:
            rate_limited: {status: 429, retryable: true}
    """,
    after="""\
        x-contract-errors:
          extensible: true
          codes:
            rate_limited: {status: 429, retryable: true}
            quota_exhausted: {status: 429, retryable: false}
    """,
)
FORMAT_CHANGED = diff_rule(
    "DERR013",
    "error-format-changed",
    Level.BREAKING,
    "Error bodies have another format.",
    rationale="Clients parse error bodies in the format the catalogue names.",
    before="""\
        x-contract-errors: {format: problem+json}
    """,
    after="""\
        x-contract-errors: {format: vendor+json}
    """,
)
TYPE_BASE_CHANGED = diff_rule(
    "DERR014",
    "error-type-base-changed",
    Level.BREAKING,
    "Problem `type` URIs are built from another base.",
    rationale="""
        A problem's `type` is its identity in RFC 9457: clients that match `type` URIs no
        longer recognise any error.
    """,
    before="""\
        x-contract-errors: {typeBase: 'https://api.example.com/problems/'}
    """,
    after="""\
        x-contract-errors: {typeBase: 'https://errors.example.com/'}
    """,
)
MADE_EXTENSIBLE = diff_rule(
    "DERR015",
    "error-catalogue-made-extensible",
    Level.WARNING,
    "The catalogue is now `extensible`: new codes may appear.",
    rationale="""
        The codes were a closed set that clients could match exhaustively; from now on new
        codes are added without warning, and clients must handle unknown codes by status.
    """,
    before="""\
        x-contract-errors: {extensible: false}
    """,
    after="""\
        x-contract-errors: {extensible: true}
    """,
)
MADE_CLOSED = diff_rule(
    "DERR016",
    "error-catalogue-made-non-extensible",
    Level.INFO,
    "The catalogue is no longer `extensible`: its codes are the complete set.",
    rationale="""
        A narrower promise: clients that handle unknown codes keep working, and adding a
        code is now reported as potentially breaking.
    """,
    before="""\
        x-contract-errors: {extensible: true}
    """,
    after="""\
        x-contract-errors: {extensible: false}
    """,
)
CATALOGUE_REMOVED = diff_rule(
    "DERR017",
    "error-catalogue-removed",
    Level.BREAKING,
    "The document no longer has an error catalogue.",
    rationale="""
        Every code clients branch on is no longer part of the contract: none of it may be
        relied on.
    """,
    before="""\
        x-contract-errors:
          codes:
            rate_limited: {status: 429, retryable: true}
    """,
    after="""\
        info: {title: Chat, version: 2.0.0}
    """,
)
CATALOGUE_ADDED = diff_rule(
    "DERR018",
    "error-catalogue-added",
    Level.INFO,
    "The document now has an error catalogue.",
    rationale="Clients learn the codes; nothing they relied on changes.",
    before="""\
        info: {title: Chat, version: 1.0.0}
    """,
    after="""\
        x-contract-errors:
          codes:
            rate_limited: {status: 429, retryable: true}
    """,
)


def compare(context: DiffContext) -> Iterator[Finding]:
    """The changes between the two error catalogues."""
    old, new = context.old.errors, context.new.errors
    if old is None and new is None:
        return
    if old is None and new is not None:
        yield CATALOGUE_ADDED.change(
            f"The document now has an error catalogue of {len(new.codes)} codes.",
            new=new.location,
            old=context.old.location,
        )
    elif old is not None and new is None:
        yield CATALOGUE_REMOVED.change(
            f"The error catalogue ({len(old.codes)} codes) was removed: no code clients "
            "branch on is part of the contract any more.",
            new=context.surviving(old.location),
            old=old.location,
        )
    elif old is not None and new is not None:
        yield from _catalogue(old, new)
        yield from _codes(old, new)


def _catalogue(old: ErrorCatalog, new: ErrorCatalog) -> Iterator[Finding]:
    if old.format != new.format:
        yield FORMAT_CHANGED.change(
            f"Error bodies are {quoted(new.format)} instead of {quoted(old.format)}.",
            new=new.location.child("format"),
            old=old.location.child("format"),
        )
    if old.type_base != new.type_base:
        yield TYPE_BASE_CHANGED.change(
            f"Problem `type` URIs start with {_base(new.type_base)} instead of "
            f"{_base(old.type_base)}: clients that match `type` recognise no error.",
            new=new.location.child("typeBase"),
            old=old.location.child("typeBase"),
        )
    if old.extensible != new.extensible:
        if new.extensible:
            rule = MADE_EXTENSIBLE
            message = (
                "The error catalogue is now extensible: new codes may appear without notice, "
                "and clients must handle unknown codes by their status."
            )
        else:
            rule = MADE_CLOSED
            message = "The error catalogue is no longer extensible: its codes are complete."
        yield rule.change(
            message, new=new.location.child("extensible"), old=old.location.child("extensible")
        )


def _codes(old: ErrorCatalog, new: ErrorCatalog) -> Iterator[Finding]:
    removed = [code for name, code in old.codes.items() if name not in new.codes]
    added = [code for name, code in new.codes.items() if name not in old.codes]
    renames = _renames(removed, added)
    for gone in removed:
        if gone.code in renames:
            renamed = renames[gone.code]
            yield CODE_RENAMED.change(
                f"Error code {quoted(gone.code)} is now {quoted(renamed.code)} ({_what(renamed)}): "
                f"clients that match {quoted(gone.code)} no longer recognise it.",
                new=renamed.location,
                old=gone.location,
            )
        else:
            yield CODE_REMOVED.change(
                f"Error code {quoted(gone.code)} ({_what(gone)}) was removed: clients that "
                "branch on it lose their handling of that failure.",
                new=new.location.child("codes"),
                old=gone.location,
            )
    renamed_to = {code.code for code in renames.values()}
    for code in added:
        if code.code in renamed_to:
            continue
        if new.extensible:
            yield EXTENSIBLE_CODE_ADDED.change(
                f"New error code {quoted(code.code)} ({_what(code)}); the catalogue is "
                "extensible, so clients handle it by its status.",
                new=code.location,
                old=None,
            )
        else:
            yield CODE_ADDED.change(
                f"New error code {quoted(code.code)} ({_what(code)}) in a catalogue that is not "
                "extensible: clients written for the complete set may not handle it.",
                new=code.location,
                old=None,
            )
    for name, code in old.codes.items():
        if name in new.codes:
            yield from _code(code, new.codes[name])


def _renames(removed: list[ErrorCode], added: list[ErrorCode]) -> dict[str, ErrorCode]:
    """Removed codes paired one to one with added codes of the same status and limit."""

    def key(code: ErrorCode) -> tuple[int | None, str | None]:
        return code.status, code.limit

    old_keys = [key(code) for code in removed]
    new_keys = [key(code) for code in added]
    return {
        gone.code: next(code for code in added if key(code) == key(gone))
        for gone in removed
        if old_keys.count(key(gone)) == 1 and new_keys.count(key(gone)) == 1
    }


def _code(old: ErrorCode, new: ErrorCode) -> Iterator[Finding]:
    name = quoted(new.code)
    if old.status != new.status and old.status is not None and new.status is not None:
        yield STATUS_CHANGED.change(
            f"Error code {name} is sent with status {new.status} instead of {old.status}: "
            "clients handle it by its status class first.",
            new=new.location.child("status"),
            old=old.location.child("status"),
        )
    if old.retryable is True and new.retryable is False:
        yield NO_LONGER_RETRYABLE.change(
            f"Error code {name} is no longer retryable: clients that retry it repeat a "
            "request that cannot succeed unchanged.",
            new=new.location.child("retryable"),
            old=old.location.child("retryable"),
        )
    elif old.retryable is False and new.retryable is True:
        yield NOW_RETRYABLE.change(
            f"Error code {name} is now retryable.",
            new=new.location.child("retryable"),
            old=old.location.child("retryable"),
        )
    yield from _retry_after(old, new)
    yield from _phases(old, new)


def _retry_after(old: ErrorCode, new: ErrorCode) -> Iterator[Finding]:
    was, now = old.retry_after == REQUIRED, new.retry_after == REQUIRED
    if was == now:
        return
    name = quoted(new.code)
    if was:
        yield RETRY_AFTER_OPTIONAL.change(
            f"Error code {name} no longer always carries a retry delay (`retryAfter` is "
            f"{quoted(new.retry_after or 'optional')}): clients that wait the delay find none.",
            new=new.location.child("retryAfter"),
            old=old.location.child("retryAfter"),
        )
    else:
        yield RETRY_AFTER_REQUIRED.change(
            f"Error code {name} now always carries a retry delay.",
            new=new.location.child("retryAfter"),
            old=old.location.child("retryAfter"),
        )


def _phases(old: ErrorCode, new: ErrorCode) -> Iterator[Finding]:
    was, now = set(old.phases), set(new.phases)
    if was == now:
        return
    name = quoted(new.code)
    new_at, old_at = new.location.child("phases"), old.location.child("phases")
    shown = f"(phases {listed(new.phases)}, were {listed(old.phases)})"
    if PRE_STREAM in was and PRE_STREAM not in now and MID_STREAM in now:
        yield MOVED_MID_STREAM.change(
            f"Error code {name} is no longer an HTTP error response but a mid-stream error "
            f"event {shown}: clients that catch it by status miss it.",
            new=new_at,
            old=old_at,
        )
    elif MID_STREAM in now and MID_STREAM not in was:
        yield GAINED_MID_STREAM.change(
            f"Error code {name} may now also end a stream as an error event {shown}: clients "
            "that handle it only as an HTTP error miss it there.",
            new=new_at,
            old=old_at,
        )
    else:
        yield PHASES_CHANGED.change(
            f"Error code {name} occurs in other phases {shown}; clients already handle it "
            "where it still occurs.",
            new=new_at,
            old=old_at,
        )


def _what(code: ErrorCode) -> str:
    status = f"status {code.status}" if code.status is not None else "no status"
    return status + (f", limit {quoted(code.limit)}" if code.limit else "")


def _base(type_base: str | None) -> str:
    return quoted(type_base) if type_base is not None else "`about:blank`"
