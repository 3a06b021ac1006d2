"""The typed contract: operations with their bodies, responses, streams, limits and errors.

Built once from a loaded document by `model.build`; validate, diff and scaffold read only
this. Every element carries the `Location` it was read from, so findings can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contractgen.location import Location
from contractgen.model.errors import ErrorCatalog
from contractgen.model.limits import Limits
from contractgen.model.schema import Schema
from contractgen.model.stream import Stream
from contractgen.model.websocket import WebSocket

if TYPE_CHECKING:
    from contractgen.model.reading import Reader

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
"""Path Item fields that hold an Operation (`query` is new in OpenAPI 3.2)."""
IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "trace", "put", "delete", "query"})
IDEMPOTENCY_HEADERS = frozenset({"idempotency-key", "x-idempotency-key"})


@dataclass(frozen=True, slots=True)
class Example:
    """One example value, with the schema it must satisfy."""

    location: Location
    value: Any
    name: str | None = None
    external: bool = False
    """`externalValue` examples are not read (contractgen opens no URLs)."""
    serialized: bool = False
    """A 3.2 `serializedValue`: the value as it goes over the wire (a string), not the data."""


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    where: str
    """`path`, `query`, `querystring`, `header` or `cookie`."""
    required: bool
    schema: Schema | None
    location: Location
    examples: tuple[Example, ...] = ()
    listed_at: Location | None = None
    """The entry in the `parameters` list; differs from `location` when that entry is a `$ref`."""
    style: str | None = None
    """How the value is serialized (`form`, `simple`, `spaceDelimited`, ...), as written."""
    explode: bool | None = None
    deprecated: bool = False
    content_type: str | None = None
    """For a parameter described by `content` instead of `schema`: its one media type."""
    sunset: str | None = None
    """`x-sunset`: the date after which a deprecated parameter may go, as written."""


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    required: bool
    schema: Schema | None
    location: Location
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """One Security Requirement Object: every scheme it names must be satisfied together.

    An operation's `security` is a list of such alternatives; a client needs to meet one.
    The empty requirement (`{}`) makes security optional.
    """

    schemes: dict[str, tuple[str, ...]]
    """Scheme name -> the scopes (or roles) it requires."""
    location: Location


@dataclass(frozen=True, slots=True)
class OAuthFlow:
    """One OAuth 2 flow of a security scheme (`implicit`, `password`, `clientCredentials`, ...)."""

    location: Location
    authorization_url: str | None = None
    token_url: str | None = None
    refresh_url: str | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    name: str
    type: str | None
    """`apiKey`, `http`, `oauth2`, `openIdConnect`, `mutualTLS`."""
    location: Location
    scheme: str | None = None
    """For `http`: `bearer`, `basic`, ..."""
    where: str | None = None
    """For `apiKey`: `header`, `query` or `cookie`; `param_name` is the key's name."""
    param_name: str | None = None
    scopes: frozenset[str] = frozenset()
    """For `oauth2`: every scope any of its flows offers."""
    flows: dict[str, OAuthFlow] = field(default_factory=dict)
    """For `oauth2`: its flows by name."""
    open_id_connect_url: str | None = None


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    location: Location
    variables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Variable name -> its `enum` values (empty: any value)."""


@dataclass(frozen=True, slots=True)
class MediaType:
    media_type: str
    location: Location
    schema: Schema | None = None
    item_schema: Schema | None = None
    examples: tuple[Example, ...] = ()
    stream: Stream | None = None


@dataclass(frozen=True, slots=True)
class RequestBody:
    location: Location
    required: bool
    content: dict[str, MediaType]

    def json_schema(self) -> Schema | None:
        """The schema of the JSON body, if there is one."""
        for media_type, content in self.content.items():
            if is_json_media_type(media_type) and content.schema is not None:
                return content.schema
        return None

    def decoded_schema(self) -> Schema | None:
        """The body a server decodes: the JSON one, else a URL-encoded form, else multipart."""
        return self.json_schema() or self.form_schema() or self.multipart_schema()

    def form_schema(self) -> Schema | None:
        """The schema of a URL-encoded form body, for a body offered in no JSON form."""
        if self.json_schema() is not None:
            return None
        return self._schema_of(FORM_MEDIA_TYPE)

    def multipart_schema(self) -> Schema | None:
        """The schema of a `multipart/form-data` body, offered neither as JSON nor URL-encoded.

        Its file fields are `type: string, format: binary` (3.0) or carry `contentMediaType`
        or `contentEncoding` (3.1): `file_fields` names them.
        """
        if self.json_schema() is not None or self.form_schema() is not None:
            return None
        return self._schema_of(MULTIPART_MEDIA_TYPE)

    def _schema_of(self, wanted: str) -> Schema | None:
        for media_type, content in self.content.items():
            base = media_type.split(";")[0].strip().lower()
            if base == wanted and content.schema is not None:
                return content.schema
        return None


@dataclass(frozen=True, slots=True)
class Response:
    status: str
    location: Location
    description: str | None
    headers: dict[str, Header]
    """Keyed by lower-case header name."""
    content: dict[str, MediaType]

    def has_header(self, name: str) -> bool:
        return name.lower() in self.headers

    @property
    def is_error(self) -> bool:
        return self.status[:1] in ("4", "5") or self.status == "default"

    @property
    def is_success(self) -> bool:
        return is_success_status(self.status)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    """Lower-case HTTP method (`get`, `post`, ..., `query`, or an additional operation's)."""
    path: str
    location: Location
    operation_id: str | None
    operation_id_location: Location | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: dict[str, Response]
    limits: Limits
    streams: tuple[Stream, ...] = ()
    websocket: WebSocket | None = None
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    sunset: str | None = None
    """`x-sunset`: the date (RFC 3339 `YYYY-MM-DD`) after which a deprecated operation may go."""
    security: tuple[SecurityRequirement, ...] | None = None
    """The requirements that apply: the operation's own, else the document's; None: none."""
    security_location: Location | None = None
    """Where the applying `security` list is written (the operation's, or the root's)."""
    servers: tuple[Server, ...] = ()
    """The servers that apply: the operation's, else its path item's, else the document's."""

    @property
    def key(self) -> str:
        """How findings and diffs name the operation: `POST /v1/chat/completions`."""
        return f"{self.method.upper()} {self.path}"

    @property
    def is_streaming(self) -> bool:
        return bool(self.streams)

    @property
    def is_idempotent(self) -> bool:
        return self.method in IDEMPOTENT_METHODS

    @property
    def accepts_idempotency_key(self) -> bool:
        return any(
            p.where == "header" and p.name.lower() in IDEMPOTENCY_HEADERS for p in self.parameters
        )

    def limit_fits(self, path: str) -> bool:
        """Whether a limit can bind this operation, whichever level declares it.

        Request and token limits bind a request body, stream limits a streaming response,
        WebSocket limits a WebSocket; rate limits bind every request. A default declared
        once for the whole document says nothing about the operations it does not fit.
        """
        section = path.split(".", 1)[0]
        if section in ("request", "tokens"):
            return self.request_body is not None
        if section == "stream":
            return self.is_streaming
        if section == "websocket":
            return self.websocket is not None
        return True

    def response(self, status: int | str) -> Response | None:
        """The response for a status, falling back to `4XX`/`5XX` ranges (not `default`)."""
        status = str(status)
        return self.responses.get(status) or self.responses.get(status[0] + "XX")


@dataclass(frozen=True, slots=True)
class LegacyForm:
    """A vendor or pre-3.2 construct that the model mapped onto its native form."""

    location: Location
    form: str
    native: str
    native_since: tuple[int, int] | None = None
    """The OpenAPI version that introduced the native form; None: every version has it."""


@dataclass(frozen=True, slots=True)
class Component:
    section: str
    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class Contract:
    version: str
    """The `openapi` version string, e.g. `3.2.0`."""
    title: str | None
    location: Location
    """The document root."""
    operations: tuple[Operation, ...]
    errors: ErrorCatalog | None = None
    default_limits: Limits = field(default_factory=Limits)
    components: tuple[Component, ...] = ()
    legacy_forms: tuple[LegacyForm, ...] = ()
    security_schemes: tuple[str, ...] = ()
    used_security_schemes: frozenset[str] = frozenset()
    info_version: str | None = None
    """`info.version`: the version of the API (not of OpenAPI)."""
    info_version_location: Location | None = None
    schemes: dict[str, SecurityScheme] = field(default_factory=dict)
    """The declared security schemes, by name (`security_schemes` lists the same names)."""
    servers: tuple[Server, ...] = ()
    schemas: dict[str, Schema] = field(default_factory=dict)
    """`components.schemas`, by name."""
    reader: Reader | None = field(default=None, compare=False, repr=False)
    """Follows the `$ref`s nested inside schemas (see `resolve_schema`)."""

    def resolve_schema(self, value: Any, at: Location) -> Schema | None:
        """A Schema Object written at `at` (as found nested in another schema), resolved.

        Schema values keep nested `$ref`s as written; whoever walks into them (diff's
        comparator, the scaffold) resolves each here, through the loaded document.
        """
        if self.reader is None:
            raise RuntimeError("this contract was built without a document")
        return self.reader.schema(value, at)

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)

    @property
    def streams(self) -> list[tuple[Operation, Stream]]:
        return [(op, stream) for op in self.operations for stream in op.streams]

    def inherits_default(self, op: Operation, limit_path: str) -> bool:
        """Whether an operation's value for a limit path is the document default.

        Such a value was set once for every operation, not for this one; a path item's or
        the operation's own declaration is not a default.
        """
        source = op.limits.source(limit_path)
        return source is not None and source == self.default_limits.source(limit_path)

    def operation(self, key: str) -> Operation | None:
        """Find an operation by `METHOD /path` or by operationId."""
        return next(
            (op for op in self.operations if key in (op.key, op.operation_id)),
            None,
        )


