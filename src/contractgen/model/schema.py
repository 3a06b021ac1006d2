"""Schema Objects as the model carries them: as written, resolved, and where both sit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contractgen.location import Location

COMPONENT_SCHEMA_PREFIX = "#/components/schemas/"


@dataclass(frozen=True, slots=True)
class Schema:
    """A Schema Object. `value` follows a top-level `$ref`; nested refs stay as written."""

    location: Location
    """Where the schema is written (the object holding `$ref`, if it is a reference)."""
    value: Any
    """The schema after following a top-level `$ref` chain: a dict or a boolean."""
    value_location: Location
    """Where `value` sits, inside this file or another."""
    ref: str | None = None

    @property
    def name(self) -> str | None:
        """The component name, for a reference to `#/components/schemas/<name>`."""
        if self.ref and self.ref.startswith(COMPONENT_SCHEMA_PREFIX):
            return self.ref.removeprefix(COMPONENT_SCHEMA_PREFIX).split("/")[0]
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    @property
    def properties(self) -> dict[str, Any]:
        props = self.get("properties")
        return props if isinstance(props, dict) else {}
