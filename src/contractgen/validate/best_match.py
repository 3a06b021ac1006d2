"""From jsonschema-rs validation errors to readable problems: one per mistake, deepest first.

jsonschema-rs reports a failed `oneOf`/`anyOf` where the union sits (an OpenAPI "Schema or
Reference", the four Parameter locations), with the errors of each branch as its context.
`problems()` descends into the branch the author most likely meant, like python-jsonschema's
`best_match`, then tidies the result so that one mistake gives one problem: a typo of a
required field is one "did you mean" instead of an unknown field plus a missing one; a wrong
type hides the enum it also fails; fields left unevaluated because a discriminating value
matched no branch are not reported beside that value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from difflib import get_close_matches
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from jsonschema_rs import ValidationErrorKind as Kind

from contractgen.location import join_pointer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jsonschema_rs import ValidationError

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reportable problem, below the validated value."""

    path: Path
    """Instance path as jsonschema-rs gives it (see `pointer()` for the JSON Pointer)."""
    keyword: str
    """The failing keyword (`type`, `required`, ...; `format:<name>` for formats)."""
    message: str
    instance: Any = None
    options: tuple[Any, ...] = ()
    """`enum`/`const`: the allowed values, merged across union branches."""
    name: str | None = None
    """`required`: the missing field; unknown fields: the field."""
    where: str = ""
    """The OpenAPI object the problem is in (`Operation`), when known."""
    schema_path: tuple[str | int, ...] = ()


def problems(errors: Iterable[ValidationError], schema: Any = None) -> list[Problem]:
    """Readable problems for the errors of one validation; `schema` is the validating schema
    (used to suggest the field an unknown one was meant to be)."""
    found = [problem for error in errors for problem in _descend(error, schema)]
    return _tidy(found, schema)


def pointer(data: Any, path: Path) -> str:
    """The JSON Pointer of an instance path, read against the validated data.

    jsonschema-rs reports digit-only mapping keys as integers (`"007"` becomes `7`), so the
    tokens are matched against the real keys while walking down.
    """
    tokens: list[str] = []
    node = data
    for step in path:
        token = str(step)
        if isinstance(node, dict):
            if token not in node and isinstance(step, int):
                token = next((k for k in node if k.isdigit() and int(k) == step), token)
            node = node.get(token)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
        tokens.append(token)
    return join_pointer(tokens)


def show(value: Any, limit: int = 60) -> str:
    """A value as JSON, shortened."""
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- descent into unions --------------------------------------------------------------------

_UNION_KINDS = (Kind.OneOfNotValid, Kind.AnyOf)
_CHOICE = ("enum", "const")


def _descend(error: ValidationError, schema: Any) -> list[Problem]:
    """The problems one error stands for: a failed union becomes its most likely branch's."""
    kind = error.kind
    if not isinstance(kind, _UNION_KINDS) or not kind.context:
        return _problems(error, schema)
    branches = [_Branch.of(sub_errors, schema) for sub_errors in kind.context]
    return _best_branch(error, branches, schema)


@dataclass(frozen=True, slots=True)
class _Branch:
    problems: list[Problem]
    is_reference: bool

    @classmethod
    def of(cls, errors: list[ValidationError], schema: Any) -> _Branch:
        found = [problem for error in errors for problem in _descend(error, schema)]
        is_reference = any(
            isinstance(token, str) and token.lower() == "reference"
            for error in errors
            for token in error.schema_path
        )
        return cls(found, is_reference)


