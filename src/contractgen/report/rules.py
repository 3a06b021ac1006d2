"""What a reporter may know about a rule, without importing the validate layer above it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from contractgen.report.finding import Level


class RuleInfo(Protocol):
    """The catalogue entry of a rule, as reporters read it.

    `validate.registry.Rule` satisfies this structurally. Read-only properties, so frozen
    dataclasses match. Optional extras (`help_uri`, `rationale`) are read with `extra_text`,
    because a Protocol cannot declare an attribute that may be missing.
    """

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def level(self) -> Level: ...


def extra_text(rule: RuleInfo, attribute: str) -> str | None:
    """An optional text attribute of a rule (such as `help_uri`), or None when absent or empty."""
    value = getattr(rule, attribute, None)
    return value if isinstance(value, str) and value else None
