"""A contract opened for a command that works from it: loaded, checked, modelled.

scaffold, export and mock all read one spec the same way; an invalid document is a warning,
not a stop, since much of it can still be used.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractgen.load.document import Document, LoadOptions
from contractgen.load.revision import load_input
from contractgen.load.source import DEFAULT_MAX_BYTES
from contractgen.load.structure import structure_problem
from contractgen.model.build import build_contract
from contractgen.model.contract import Contract
from contractgen.printable import printable


@dataclass(frozen=True, slots=True)
class OpenedContract:
    document: Document
    contract: Contract
    warning: str | None
    """One line when the document is not valid OpenAPI, else None."""


def open_contract(
    spec: str,
    *,
    doing: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_external_refs: bool = False,
) -> OpenedContract:
    """Load `spec` (a path or `rev:path`) and build its model; `doing` ends the warning."""
    options = LoadOptions(max_bytes=max_bytes, allow_external_refs=allow_external_refs)
    document = load_input(spec, options)
    problem = structure_problem(document)
    warning = None
    if problem is not None:
        warning = (
            f"{printable(document.root.display)}: warning: not valid OpenAPI: "
            f"{printable(problem)}; {doing} what can be read"
        )
    return OpenedContract(document, build_contract(document), warning)