def _best_branch(error: ValidationError, branches: list[_Branch], schema: Any) -> list[Problem]:
    """Pick the branch the author meant.

    1. An object with `$ref` meant the Reference branch; any other value did not.
    2. If every branch rejects the same value from its `enum`/`const`, the value is the
       mistake: one problem listing every allowed value. If every branch only misses a
       required field, one problem names them all (Parameter: `schema` or `content`).
    3. A branch whose `enum`/`const` field the value matches, where others reject it, is
       the one (a path parameter missing `required` is not a query parameter).
    4. Then the branch whose errors go deepest, then one that at least matched the value's
       type, then the one with the fewest errors.
    """
    instance = error.instance
    wants_reference = isinstance(instance, dict) and "$ref" in instance
    preferred = [b for b in branches if b.is_reference == wants_reference and b.problems]
    candidates = preferred or [b for b in branches if b.problems]
    if not candidates:
        return _problems(error, schema)
    merged = _merge_choices([b.problems for b in candidates]) or _merge_required(candidates)
    if merged is not None:
        return [merged]
    depth = len(error.instance_path)
    candidates = _matching_discriminator(candidates, depth)

    def rank(branch: _Branch) -> tuple[int, bool, int]:
        deepest = max(len(p.path) for p in branch.problems)
        return (-deepest, _type_mismatch(branch, depth), len(branch.problems))

    return min(candidates, key=rank).problems


def _merge_choices(branches: list[list[Problem]]) -> Problem | None:
    """One `enum` problem when every branch rejects the same value from its set of choices."""
    if len(branches) < 2:
        return None
    choices: list[Problem] = []
    for found in branches:
        rejected = [p for p in found if p.keyword in _CHOICE]
        if len(rejected) != 1:
            return None
        choices.append(rejected[0])
    if len({p.path for p in choices}) != 1:
        return None
    shown = {show(option): option for p in choices for option in p.options}
    first = choices[0]
    message = f"{show(first.instance)} is not one of {', '.join(shown)}"
    return replace(first, keyword="enum", message=message, options=tuple(shown.values()))


def _merge_required(branches: list[_Branch]) -> Problem | None:
    """One problem when each branch only misses one field of the same object."""
    if len(branches) < 2 or any(len(b.problems) != 1 for b in branches):
        return None
    missing = [b.problems[0] for b in branches]
    if any(p.keyword != "required" for p in missing) or len({p.path for p in missing}) != 1:
        return None
    names = " or ".join(repr(p.name) for p in missing)
    where = next((p.where for p in missing if p.where), "")
    message = f"missing required field{_inside(where)}: {names}"
    return replace(missing[0], message=message, name=None)


def _matching_discriminator(candidates: list[_Branch], depth: int) -> list[_Branch]:
    """The branches whose `enum`/`const` fields the value matches, where others reject it.

    A branch that rejects the value itself (its type, or its whole value from an `enum`: a
    `type: [strng]` that is no single type name) never looked at its fields: it matches nothing.
    """
    fields = sorted(
        {p.path for b in candidates for p in b.problems if p.keyword in _CHOICE},
        key=len,
    )
    for field in fields:
        if len(field) <= depth:
            continue  # the union's own value, not a field of it
        matching = [
            b
            for b in candidates
            if not _rejects_value(b, depth) and all(p.path != field for p in b.problems)
        ]
        if 0 < len(matching) < len(candidates):
            candidates = matching
    return candidates


def _type_mismatch(branch: _Branch, depth: int) -> bool:
    return all(p.keyword == "type" and len(p.path) == depth for p in branch.problems)


def _rejects_value(branch: _Branch, depth: int) -> bool:
    return all(p.keyword in ("type", *_CHOICE) and len(p.path) == depth for p in branch.problems)


# --- one error, one problem -----------------------------------------------------------------


