"""WebSocket: the conversation after the upgrade, compared between two contracts.

The handshake is an operation like any other (the operations and parameters comparators
cover it); this module compares what `x-contract-websocket` adds. Client messages are the
request side (contravariant: a type removed breaks clients that send it, one added is
safe); server messages the response side (covariant: a type added may break clients that
treat the set as closed, unless it is `extensible`). Message limits are the limits
comparator's; message schemas go to the schema comparator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from contractgen.diff.compare.reporting import once_per_place, quoted
from contractgen.diff.context import DiffContext, OperationPair
from contractgen.diff.registry import diff_rule
from contractgen.diff.schema import Direction
from contractgen.location import Location
from contractgen.model.websocket import MessageType, WebSocket
from contractgen.report.finding import Finding, Level

REMOVED = diff_rule(
    "DWS001",
    "websocket-removed",
    Level.BREAKING,
    "An operation no longer upgrades to a WebSocket conversation.",
    rationale="""
        The GET is still there, but the conversation clients open with it is no longer part
        of the contract: its messages, subprotocols and close codes may all be gone.
    """,
    before="""\
        get:
          x-contract-websocket:
            subprotocols: [chat.v1]
    """,
    after="""\
        get:
          responses: {'200': {description: ok}}
    """,
)
ADDED = diff_rule(
    "DWS002",
    "websocket-added",
    Level.INFO,
    "An existing operation now upgrades to a WebSocket conversation.",
    rationale="A new way to use the operation; clients that did not upgrade are unaffected.",
    before="""\
        get:
          responses: {'200': {description: ok}}
    """,
    after="""\
        get:
          x-contract-websocket:
            subprotocols: [chat.v1]
    """,
)
CLIENT_TYPE_REMOVED = diff_rule(
    "DWS003",
    "client-message-type-removed",
    Level.BREAKING,
    "A message type the client may send was removed.",
    rationale="Clients that send it are refused, or their message is dropped.",
    before="""\
        ClientMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseCreate'}
            - {$ref: '#/components/schemas/ResponseCancel'}
    """,
    after="""\
        ClientMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseCreate'}
    """,
)
CLIENT_TYPE_ADDED = diff_rule(
    "DWS004",
    "client-message-type-added",
    Level.INFO,
    "A message type the client may send was added.",
    rationale="The server accepts more; clients that do not send it are unaffected.",
    before="""\
        ClientMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseCreate'}
    """,
    after="""\
        ClientMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseCreate'}
            - {$ref: '#/components/schemas/ResponseCancel'}
    """,
)
SERVER_TYPE_ADDED = diff_rule(
    "DWS005",
    "server-message-type-added",
    Level.WARNING,
    "The server may send a new message type, and its messages are not `extensible`.",
    rationale="""
        The server's message types were the complete set: clients written against it may
        fail on a message they do not know. Declare `extensible: {server: true}` to make
        such additions safe.
    """,
    before="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
    """,
    after="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
            - {$ref: '#/components/schemas/RateLimits'}
    """,
)
EXTENSIBLE_SERVER_TYPE_ADDED = diff_rule(
    "DWS006",
    "server-message-type-added-where-extensible",
    Level.INFO,
    "The server may send a new message type; its messages are `extensible`.",
    rationale="Clients must ignore server message types they do not know.",
    before="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
    """,
    after="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
            - {$ref: '#/components/schemas/RateLimits'}
    """,
)
SERVER_TYPE_REMOVED = diff_rule(
    "DWS007",
    "server-message-type-removed",
    Level.INFO,
    "The server no longer sends a message type.",
    rationale="""
        Narrower: clients' handling of it is no longer needed. (A client that waits for the
        message is affected; the message's schema changes are reported by name.)
    """,
    before="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
            - {$ref: '#/components/schemas/RateLimits'}
    """,
    after="""\
        ServerMessage:
          oneOf:
            - {$ref: '#/components/schemas/ResponseDelta'}
    """,
)
SUBPROTOCOL_REMOVED = diff_rule(
    "DWS008",
    "subprotocol-removed",
    Level.BREAKING,
    "A subprotocol is no longer accepted.",
    rationale="Clients that offer only that subprotocol in the handshake are refused.",
    before="""\
        x-contract-websocket:
          subprotocols: [chat.v2, chat.v1]
    """,
    after="""\
        x-contract-websocket:
          subprotocols: [chat.v2]
    """,
)
SUBPROTOCOL_ADDED = diff_rule(
    "DWS009",
    "subprotocol-added",
    Level.INFO,
    "A subprotocol is now accepted.",
    rationale="Clients that offer the others are unaffected.",
    before="""\
        x-contract-websocket:
          subprotocols: [chat.v1]
    """,
    after="""\
        x-contract-websocket:
          subprotocols: [chat.v2, chat.v1]
    """,
)
CLOSE_CODE_REMOVED = diff_rule(
    "DWS010",
    "close-code-removed",
    Level.WARNING,
    "The server no longer closes connections with a close code it used.",
    rationale="""
        Clients decide from the close code whether to reconnect: the situation it named now
        closes the connection with another code, which they handle otherwise.
    """,
    before="""\
        x-contract-websocket:
          closeCodes: {'1000': normal, '1013': try_again_later}
    """,
    after="""\
        x-contract-websocket:
          closeCodes: {'1000': normal}
    """,
)
CLOSE_CODE_CHANGED = diff_rule(
    "DWS011",
    "close-code-meaning-changed",
    Level.WARNING,
    "A close code means something else.",
    rationale="Clients that react to the code react as to its old meaning.",
    before="""\
        x-contract-websocket:
          closeCodes: {'4000': session_expired}
    """,
    after="""\
        x-contract-websocket:
          closeCodes: {'4000': quota_exhausted}
    """,
)
CLOSE_CODE_ADDED = diff_rule(
    "DWS012",
    "close-code-added",
    Level.INFO,
    "The server may close connections with a new close code.",
    rationale="Clients handle close codes they do not know by their range (RFC 6455).",
    before="""\
        x-contract-websocket:
          closeCodes: {'1000': normal}
    """,
    after="""\
        x-contract-websocket:
          closeCodes: {'1000': normal, '1013': try_again_later}
    """,
)
CORRELATION_CHANGED = diff_rule(
    "DWS013",
    "correlation-field-changed",
    Level.BREAKING,
    "Another property (or none) correlates server messages with client requests.",
    rationale="""
        Clients match each server message to the request it answers by the correlation
        property: under another name, or none, they can no longer tell which is which.
    """,
    before="""\
        x-contract-websocket:
          correlation: /request_id
    """,
    after="""\
        x-contract-websocket:
          correlation: /id
    """,
)
CORRELATION_ADDED = diff_rule(
    "DWS014",
    "correlation-field-added",
    Level.INFO,
    "Server messages are now correlated with client requests by a property.",
    rationale="Clients may match answers to requests from now on; nothing breaks.",
    before="""\
        x-contract-websocket:
          discriminator: /type
    """,
    after="""\
        x-contract-websocket:
          discriminator: /type
          correlation: /request_id
    """,
)
DISCRIMINATOR_CHANGED = diff_rule(
    "DWS015",
    "message-discriminator-changed",
    Level.BREAKING,
    "Message types are told apart by another property.",
    rationale="""
        Clients read a message's type where the contract said, and the server reads the
        client's there: both sides misread every message.
    """,
    before="""\
        x-contract-websocket:
          discriminator: /type
    """,
    after="""\
        x-contract-websocket:
          discriminator: /kind
    """,
)
HEARTBEAT_REMOVED = diff_rule(
    "DWS016",
    "websocket-heartbeat-removed",
    Level.WARNING,
    "The server no longer sends heartbeats on the connection.",
    rationale="""
        Clients and proxies that close a quiet connection, or detect a dead one by missing
        heartbeats, now close or give up on healthy connections.
    """,
    before="""\
        x-contract-websocket:
          heartbeat: {mode: protocol-ping, intervalSeconds: 20}
    """,
    after="""\
        x-contract-websocket:
          subprotocols: [chat.v1]
    """,
)
HEARTBEAT_SLOWER = diff_rule(
    "DWS017",
    "websocket-heartbeat-interval-raised",
    Level.WARNING,
    "The server sends heartbeats less often.",
    rationale="""
        Clients that expect a heartbeat within the old interval take the connection for dead.
    """,
    before="""\
        x-contract-websocket:
          heartbeat: {mode: protocol-ping, intervalSeconds: 20}
    """,
    after="""\
        x-contract-websocket:
          heartbeat: {mode: protocol-ping, intervalSeconds: 60}
    """,
)
HEARTBEAT_CHANGED = diff_rule(
    "DWS018",
    "websocket-heartbeat-changed",
    Level.INFO,
    "The heartbeat was added, comes more often, or changed how it is sent.",
    rationale="""
        Protocol pings are answered by every WebSocket library, and a heartbeat message is
        a server message type (reported as such); the keep-alive still comes in time.
    """,
    before="""\
        x-contract-websocket:
          heartbeat: {mode: protocol-ping, intervalSeconds: 20}
    """,
    after="""\
        x-contract-websocket:
          heartbeat: {mode: protocol-ping, intervalSeconds: 10}
    """,
)
ERROR_MESSAGE_CHANGED = diff_rule(
    "DWS019",
    "error-message-changed",
    Level.BREAKING,
    "Another server message type, or none, carries catalogue errors.",
    rationale="""
        Clients read errors after the upgrade from the error message: from another type,
        or none, they miss the error code and whether to retry.
    """,
    before="""\
        x-contract-websocket:
          errorMessage: error
    """,
    after="""\
        x-contract-websocket:
          errorMessage: failure
    """,
)
CLIENT_CLOSED = diff_rule(
    "DWS020",
    "client-messages-made-non-extensible",
    Level.WARNING,
    "The server no longer ignores client message types it does not know.",
    rationale="""
        Clients that send types the server ignored (newer clients, optional features) now
        have those messages refused, or the connection closed.
    """,
    before="""\
        x-contract-websocket:
          extensible: {client: true, server: true}
    """,
    after="""\
        x-contract-websocket:
          extensible: {client: false, server: true}
    """,
)
CLIENT_OPENED = diff_rule(
    "DWS021",
    "client-messages-made-extensible",
    Level.INFO,
    "The server now ignores client message types it does not know.",
    rationale="The server accepts more; nothing clients sent is refused.",
    before="""\
        x-contract-websocket:
          extensible: {client: false, server: true}
    """,
    after="""\
        x-contract-websocket:
          extensible: {client: true, server: true}
    """,
)
SERVER_OPENED = diff_rule(
    "DWS022",
    "server-messages-made-extensible",
    Level.WARNING,
    "The server may now add message types without notice.",
    rationale="""
        Its message types were a closed set that clients could match exhaustively; from now
        on clients must ignore types they do not know.
    """,
    before="""\
        x-contract-websocket:
          extensible: {client: false, server: false}
    """,
    after="""\
        x-contract-websocket:
          extensible: {client: false, server: true}
    """,
)
SERVER_CLOSED = diff_rule(
    "DWS023",
    "server-messages-made-non-extensible",
    Level.INFO,
    "The server's message types are now the complete set.",
    rationale="""
        A narrower promise: clients that ignore unknown types keep working, and adding a
        server message type is now reported as potentially breaking.
    """,
    before="""\
        x-contract-websocket:
          extensible: {client: false, server: true}
    """,
    after="""\
        x-contract-websocket:
          extensible: {client: false, server: false}
    """,
)


