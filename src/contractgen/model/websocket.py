"""WebSocket endpoints: a GET handshake answered with 101, plus `x-contract-websocket`."""

from __future__ import annotations

from dataclasses import dataclass, field

from contractgen.location import Location
from contractgen.model.schema import Schema
from contractgen.model.stream import DiscriminatorMapping


@dataclass(frozen=True, slots=True)
class MessageType:
    name: str
    schema: Schema
    location: Location


@dataclass(frozen=True, slots=True)
class WebSocket:
    location: Location
    """The `x-contract-websocket` object."""
    subprotocols: tuple[str, ...] = ()
    client_messages: Schema | None = None
    server_messages: Schema | None = None
    client_types: tuple[MessageType, ...] = ()
    server_types: tuple[MessageType, ...] = ()
    client_mappings: tuple[DiscriminatorMapping, ...] = ()
    """The `discriminator.mapping` entries of the `clientMessages` union."""
    server_mappings: tuple[DiscriminatorMapping, ...] = ()
    discriminator: str | None = None
    extensible_client: bool = False
    extensible_server: bool = False
    correlation: str | None = None
    heartbeat_mode: str | None = None
    heartbeat_interval_seconds: int | None = None
    close_codes: dict[int, str] = field(default_factory=dict)
    error_message: str | None = None
    has_upgrade_response: bool = False
    """Whether the operation documents a `101 Switching Protocols` response."""