def _problems(error: ValidationError, schema: Any) -> list[Problem]:
    kind = error.kind
    path: Path = tuple(error.instance_path)
    instance = error.instance
    where = object_name(error.schema_path)
    schema_path = tuple(error.schema_path)
    if isinstance(kind, Kind.AdditionalProperties | Kind.UnevaluatedProperties):
        return [
            Problem((*path, name), kind.name, "", None, name=name, where=where,
                    schema_path=schema_path)
            for name in kind.unexpected
        ]  # fmt: skip
    if isinstance(kind, Kind.Required):
        message = f"missing required field {kind.property!r}{_inside(where)}"
        return [Problem(path, "required", message, instance, name=kind.property, where=where)]
    if isinstance(kind, Kind.Enum):
        options = tuple(kind.options)
        message = f"{show(instance)} is not one of {', '.join(show(o) for o in options)}"
        return [Problem(path, "enum", message, instance, options)]
    if isinstance(kind, Kind.Constant):
        expected = kind.expected_value
        message = f"expected {show(expected)}, not {show(instance)}"
        return [Problem(path, "const", message, instance, (expected,))]
    if isinstance(kind, Kind.Type):
        wanted = " or ".join(str(t) for t in kind.types)
        message = f"expected {wanted}, not {_json_type(instance)} {show(instance)}"
        return [Problem(path, "type", message, instance)]
    if isinstance(kind, Kind.Format):
        if kind.format == "regex":
            message = f"{show(instance)} is not a valid regular expression (ECMA-262)"
        else:
            message = f"{show(instance)} is not a valid {kind.format}"
        return [Problem(path, f"format:{kind.format}", message, instance)]
    if isinstance(kind, Kind.Not):
        exclusive = _required_fields(kind.schema)
        if len(exclusive) > 1:
            message = f"use {_either(exclusive)}{_in_a(where)}, not both"
            return [Problem(path, "exclusive", message, instance, where=where)]
    if isinstance(kind, Kind.OneOfMultipleValid):
        return [_ambiguous(path, schema, schema_path, where)]
    if isinstance(kind, Kind.FalseSchema) and path:
        return [Problem(path, kind.name, f"field {str(path[-1])!r} is not allowed here", instance)]
    return [Problem(path, kind.name, error.message, instance)]


#: Definition names of the official schemas (3.0 CamelCase, 3.1+ kebab-case), squashed to
#: lower case, and the OpenAPI object they describe. Helper definitions (`ParameterLocation`,
#: `styles-for-path`, `SchemaXORContent`) are not objects: the enclosing one is named.
_OBJECTS = {
    name.replace(" ", "").lower(): name
    for name in (
        "Info", "Contact", "License", "Server", "Server Variable", "Components", "Paths",
        "Path Item", "Operation", "External Documentation", "Parameter", "Request Body",
        "Media Type", "Encoding", "Responses", "Response", "Callback", "Example", "Link",
        "Header", "Tag", "Reference", "Schema", "Discriminator", "XML", "Security Scheme",
        "OAuth Flows", "OAuth Flow", "Security Requirement",
    )
}  # fmt: skip


def object_name(schema_path: Iterable[str | int]) -> str:
    """`Operation` for `[definitions, Operation, ...]`, `Media Type` for `[$defs, media-type]`."""
    name = ""
    for before, token in pairwise(schema_path):
        if before not in ("definitions", "$defs") or not isinstance(token, str):
            continue
        squashed = token.removesuffix("-or-reference").replace("-", "").lower()
        if squashed.endswith("securityscheme"):
            squashed = "securityscheme"
        elif squashed.endswith("flow"):
            squashed = "oauthflow"
        elif squashed == "callbacks":
            squashed = "callback"
        elif squashed == "parameterlocation":  # 3.0: the `in`-specific rules of a Parameter
            squashed = "parameter"
        name = _OBJECTS.get(squashed, name)
    return name


def _required_fields(schema: Any) -> list[str]:
    """The fields a `{required: [...]}` schema (nothing else) asks for."""
    if not isinstance(schema, dict) or set(schema) != {"required"}:
        return []
    fields = schema["required"]
    return [f for f in fields if isinstance(f, str)] if isinstance(fields, list) else []


def _either(fields: list[str]) -> str:
    if len(fields) == 2:
        return f"either {fields[0]!r} or {fields[1]!r}"
    return "only one of " + ", ".join(repr(f) for f in fields)


