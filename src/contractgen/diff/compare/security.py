"""Security: what a client must present to call each operation, and the schemes it names.

An operation's `security` is a list of alternatives; a client meets one of them. A change
breaks a client when the alternative it meets is no longer accepted and no remaining one
asks only for what it already has (a subset of its schemes, each with a subset of its
scopes). The root `security` reaches every operation that declares none: a change there is
one finding whose scope lists those operations. A scheme renamed in `components` without
changing what it asks for is a rename, not a removal, in every requirement that names it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractgen.diff.compare.common import code, codes, parent
from contractgen.diff.compare.reporting import once_per_place
from contractgen.diff.registry import diff_rule
from contractgen.report.finding import Finding, Level

if TYPE_CHECKING:
    from contractgen.diff.context import DiffContext, OperationPair
    from contractgen.location import Location
    from contractgen.model.contract import (
        Contract,
        OAuthFlow,
        SecurityRequirement,
        SecurityScheme,
    )

SECURITY_ADDED = diff_rule(
    "DSEC001",
    "security-added",
    Level.BREAKING,
    "An operation that needed no credentials now requires some.",
    rationale="Clients that call it without credentials, as they could, are now rejected.",
    before="""
        paths:
          /v1/models:
            get: {}
    """,
    after="""
        paths:
          /v1/models:
            get: {security: [{bearer: []}]}
    """,
    oasdiff=("api-security-added", "api-global-security-added"),
)

OPTIONAL_SECURITY_REMOVED = diff_rule(
    "DSEC002",
    "optional-security-removed",
    Level.BREAKING,
    "The empty requirement (`{}`, calls without credentials) was removed.",
    rationale="Clients that call without credentials, as `{}` allowed, are now rejected.",
    before="""
        security: [{}, {bearer: []}]
    """,
    after="""
        security: [{bearer: []}]
    """,
    oasdiff=("api-security-removed", "api-global-security-removed"),
)

REQUIREMENT_ADDED = diff_rule(
    "DSEC003",
    "security-requirement-added",
    Level.INFO,
    "A security requirement was added (breaking when it replaces one clients met).",
    rationale="""
        A new alternative is another way to authenticate and breaks nobody. When it comes
        in place of an alternative clients met (`apiKey` becomes `apiKey` + `oauth`, or
        `oauth` altogether), those clients must now present what it asks for: breaking.
    """,
    before="""
        security: [{apiKey: []}]
    """,
    after="""
        security: [{apiKey: []}, {oauth: [read]}]
    """,
    oasdiff=("api-security-added", "api-global-security-added"),
)

REQUIREMENT_REMOVED = diff_rule(
    "DSEC004",
    "security-requirement-removed",
    Level.INFO,
    "A security requirement was removed (breaking when its clients meet no other).",
    rationale="""
        Clients that met the removed alternative keep working when another one asks only
        for what they present, or when credentials are no longer needed. When none does
        and nothing was added in its place, they are rejected: breaking.
    """,
    before="""
        security: [{apiKey: []}, {oauth: [read]}]
    """,
    after="""
        security: [{oauth: [read]}]
    """,
    oasdiff=("api-security-removed", "api-global-security-removed"),
)

SCOPES_ADDED = diff_rule(
    "DSEC005",
    "security-scopes-added",
    Level.BREAKING,
    "A security requirement now needs more scopes (or roles).",
    rationale="Tokens issued with the old scopes lack the new ones and are rejected.",
    before="""
        security: [{oauth: [read]}]
    """,
    after="""
        security: [{oauth: [read, write]}]
    """,
    oasdiff=("api-security-scope-added", "api-global-security-scope-added"),
)

SCOPES_REMOVED = diff_rule(
    "DSEC006",
    "security-scopes-removed",
    Level.INFO,
    "A security requirement needs fewer scopes (or roles).",
    rationale="Tokens with the old scopes still carry every scope now needed.",
    before="""
        security: [{oauth: [read, write]}]
    """,
    after="""
        security: [{oauth: [read]}]
    """,
    oasdiff=("api-security-scope-removed", "api-global-security-scope-removed"),
)

SCHEME_REMOVED = diff_rule(
    "DSEC007",
    "security-scheme-removed",
    Level.INFO,
    "A security scheme was removed from components (breaking while still required).",
    rationale="""
        Operations that stopped using it are reported on their own. A scheme that a
        requirement still names but that no longer exists leaves clients no way to know
        how to authenticate: breaking.
    """,
    before="""
        components:
          securitySchemes:
            apiKey: {type: apiKey, in: header, name: X-Key}
    """,
    after="""
        components:
          securitySchemes: {}
    """,
    oasdiff=("api-security-component-removed",),
)

SCHEME_ADDED = diff_rule(
    "DSEC008",
    "security-scheme-added",
    Level.INFO,
    "A security scheme was added to components.",
    rationale="A scheme alone asks nothing of clients; the requirements that use it do.",
    before="""
        components:
          securitySchemes: {}
    """,
    after="""
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer}
    """,
    oasdiff=("api-security-component-added",),
)

SCHEME_RENAMED = diff_rule(
    "DSEC009",
    "security-scheme-renamed",
    Level.INFO,
    "A security scheme was renamed without changing what it asks for.",
    rationale="""
        Credentials go over the wire as before, and the requirements that name it are
        compared under its old name. Generated clients may rename their credential
        setting.
    """,
    before="""
        components:
          securitySchemes:
            api_key: {type: apiKey, in: header, name: X-Key}
    """,
    after="""
        components:
          securitySchemes:
            ApiKeyAuth: {type: apiKey, in: header, name: X-Key}
    """,
)

SCHEME_TYPE_CHANGED = diff_rule(
    "DSEC010",
    "security-scheme-type-changed",
    Level.BREAKING,
    "A security scheme asks for another kind of credential.",
    rationale="""
        An API key where a bearer token was, or Basic where Bearer was: clients keep
        sending the old kind, which is rejected.
    """,
    before="""
        securitySchemes:
          auth: {type: http, scheme: bearer}
    """,
    after="""
        securitySchemes:
          auth: {type: apiKey, in: header, name: X-Key}
    """,
    oasdiff=("api-security-component-type-changed",),
)

API_KEY_MOVED = diff_rule(
    "DSEC011",
    "api-key-location-changed",
    Level.BREAKING,
    "An API key is expected under another name or in another part of the request.",
    rationale="Clients keep sending the key where it was; the server no longer finds it.",
    before="""
        securitySchemes:
          apiKey: {type: apiKey, in: header, name: X-Key}
    """,
    after="""
        securitySchemes:
          apiKey: {type: apiKey, in: header, name: X-API-Key}
    """,
)

FLOW_REMOVED = diff_rule(
    "DSEC012",
    "oauth-flow-removed",
    Level.BREAKING,
    "An OAuth 2 flow of a security scheme was removed.",
    rationale="Clients that obtain their tokens through that flow can no longer get any.",
    before="""
        oauth:
          type: oauth2
          flows:
            clientCredentials: {tokenUrl: https://auth.example/token, scopes: {}}
            password: {tokenUrl: https://auth.example/token, scopes: {}}
    """,
    after="""
        oauth:
          type: oauth2
          flows:
            password: {tokenUrl: https://auth.example/token, scopes: {}}
    """,
)

FLOW_ADDED = diff_rule(
    "DSEC013",
    "oauth-flow-added",
    Level.INFO,
    "A security scheme offers another OAuth 2 flow.",
    rationale="Clients using the flows offered before keep working.",
    before="""
        oauth:
          type: oauth2
          flows:
            clientCredentials: {tokenUrl: https://auth.example/token, scopes: {}}
    """,
    after="""
        oauth:
          type: oauth2
          flows:
            clientCredentials: {tokenUrl: https://auth.example/token, scopes: {}}
            password: {tokenUrl: https://auth.example/token, scopes: {}}
    """,
)

OAUTH_SCOPES_REMOVED = diff_rule(
    "DSEC014",
    "oauth-scopes-removed",
    Level.WARNING,
    "An OAuth 2 flow no longer offers some scopes.",
    rationale="""
        Clients that ask the authorization server for those scopes may be refused a token.
        Requirements that still need them are unmeetable.
    """,
    before="""
        clientCredentials: {tokenUrl: https://auth.example/token, scopes: {read: r, admin: a}}
    """,
    after="""
        clientCredentials: {tokenUrl: https://auth.example/token, scopes: {read: r}}
    """,
    oasdiff=("api-security-component-oauth-scope-removed",),
)

OAUTH_SCOPES_ADDED = diff_rule(
    "DSEC015",
    "oauth-scopes-added",
    Level.INFO,
    "An OAuth 2 flow offers more scopes.",
    rationale="Scopes on offer ask nothing of clients; requirements that need them do.",
    before="""
        clientCredentials: {tokenUrl: https://auth.example/token, scopes: {read: r}}
    """,
    after="""
        clientCredentials: {tokenUrl: https://auth.example/token, scopes: {read: r, write: w}}
    """,
    oasdiff=("api-security-component-oauth-scope-added",),
)

URL_CHANGED = diff_rule(
    "DSEC016",
    "security-url-changed",
    Level.WARNING,
    "An OAuth 2 authorization, token or refresh URL, or an OpenID Connect URL, changed.",
    rationale="""
        Clients configured with the old URL request their tokens from it; if it stops
        answering they cannot authenticate.
    """,
    before="""
        clientCredentials: {tokenUrl: https://auth.example/token, scopes: {}}
    """,
    after="""
        clientCredentials: {tokenUrl: https://login.example/oauth/token, scopes: {}}
    """,
    oasdiff=(
        "api-security-component-oauth-url-changed",
        "api-security-component-oauth-token-url-changed",
    ),
)

_FLOW_URLS = (
    ("authorization_url", "authorizationUrl"),
    ("token_url", "tokenUrl"),
    ("refresh_url", "refreshUrl"),
)


def compare(context: DiffContext) -> Iterator[Finding]:
    renamed = renamed_schemes(context.old.schemes, context.new.schemes)
    findings = list(_scheme_changes(context, renamed))
    for pair in context.pairs:
        findings.extend(_requirement_changes(pair, renamed, context))
    yield from once_per_place(findings)


# --- requirements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Alternative:
    """One security requirement, its schemes named as the old contract names them."""

    requirement: SecurityRequirement
    scopes: dict[str, frozenset[str]]
    written: dict[str, str]
    """Scheme name as compared -> as written in this requirement."""

    @property
    def key(self) -> frozenset[tuple[str, frozenset[str]]]:
        return frozenset(self.scopes.items())

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.scopes)

    def asks_no_more_than(self, other: Alternative) -> bool:
        """Whether a client that meets `other` meets this one too."""
        return all(
            name in other.scopes and scopes <= other.scopes[name]
            for name, scopes in self.scopes.items()
        )

    def describe(self) -> str:
        if not self.scopes:
            return "no credentials (`{}`)"
        return " + ".join(
            code(self.written[name]) + (f" with scopes {codes(scopes)}" if scopes else "")
            for name, scopes in sorted(self.scopes.items())
        )


def alternatives(
    requirements: tuple[SecurityRequirement, ...] | None, renamed: dict[str, str]
) -> list[Alternative]:
    """An operation's requirements as alternatives; `renamed` maps new scheme names to old."""
    found = []
    for requirement in requirements or ():
        scopes: dict[str, frozenset[str]] = {}
        written: dict[str, str] = {}
        for name, names in requirement.schemes.items():
            compared = renamed.get(name, name)
            scopes[compared] = frozenset(names)
            written[compared] = name
        found.append(Alternative(requirement, scopes, written))
    return found


def _is_open(found: list[Alternative]) -> bool:
    """Whether a client without credentials may call: no requirement, or `{}` among them."""
    return not found or any(not alternative.scopes for alternative in found)


def pair_alternatives(
    old: list[Alternative], new: list[Alternative]
) -> tuple[list[tuple[Alternative, Alternative]], list[Alternative], list[Alternative]]:
    """Changed pairs, removed and added alternatives; unchanged ones are left out.

    What is left pairs by the set of schemes it names, where that set is unique on both
    sides: the pair differs only in scopes.
    """
    old_keys = {alternative.key for alternative in old}
    new_keys = {alternative.key for alternative in new}
    old_left = [alternative for alternative in old if alternative.key not in new_keys]
    new_left = [alternative for alternative in new if alternative.key not in old_keys]
    old_counts = Counter(alternative.names for alternative in old_left)
    new_counts = Counter(alternative.names for alternative in new_left)
    new_by_names = {alternative.names: alternative for alternative in new_left}
    paired = [
        (alternative, new_by_names[alternative.names])
        for alternative in old_left
        if old_counts[alternative.names] == 1 and new_counts[alternative.names] == 1
    ]
    paired_names = {old_alternative.names for old_alternative, _ in paired}
    removed = [alternative for alternative in old_left if alternative.names not in paired_names]
    added = [alternative for alternative in new_left if alternative.names not in paired_names]
    return paired, removed, added


def _requirement_changes(
    pair: OperationPair, renamed: dict[str, str], context: DiffContext
) -> Iterator[Finding]:
    old = alternatives(pair.old.security, {})
    new = alternatives(pair.new.security, renamed)
    if {alternative.key for alternative in old} == {alternative.key for alternative in new}:
        return
    scope = [pair.key]
    new_list = pair.new.security_location or pair.new.location
    old_open, new_open = _is_open(old), _is_open(new)
    if old_open and not new_open:
        yield _security_now_required(old, new, pair, new_list)
        return
    if old_open and new_open:
        old = [alternative for alternative in old if alternative.scopes]
        new = [alternative for alternative in new if alternative.scopes]
    paired, removed, added = pair_alternatives(old, new)
    for old_alternative, new_alternative in paired:
        yield from _scope_changes(old_alternative, new_alternative, scope)
    stranded = [
        alternative
        for alternative in removed
        if not new_open and not any(other.asks_no_more_than(alternative) for other in new)
    ]
    for alternative in added:
        yield _added(alternative, stranded, scope)
    for alternative in removed:
        site = pair.new.security_location or context.surviving(
            parent(alternative.requirement.location)
        )
        yield _removed(alternative, stranded, added, new_open, site, scope)


def _security_now_required(
    old: list[Alternative], new: list[Alternative], pair: OperationPair, new_list: Location
) -> Finding:
    needed = " or ".join(alternative.describe() for alternative in new)
    empty = next((alternative for alternative in old if not alternative.scopes), None)
    if empty is not None:
        return OPTIONAL_SECURITY_REMOVED.change(
            f"calls without credentials are no longer accepted: clients must present {needed}",
            new=new_list,
            old=empty.requirement.location,
            scope=[pair.key],
        )
    return SECURITY_ADDED.change(
        f"credentials are now required ({needed}): clients that call without any are rejected",
        new=new_list,
        old=pair.old.security_location,
        scope=[pair.key],
    )


def _added(alternative: Alternative, stranded: list[Alternative], scope: list[str]) -> Finding:
    location = alternative.requirement.location
    if not alternative.scopes:
        return REQUIREMENT_ADDED.change(
            "security is now optional: calls without credentials are accepted",
            new=location,
            old=None,
            scope=scope,
        )
    if stranded:
        lost = " or ".join(other.describe() for other in stranded)
        return REQUIREMENT_ADDED.change(
            f"security requirement {alternative.describe()} added in place of {lost}: "
            f"clients that presented {lost} must now present {alternative.describe()}",
            new=location,
            old=stranded[0].requirement.location,
            scope=scope,
            level=Level.BREAKING,
        )
    return REQUIREMENT_ADDED.change(
        f"security requirement {alternative.describe()} added: another way to authenticate",
        new=location,
        old=None,
        scope=scope,
    )


def _removed(
    alternative: Alternative,
    stranded: list[Alternative],
    added: list[Alternative],
    new_open: bool,
    site: Location,
    scope: list[str],
) -> Finding:
    """A removed alternative: breaking only when its clients are left with nothing to meet
    and no added requirement (reported as breaking itself) took its place."""
    described = alternative.describe()
    level = None
    if new_open:
        message = f"security requirement {described} removed: credentials are no longer needed"
    elif alternative not in stranded:
        message = f"security requirement {described} removed; clients that met it meet another"
    elif added:
        message = f"security requirement {described} removed, replaced by the one added"
    else:
        message = (
            f"security requirement {described} removed: clients that meet it and no other "
            "requirement are rejected"
        )
        level = Level.BREAKING
    return REQUIREMENT_REMOVED.change(
        message,
        new=site,
        old=alternative.requirement.location,
        scope=scope,
        level=level,
    )


def _scope_changes(old: Alternative, new: Alternative, scope: list[str]) -> Iterator[Finding]:
    for name, scopes in sorted(new.scopes.items()):
        before = old.scopes[name]
        new_at = new.requirement.location.child(new.written[name])
        old_at = old.requirement.location.child(old.written[name])
        if more := scopes - before:
            yield SCOPES_ADDED.change(
                f"{code(new.written[name])} now also needs scopes {codes(more)}: tokens "
                "without them are rejected",
                new=new_at,
                old=old_at,
                scope=scope,
            )
        if fewer := before - scopes:
            yield SCOPES_REMOVED.change(
                f"{code(new.written[name])} no longer needs scopes {codes(fewer)}",
                new=new_at,
                old=old_at,
                scope=scope,
            )


# --- schemes --------------------------------------------------------------------------------


def definition(scheme: SecurityScheme) -> Hashable:
    """What a scheme asks of clients, its name aside: equal definitions are one scheme."""
    flows = tuple(
        sorted(
            (
                name,
                flow.authorization_url,
                flow.token_url,
                flow.refresh_url,
                tuple(sorted(flow.scopes)),
            )
            for name, flow in scheme.flows.items()
        )
    )
    return (_kind(scheme), _key_site(scheme), flows, scheme.open_id_connect_url)


def _key_site(scheme: SecurityScheme) -> tuple[str | None, str | None]:
    """Where an API key goes: `in` and name (a header's in lower case)."""
    name = scheme.param_name
    if name is not None and scheme.where == "header":
        name = name.lower()
    return scheme.where, name


def renamed_schemes(
    old: dict[str, SecurityScheme], new: dict[str, SecurityScheme]
) -> dict[str, str]:
    """New name -> old name of the schemes that only changed their name (one match each)."""
    old_by_definition: dict[Hashable, list[str]] = defaultdict(list)
    for name, scheme in old.items():
        if name not in new:
            old_by_definition[definition(scheme)].append(name)
    new_by_definition: dict[Hashable, list[str]] = defaultdict(list)
    for name, scheme in new.items():
        if name not in old:
            new_by_definition[definition(scheme)].append(name)
    return {
        new_names[0]: old_names[0]
        for key, new_names in new_by_definition.items()
        if len(new_names) == 1 and len(old_names := old_by_definition.get(key, [])) == 1
    }


def _users(contract: Contract) -> dict[str, list[str]]:
    """Scheme name -> the operations whose requirements name it."""
    users: dict[str, list[str]] = defaultdict(list)
    for op in contract.operations:
        names = {name for requirement in op.security or () for name in requirement.schemes}
        for name in names:
            users[name].append(op.key)
    return users


def _kind(scheme: SecurityScheme) -> str:
    """`apiKey`, `http bearer`, `oauth2`, ...: the kind of credential a scheme asks for."""
    kind = scheme.type or "?"
    if scheme.type == "http" and scheme.scheme:
        kind += " " + scheme.scheme.lower()
    return kind


def _scheme_changes(context: DiffContext, renamed: dict[str, str]) -> Iterator[Finding]:
    old, new = context.old.schemes, context.new.schemes
    old_users, new_users = _users(context.old), _users(context.new)
    renamed_to = {old_name: new_name for new_name, old_name in renamed.items()}
    for name, scheme in old.items():
        if name in new:
            yield from _scheme_diff(scheme, new[name], new_users.get(name, []))
        elif name in renamed_to:
            target = new[renamed_to[name]]
            yield SCHEME_RENAMED.change(
                f"security scheme {code(name)} renamed to {code(target.name)}; it asks for the "
                "same credentials",
                new=target.location,
                old=scheme.location,
                scope=new_users.get(target.name, []),
            )
        else:
            yield _scheme_removed(scheme, name in new_users, old_users.get(name, []), context)
    for name, scheme in new.items():
        if name not in old and name not in renamed:
            yield SCHEME_ADDED.change(
                f"security scheme {code(name)} ({code(_kind(scheme))}) added",
                new=scheme.location,
                old=None,
                scope=new_users.get(name, []),
            )


def _scheme_removed(
    scheme: SecurityScheme, still_required: bool, users: list[str], context: DiffContext
) -> Finding:
    if still_required:
        message = (
            f"security scheme {code(scheme.name)} removed, but requirements still name it: "
            "clients cannot tell how to authenticate"
        )
    else:
        message = f"security scheme {code(scheme.name)} removed"
    return SCHEME_REMOVED.change(
        message,
        new=context.surviving(parent(scheme.location)),
        old=scheme.location,
        scope=users,
        level=Level.BREAKING if still_required else None,
    )


def _scheme_diff(old: SecurityScheme, new: SecurityScheme, scope: list[str]) -> Iterator[Finding]:
    name = code(new.name)
    if _kind(old) != _kind(new):
        yield SCHEME_TYPE_CHANGED.change(
            f"security scheme {name} now asks for {code(_kind(new))} instead of "
            f"{code(_kind(old))}: clients keep sending the old kind of credential",
            new=new.location.child("type"),
            old=old.location.child("type"),
            scope=scope,
        )
        return
    if new.type == "apiKey" and _key_site(old) != _key_site(new):
        yield API_KEY_MOVED.change(
            f"the API key of {name} is now expected in {_key_place(new)} instead of "
            f"{_key_place(old)}: clients keep sending it where it was",
            new=new.location,
            old=old.location,
            scope=scope,
        )
    if old.open_id_connect_url and old.open_id_connect_url != new.open_id_connect_url:
        yield URL_CHANGED.change(
            f"OpenID Connect URL of {name} changed from {code(old.open_id_connect_url)} to "
            f"{code(new.open_id_connect_url or '')}: clients configured with the old one may "
            "not find the provider",
            new=new.location.child("openIdConnectUrl"),
            old=old.location.child("openIdConnectUrl"),
            scope=scope,
        )
    yield from _flow_changes(old, new, scope)


def _key_place(scheme: SecurityScheme) -> str:
    return f"the {scheme.where or '?'} {code(scheme.param_name or '')}"


def _flow_changes(old: SecurityScheme, new: SecurityScheme, scope: list[str]) -> Iterator[Finding]:
    name = code(new.name)
    for flow_name, flow in old.flows.items():
        partner = new.flows.get(flow_name)
        if partner is None:
            yield FLOW_REMOVED.change(
                f"{name} no longer offers the OAuth 2 {code(flow_name)} flow: clients that get "
                "their tokens through it can no longer",
                new=new.location.child("flows"),
                old=flow.location,
                scope=scope,
            )
        else:
            yield from _flow_diff(name, flow_name, flow, partner, scope)
    for flow_name, flow in new.flows.items():
        if flow_name not in old.flows:
            yield FLOW_ADDED.change(
                f"{name} now offers the OAuth 2 {code(flow_name)} flow",
                new=flow.location,
                old=None,
                scope=scope,
            )


def _flow_diff(
    name: str, flow_name: str, old: OAuthFlow, new: OAuthFlow, scope: list[str]
) -> Iterator[Finding]:
    for attribute, key in _FLOW_URLS:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before is not None and before != after:
            yield URL_CHANGED.change(
                f"{key} of the {code(flow_name)} flow of {name} changed from {code(before)} to "
                f"{code(after or '')}: clients configured with the old one may not get tokens",
                new=new.location.child(key),
                old=old.location.child(key),
                scope=scope,
            )
    if fewer := set(old.scopes) - set(new.scopes):
        yield OAUTH_SCOPES_REMOVED.change(
            f"the {code(flow_name)} flow of {name} no longer offers scopes {codes(fewer)}: "
            "clients that ask for them may be refused a token",
            new=new.location.child("scopes"),
            old=old.location.child("scopes"),
            scope=scope,
        )
    if more := set(new.scopes) - set(old.scopes):
        yield OAUTH_SCOPES_ADDED.change(
            f"the {code(flow_name)} flow of {name} now offers scopes {codes(more)}",
            new=new.location.child("scopes"),
            old=old.location.child("scopes"),
            scope=scope,
        )
