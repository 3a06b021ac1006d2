"""A request checked against its operation: parameters typed and required, the body by schema.

Failures are raised as FastAPI's `RequestValidationError`, with FastAPI's `loc` shape
(`("body", "messages", 0, "role")`, `("query", "model")`), so the runtime's problem handler
answers them exactly as it answers a scaffolded service's: the catalogue's validation code
and `errors: [{pointer, message}]`. A missing property is pointed at itself (`/model`), not
at the object that lacks it; so is a property `additionalProperties: false` refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi.exceptions import RequestValidationError
from jsonschema import ValidationError

from contractgen.mock.operations import CompiledSchema, MockOperation, ParameterPlan
from contractgen.runtime.forms import decode_form

MAX_ERRORS = 20
_QUOTED = re.compile(r"'([^']*)'")


def check_request(
    mock: MockOperation,
    *,
    path: Mapping[str, str],
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    body: bytes,
    content_type: str,
) -> Any:
    """The decoded body (None without one); raises RequestValidationError on any mismatch."""
    errors: list[dict[str, Any]] = []
    for plan in mock.parameters:
        errors.extend(_parameter_errors(plan, path, query, headers, cookies))
    document = _body(mock, body, content_type, errors)
    if errors:
        raise RequestValidationError(errors[:MAX_ERRORS])
    return document


def _body(mock: MockOperation, body: bytes, content_type: str, errors: list[dict[str, Any]]) -> Any:
    required, kind, schema = mock.body
    if kind is None:
        return None
    if not body.strip():
        if required:
            errors.append(_error(("body",), "A request body is required.", "missing"))
        return None
    if kind == "form" or "x-www-form-urlencoded" in content_type:
        return decode_form(body)  # form values are strings: typed by the service, not here
    try:
        document = json.loads(body)
    except ValueError as error:
        errors.append(_error(("body",), f"The body is not valid JSON: {error}", "json_invalid"))
        return None
    if schema is not None:
        errors.extend(schema_errors(schema, document, ("body",)))
    return document


def schema_errors(
    schema: CompiledSchema, value: Any, prefix: tuple[Any, ...]
) -> Iterator[dict[str, Any]]:
    found = sorted(schema.validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
    for error in found[:MAX_ERRORS]:
        path = (*prefix, *error.absolute_path)
        yield from _located(error, path)


def _located(error: ValidationError, path: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    """One error per missing or unexpected property, pointed at the property itself."""
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [name for name in wanted if name not in instance]
        for name in missing:
            yield _error((*path, name), f"'{name}' is a required property", "missing")
        if missing:
            return
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        extra = [name for name in _QUOTED.findall(error.message) if name in instance]
        for name in extra:
            yield _error((*path, name), f"'{name}' is not allowed here", "extra_forbidden")
        if extra:
            return
    yield _error(path, error.message, str(error.validator))


def _error(loc: tuple[Any, ...], message: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": message, "type": kind}


# --- parameters ---------------------------------------------------------------------------


def _parameter_errors(
    plan: ParameterPlan,
    path: Mapping[str, str],
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Iterator[dict[str, Any]]:
    raw: list[str] = []
    if plan.where == "path" and plan.name in path:
        raw = [path[plan.name]]
    elif plan.where == "query":
        raw = [value for key, value in query if key in (plan.name, plan.name + "[]")]
    elif plan.where == "header" and plan.name.lower() in headers:
        raw = [headers[plan.name.lower()]]
    elif plan.where == "cookie" and plan.name in cookies:
        raw = [cookies[plan.name]]
    elif plan.where not in ("path", "query", "header", "cookie"):
        return  # `querystring` (3.2) is the whole query: not checked here
    loc = (plan.where, plan.name)
    if not raw:
        if plan.required:
            yield _error(loc, f"The {plan.where} parameter '{plan.name}' is required.", "missing")
        return
    if plan.schema is None:
        return
    value = typed(plan, raw)
    if value is _UNTYPED:
        return
    yield from schema_errors(plan.schema, value, loc)


_UNTYPED = object()


def typed(plan: ParameterPlan, raw: list[str]) -> Any:
    """A parameter's text as the JSON value its schema types (left a string where it fails)."""
    root = plan.schema.root if plan.schema is not None else {}
    kind = _kind(root)
    if kind == "object":
        return _UNTYPED  # deepObject and friends: not decoded by the mock
    if kind == "array":
        items = raw if plan.explode or len(raw) > 1 else raw[0].split(",")
        item_kind = _kind(root.get("items", {}) if isinstance(root, dict) else {})
        return [_scalar(item, item_kind) for item in items]
    return _scalar(raw[0], kind)


def _kind(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), None)
    if isinstance(kind, str):
        return kind
    if "$ref" in schema and isinstance(schema.get("$defs"), dict):
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return _kind({**schema["$defs"].get(name, {}), "$defs": schema["$defs"]})
    for union in ("anyOf", "oneOf"):
        for branch in schema.get(union) or ():
            found = _kind(branch)
            if found not in (None, "null"):
                return found
    return None


def _scalar(text: str, kind: str | None) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "number":
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "null" and text in ("", "null"):
        return None
    return text
