"""Paths and operations: removed, added, deprecated, moved; operationId, tags and servers.

An operation may go once it was deprecated and its `x-sunset` date has passed; removed any
earlier it breaks the clients that still call it. Operations pair by method and path with
path parameter names ignored (`DiffContext`), so a renamed path parameter is not a removal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from contractgen.diff.compare.common import (
    code,
    codes,
    parent,
    path_parameter_renames,
    sunset_date,
    today,
)
from contractgen.diff.compare.reporting import once_per_place
from contractgen.diff.registry import diff_rule
from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from datetime import date

    from contractgen.diff.context import DiffContext, OperationPair
    from contractgen.location import Location
    from contractgen.model.contract import Operation, Server

OPERATION_REMOVED = diff_rule(
    "DOP001",
    "operation-removed",
    Level.BREAKING,
    "An operation was removed before its sunset date, or without being deprecated.",
    rationale="""
        Clients that call the operation now get 404 or 405. Deprecate it first and announce
        a date with `x-sunset`; removed after that date it is reported as DOP002 instead.
        A deprecated operation without a sunset date, or with one that is not a date, gave
        clients no deadline, so removing it still breaks them.
    """,
    before="""
        paths:
          /v1/models:
            get: {operationId: listModels}
            delete: {operationId: deleteModels}
    """,
    after="""
        paths:
          /v1/models:
            get: {operationId: listModels}
    """,
    oasdiff=(
        "api-removed-without-deprecation",
        "api-removed-before-sunset",
        "api-path-removed-without-deprecation",
        "api-path-removed-before-sunset",
        "api-path-sunset-parse",
    ),
)

OPERATION_REMOVED_AFTER_SUNSET = diff_rule(
    "DOP002",
    "operation-removed-after-sunset",
    Level.INFO,
    "A deprecated operation was removed after its sunset date.",
    rationale="""
        The operation was deprecated and its `x-sunset` date has passed: clients were told
        when it would go. Worth a line in the changelog, not a failure.
    """,
    before="""
        paths:
          /v1/engines:
            get: {deprecated: true, x-sunset: '2024-01-01'}
          /v1/models:
            get: {}
    """,
    after="""
        paths:
          /v1/models:
            get: {}
    """,
    oasdiff=("api-removed-with-deprecation", "api-path-removed-with-deprecation"),
)

OPERATION_ADDED = diff_rule(
    "DOP003",
    "operation-added",
    Level.INFO,
    "An operation was added.",
    rationale="New operations break no existing client; they belong in the changelog.",
    before="""
        paths:
          /v1/models: {get: {}}
    """,
    after="""
        paths:
          /v1/models: {get: {}, post: {}}
    """,
    oasdiff=("endpoint-added",),
)

OPERATION_DEPRECATED = diff_rule(
    "DOP004",
    "operation-deprecated",
    Level.INFO,
    "An operation was deprecated (a warning when a sunset date is announced).",
    rationale="""
        Deprecation tells clients to move off the operation. It breaks nothing yet, but with
        an `x-sunset` date the removal is scheduled, so the finding is a warning then: the
        clients that call it have until that date.
    """,
    before="""
        paths:
          /v1/engines:
            get: {}
    """,
    after="""
        paths:
          /v1/engines:
            get: {deprecated: true, x-sunset: '2026-01-01'}
    """,
    oasdiff=(
        "endpoint-deprecated",
        "endpoint-deprecated-with-sunset",
        "api-deprecated-sunset-missing",
        "api-deprecated-sunset-parse",
    ),
)

OPERATION_REACTIVATED = diff_rule(
    "DOP005",
    "operation-reactivated",
    Level.INFO,
    "A deprecated operation is no longer deprecated.",
    rationale="Clients may keep calling it; a planned migration off it is no longer needed.",
    before="""
        paths:
          /v1/engines:
            get: {deprecated: true}
    """,
    after="""
        paths:
          /v1/engines:
            get: {}
    """,
    oasdiff=("endpoint-reactivated",),
)

SUNSET_MOVED_EARLIER = diff_rule(
    "DOP006",
    "sunset-date-moved-earlier",
    Level.WARNING,
    "A deprecated operation's sunset date was moved earlier.",
    rationale="""
        Clients planned their migration around the announced date; the operation may now
        disappear before they are ready.
    """,
    before="""
        paths:
          /v1/engines:
            get: {deprecated: true, x-sunset: '2026-06-01'}
    """,
    after="""
        paths:
          /v1/engines:
            get: {deprecated: true, x-sunset: '2026-01-01'}
    """,
    oasdiff=("api-sunset-date-changed-too-small",),
)

SUNSET_REMOVED = diff_rule(
    "DOP007",
    "sunset-date-removed",
    Level.WARNING,
    "A deprecated operation no longer announces its sunset date.",
    rationale="""
        The date was the clients' deadline; without it the operation may be removed at any
        time, and nothing tells clients how long they have.
    """,
    before="""
        paths:
          /v1/engines:
            get: {deprecated: true, x-sunset: '2026-06-01'}
    """,
    after="""
        paths:
          /v1/engines:
            get: {deprecated: true}
    """,
    oasdiff=("sunset-deleted",),
)

OPERATION_ID_CHANGED = diff_rule(
    "DOP008",
    "operation-id-changed",
    Level.WARNING,
    "An operation's operationId was changed or removed.",
    rationale="""
        Generated clients name their methods after operationIds: a changed id renames the
        method (and a removed one falls back to a name made from the path), so code that
        calls the old name no longer compiles. The HTTP call itself is unchanged.
    """,
    before="""
        paths:
          /v1/models:
            get: {operationId: listModels}
    """,
    after="""
        paths:
          /v1/models:
            get: {operationId: getModels}
    """,
    oasdiff=("api-operation-id-removed",),
)

OPERATION_ID_ADDED = diff_rule(
    "DOP009",
    "operation-id-added",
    Level.INFO,
    "An operation without an operationId got one.",
    rationale="""
        Generated clients now name the method after the id instead of the path: a rename
        for those that generated code before, but a stable name from now on.
    """,
    before="""
        paths:
          /v1/models:
            get: {}
    """,
    after="""
        paths:
          /v1/models:
            get: {operationId: listModels}
    """,
    oasdiff=("api-operation-id-added",),
)

PATH_PARAMETER_RENAMED = diff_rule(
    "DOP010",
    "path-parameter-renamed",
    Level.INFO,
    "A path parameter was renamed in the path template; the URL is the same.",
    rationale="""
        `/items/{id}` and `/items/{item_id}` match the same URLs, so no HTTP client breaks,
        and diff compares the operations as one. Generated clients rename the method's
        argument, which matters to callers that pass it by name.
    """,
    before="""
        paths:
          /v1/items/{id}:
            get: {}
    """,
    after="""
        paths:
          /v1/items/{item_id}:
            get: {}
    """,
)

TRAILING_SLASH_CHANGED = diff_rule(
    "DOP011",
    "path-trailing-slash-changed",
    Level.WARNING,
    "A path gained or lost its trailing slash.",
    rationale="""
        `/v1/models/` and `/v1/models` are different URLs to servers and proxies that route
        strictly: clients that call the old form may get 404, or a redirect that drops the
        request body. diff compares the operations as one so that their other changes
        still show.
    """,
    before="""
        paths:
          /v1/models/:
            get: {}
    """,
    after="""
        paths:
          /v1/models:
            get: {}
    """,
)

TAGS_CHANGED = diff_rule(
    "DOP012",
    "tags-changed",
    Level.INFO,
    "An operation's tags changed.",
    rationale="""
        Tags group operations in documentation, and some generators put each tag's
        operations in a class of its own: a changed tag can move the method to another one.
    """,
    before="""
        paths:
          /v1/models:
            get: {tags: [models]}
    """,
    after="""
        paths:
          /v1/models:
            get: {tags: [catalog]}
    """,
    oasdiff=("api-tag-added", "api-tag-removed"),
)

SERVER_REMOVED = diff_rule(
    "DOP013",
    "server-removed",
    Level.WARNING,
    "A server URL an operation was served from is gone.",
    rationale="""
        Clients configured with that base URL (generated clients default to the first
        server) send their requests somewhere the operation is no longer documented to be.
    """,
    before="""
        servers:
          - url: https://api.example.com/v1
          - url: https://eu.api.example.com/v1
    """,
    after="""
        servers:
          - url: https://api.example.com/v1
    """,
)

SERVER_ADDED = diff_rule(
    "DOP014",
    "server-added",
    Level.INFO,
    "An operation is served from a new server URL.",
    rationale="A new base URL breaks no client; those configured with another keep working.",
    before="""
        servers:
          - url: https://api.example.com/v1
    """,
    after="""
        servers:
          - url: https://api.example.com/v1
          - url: https://eu.api.example.com/v1
    """,
)


def compare(context: DiffContext) -> Iterator[Finding]:
    findings = [_removal(op, context, today()) for op in context.removed]
    findings.extend(
        OPERATION_ADDED.change(f"{code(op.key)} added", new=op.location, old=None, scope=[op.key])
        for op in context.added
    )
    for pair in context.pairs:
        findings.extend(_path_changes(pair, context))
        findings.extend(_deprecation_changes(pair))
        findings.extend(_operation_id_changes(pair))
        findings.extend(_tag_changes(pair))
        findings.extend(_server_changes(pair, context))
    yield from once_per_place(findings)


# --- removed --------------------------------------------------------------------------------


def _removal(op: Operation, context: DiffContext, now: date) -> Finding:
    where = _removal_site(op, context)
    sunset = sunset_date(op.sunset)
    if op.deprecated and sunset is not None and sunset <= now:
        return OPERATION_REMOVED_AFTER_SUNSET.change(
            f"{code(op.key)} removed after its sunset date {sunset.isoformat()}; "
            "it was deprecated, and clients were told when it would go",
            new=where,
            old=op.location,
            scope=[op.key],
        )
    return OPERATION_REMOVED.change(
        f"{code(op.key)} removed {_why_early(op, sunset)}: clients that call it now get an error",
        new=where,
        old=op.location,
        scope=[op.key],
    )


def _removal_site(op: Operation, context: DiffContext) -> Location:
    """Where a removed operation would be: its path item where that survives, also under a
    renamed path parameter, else the nearest surviving parent."""
    for pair in context.pairs:
        if pair.old.path == op.path and pair.old.path != pair.new.path:
            return context.new_document.root.location().child("paths", pair.new.path)
    return context.surviving(op.location)


def _why_early(op: Operation, sunset: date | None) -> str:
    if not op.deprecated:
        return "without being deprecated first"
    if op.sunset is None:
        return "while deprecated but with no `x-sunset` date announced"
    if sunset is None:
        return f"while deprecated, but its `x-sunset` {code(op.sunset)} is not a date"
    return f"before its sunset date {sunset.isoformat()} (it is deprecated)"


# --- path -----------------------------------------------------------------------------------


def _path_changes(pair: OperationPair, context: DiffContext) -> Iterator[Finding]:
    old_path, new_path = pair.old.path, pair.new.path
    if old_path == new_path:
        return
    new_at = context.new_document.root.location().child("paths", new_path)
    old_at = context.old_document.root.location().child("paths", old_path)
    renamed = path_parameter_renames(old_path, new_path)
    if renamed:
        names = ", ".join(
            f"{code('{' + old + '}')} is now {code('{' + new + '}')}"
            for old, new in renamed.items()
        )
        yield PATH_PARAMETER_RENAMED.change(
            f"path parameter {names} in {code(new_path)}: the URLs are the same (it was "
            f"{code(old_path)}); generated clients rename the argument",
            new=new_at,
            old=old_at,
            scope=[pair.key],
        )
    if old_path.endswith("/") != new_path.endswith("/") and "/" not in (old_path, new_path):
        yield TRAILING_SLASH_CHANGED.change(
            f"{code(old_path)} is now {code(new_path)}: servers that route strictly answer "
            "the old URL with 404 or a redirect",
            new=new_at,
            old=old_at,
            scope=[pair.key],
        )


# --- deprecation ----------------------------------------------------------------------------


def _deprecation_changes(pair: OperationPair) -> Iterator[Finding]:
    old, new = pair.old, pair.new
    scope = [pair.key]
    if not old.deprecated and new.deprecated:
        sunset = sunset_date(new.sunset)
        when = f", to be removed after {sunset.isoformat()}" if sunset else ""
        if new.sunset is not None and sunset is None:
            when = f" (its `x-sunset` {code(new.sunset)} is not a date)"
        yield OPERATION_DEPRECATED.change(
            f"{code(new.key)} deprecated{when}: clients should move off it",
            new=new.location.child("deprecated"),
            old=old.location,
            scope=scope,
            level=Level.WARNING if sunset else None,
        )
    elif old.deprecated and not new.deprecated:
        yield OPERATION_REACTIVATED.change(
            f"{code(new.key)} is no longer deprecated",
            new=new.location,
            old=old.location.child("deprecated"),
            scope=scope,
        )
    elif old.deprecated and new.deprecated:
        yield from _sunset_changes(old, new, scope)


def _sunset_changes(old: Operation, new: Operation, scope: list[str]) -> Iterator[Finding]:
    if old.sunset is not None and new.sunset is None:
        yield SUNSET_REMOVED.change(
            f"{code(new.key)} no longer announces its sunset date (was {code(old.sunset)}): "
            "it may now be removed at any time",
            new=new.location,
            old=old.location.child("x-sunset"),
            scope=scope,
        )
        return
    old_date, new_date = sunset_date(old.sunset), sunset_date(new.sunset)
    if old_date is not None and new_date is not None and new_date < old_date:
        yield SUNSET_MOVED_EARLIER.change(
            f"sunset date of {code(new.key)} moved earlier, from {old_date.isoformat()} to "
            f"{new_date.isoformat()}: clients have less time to move off it",
            new=new.location.child("x-sunset"),
            old=old.location.child("x-sunset"),
            scope=scope,
        )


# --- operationId, tags ----------------------------------------------------------------------


def _operation_id_changes(pair: OperationPair) -> Iterator[Finding]:
    old, new = pair.old, pair.new
    if old.operation_id == new.operation_id:
        return
    new_at = new.operation_id_location or new.location
    old_at = old.operation_id_location or old.location
    if old.operation_id is None:
        yield OPERATION_ID_ADDED.change(
            f"{code(new.key)} now has operationId {code(new.operation_id or '')}: generated "
            "clients name the method after it",
            new=new_at,
            old=old_at,
            scope=[pair.key],
        )
    elif new.operation_id is None:
        yield OPERATION_ID_CHANGED.change(
            f"operationId {code(old.operation_id)} of {code(new.key)} removed: generated "
            "clients name the method after the path instead",
            new=new_at,
            old=old_at,
            scope=[pair.key],
        )
    else:
        yield OPERATION_ID_CHANGED.change(
            f"operationId of {code(new.key)} changed from {code(old.operation_id)} to "
            f"{code(new.operation_id)}: generated clients rename the method",
            new=new_at,
            old=old_at,
            scope=[pair.key],
        )


def _tag_changes(pair: OperationPair) -> Iterator[Finding]:
    old_tags, new_tags = set(pair.old.tags), set(pair.new.tags)
    if old_tags == new_tags:
        return
    parts = []
    if added := new_tags - old_tags:
        parts.append(f"added {codes(added)}")
    if removed := old_tags - new_tags:
        parts.append(f"removed {codes(removed)}")
    yield TAGS_CHANGED.change(
        f"tags of {code(pair.key)}: {'; '.join(parts)}",
        new=pair.new.location.child("tags"),
        old=pair.old.location.child("tags"),
        scope=[pair.key],
    )


# --- servers --------------------------------------------------------------------------------


def _server_changes(pair: OperationPair, context: DiffContext) -> Iterator[Finding]:
    old = {_server_key(server): server for server in pair.old.servers}
    new = {_server_key(server): server for server in pair.new.servers}
    if old.keys() == new.keys():
        return
    for key, server in old.items():
        if key not in new:
            yield SERVER_REMOVED.change(
                f"server {code(server.url)} removed: clients configured with that base URL "
                "no longer reach a documented server",
                new=_servers_site(pair.new.servers, server, context),
                old=server.location,
                scope=[pair.key],
            )
    for key, server in new.items():
        if key not in old:
            yield SERVER_ADDED.change(
                f"server {code(server.url)} added",
                new=server.location,
                old=None,
                scope=[pair.key],
            )


def _server_key(server: Server) -> str:
    return server.url.rstrip("/")


def _servers_site(servers: tuple[Server, ...], removed: Server, context: DiffContext) -> Location:
    """Where a removed server would be listed: the `servers` list that applies now."""
    if servers:
        return parent(servers[0].location)
    return context.surviving(parent(removed.location))
