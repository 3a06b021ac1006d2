"""The rules of the structural schema comparator (`diff/schema.py`).

`DREQ` rules judge data the client sends (request bodies, parameters, WebSocket client
messages): the new schema must accept everything the old one accepted, so narrowing breaks.
`DRES` rules judge data the client receives (responses, response headers, stream events):
the new schema must produce only what the old one could, so widening may break.
"""

from __future__ import annotations

from contractgen.diff.registry import diff_rule
from contractgen.report.finding import Level


def _body_and_property(side: str, *changes: str) -> tuple[str, ...]:
    """oasdiff's ids for one change, by where it sits: `request-body-x`, `request-property-x`."""
    return tuple(f"{side}-{where}-{change}" for change in changes for where in ("body", "property"))


def _parameter(*changes: str) -> tuple[str, ...]:
    return tuple(f"request-parameter-{change}" for change in changes)


# --- request side (contravariant) -----------------------------------------------------------

REQUEST_TYPE_CHANGED = diff_rule(
    "DREQ101",
    "request-type-changed",
    Level.BREAKING,
    "A request schema no longer accepts a type it accepted",
    rationale="""
        Clients send values of the old type; the server now refuses them.
    """,
    before="limit: {type: [integer, string]}",
    after="limit: {type: integer}",
    oasdiff=(
        *_body_and_property("request", "type-changed", "list-of-types-narrowed"),
        *_parameter("type-changed", "property-type-changed", "property-type-specialized"),
        *_parameter("list-of-types-narrowed", "property-list-of-types-narrowed"),
    ),
)
REQUEST_TYPE_WIDENED = diff_rule(
    "DREQ102",
    "request-type-widened",
    Level.INFO,
    "A request schema accepts more types, `null` or formats than before",
    rationale="""
        Widening what the server accepts is safe: every request valid before stays valid.
    """,
    before="limit: {type: integer}",
    after="limit: {type: [integer, string], nullable: true}",
    oasdiff=(
        *_body_and_property("request", "type-generalized", "type-compatible"),
        *_body_and_property("request", "list-of-types-widened", "became-nullable"),
        *_parameter("type-generalized", "property-type-generalized"),
        *_parameter("list-of-types-widened", "property-list-of-types-widened"),
        *_parameter("became-nullable", "property-became-nullable"),
    ),
)
REQUEST_FORMAT_CHANGED = diff_rule(
    "DREQ103",
    "request-format-changed",
    Level.BREAKING,
    "A request value's `format` was added or changed",
    rationale="""
        Values in the old format (or in any format) are refused once the server checks the
        new one. oasdiff reports this under its type-changed checks.
    """,
    before="created: {type: string, format: date-time}",
    after="created: {type: string, format: date}",
)
REQUEST_NULLABLE_REMOVED = diff_rule(
    "DREQ104",
    "request-nullable-removed",
    Level.BREAKING,
    "A request value may no longer be `null`",
    rationale="""
        Clients that send `null` (to clear a field, or because they have no value) are
        refused. `nullable: true` (3.0), a `"null"` type (3.1) and a `{type: "null"}` branch
        all count as allowing `null`.
    """,
    before="note: {type: string, nullable: true}",
    after="note: {type: string}",
    oasdiff=(
        *_body_and_property("request", "became-not-nullable"),
        *_parameter("became-not-nullable", "property-became-not-nullable"),
    ),
)
REQUEST_REQUIRED_PROPERTY_ADDED = diff_rule(
    "DREQ105",
    "request-required-property-added",
    Level.BREAKING,
    "A new required property in a request schema",
    rationale="""
        Existing clients do not send the new property, so their requests are refused.
    """,
    before="""
        type: object
        properties: {name: {type: string}}
    """,
    after="""
        type: object
        required: [region]
        properties: {name: {type: string}, region: {type: string}}
    """,
    oasdiff=(
        "new-required-request-property",
        "new-required-request-property-with-default",
        "new-required-request-header-property",
        "request-required-property-became-non-read-only",
    ),
)
REQUEST_PROPERTY_BECAME_REQUIRED = diff_rule(
    "DREQ106",
    "request-property-became-required",
    Level.BREAKING,
    "An optional request property became required",
    rationale="""
        Clients that leave the property out are refused.
    """,
    before="required: [name]",
    after="required: [name, region]",
    oasdiff=(
        "request-property-became-required",
        "request-property-became-required-with-default",
        "request-header-property-became-required",
    ),
)
REQUEST_PROPERTY_ADDED = diff_rule(
    "DREQ107",
    "request-property-added",
    Level.INFO,
    "A new optional property in a request schema",
    rationale="""
        Clients may send it; those that do not are unaffected.
    """,
    before="properties: {name: {type: string}}",
    after="properties: {name: {type: string}, region: {type: string}}",
    oasdiff=("new-optional-request-property", "request-optional-property-became-non-read-only"),
)
REQUEST_PROPERTY_BECAME_OPTIONAL = diff_rule(
    "DREQ108",
    "request-property-became-optional",
    Level.INFO,
    "A required request property became optional",
    rationale="""
        Clients that send it keep working; new clients may leave it out.
    """,
    before="required: [name, region]",
    after="required: [name]",
    oasdiff=("request-property-became-optional",),
)
REQUEST_PROPERTY_REMOVED = diff_rule(
    "DREQ109",
    "request-property-removed",
    Level.WARNING,
    "A request property was removed (or became `readOnly`)",
    rationale="""
        Clients still send it. The server may ignore it, silently dropping what the client
        meant; where the new schema is closed (`additionalProperties: false`) it refuses the
        request, which is breaking.
    """,
    before="properties: {name: {type: string}, nickname: {type: string}}",
    after="properties: {name: {type: string}}",
    oasdiff=(
        "request-property-removed",
        "request-optional-property-became-read-only",
        "request-required-property-became-read-only",
    ),
)
REQUEST_ENUM_VALUE_REMOVED = diff_rule(
    "DREQ110",
    "request-enum-value-removed",
    Level.BREAKING,
    "A request enum lost values",
    rationale="""
        Clients that send a removed value are refused.
    """,
    before="role: {type: string, enum: [user, assistant, system]}",
    after="role: {type: string, enum: [user, assistant]}",
    oasdiff=(
        *_body_and_property("request", "enum-value-removed"),
        *_parameter("enum-value-removed", "property-enum-value-removed"),
    ),
)
REQUEST_BECAME_ENUM = diff_rule(
    "DREQ111",
    "request-became-enum",
    Level.BREAKING,
    "A free request value is now restricted to an enum",
    rationale="""
        Clients sending any value outside the new list are refused.
    """,
    before="role: {type: string}",
    after="role: {type: string, enum: [user, assistant]}",
    oasdiff=(
        *_body_and_property("request", "became-enum"),
        "request-parameter-became-enum",
        "request-header-property-became-enum",
    ),
)
REQUEST_ENUM_VALUE_ADDED = diff_rule(
    "DREQ112",
    "request-enum-value-added",
    Level.INFO,
    "A request enum gained values, or is no longer an enum",
    rationale="""
        The server accepts more; every request valid before stays valid.
    """,
    before="role: {type: string, enum: [user, assistant]}",
    after="role: {type: string, enum: [user, assistant, tool]}",
    oasdiff=(
        "request-property-enum-value-added",
        *_parameter("enum-value-added", "property-enum-value-added"),
    ),
)
REQUEST_CONST_CHANGED = diff_rule(
    "DREQ113",
    "request-const-changed",
    Level.BREAKING,
    "A request value gained a `const` or its `const` changed",
    rationale="""
        Clients that send any other value (the old constant included) are refused.
    """,
    before="object: {type: string}",
    after="object: {type: string, const: chat.request}",
    oasdiff=_body_and_property("request", "const-added", "const-changed"),
)
REQUEST_UPPER_BOUND_LOWERED = diff_rule(
    "DREQ114",
    "request-upper-bound-lowered",
    Level.BREAKING,
    "A request `maximum`, `exclusiveMaximum`, `maxLength`, `maxItems`, `maxProperties` or "
    "`maxContains` was lowered or added",
    rationale="""
        Values clients send up to the old bound are refused above the new one.
        `exclusiveMaximum` as a boolean (3.0) or a number (3.1) is the same bound.
    """,
    before="name: {type: string, maxLength: 256}",
    after="name: {type: string, maxLength: 64}",
    oasdiff=(
        *_body_and_property("request", "max-decreased", "max-set", "exclusive-max-decreased"),
        *_body_and_property("request", "exclusive-max-set", "max-length-decreased"),
        *_body_and_property("request", "max-length-set", "max-items-decreased", "max-items-set"),
        *_body_and_property("request", "max-properties-decreased", "max-properties-set"),
        *_body_and_property("request", "max-contains-decreased"),
        *_parameter("max-decreased", "max-set", "exclusive-max-decreased", "exclusive-max-set"),
        *_parameter("max-length-decreased", "max-length-set", "max-items-decreased"),
    ),
)
REQUEST_LOWER_BOUND_RAISED = diff_rule(
    "DREQ115",
    "request-lower-bound-raised",
    Level.BREAKING,
    "A request `minimum`, `exclusiveMinimum`, `minLength`, `minItems`, `minProperties` or "
    "`minContains` was raised or added",
    rationale="""
        Values clients send down to the old bound are refused below the new one.
    """,
    before="count: {type: integer, minimum: 1}",
    after="count: {type: integer, minimum: 10}",
    oasdiff=(
        *_body_and_property("request", "min-increased", "min-set", "exclusive-min-increased"),
        *_body_and_property("request", "exclusive-min-set", "min-length-increased"),
        *_body_and_property("request", "min-items-increased", "min-items-set"),
        *_body_and_property("request", "min-properties-increased", "min-contains-increased"),
        *_parameter("min-increased", "min-set", "exclusive-min-increased", "exclusive-min-set"),
        *_parameter("min-length-increased", "min-items-increased", "min-items-set"),
    ),
)
REQUEST_PATTERN_ADDED = diff_rule(
    "DREQ116",
    "request-pattern-added",
    Level.BREAKING,
    "A request string gained a `pattern`",
    rationale="""
        Strings clients send that do not match the new pattern are refused.
    """,
    before="id: {type: string}",
    after="id: {type: string, pattern: '^item_[a-z0-9]+$'}",
    oasdiff=("request-property-pattern-added", "request-parameter-pattern-added"),
)
REQUEST_PATTERN_CHANGED = diff_rule(
    "DREQ117",
    "request-pattern-changed",
    Level.WARNING,
    "A request string's `pattern` changed",
    rationale="""
        Unless the new pattern accepts everything the old one did (which diff cannot prove),
        some strings clients send are refused.
    """,
    before="id: {type: string, pattern: '^item_[a-z0-9]+$'}",
    after="id: {type: string, pattern: '^item_[0-9]+$'}",
    oasdiff=("request-property-pattern-changed", "request-parameter-pattern-changed"),
)
REQUEST_MULTIPLE_OF_CHANGED = diff_rule(
    "DREQ118",
    "request-multiple-of-changed",
    Level.BREAKING,
    "A request number gained a `multipleOf`, or it changed to one the old does not divide",
    rationale="""
        Numbers clients send that were multiples of the old step are refused unless they are
        multiples of the new one.
    """,
    before="amount: {type: number, multipleOf: 0.01}",
    after="amount: {type: number, multipleOf: 0.05}",
    oasdiff=_body_and_property("request", "multiple-of-set", "multiple-of-changed"),
)
REQUEST_UNIQUE_ITEMS_SET = diff_rule(
    "DREQ119",
    "request-unique-items-set",
    Level.BREAKING,
    "A request array now requires `uniqueItems`",
    rationale="""
        Clients that send repeated items are refused.
    """,
    before="tags: {type: array, items: {type: string}}",
    after="tags: {type: array, items: {type: string}, uniqueItems: true}",
    oasdiff=_body_and_property("request", "unique-items-set"),
)
REQUEST_ADDITIONAL_PROPERTIES_CLOSED = diff_rule(
    "DREQ120",
    "request-additional-properties-closed",
    Level.BREAKING,
    "A request object no longer accepts properties it does not list",
    rationale="""
        `additionalProperties` (or `unevaluatedProperties`) went from open to `false` or to a
        schema: clients that send extra properties, or extra values the schema refuses, are
        refused.
    """,
    before="metadata: {type: object}",
    after="metadata: {type: object, additionalProperties: false}",
    oasdiff=_body_and_property("request", "unevaluated-properties-added"),
)
REQUEST_CONSTRAINT_RELAXED = diff_rule(
    "DREQ121",
    "request-constraint-relaxed",
    Level.INFO,
    "A request constraint was loosened or removed",
    rationale="""
        A bound raised (or lowered for a minimum), a pattern, `multipleOf`, `uniqueItems`,
        `const`, a conditional or a dependency dropped, an object opened: the server accepts
        more, and every request valid before stays valid.
    """,
    before="name: {type: string, maxLength: 64}",
    after="name: {type: string, maxLength: 256}",
    oasdiff=(
        *_body_and_property("request", "max-increased", "exclusive-max-increased"),
        *_body_and_property("request", "max-length-increased", "max-items-increased"),
        *_body_and_property("request", "max-properties-increased", "max-contains-increased"),
        *_body_and_property("request", "min-decreased", "exclusive-min-decreased"),
        *_body_and_property("request", "min-length-decreased", "min-contains-decreased"),
        *_parameter("max-increased", "exclusive-max-increased", "max-length-increased"),
        *_parameter("max-items-increased", "min-decreased", "exclusive-min-decreased"),
        *_parameter("min-length-decreased", "min-items-decreased", "pattern-removed"),
        "request-property-pattern-removed",
        *_body_and_property("request", "multiple-of-unset", "multiple-of-generalized"),
        *_body_and_property("request", "unique-items-unset", "const-removed"),
        *_body_and_property("request", "unevaluated-properties-removed"),
        *_body_and_property("request", "unevaluated-items-removed"),
        *_body_and_property("request", "dependent-required-removed", "dependent-schema-removed"),
        *_body_and_property("request", "contains-removed", "property-names-removed"),
        *_body_and_property("request", "pattern-property-removed", "content-schema-removed"),
        *_body_and_property("request", "if-removed", "then-removed", "else-removed"),
    ),
)
REQUEST_DEFAULT_CHANGED = diff_rule(
    "DREQ122",
    "request-default-changed",
    Level.WARNING,
    "The default of a request value changed or was removed (added: info)",
    rationale="""
        Clients that leave the value out relied on the old default; the server now behaves
        differently for the same request.
    """,
    before="limit: {type: integer, default: 20}",
    after="limit: {type: integer, default: 10}",
    oasdiff=(
        *_body_and_property(
            "request", "default-value-changed", "default-value-added", "default-value-removed"
        ),
        *_parameter("default-value-changed", "default-value-added", "default-value-removed"),
    ),
)
REQUEST_UNION_BRANCH_REMOVED = diff_rule(
    "DREQ123",
    "request-union-branch-removed",
    Level.BREAKING,
    "A `oneOf`/`anyOf` alternative of a request schema was removed",
    rationale="""
        Clients that send data of the removed alternative are refused. Alternatives pair by
        discriminator value, then by component name, then by shape.
    """,
    before="oneOf: [{$ref: '#/components/schemas/Text'}, {$ref: '#/components/schemas/Image'}]",
    after="oneOf: [{$ref: '#/components/schemas/Text'}]",
    oasdiff=_body_and_property("request", "one-of-removed", "any-of-removed"),
)
REQUEST_UNION_BRANCH_ADDED = diff_rule(
    "DREQ124",
    "request-union-branch-added",
    Level.INFO,
    "A request schema gained a `oneOf`/`anyOf` alternative",
    rationale="""
        The server accepts one more shape; existing requests stay valid.
    """,
    before="oneOf: [{$ref: '#/components/schemas/Text'}]",
    after="oneOf: [{$ref: '#/components/schemas/Text'}, {$ref: '#/components/schemas/Image'}]",
    oasdiff=_body_and_property("request", "one-of-added", "any-of-added"),
)
REQUEST_DISCRIMINATOR_CHANGED = diff_rule(
    "DREQ125",
    "request-discriminator-changed",
    Level.BREAKING,
    "A request union's discriminator property changed (added or removed: info)",
    rationale="""
        The server picks the alternative by a different property, so the tag clients send no
        longer selects it.
    """,
    before="discriminator: {propertyName: type}",
    after="discriminator: {propertyName: kind}",
    oasdiff=_body_and_property(
        "request",
        "discriminator-property-name-changed",
        "discriminator-added",
        "discriminator-removed",
    ),
)
REQUEST_DISCRIMINATOR_VALUE_REMOVED = diff_rule(
    "DREQ126",
    "request-discriminator-value-removed",
    Level.BREAKING,
    "A discriminator value of a request union no longer selects an alternative",
    rationale="""
        Clients that send the removed tag are refused.
    """,
    before="discriminator: {propertyName: type, mapping: {text: '#/components/schemas/Text', "
    "txt: '#/components/schemas/Text'}}",
    after="discriminator: {propertyName: type, mapping: {text: '#/components/schemas/Text'}}",
    oasdiff=_body_and_property("request", "discriminator-mapping-deleted"),
)
REQUEST_DEPENDENT_REQUIRED_ADDED = diff_rule(
    "DREQ127",
    "request-dependent-required-added",
    Level.BREAKING,
    "A request object gained a `dependentRequired` dependency",
    rationale="""
        Clients that send the first property without the ones it now depends on are refused.
    """,
    before="properties: {card: {type: string}, cvc: {type: string}}",
    after="""
        properties: {card: {type: string}, cvc: {type: string}}
        dependentRequired: {card: [cvc]}
    """,
    oasdiff=_body_and_property("request", "dependent-required-added", "dependent-required-changed"),
)
REQUEST_SUBSCHEMA_CONSTRAINT_ADDED = diff_rule(
    "DREQ128",
    "request-subschema-constraint-added",
    Level.WARNING,
    "A request schema gained a constraining subschema (`if`/`then`/`else`, `not`, `contains`, "
    "`propertyNames`, `patternProperties`, `dependentSchemas`, `unevaluatedItems`, a union)",
    rationale="""
        Requests that do not satisfy the new subschema are refused; diff cannot tell whether
        existing clients' data does, so this is potentially breaking.
    """,
    before="tags: {type: array, items: {type: string}}",
    after="tags: {type: array, items: {type: string}, contains: {const: primary}}",
    oasdiff=(
        *_body_and_property("request", "if-added", "then-added", "else-added"),
        *_body_and_property("request", "contains-added", "property-names-added"),
        *_body_and_property("request", "dependent-schema-added", "pattern-property-added"),
        *_body_and_property("request", "unevaluated-items-added", "content-schema-added"),
    ),
)
REQUEST_CONDITIONAL_CHANGED = diff_rule(
    "DREQ129",
    "request-conditional-changed",
    Level.WARNING,
    "A request schema's `if`/`then`/`else` or `not` changed",
    rationale="""
        Conditionals are not monotone, so diff compares them as written: any change may
        refuse requests that were valid.
    """,
    before="if: {properties: {kind: {const: card}}}\nthen: {required: [card]}",
    after="if: {properties: {kind: {const: card}}}\nthen: {required: [card, cvc]}",
)
REQUEST_CONTENT_ENCODING_CHANGED = diff_rule(
    "DREQ130",
    "request-content-encoding-changed",
    Level.BREAKING,
    "A request string's `contentMediaType` or `contentEncoding` changed",
    rationale="""
        Clients encode the value the old way (base64, JSON text, ...); the server now decodes
        it another way.
    """,
    before="file: {type: string, contentEncoding: base64}",
    after="file: {type: string, contentEncoding: base64url}",
    oasdiff=(
        *_body_and_property("request", "content-media-type-changed"),
        *_body_and_property("request", "content-encoding-changed"),
    ),
)
REQUEST_PROPERTY_DEPRECATED = diff_rule(
    "DREQ131",
    "request-property-deprecated",
    Level.INFO,
    "A request schema or property was marked `deprecated`",
    rationale="""
        It still works, but clients should plan to stop sending it.
    """,
    before="nickname: {type: string}",
    after="nickname: {type: string, deprecated: true}",
    oasdiff=("request-property-deprecated",),
)

