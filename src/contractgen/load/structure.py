"""Whether a loaded document has the shape OpenAPI defines: the cheap test, for `diff`.

`validate` reports every structural problem (OAS001 and the rules after it); `diff` only
needs to say, in one line, that a side is not sound OpenAPI before comparing what it can
read. Two tests answer that at the cost of a few tens of milliseconds on Stripe's spec: the
root file against the official JSON Schema of its OpenAPI version (jsonschema-rs, one
compiled validator per version), and every `$ref` resolving. Objects that `$ref`s bring in
from other files are not checked against the schema here; `validate` does that.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from contractgen.load.document import RefError

if TYPE_CHECKING:
    from contractgen.load.document import Document

_SCHEMAS_PACKAGE = "openapi_spec_validator"


@cache
def openapi_schema(minor: int) -> dict[str, Any]:
    """The official JSON Schema of OpenAPI 3.<minor>, as bundled by openapi-spec-validator."""
    text = (_schemas_folder() / f"v3.{minor}" / "schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def openapi_validator(minor: int) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(openapi_schema(minor))


def _schemas_folder() -> Path:
    """openapi-spec-validator's schema folder, found without importing the package.

    (`importlib.resources.files` would import it: 170 ms of jsonschema and friends that
    contractgen does not use.)
    """
    spec = find_spec(_SCHEMAS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{_SCHEMAS_PACKAGE} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "schemas"


def structure_problem(document: Document) -> str | None:
    """What makes the document structurally invalid, in a few words, or None when sound."""
    minor = document.version_tuple[1]
    if not openapi_validator(minor).is_valid(document.data):
        return f"it does not match the official OpenAPI 3.{minor} schema"
    for site in document.ref_sites():
        try:
            document.resolve(site.target, site.location)
        except RefError:
            return f"a $ref cannot be followed ({document.locate(site.location)})"
    return None
