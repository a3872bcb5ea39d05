"""Helpers of the stream tests: a text/event-stream parser over httpx's streamed lines, WebSocket URLs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from mockery import MockServer


@dataclass
class Event:
    event: str | None = None
    id: str | None = None
    data: list[str] = field(default_factory=list)
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.data)


def events(lines: Iterator[str]) -> Iterator[Event]:
    """Events as an EventSource dispatches them (a comment-only block is yielded too, with its comments)."""
    current = Event()
    for line in lines:
        if line == "":
            if current.data or current.comments or current.retry is not None or current.event:
                yield current
            current = Event()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                current.data.append(value)
            elif name == "event":
                current.event = value
            elif name == "id":
                current.id = value
            elif name == "retry":
                current.retry = int(value)


def ws_url(server: MockServer, path: str) -> str:
    return server.url.replace("http://", "ws://", 1) + path
