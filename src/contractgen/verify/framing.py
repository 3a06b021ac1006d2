"""Reading a stream off the wire item by item, with the time each arrived.

verify's own reader (the client runtime's parser belongs to generated clients, a floor verify
may not use): SSE as WHATWG parses it (lines ended by CRLF, LF or CR; `data` lines joined
with newlines; comments; an event dispatched at a blank line and only when it has data),
JSON Lines one item per line, json-seq one item per record separator. Every chunk received
counts as activity, so a heartbeat comment closes a silence as an event does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contractgen.model.stream import StreamFormat


@dataclass
class Item:
    """One dispatched SSE event, or one JSON Lines / json-seq item (`data` is its text)."""

    data: str
    at: float
    """`time.monotonic()` when the item was complete."""
    event: str | None = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)


@dataclass
class Activity:
    """What the reader saw between items: the longest silence and every comment."""

    started: float
    last: float = 0.0
    longest_gap: float = 0.0
    comments: int = 0

    def saw(self, now: float) -> None:
        self.longest_gap = max(self.longest_gap, now - (self.last or self.started))
        self.last = now


def read_items(chunks: Iterable[bytes], format: StreamFormat, activity: Activity) -> Iterator[Item]:
    if format is StreamFormat.SSE:
        yield from _sse(_lines(chunks, activity), activity)
    else:
        separator = "\x1e" if format is StreamFormat.JSON_SEQ else "\n"
        yield from _records(chunks, separator, activity)


def _lines(chunks: Iterable[bytes], activity: Activity) -> Iterator[tuple[str, float]]:
    buffer = ""
    pending_cr = False
    for chunk in chunks:
        now = time.monotonic()
        activity.saw(now)
        text = chunk.decode("utf-8", "replace")
        if pending_cr and text.startswith("\n"):
            text = text[1:]
        pending_cr = False
        buffer += text
        while True:
            cut = _line_end(buffer)
            if cut is None:
                break
            end, width = cut
            if buffer[end] == "\r" and end + 1 == len(buffer):
                pending_cr = True  # a CR last in the chunk: an LF may follow in the next
            yield buffer[:end], now
            buffer = buffer[end + width :]
    if buffer:
        yield buffer, time.monotonic()


def _line_end(buffer: str) -> tuple[int, int] | None:
    for index, char in enumerate(buffer):
        if char == "\n":
            return index, 1
        if char == "\r":
            if index + 1 < len(buffer) and buffer[index + 1] == "\n":
                return index, 2
            return index, 1
    return None


def _sse(lines: Iterable[tuple[str, float]], activity: Activity) -> Iterator[Item]:
    data: list[str] = []
    event: str | None = None
    last_id: str | None = None
    comments: list[str] = []
    for line, now in lines:
        if line == "":
            if data:
                yield Item("\n".join(data), now, event, last_id, comments)
                comments = []
            data, event = [], None
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            activity.comments += 1
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\x00" not in value:
            last_id = value
    if data:
        yield Item("\n".join(data), time.monotonic(), event, last_id, comments)


def _records(chunks: Iterable[bytes], separator: str, activity: Activity) -> Iterator[Item]:
    buffer = ""
    for chunk in chunks:
        now = time.monotonic()
        activity.saw(now)
        buffer += chunk.decode("utf-8", "replace")
        *complete, buffer = buffer.split(separator)
        for record in complete:
            if record.strip():
                yield Item(record.strip(), now)
    if buffer.strip():
        yield Item(buffer.strip(), time.monotonic())