def _ambiguous(path: Path, schema: Any, schema_path: tuple[str | int, ...], where: str) -> Problem:
    """A value valid under more than one `oneOf` branch, said in words where we can."""
    branches = _walk(schema, schema_path)
    if isinstance(branches, list):
        fields = [b.get("required") if isinstance(b, dict) else None for b in branches]
        if all(isinstance(f, list) and len(f) == 1 and isinstance(f[0], str) for f in fields):
            either = _either([f[0] for f in fields if isinstance(f, list)])
            return Problem(path, "exclusive", f"use {either}{_in_a(where)}, not both")
    message = f"matches more than one `oneOf` alternative{_inside(where)}; it must match one"
    return Problem(path, "ambiguous", message)


def _walk(schema: Any, tokens: Iterable[str | int]) -> Any:
    node = schema
    for token in tokens:
        if isinstance(node, dict):
            node = node.get(str(token))
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node = node[token]
        else:
            return None
    return node


def _in_a(where: str) -> str:
    return f" in a {where} Object" if where else ""


def _inside(where: str) -> str:
    return f" in {where} Object" if where else ""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# --- one mistake, one problem ---------------------------------------------------------------


def _tidy(found: list[Problem], schema: Any) -> list[Problem]:
    # A wrong type explains every other failure of the same value (3.0's `type` is a string
    # from an enum: `type: [string, "null"]` fails both).
    typed = {p.path for p in found if p.keyword == "type"}
    found = [p for p in found if p.keyword == "type" or p.path not in typed]
    # "Matches more than one alternative" says less than any other problem at the same place.
    specific = {p.path for p in found if p.keyword != "ambiguous"}
    found = [p for p in found if p.keyword != "ambiguous" or p.path not in specific]
    # 3.1+ select a variant with `if`/`then` on a discriminating field (`type: apikey`): the
    # variant's fields are then "unevaluated"; the discriminating value is the mistake.
    chosen = {p.path[:-1] for p in found if p.keyword in _CHOICE and p.path}
    found = [
        p for p in found if not (p.keyword == "unevaluatedProperties" and p.path[:-1] in chosen)
    ]
    missing = {(p.path, p.name) for p in found if p.keyword == "required"}
    tidy: list[Problem] = []
    for problem in found:
        if problem.keyword in ("additionalProperties", "unevaluatedProperties"):
            problem, meant = _unknown_field(problem, missing, schema)
            missing.discard((problem.path[:-1], meant))
        tidy.append(problem)
    return [p for p in tidy if p.keyword != "required" or (p.path, p.name) in missing]


def _unknown_field(
    problem: Problem, missing: set[tuple[Path, str | None]], schema: Any
) -> tuple[Problem, str | None]:
    """The message for an unknown field, with the field it was probably meant to be."""
    name = problem.name or ""
    required = [field for path, field in missing if path == problem.path[:-1] and field]
    meant = _closest(name, required) or _closest(name, _known_fields(schema, problem.schema_path))
    message = f"unknown field {name!r}{_inside(problem.where)}"
    if meant:
        message += f" (did you mean {meant!r}?)"
    elif problem.where not in ("Schema", ""):
        message += "; vendor extensions start with 'x-'"
    return replace(problem, message=message), meant


def _closest(name: str, fields: Iterable[str]) -> str | None:
    matches = get_close_matches(name, list(fields), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _known_fields(schema: Any, schema_path: tuple[str | int, ...]) -> list[str]:
    """The properties the object schema failing `additionalProperties` declares."""
    node = _walk(schema, schema_path[:-1])
    fields: list[str] = []
    _collect_properties(schema, node, fields, depth=0)
    return fields


def _collect_properties(root: Any, node: Any, fields: list[str], depth: int) -> None:
    if not isinstance(node, dict) or depth > 4:
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        fields.extend(properties)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for token in ref[2:].split("/"):
            target = target.get(token) if isinstance(target, dict) else None
        _collect_properties(root, target, fields, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        members = node.get(keyword)
        for member in members if isinstance(members, list) else ():
            _collect_properties(root, member, fields, depth + 1)
    for keyword in ("then", "else"):
        _collect_properties(root, node.get(keyword), fields, depth + 1)