def is_success_status(status: str) -> bool:
    """A `2xx` response key: a status code 200-299 or the `2XX` range."""
    return len(status) == 3 and status[0] == "2"


FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MULTIPART_MEDIA_TYPE = "multipart/form-data"


def is_file_schema(schema: Any) -> bool:
    """A multipart part that is a file: `format: binary` (3.0), `contentMediaType` or
    `contentEncoding` (3.1; a `contentSchema`, or JSON, is a value encoded as text)."""
    if not isinstance(schema, dict) or "$ref" in schema or "contentSchema" in schema:
        return False
    if schema.get("format") == "binary":
        return True
    textual = bool(schema.get("type", "string") == "string")
    media_type = schema.get("contentMediaType")
    if isinstance(media_type, str) and not is_json_media_type(media_type):
        return textual
    return "contentEncoding" in schema and textual


def file_fields(schema: Schema) -> dict[str, bool]:
    """A multipart body's top-level file fields: name -> whether it is a list of files."""
    found: dict[str, bool] = {}
    for name, member in schema.properties.items():
        if is_file_schema(member):
            found[name] = False
        elif isinstance(member, dict) and is_file_schema(member.get("items")):
            found[name] = True
    return found


def is_json_media_type(media_type: str) -> bool:
    """`application/json` or a `+json` suffix type, parameters ignored."""
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json")
