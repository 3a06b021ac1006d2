# contractgen client runtime: to be copied verbatim into every generated client as
# PACKAGE/_client_runtime/. Edit it in contractgen, not in a copy.
"""Incremental parsers for the wire formats: SSE (WHATWG), JSON Lines and json-seq.

They take text in whatever chunks the network delivers and return complete frames; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

JSON_SEQ_RS = "\x1e"


@dataclass(frozen=True, slots=True)
class SSEFrame:
    """One dispatched server-sent event."""

    event: str
    """The `event` field, `message` when the frame had none."""
    data: str
    id: str | None
    """The frame's own `id` field (None when it had none; see `SSEParser.last_event_id`)."""
    retry: int | None


class SSEParser:
    """The WHATWG event-stream interpretation (HTML Living Standard 9.2.6), incrementally.

    Lines end at CRLF, LF or CR; a leading BOM is dropped; comments (`:`) and unknown fields
    are ignored; `data` lines join with LF; an empty line dispatches the event (none when no
    data arrived); an event the body cut off before its empty line is never dispatched.
    """

    def __init__(self) -> None:
        self.last_event_id: str = ""
        """The stream's last event id buffer: the last `id` field seen (kept across events)."""
        self.retry: int | None = None
        """The last valid `retry` field (the reconnection time, milliseconds)."""
        self._pending = ""
        self._started = False
        self._cr = False
        self._reset()

    def _reset(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, text: str) -> list[SSEFrame]:
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if self._cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split across chunks
        self._cr = False
        frames: list[SSEFrame] = []
        buffer = self._pending + text
        start = 0
        length = len(buffer)
        index = 0
        while index < length:
            char = buffer[index]
            if char == "\n" or char == "\r":
                line = buffer[start:index]
                if char == "\r":
                    if index + 1 < length:
                        if buffer[index + 1] == "\n":
                            index += 1
                    else:
                        self._cr = True
                start = index + 1
                frame = self._line(line)
                if frame is not None:
                    frames.append(frame)
            index += 1
        self._pending = buffer[start:]
        return frames

    def _line(self, line: str) -> SSEFrame | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
            self.retry = self._retry
        return None

    def _dispatch(self) -> SSEFrame | None:
        frame = None
        if self._data:
            frame = SSEFrame(
                event=self._event or "message",
                data="\n".join(self._data),
                id=self._id,
                retry=self._retry,
            )
        self._reset()
        return frame


class LineParser:
    """JSON Lines (one value a line; blank lines skipped) or json-seq (RS before each record)."""

    def __init__(self, *, json_seq: bool = False) -> None:
        self.json_seq = json_seq
        self._pending = ""

    def feed(self, text: str) -> list[str]:
        buffer = self._pending + text
        *complete, self._pending = buffer.split("\n")
        return [item for item in (self._clean(line) for line in complete) if item]

    def _clean(self, line: str) -> str:
        line = line.removesuffix("\r")
        if self.json_seq:
            line = line.lstrip(JSON_SEQ_RS)
        return line.strip(" \t")

    def end(self) -> list[str]:
        """What is left when the body ends: a last record without its newline."""
        rest, self._pending = self._clean(self._pending), ""
        return [rest] if rest else []