# --- response side (covariant) --------------------------------------------------------------

RESPONSE_TYPE_CHANGED = diff_rule(
    "DRES101",
    "response-type-changed",
    Level.BREAKING,
    "A response value may now be of a type it could not be before",
    rationale="""
        Clients parse the old type; a value of another type fails to parse or is misread.
    """,
    before="count: {type: integer}",
    after="count: {type: [integer, string]}",
    oasdiff=(
        *_body_and_property("response", "type-changed", "type-generalized"),
        *_body_and_property("response", "list-of-types-widened"),
        "response-header-type-changed",
        "response-header-type-generalized",
    ),
)
RESPONSE_TYPE_NARROWED = diff_rule(
    "DRES102",
    "response-type-narrowed",
    Level.INFO,
    "A response value's type, `null` or format was narrowed",
    rationale="""
        The server sends a subset of what it could; clients handle it already.
    """,
    before="count: {type: [integer, string], nullable: true}",
    after="count: {type: integer}",
    oasdiff=(
        *_body_and_property("response", "type-specialized", "type-compatible"),
        *_body_and_property("response", "list-of-types-narrowed", "became-not-nullable"),
        "response-header-type-specialized",
        "response-header-type-compatible",
        "response-header-became-not-nullable",
    ),
)
RESPONSE_FORMAT_CHANGED = diff_rule(
    "DRES103",
    "response-format-changed",
    Level.BREAKING,
    "A response value's `format` changed or was removed",
    rationale="""
        Clients parse the old format (a date-time, an int32); values in another format fail
        or are misread. oasdiff reports this under its type-changed checks.
    """,
    before="created: {type: string, format: date-time}",
    after="created: {type: string, format: date}",
)
RESPONSE_PROPERTY_BECAME_NULLABLE = diff_rule(
    "DRES104",
    "response-property-became-nullable",
    Level.BREAKING,
    "A response value may now be `null`",
    rationale="""
        Clients that read the value without checking for `null` crash. The 3.0 and 3.1 forms
        of nullability are the same to diff.
    """,
    before="email: {type: string}",
    after="email: {type: [string, 'null']}",
    oasdiff=(
        *_body_and_property("response", "became-nullable"),
        "response-header-became-nullable",
    ),
)
RESPONSE_REQUIRED_PROPERTY_REMOVED = diff_rule(
    "DRES105",
    "response-required-property-removed",
    Level.BREAKING,
    "A required response property was removed (or became `writeOnly`)",
    rationale="""
        Clients read it and count on it being there.
    """,
    before="required: [id]\nproperties: {id: {type: string}}",
    after="properties: {}",
    oasdiff=("response-required-property-removed", "response-required-property-became-write-only"),
)
RESPONSE_OPTIONAL_PROPERTY_REMOVED = diff_rule(
    "DRES106",
    "response-optional-property-removed",
    Level.WARNING,
    "An optional response property was removed (or became `writeOnly`)",
    rationale="""
        Clients handle its absence, but those that use it when present lose the data.
    """,
    before="properties: {id: {type: string}, nickname: {type: string}}",
    after="properties: {id: {type: string}}",
    oasdiff=("response-optional-property-removed", "response-optional-property-became-write-only"),
)
RESPONSE_PROPERTY_BECAME_OPTIONAL = diff_rule(
    "DRES107",
    "response-property-became-optional",
    Level.BREAKING,
    "A required response property became optional",
    rationale="""
        Clients that read it unconditionally fail when it is absent.
    """,
    before="required: [id, email]",
    after="required: [id]",
    oasdiff=("response-property-became-optional",),
)
RESPONSE_PROPERTY_ADDED = diff_rule(
    "DRES108",
    "response-property-added",
    Level.INFO,
    "A response schema gained a property",
    rationale="""
        Clients ignore what they do not know, unless they parse strictly against a closed
        schema.
    """,
    before="properties: {id: {type: string}}",
    after="properties: {id: {type: string}, created: {type: integer}}",
    oasdiff=(
        "response-optional-property-added",
        "response-required-property-added",
        "response-optional-property-became-non-write-only",
        "response-required-property-became-non-write-only",
    ),
)
RESPONSE_PROPERTY_BECAME_REQUIRED = diff_rule(
    "DRES109",
    "response-property-became-required",
    Level.INFO,
    "An optional response property became required",
    rationale="""
        The server promises more; clients that handled its absence keep working.
    """,
    before="required: [id]",
    after="required: [id, created]",
    oasdiff=("response-property-became-required",),
)
RESPONSE_ENUM_VALUE_ADDED = diff_rule(
    "DRES110",
    "response-enum-value-added",
    Level.WARNING,
    "A response enum gained values, or is no longer an enum",
    rationale="""
        Clients that switch over the known values meet one they do not handle.
    """,
    before="status: {type: string, enum: [queued, done]}",
    after="status: {type: string, enum: [queued, running, done]}",
    oasdiff=("response-property-enum-value-added",),
)
RESPONSE_ENUM_VALUE_REMOVED = diff_rule(
    "DRES111",
    "response-enum-value-removed",
    Level.INFO,
    "A response enum lost values, or a free value became an enum",
    rationale="""
        The server sends a subset of what it could; clients handle it already.
    """,
    before="status: {type: string, enum: [queued, running, done]}",
    after="status: {type: string, enum: [queued, done]}",
    oasdiff=("response-property-enum-value-removed", "response-media-type-enum-value-removed"),
)
RESPONSE_CONST_CHANGED = diff_rule(
    "DRES112",
    "response-const-changed",
    Level.BREAKING,
    "A response value's `const` changed or was removed",
    rationale="""
        Clients that recognise the payload by its constant (an `object` tag) no longer do.
    """,
    before="object: {type: string, const: chat.completion}",
    after="object: {type: string, const: chat.completion.v2}",
    oasdiff=_body_and_property("response", "const-removed", "const-changed"),
)
RESPONSE_UPPER_BOUND_RAISED = diff_rule(
    "DRES113",
    "response-upper-bound-raised",
    Level.WARNING,
    "A response `maximum`, `maxLength`, `maxItems`, `maxProperties` or `maxContains` was raised "
    "or removed",
    rationale="""
        Clients that size buffers, columns or integer types by the old bound may overflow.
    """,
    before="name: {type: string, maxLength: 64}",
    after="name: {type: string, maxLength: 256}",
    oasdiff=(
        *_body_and_property("response", "max-increased", "exclusive-max-increased"),
        *_body_and_property("response", "max-length-increased", "max-length-unset"),
        *_body_and_property("response", "max-items-increased", "max-properties-increased"),
        *_body_and_property("response", "max-contains-increased"),
    ),
)
RESPONSE_LOWER_BOUND_LOWERED = diff_rule(
    "DRES114",
    "response-lower-bound-lowered",
    Level.WARNING,
    "A response `minimum`, `minLength`, `minItems`, `minProperties` or `minContains` was lowered "
    "or removed",
    rationale="""
        Clients that count on the old minimum (a non-empty list, a positive number) meet
        values below it.
    """,
    before="items: {type: array, minItems: 1}",
    after="items: {type: array}",
    oasdiff=(
        *_body_and_property("response", "min-decreased", "exclusive-min-decreased"),
        *_body_and_property("response", "min-length-decreased", "min-items-decreased"),
        *_body_and_property("response", "min-items-unset", "min-properties-decreased"),
        *_body_and_property("response", "min-contains-decreased"),
    ),
)
RESPONSE_PATTERN_CHANGED = diff_rule(
    "DRES115",
    "response-pattern-changed",
    Level.WARNING,
    "A response string's `pattern` changed or was removed",
    rationale="""
        Clients that parse the string by its old shape (an id prefix) may fail.
    """,
    before="id: {type: string, pattern: '^item_'}",
    after="id: {type: string, pattern: '^itm_'}",
    oasdiff=("response-property-pattern-changed", "response-property-pattern-removed"),
)
RESPONSE_MULTIPLE_OF_CHANGED = diff_rule(
    "DRES116",
    "response-multiple-of-changed",
    Level.WARNING,
    "A response number's `multipleOf` was removed, or changed to one that is not a multiple of "
    "the old",
    rationale="""
        Clients that store the number at the old step (cents, whole seconds) lose precision.
    """,
    before="amount: {type: number, multipleOf: 0.01}",
    after="amount: {type: number, multipleOf: 0.001}",
    oasdiff=_body_and_property("response", "multiple-of-unset", "multiple-of-changed"),
)
RESPONSE_UNIQUE_ITEMS_UNSET = diff_rule(
    "DRES117",
    "response-unique-items-unset",
    Level.WARNING,
    "A response array no longer promises `uniqueItems`",
    rationale="""
        Clients that load the array into a set or key by item may meet duplicates.
    """,
    before="tags: {type: array, uniqueItems: true}",
    after="tags: {type: array}",
    oasdiff=_body_and_property("response", "unique-items-unset"),
)
RESPONSE_ADDITIONAL_PROPERTIES_OPENED = diff_rule(
    "DRES118",
    "response-additional-properties-opened",
    Level.WARNING,
    "A response object may now hold properties it does not list",
    rationale="""
        `additionalProperties` (or `unevaluatedProperties`) went from `false` to open, or from
        a schema to anything: clients that parse strictly, or read the extra values by the
        old schema, fail.
    """,
    before="metadata: {type: object, additionalProperties: false}",
    after="metadata: {type: object}",
    oasdiff=_body_and_property("response", "unevaluated-properties-removed"),
)
RESPONSE_CONSTRAINT_TIGHTENED = diff_rule(
    "DRES119",
    "response-constraint-tightened",
    Level.INFO,
    "A response constraint was tightened or added",
    rationale="""
        The server promises more (a bound, a pattern, a constant, a closed object, a
        dependency): it sends a subset of what it could, which clients handle already.
    """,
    before="name: {type: string}",
    after="name: {type: string, maxLength: 64}",
    oasdiff=(
        "response-property-pattern-added",
        *_body_and_property("response", "multiple-of-specialized", "const-added"),
        *_body_and_property("response", "unevaluated-properties-added"),
        *_body_and_property("response", "unevaluated-items-added", "contains-added"),
        *_body_and_property("response", "min-contains-increased", "max-contains-decreased"),
        *_body_and_property("response", "dependent-required-added", "dependent-schema-added"),
        *_body_and_property("response", "property-names-added", "pattern-property-added"),
        *_body_and_property("response", "if-added", "then-added", "else-added"),
        *_body_and_property("response", "content-schema-added"),
    ),
)
RESPONSE_UNION_BRANCH_ADDED = diff_rule(
    "DRES120",
    "response-union-branch-added",
    Level.WARNING,
    "A response schema gained a `oneOf`/`anyOf` alternative",
    rationale="""
        Clients that handle the known alternatives meet one they cannot parse.
    """,
    before="oneOf: [{$ref: '#/components/schemas/Text'}]",
    after="oneOf: [{$ref: '#/components/schemas/Text'}, {$ref: '#/components/schemas/Image'}]",
    oasdiff=_body_and_property("response", "one-of-added", "any-of-added"),
)
RESPONSE_UNION_BRANCH_REMOVED = diff_rule(
    "DRES121",
    "response-union-branch-removed",
    Level.INFO,
    "A `oneOf`/`anyOf` alternative of a response schema was removed",
    rationale="""
        The server sends one shape fewer; clients handle the rest already.
    """,
    before="oneOf: [{$ref: '#/components/schemas/Text'}, {$ref: '#/components/schemas/Image'}]",
    after="oneOf: [{$ref: '#/components/schemas/Text'}]",
    oasdiff=_body_and_property("response", "one-of-removed", "any-of-removed"),
)
RESPONSE_DISCRIMINATOR_CHANGED = diff_rule(
    "DRES122",
    "response-discriminator-changed",
    Level.BREAKING,
    "A response union's discriminator property changed (added or removed: info)",
    rationale="""
        Clients dispatch on the old property; they can no longer tell the alternatives apart.
    """,
    before="discriminator: {propertyName: type}",
    after="discriminator: {propertyName: kind}",
    oasdiff=_body_and_property(
        "response",
        "discriminator-property-name-changed",
        "discriminator-added",
        "discriminator-removed",
    ),
)
RESPONSE_DISCRIMINATOR_VALUE_ADDED = diff_rule(
    "DRES123",
    "response-discriminator-value-added",
    Level.WARNING,
    "A response union's discriminator gained a value",
    rationale="""
        Clients that dispatch on the tag meet a value they do not know.
    """,
    before="discriminator: {propertyName: type, mapping: {text: '#/components/schemas/Text'}}",
    after="discriminator: {propertyName: type, mapping: {text: '#/components/schemas/Text', "
    "txt: '#/components/schemas/Text'}}",
    oasdiff=_body_and_property("response", "discriminator-mapping-added"),
)
RESPONSE_DEPENDENT_REQUIRED_REMOVED = diff_rule(
    "DRES124",
    "response-dependent-required-removed",
    Level.WARNING,
    "A response object lost a `dependentRequired` dependency",
    rationale="""
        Clients that read the dependent properties whenever the first is present may find
        them missing.
    """,
    before="dependentRequired: {card: [cvc]}",
    after="properties: {card: {type: string}}",
    oasdiff=_body_and_property(
        "response", "dependent-required-removed", "dependent-required-changed"
    ),
)
RESPONSE_SUBSCHEMA_CONSTRAINT_REMOVED = diff_rule(
    "DRES125",
    "response-subschema-constraint-removed",
    Level.WARNING,
    "A response schema lost a constraining subschema (`if`/`then`/`else`, `not`, `contains`, "
    "`propertyNames`, `patternProperties`, `dependentSchemas`, `unevaluatedItems`)",
    rationale="""
        The server may now send data the removed subschema excluded, which clients did not
        expect.
    """,
    before="tags: {type: array, contains: {const: primary}}",
    after="tags: {type: array}",
    oasdiff=(
        *_body_and_property("response", "if-removed", "then-removed", "else-removed"),
        *_body_and_property("response", "contains-removed", "property-names-removed"),
        *_body_and_property("response", "dependent-schema-removed", "pattern-property-removed"),
        *_body_and_property("response", "unevaluated-items-removed", "content-schema-removed"),
    ),
)
RESPONSE_CONDITIONAL_CHANGED = diff_rule(
    "DRES126",
    "response-conditional-changed",
    Level.WARNING,
    "A response schema's `if`/`then`/`else` or `not` changed",
    rationale="""
        Conditionals are not monotone, so diff compares them as written: the server may now
        send data clients did not expect.
    """,
    before="if: {properties: {kind: {const: card}}}\nthen: {required: [card]}",
    after="if: {properties: {kind: {const: card}}}\nthen: {required: [iban]}",
)
RESPONSE_CONTENT_ENCODING_CHANGED = diff_rule(
    "DRES127",
    "response-content-encoding-changed",
    Level.BREAKING,
    "A response string's `contentMediaType` or `contentEncoding` changed",
    rationale="""
        Clients decode the value the old way; the new encoding is misread.
    """,
    before="file: {type: string, contentEncoding: base64}",
    after="file: {type: string, contentEncoding: base64url}",
    oasdiff=(
        *_body_and_property("response", "content-media-type-changed"),
        *_body_and_property("response", "content-encoding-changed"),
    ),
)
RESPONSE_DEFAULT_CHANGED = diff_rule(
    "DRES128",
    "response-default-changed",
    Level.INFO,
    "The documented default of a response value changed",
    rationale="""
        A response default documents what the server fills in; clients are rarely affected.
    """,
    before="limit: {type: integer, default: 20}",
    after="limit: {type: integer, default: 10}",
    oasdiff=_body_and_property(
        "response", "default-value-changed", "default-value-added", "default-value-removed"
    ),
)
RESPONSE_PROPERTY_DEPRECATED = diff_rule(
    "DRES129",
    "response-property-deprecated",
    Level.INFO,
    "A response schema or property was marked `deprecated`",
    rationale="""
        It is still sent, but clients should plan to stop reading it.
    """,
    before="nickname: {type: string}",
    after="nickname: {type: string, deprecated: true}",
    oasdiff=("response-property-deprecated",),
)
