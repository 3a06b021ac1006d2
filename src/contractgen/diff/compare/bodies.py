"""Request bodies and responses: their presence, media types, status codes and headers.

Media types pair by their lower-case base type (`application/json; charset=utf-8` is
`application/json`). The schemas of each paired media type and header go to the schema
comparator; streaming media types, and their item schemas, are the streams comparator's.
A response status pairs with its own code, else with the range that now (or before)
covers it: `200` -> `2XX` is a documentation change, not a removal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from contractgen.diff.compare.common import code
from contractgen.diff.compare.reporting import once_per_place
from contractgen.diff.registry import diff_rule
from contractgen.diff.schema import Direction
from contractgen.model.contract import is_success_status
from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from contractgen.diff.context import DiffContext, OperationPair
    from contractgen.location import Location
    from contractgen.model.contract import Header, MediaType, RequestBody, Response

# --- request bodies -------------------------------------------------------------------------

REQUIRED_BODY_ADDED = diff_rule(
    "DREQ001",
    "request-body-added-required",
    Level.BREAKING,
    "A required request body was added to an operation that had none.",
    rationale="Existing clients send no body, so their requests are now rejected.",
    before="""
        post:
          responses: {'204': {description: done}}
    """,
    after="""
        post:
          requestBody:
            required: true
            content: {application/json: {schema: {type: object}}}
          responses: {'204': {description: done}}
    """,
    oasdiff=("request-body-added-required",),
)

OPTIONAL_BODY_ADDED = diff_rule(
    "DREQ002",
    "request-body-added-optional",
    Level.INFO,
    "An optional request body was added to an operation that had none.",
    rationale="Existing clients send no body, which is still allowed.",
    before="""
        post:
          responses: {'204': {description: done}}
    """,
    after="""
        post:
          requestBody:
            content: {application/json: {schema: {type: object}}}
          responses: {'204': {description: done}}
    """,
    oasdiff=("request-body-added-optional",),
)

BODY_BECAME_REQUIRED = diff_rule(
    "DREQ003",
    "request-body-became-required",
    Level.BREAKING,
    "An optional request body became required.",
    rationale="Clients that send no body, as they were allowed to, are now rejected.",
    before="""
        requestBody:
          content: {application/json: {schema: {type: object}}}
    """,
    after="""
        requestBody:
          required: true
          content: {application/json: {schema: {type: object}}}
    """,
    oasdiff=("request-body-became-required",),
)

BODY_BECAME_OPTIONAL = diff_rule(
    "DREQ004",
    "request-body-became-optional",
    Level.INFO,
    "A required request body became optional.",
    rationale="Clients that send one keep working; they may now leave it out.",
    before="""
        requestBody:
          required: true
          content: {application/json: {schema: {type: object}}}
    """,
    after="""
        requestBody:
          content: {application/json: {schema: {type: object}}}
    """,
    oasdiff=("request-body-became-optional",),
)

BODY_REMOVED = diff_rule(
    "DREQ005",
    "request-body-removed",
    Level.WARNING,
    "An operation no longer takes a request body.",
    rationale="""
        Clients keep sending one. Many servers ignore it, so what it carried silently stops
        having an effect; stricter ones reject the request.
    """,
    before="""
        post:
          requestBody:
            content: {application/json: {schema: {type: object}}}
    """,
    after="""
        post: {}
    """,
    oasdiff=("request-body-removed",),
)

REQUEST_MEDIA_TYPE_REMOVED = diff_rule(
    "DREQ006",
    "request-media-type-removed",
    Level.BREAKING,
    "A media type the request body could be sent as was removed.",
    rationale="Clients that send that media type are now answered with 415 Unsupported Media Type.",
    before="""
        requestBody:
          content:
            application/json: {schema: {type: object}}
            application/x-www-form-urlencoded: {schema: {type: object}}
    """,
    after="""
        requestBody:
          content:
            application/json: {schema: {type: object}}
    """,
    oasdiff=("request-body-media-type-removed",),
)

REQUEST_MEDIA_TYPE_ADDED = diff_rule(
    "DREQ007",
    "request-media-type-added",
    Level.INFO,
    "The request body may now be sent as another media type.",
    rationale="Clients that send the media types accepted before keep working.",
    before="""
        requestBody:
          content:
            application/json: {schema: {type: object}}
    """,
    after="""
        requestBody:
          content:
            application/json: {schema: {type: object}}
            multipart/form-data: {schema: {type: object}}
    """,
    oasdiff=("request-body-media-type-added",),
)

# --- responses ------------------------------------------------------------------------------

SUCCESS_STATUS_REMOVED = diff_rule(
    "DRES001",
    "response-success-status-removed",
    Level.BREAKING,
    "A success status code was removed from an operation's responses.",
    rationale="""
        Clients that handle that status (a `201 Created` with its body, say) now get
        another one, which they may treat as a failure or fail to parse.
    """,
    before="""
        responses:
          '200': {description: the model}
          '202': {description: accepted}
    """,
    after="""
        responses:
          '200': {description: the model}
    """,
    oasdiff=("response-success-status-removed",),
)

NON_SUCCESS_STATUS_REMOVED = diff_rule(
    "DRES002",
    "response-non-success-status-removed",
    Level.WARNING,
    "A non-success status (an error, a redirect, `default`) was removed from the responses.",
    rationale="""
        The server may still send it, but undocumented; clients that handle it
        specifically (retry on 429, say) lose the documented shape of its body.
    """,
    before="""
        responses:
          '200': {description: ok}
          '429': {description: slow down}
    """,
    after="""
        responses:
          '200': {description: ok}
    """,
    oasdiff=("response-non-success-status-removed",),
)

SUCCESS_STATUS_ADDED = diff_rule(
    "DRES003",
    "response-success-status-added",
    Level.WARNING,
    "A success status code was added (info when a range or `default` already covered it).",
    rationale="""
        Clients that switch on the status code, or accept only the codes documented
        before, may treat the new one as a failure. Where `2XX` or `default` already
        described it, clients handle it already.
    """,
    before="""
        responses:
          '200': {description: done}
    """,
    after="""
        responses:
          '200': {description: done}
          '202': {description: accepted, finishing later}
    """,
    oasdiff=("response-success-status-added",),
)

NON_SUCCESS_STATUS_ADDED = diff_rule(
    "DRES004",
    "response-non-success-status-added",
    Level.INFO,
    "A non-success status (an error, a redirect, `default`) was added to the responses.",
    rationale="""
        Clients must already cope with errors they do not know; a newly documented one
        tells them what its body looks like.
    """,
    before="""
        responses:
          '200': {description: ok}
    """,
    after="""
        responses:
          '200': {description: ok}
          '429': {description: slow down}
    """,
    oasdiff=("response-non-success-status-added",),
)

RESPONSE_MEDIA_TYPE_REMOVED = diff_rule(
    "DRES005",
    "response-media-type-removed",
    Level.BREAKING,
    "A media type a response could be returned as was removed.",
    rationale="""
        Clients that ask for that media type (`Accept`) get 406 or a body they cannot
        parse; those that parse it by its content type no longer find it.
    """,
    before="""
        '200':
          content:
            application/json: {schema: {type: object}}
            text/csv: {schema: {type: string}}
    """,
    after="""
        '200':
          content:
            application/json: {schema: {type: object}}
    """,
    oasdiff=("response-media-type-removed",),
)

RESPONSE_MEDIA_TYPE_ADDED = diff_rule(
    "DRES006",
    "response-media-type-added",
    Level.INFO,
    "A response may now be returned as another media type.",
    rationale="Clients get it only when they ask for it; those that do not keep working.",
    before="""
        '200':
          content:
            application/json: {schema: {type: object}}
    """,
    after="""
        '200':
          content:
            application/json: {schema: {type: object}}
            text/csv: {schema: {type: string}}
    """,
    oasdiff=("response-media-type-added",),
)

REQUIRED_HEADER_REMOVED = diff_rule(
    "DRES007",
    "response-required-header-removed",
    Level.BREAKING,
    "A response header that was always sent was removed.",
    rationale="Clients that read it (a `Location`, a rate-limit count) now find nothing.",
    before="""
        headers:
          X-Request-Id: {required: true, schema: {type: string}}
    """,
    after="""
        headers: {}
    """,
    oasdiff=("required-response-header-removed",),
)

HEADER_REMOVED = diff_rule(
    "DRES008",
    "response-header-removed",
    Level.WARNING,
    "An optional response header was removed.",
    rationale="""
        Clients had to cope with its absence, but those that use it when it is there lose
        what it told them.
    """,
    before="""
        headers:
          X-RateLimit-Remaining: {schema: {type: integer}}
    """,
    after="""
        headers: {}
    """,
    oasdiff=("optional-response-header-removed",),
)

HEADER_BECAME_OPTIONAL = diff_rule(
    "DRES009",
    "response-header-became-optional",
    Level.WARNING,
    "A response header that was always sent became optional.",
    rationale="Clients that rely on it being there may fail when it is not.",
    before="""
        headers:
          X-Request-Id: {required: true, schema: {type: string}}
    """,
    after="""
        headers:
          X-Request-Id: {schema: {type: string}}
    """,
    oasdiff=("response-header-became-optional",),
)

HEADER_ADDED = diff_rule(
    "DRES010",
    "response-header-added",
    Level.INFO,
    "A response header was added.",
    rationale="Clients that do not know it ignore it.",
    before="""
        headers: {}
    """,
    after="""
        headers:
          X-Request-Id: {schema: {type: string}}
    """,
    oasdiff=("response-header-added",),
)


def compare(context: DiffContext) -> Iterator[Finding]:
    findings: list[Finding] = []
    for pair in context.pairs:
        streamed = {stream.location for op in (pair.old, pair.new) for stream in op.streams}
        findings.extend(_request_changes(pair, context, streamed))
        findings.extend(_response_changes(pair, context, streamed))
    yield from once_per_place(findings)


def media_key(media_type: str) -> str:
    """How media types pair: the base type in lower case, parameters dropped."""
    return media_type.split(";")[0].strip().lower()


def pair_media_types(
    old: dict[str, MediaType], new: dict[str, MediaType]
) -> tuple[list[tuple[MediaType, MediaType]], list[MediaType], list[MediaType]]:
    """Paired, removed and added media types, by `media_key`."""
    new_by_key: dict[str, MediaType] = {}
    for media in new.values():
        new_by_key.setdefault(media_key(media.media_type), media)
    old_by_key: dict[str, MediaType] = {}
    for media in old.values():
        old_by_key.setdefault(media_key(media.media_type), media)
    paired = [(media, new_by_key[key]) for key, media in old_by_key.items() if key in new_by_key]
    removed = [media for key, media in old_by_key.items() if key not in new_by_key]
    added = [media for key, media in new_by_key.items() if key not in old_by_key]
    return paired, removed, added


def _is_streamed(media: MediaType, streamed: set[Location]) -> bool:
    return media.stream is not None or media.location in streamed


# --- request --------------------------------------------------------------------------------


def _request_changes(
    pair: OperationPair, context: DiffContext, streamed: set[Location]
) -> Iterator[Finding]:
    old, new = pair.old.request_body, pair.new.request_body
    if old is None:
        if new is not None:
            yield _body_added(new, pair)
        return
    if new is None:
        yield BODY_REMOVED.change(
            "the request body was removed: what clients send in it is ignored or rejected",
            new=pair.new.location.child("requestBody"),
            old=old.location,
            scope=[pair.key],
        )
        return
    yield from _body_changes(old, new, pair, context, streamed)


def _body_added(new: RequestBody, pair: OperationPair) -> Finding:
    if new.required:
        return REQUIRED_BODY_ADDED.change(
            "a required request body was added: clients that send none are rejected",
            new=new.location,
            old=None,
            scope=[pair.key],
        )
    return OPTIONAL_BODY_ADDED.change(
        "an optional request body was added",
        new=new.location,
        old=None,
        scope=[pair.key],
    )


def _body_changes(
    old: RequestBody,
    new: RequestBody,
    pair: OperationPair,
    context: DiffContext,
    streamed: set[Location],
) -> Iterator[Finding]:
    scope = [pair.key]
    if old.required != new.required:
        if new.required:
            yield BODY_BECAME_REQUIRED.change(
                "the request body is now required: clients that send none are rejected",
                new=new.location.child("required"),
                old=old.location.child("required"),
                scope=scope,
            )
        else:
            yield BODY_BECAME_OPTIONAL.change(
                "the request body is now optional",
                new=new.location.child("required"),
                old=old.location.child("required"),
                scope=scope,
            )
    paired, removed, added = pair_media_types(old.content, new.content)
    for media in removed:
        yield REQUEST_MEDIA_TYPE_REMOVED.change(
            f"the request body can no longer be sent as {code(media.media_type)}: clients that "
            "do get 415 Unsupported Media Type",
            new=new.location.child("content"),
            old=media.location,
            scope=scope,
        )
    for media in added:
        yield REQUEST_MEDIA_TYPE_ADDED.change(
            f"the request body may now be sent as {code(media.media_type)}",
            new=media.location,
            old=None,
            scope=scope,
        )
    for old_media, new_media in paired:
        _compare_schemas(
            old_media, new_media, context, streamed, pair, Direction.REQUEST, "request body"
        )


# --- responses ------------------------------------------------------------------------------


def status_range(status: str) -> str | None:
    """`4XX` for `404`; None for a range, `default` or anything else."""
    return f"{status[0]}XX" if len(status) == 3 and status.isdigit() else None


def pair_responses(
    old: dict[str, Response], new: dict[str, Response]
) -> tuple[list[tuple[Response, Response]], list[Response], list[Response]]:
    """Paired, removed and added responses.

    A status pairs with the same status, else with the range that covers it on the other
    side where that range is new (`200` -> `2XX`, or `2XX` -> `200`).
    """
    paired = [(response, new[status]) for status, response in old.items() if status in new]
    old_left = {status: response for status, response in old.items() if status not in new}
    new_left = {status: response for status, response in new.items() if status not in old}
    used_old: set[str] = set()
    used_new: set[str] = set()
    for status, response in old_left.items():
        covering = status_range(status)
        if covering is not None and covering in new_left:
            paired.append((response, new_left[covering]))
            used_old.add(status)
            used_new.add(covering)
    for status, response in new_left.items():
        covering = status_range(status)
        if covering is not None and covering in old_left:
            paired.append((old_left[covering], response))
            used_old.add(covering)
            used_new.add(status)
    removed = [response for status, response in old_left.items() if status not in used_old]
    added = [response for status, response in new_left.items() if status not in used_new]
    return paired, removed, added


def _response_changes(
    pair: OperationPair, context: DiffContext, streamed: set[Location]
) -> Iterator[Finding]:
    scope = [pair.key]
    old_responses, new_responses = pair.old.responses, pair.new.responses
    paired, removed, added = pair_responses(old_responses, new_responses)
    listed = pair.new.location.child("responses")
    for response in removed:
        status = response.status
        old_at = pair.old.location.child("responses", status)
        if is_success_status(status):
            yield SUCCESS_STATUS_REMOVED.change(
                f"status {code(status)} is no longer returned: clients that handle it get "
                "another status",
                new=listed,
                old=old_at,
                scope=scope,
            )
        else:
            yield NON_SUCCESS_STATUS_REMOVED.change(
                f"the {code(status)} response is no longer documented: clients that handle it "
                "lose the shape of its body",
                new=listed,
                old=old_at,
                scope=scope,
            )
    for response in added:
        status = response.status
        new_at = listed.child(status)
        if is_success_status(status):
            yield _success_added(status, new_at, pair, old_responses)
        else:
            covered = "; `default` covered it before" if "default" in old_responses else ""
            yield NON_SUCCESS_STATUS_ADDED.change(
                f"the {code(status)} response is now documented{covered}",
                new=new_at,
                old=None,
                scope=scope,
            )
    for old, new in paired:
        yield from _paired_response_changes(old, new, pair, context, streamed)


def _success_added(
    status: str, new_at: Location, pair: OperationPair, old_responses: dict[str, Response]
) -> Finding:
    if status_range(status) in old_responses or "default" in old_responses:
        return SUCCESS_STATUS_ADDED.change(
            f"status {code(status)} is now documented; a range or `default` covered it before",
            new=new_at,
            old=None,
            scope=[pair.key],
            level=Level.INFO,
        )
    return SUCCESS_STATUS_ADDED.change(
        f"status {code(status)} may now be returned: clients that accept only the statuses "
        "documented before may treat it as a failure",
        new=new_at,
        old=None,
        scope=[pair.key],
    )


def _paired_response_changes(
    old: Response,
    new: Response,
    pair: OperationPair,
    context: DiffContext,
    streamed: set[Location],
) -> Iterator[Finding]:
    scope = [pair.key]
    status = new.status
    yield from _header_changes(old, new, pair, context)
    paired, removed, added = pair_media_types(old.content, new.content)
    for media in removed:
        if _is_streamed(media, streamed):
            continue
        yield RESPONSE_MEDIA_TYPE_REMOVED.change(
            f"the {code(status)} response is no longer returned as {code(media.media_type)}: "
            "clients that ask for it or parse it lose it",
            new=new.location.child("content"),
            old=media.location,
            scope=scope,
        )
    for media in added:
        if _is_streamed(media, streamed):
            continue
        yield RESPONSE_MEDIA_TYPE_ADDED.change(
            f"the {code(status)} response may now be returned as {code(media.media_type)}",
            new=media.location,
            old=None,
            scope=scope,
        )
    for old_media, new_media in paired:
        _compare_schemas(
            old_media, new_media, context, streamed, pair, Direction.RESPONSE, f"response {status}"
        )


def _header_changes(
    old: Response, new: Response, pair: OperationPair, context: DiffContext
) -> Iterator[Finding]:
    scope = [pair.key]
    status = new.status
    for key, header in old.headers.items():
        if key == "content-type":
            continue
        partner = new.headers.get(key)
        if partner is None:
            yield _header_removal(header, new.location.child("headers"), status, scope)
            continue
        if header.required and not partner.required:
            yield HEADER_BECAME_OPTIONAL.change(
                f"header {code(partner.name)} of the {code(status)} response is no longer "
                "always sent: clients that rely on it may not find it",
                new=partner.location.child("required"),
                old=header.location.child("required"),
                scope=scope,
            )
        _compare_header_schemas(header, partner, context, pair, status)
    for key, header in new.headers.items():
        if key != "content-type" and key not in old.headers:
            yield HEADER_ADDED.change(
                f"header {code(header.name)} added to the {code(status)} response",
                new=header.location,
                old=None,
                scope=scope,
            )


def _header_removal(header: Header, site: Location, status: str, scope: list[str]) -> Finding:
    if header.required:
        return REQUIRED_HEADER_REMOVED.change(
            f"required header {code(header.name)} removed from the {code(status)} response: "
            "clients that read it find nothing",
            new=site,
            old=header.location,
            scope=scope,
        )
    return HEADER_REMOVED.change(
        f"header {code(header.name)} removed from the {code(status)} response",
        new=site,
        old=header.location,
        scope=scope,
    )


# --- schemas --------------------------------------------------------------------------------


def _compare_schemas(
    old: MediaType,
    new: MediaType,
    context: DiffContext,
    streamed: set[Location],
    pair: OperationPair,
    direction: Direction,
    label: str,
) -> None:
    """Hand a paired media type's schemas to the schema comparator (streams excepted)."""
    if _is_streamed(old, streamed) or _is_streamed(new, streamed):
        return
    if old.schema is None and new.schema is None:
        return
    context.schemas.compare(
        old.schema, new.schema, direction=direction, scope=pair.key, label=label
    )


def _compare_header_schemas(
    old: Header, new: Header, context: DiffContext, pair: OperationPair, status: str
) -> None:
    if old.schema is None and new.schema is None:
        return
    context.schemas.compare(
        old.schema,
        new.schema,
        direction=Direction.RESPONSE,
        scope=pair.key,
        label=f"response {status} header {new.name}",
    )