def compare(context: DiffContext) -> Iterator[Finding]:
    """The WebSocket changes of every paired operation (a removed GET is reported as such)."""
    yield from once_per_place(
        finding for pair in context.pairs for finding in _operation(context, pair)
    )


def _operation(context: DiffContext, pair: OperationPair) -> Iterator[Finding]:
    old, new = pair.old.websocket, pair.new.websocket
    scope = (pair.key,)
    if old is not None and new is None:
        yield REMOVED.change(
            f"{quoted(pair.key)} no longer upgrades to a WebSocket: the conversation clients "
            "open with it is no longer part of the contract.",
            new=pair.new.location,
            old=old.location,
            scope=scope,
        )
    elif old is None and new is not None:
        yield ADDED.change(
            f"{quoted(pair.key)} now upgrades to a WebSocket.",
            new=new.location,
            old=pair.old.location,
            scope=scope,
        )
    elif old is not None and new is not None:
        yield from _Changes(context, pair, old, new).findings()


@dataclass(frozen=True, slots=True)
class _Changes:
    context: DiffContext
    pair: OperationPair
    old: WebSocket
    new: WebSocket

    @property
    def scope(self) -> tuple[str]:
        return (self.pair.key,)

    def findings(self) -> Iterator[Finding]:
        yield from self.discriminator()
        yield from self.client_types()
        yield from self.server_types()
        yield from self.subprotocols()
        yield from self.close_codes()
        yield from self.correlation()
        yield from self.heartbeat()
        yield from self.error_message()
        yield from self.extensible()

    def at(self, socket: WebSocket, *tokens: str | int) -> Location:
        return socket.location.child(*tokens)

    # --- messages ---------------------------------------------------------------------------

    def discriminator(self) -> Iterator[Finding]:
        old, new = self.old.discriminator, self.new.discriminator
        if old is None or new is None or old == new:
            return
        yield DISCRIMINATOR_CHANGED.change(
            f"Messages are told apart by {quoted(new)} instead of {quoted(old)}: both sides "
            "read each message's type where it no longer is.",
            new=self.at(self.new, "discriminator"),
            old=self.at(self.old, "discriminator"),
            scope=self.scope,
        )

    def client_types(self) -> Iterator[Finding]:
        old = {t.name: t for t in self.old.client_types}
        new = {t.name: t for t in self.new.client_types}
        for name, message in old.items():
            if name in new:
                self.compare_schemas(message, new[name], Direction.REQUEST, "client")
            else:
                yield CLIENT_TYPE_REMOVED.change(
                    f"Clients may no longer send {quoted(name)} messages: those that do are "
                    "refused.",
                    new=self.union(self.new, "clientMessages"),
                    old=message.location,
                    scope=self.scope,
                )
        for name, message in new.items():
            if name not in old:
                yield CLIENT_TYPE_ADDED.change(
                    f"Clients may now send {quoted(name)} messages.",
                    new=message.location,
                    old=None,
                    scope=self.scope,
                )

    def server_types(self) -> Iterator[Finding]:
        old = {t.name: t for t in self.old.server_types}
        new = {t.name: t for t in self.new.server_types}
        for name, message in old.items():
            if name in new:
                self.compare_schemas(message, new[name], Direction.RESPONSE, "server")
            else:
                yield SERVER_TYPE_REMOVED.change(
                    f"The server no longer sends {quoted(name)} messages.",
                    new=self.union(self.new, "serverMessages"),
                    old=message.location,
                    scope=self.scope,
                )
        for name, message in new.items():
            if name in old:
                continue
            if self.new.extensible_server:
                yield EXTENSIBLE_SERVER_TYPE_ADDED.change(
                    f"The server may send {quoted(name)} messages; its messages are "
                    "extensible, so clients ignore them until they handle them.",
                    new=message.location,
                    old=None,
                    scope=self.scope,
                )
            else:
                yield SERVER_TYPE_ADDED.change(
                    f"The server may send {quoted(name)} messages, and its messages are not "
                    "extensible: clients written for the complete set may fail on them.",
                    new=message.location,
                    old=None,
                    scope=self.scope,
                )

    def compare_schemas(
        self, old: MessageType, new: MessageType, direction: Direction, side: str
    ) -> None:
        self.context.schemas.compare(
            old.schema,
            new.schema,
            direction=direction,
            scope=self.pair.key,
            label=f"{side} message {new.name}",
        )

    @staticmethod
    def union(socket: WebSocket, field: str) -> Location:
        """Where a message union is written (its component, for a `$ref`)."""
        schema = socket.client_messages if field == "clientMessages" else socket.server_messages
        return schema.value_location if schema is not None else socket.location.child(field)

    # --- the connection ---------------------------------------------------------------------

    def subprotocols(self) -> Iterator[Finding]:
        old, new = self.old.subprotocols, self.new.subprotocols
        for index, name in enumerate(old):
            if name not in new:
                yield SUBPROTOCOL_REMOVED.change(
                    f"Subprotocol {quoted(name)} is no longer accepted: clients that offer "
                    "only it are refused at the handshake.",
                    new=self.at(self.new, "subprotocols"),
                    old=self.at(self.old, "subprotocols", index),
                    scope=self.scope,
                )
        for index, name in enumerate(new):
            if name not in old:
                yield SUBPROTOCOL_ADDED.change(
                    f"Subprotocol {quoted(name)} is now accepted.",
                    new=self.at(self.new, "subprotocols", index),
                    old=self.at(self.old, "subprotocols"),
                    scope=self.scope,
                )

    def close_codes(self) -> Iterator[Finding]:
        old, new = self.old.close_codes, self.new.close_codes
        for code, meaning in old.items():
            old_at = self.at(self.old, "closeCodes", str(code))
            if code not in new:
                yield CLOSE_CODE_REMOVED.change(
                    f"Close code {code} ({quoted(meaning)}) is no longer used: the situation it "
                    "named closes the connection with another code.",
                    new=self.at(self.new, "closeCodes"),
                    old=old_at,
                    scope=self.scope,
                )
            elif new[code] != meaning:
                yield CLOSE_CODE_CHANGED.change(
                    f"Close code {code} means {quoted(new[code])} instead of {quoted(meaning)}: "
                    "clients react to it as to its old meaning.",
                    new=self.at(self.new, "closeCodes", str(code)),
                    old=old_at,
                    scope=self.scope,
                )
        for code, meaning in new.items():
            if code not in old:
                yield CLOSE_CODE_ADDED.change(
                    f"The server may close connections with code {code} ({quoted(meaning)}).",
                    new=self.at(self.new, "closeCodes", str(code)),
                    old=self.at(self.old, "closeCodes"),
                    scope=self.scope,
                )

    def correlation(self) -> Iterator[Finding]:
        old, new = self.old.correlation, self.new.correlation
        if old == new:
            return
        new_at, old_at = self.at(self.new, "correlation"), self.at(self.old, "correlation")
        if old is None:
            yield CORRELATION_ADDED.change(
                f"Server messages now echo {quoted(new)} of the request they answer.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
            return
        now = quoted(new) if new is not None else "no property"
        yield CORRELATION_CHANGED.change(
            f"Server messages are matched to requests by {now} instead of {quoted(old)}: "
            "clients can no longer tell which request a message answers.",
            new=new_at,
            old=old_at,
            scope=self.scope,
        )

    def heartbeat(self) -> Iterator[Finding]:
        old = (self.old.heartbeat_mode, self.old.heartbeat_interval_seconds)
        new = (self.new.heartbeat_mode, self.new.heartbeat_interval_seconds)
        if old == new:
            return
        new_at, old_at = self.at(self.new, "heartbeat"), self.at(self.old, "heartbeat")
        if new == (None, None):
            yield HEARTBEAT_REMOVED.change(
                "The server no longer sends heartbeats: clients and proxies that close quiet "
                "connections may close this one.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
            return
        old_interval, new_interval = old[1], new[1]
        if old_interval is not None and (new_interval is None or new_interval > old_interval):
            every = f"every {new_interval} s" if new_interval is not None else "with no interval"
            yield HEARTBEAT_SLOWER.change(
                f"The server sends heartbeats {every} instead of every {old_interval} s: "
                "clients that expect one sooner take the connection for dead.",
                new=new_at,
                old=old_at,
                scope=self.scope,
            )
            return
        was = f" (was {_beat(*old)})" if old != (None, None) else ""
        yield HEARTBEAT_CHANGED.change(
            f"The heartbeat is {_beat(*new)}{was}.",
            new=new_at,
            old=old_at,
            scope=self.scope,
        )

    def error_message(self) -> Iterator[Finding]:
        old, new = self.old.error_message, self.new.error_message
        if old is None or old == new:
            return
        if new is None and old not in {t.name for t in self.new.server_types}:
            return  # the message type was removed, and that is reported
        now = f"{quoted(new)} messages" if new is not None else "no declared message"
        yield ERROR_MESSAGE_CHANGED.change(
            f"Catalogue errors are sent in {now} instead of {quoted(old)} messages: clients "
            "miss the error code and whether to retry.",
            new=self.at(self.new, "errorMessage"),
            old=self.at(self.old, "errorMessage"),
            scope=self.scope,
        )

    def extensible(self) -> Iterator[Finding]:
        new_at, old_at = self.at(self.new, "extensible"), self.at(self.old, "extensible")
        if self.old.extensible_client != self.new.extensible_client:
            rule = CLIENT_OPENED if self.new.extensible_client else CLIENT_CLOSED
            message = (
                "The server now ignores client message types it does not know."
                if self.new.extensible_client
                else "The server no longer ignores client message types it does not know: "
                "clients that send them are refused."
            )
            yield rule.change(message, new=new_at, old=old_at, scope=self.scope)
        if self.old.extensible_server != self.new.extensible_server:
            rule = SERVER_OPENED if self.new.extensible_server else SERVER_CLOSED
            message = (
                "The server's messages are now extensible: new types may come without notice, "
                "and clients must ignore those they do not know."
                if self.new.extensible_server
                else "The server's message types are now the complete set."
            )
            yield rule.change(message, new=new_at, old=old_at, scope=self.scope)


def _beat(mode: str | None, interval: int | None) -> str:
    how = {"protocol-ping": "a protocol ping", "message": "a heartbeat message"}.get(
        mode or "", "a heartbeat"
    )
    return how + (f" every {interval} s" if interval is not None else "")
