"""Request and start-up logs: one readable line per request, or one JSON object per line for machines.

A text line quotes what clients sent (a path, a reason): control characters in it are written escaped
(``\\x0a``), so that no request can forge a line of the log or move the terminal's cursor. Text lines are
coloured only on a terminal (``NO_COLOR`` turns colour off, ``FORCE_COLOR`` on); JSON lines never are.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TextIO

import orjson

from mockery.tracing.context import current

LogFormat = Literal["text", "json"]

# SGR codes: what a coloured line is made of.
_RESET = "\x1b[0m"
BOLD, DIM, RED, GREEN, YELLOW, CYAN = "1", "2", "31", "32", "33", "36"


def use_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour for a terminal only: ``NO_COLOR`` (any value but empty) turns it off, ``FORCE_COLOR`` (any
    value but empty or ``0``) on, as https://no-color.org and https://force-color.org say; else a TTY."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def paint(text: str, code: str, colour: bool) -> str:
    """``text`` in colour ``code`` when ``colour``; as it is otherwise."""
    return f"\x1b[{code}m{text}{_RESET}" if colour and text else text


def status_colour(status: int) -> str:
    return RED if status >= 500 else YELLOW if status >= 400 else CYAN if status >= 300 else GREEN


def clean(text: str) -> str:
    """``text`` with its control characters written escaped: one line of the log stays one line."""
    return text if text.isprintable() else text.translate(_ESCAPES)


@dataclass(slots=True)
class AccessLog:
    """Writes a line per request. Formatting happens only when the log is on: a disabled log costs a check."""

    stream: TextIO | None = None
    format: LogFormat = "text"
    enabled: bool = True
    # None: decided from the stream and the environment (``use_colour``) when the first line is written.
    colour: bool | None = None

    @property
    def coloured(self) -> bool:
        """Whether text lines are coloured (JSON lines never are)."""
        if self.format == "json":
            return False
        if self.colour is None:
            self.colour = use_colour(self.stream or sys.stderr)
        return self.colour

    def request(
        self,
        service: str,
        method: str,
        path: str,
        status: int,
        route: str,
        duration: float,
        note: str = "",
        query: str = "",
    ) -> None:
        """One line for a request. ``note`` says why, when it went wrong (a 404's first failed reason);
        ``query`` is the query string, shown after the path."""
        if not self.enabled:
            return
        stream = self.stream or sys.stderr
        if self.format == "json":
            record = {
                "time": _instant(),
                "event": "request",
                "service": service,
                "method": method,
                "path": path,
                "status": status,
                "route": route,
                "duration_ms": round(duration * 1000, 3),
            }
            if query:
                record["query"] = query
            if note:
                record["note"] = note
            if (span := current()) is not None:  # tracing: the line names its request's span
                record["trace_id"], record["span_id"] = span.trace_id, span.span_id
            stream.write(orjson.dumps(record).decode() + "\n")
        else:
            colour = self.coloured
            shown = clean(f"{path}?{query}" if query else path)
            line = (
                f"{paint(_timestamp(), DIM, colour)} {clean(service):<12} {paint(f'{method:<6}', BOLD, colour)} "
                f"{shown} -> {paint(str(status), status_colour(status), colour)}  [{clean(route)}]  "
                f"{duration * 1000:.1f}ms"
            )
            if note:
                line = f"{line}  {paint(clean(note), status_colour(status) if status >= 400 else DIM, colour)}"
            stream.write(line)
            stream.write("\n")
        stream.flush()

    def event(self, message: str, **fields: object) -> None:
        """A line that is not about a request: start-up, a listener, a reload."""
        stream = self.stream or sys.stderr
        if self.format == "json":
            stream.write(orjson.dumps({"time": _instant(), "event": message, **fields}).decode() + "\n")
        else:
            colour = self.coloured
            details = "  ".join(f"{paint(key, DIM, colour)}={clean(str(value))}" for key, value in fields.items())
            line = f"{paint('mockery:', DIM, colour)} {paint(clean(message), BOLD, colour)}"
            stream.write(f"{line}  {details}" if details else line)
            stream.write("\n")
        stream.flush()

    def lines(self, text: str) -> None:
        """Lines written as they are (a table mockery made, coloured by ``coloured``): text logs only."""
        if self.format == "json":
            return
        stream = self.stream or sys.stderr
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()


# C0 and C1 controls and DEL, written as \xNN: a line of the text log is one line whatever a client sent.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def _instant() -> str:
    """Full UTC time for machine logs: containers collect lines from several days and hosts."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _timestamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S.%f")[:-3]
