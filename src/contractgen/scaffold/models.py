"""PACKAGE/models.py: pydantic v2 models of every schema, by datamodel-code-generator.

contractgen writes no type mapping of its own: it hands the generator one JSON Schema
document whose classes it has already named (`hoist.py`) and keeps, for every schema site
the server needs, the class that stands for it. A site whose schema makes no class (a
string, an array of strings, a primitive component that the generator folds into the
fields using it) is not in `class_names`: whoever reads it types that site as `Any`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datamodel_code_generator import LiteralType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, InputFileType

from contractgen.model.contract import Contract
from contractgen.scaffold.hoist import hoist

_CLASS = re.compile(r"^class (\w+)\b", re.MULTILINE)

GENERATOR_OPTIONS: Mapping[str, Any] = {
    "input_file_type": InputFileType.JsonSchema,
    "output_model_type": DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    "use_annotated": True,
    "field_constraints": True,
    "use_union_operator": True,
    "use_standard_collections": True,
    "use_schema_description": True,
    "disable_timestamp": True,
    # The document is nothing but `$defs`: no model for its (empty) root.
    "skip_root_model": True,
    # A primitive component (`RequestId: string`) types its fields directly, not as a wrapper.
    "collapse_root_models": True,
    # ... and a constrained string inside a list or union stays `Annotated[str, Field(...)]`.
    "collapse_constrained_root_models_as_annotated": True,
    # No formatter of the generator's own: the writer runs ruff (fixes, then format) over
    # every Python file. The generator's builtin formatter cost a third of the models' CPU on
    # Stripe (16.8 s -> 11.6 s without it) for one thing ruff does not do: wrapping long
    # description strings, which stay one line each (models.py is exempt from E501).
    "formatters": [],
    # An enum field defaults to its member (`= Mode.auto`), which type checkers accept.
    "set_default_enum_member": True,
    # A one-value enum is `Literal["x"]`, as the generator types a discriminated union's tag
    # in the branch classes: else a branch's parent or child keeps the enum class for the
    # same field and type checkers reject the override (`Literal["x"]` is no `XType`).
    "enum_field_as_literal": LiteralType.One,
}
"""How contractgen runs datamodel-code-generator: pydantic v2, Python 3.11, no timestamp."""


@dataclass(frozen=True)
class Models:
    """What the plan needs of the models: the module's text and which class is which."""

    source: str
    """The full text of PACKAGE/models.py: the header comment, then the generator's output."""
    class_names: Mapping[str, str]
    """JSON Pointer of a schema site in the document -> its class name in models.py.

    Every site with a class is here: each operation's JSON request body, 2xx JSON response,
    stream item and event payload, WebSocket message union and message type, and also every
    schema nested in them or in a component (a `$ref` site maps to its target's class).
    """


def build_models(contract: Contract, document: Mapping[str, Any], *, header: str) -> Models:
    """Models for a contract; `document` is the loaded document it was built from."""
    hoisted = hoist(contract, document)
    source = _generate(hoisted.document, header) if hoisted.names else header.rstrip() + "\n"
    written = frozenset(class_names(source))
    sites = {pointer: name for pointer, name in hoisted.sites.items() if name in written}
    return Models(source, dict(sorted(sites.items())))


def class_names(source: str) -> list[str]:
    """The top-level classes of a generated module, in order."""
    return _CLASS.findall(source)


def _generate(schema: dict[str, Any], header: str) -> str:
    with warnings.catch_warnings():
        # Its notices (future defaults, a constraint a type cannot carry) are about the
        # generator, not the contract: the scaffold's user can do nothing about them.
        warnings.filterwarnings("ignore", module="datamodel_code_generator")
        warnings.simplefilter("ignore", FutureWarning)
        output = generate(schema, custom_file_header=header.rstrip(), **GENERATOR_OPTIONS)
    if not isinstance(output, str):
        raise TypeError("datamodel-code-generator wrote several modules for one document")
    return output if output.endswith("\n") else output + "\n"
