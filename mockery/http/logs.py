"""Request and start-up logs: one readable line per request, or one JSON object per line for machines.

A text line quotes what clients sent (a path, a reason): control characters in it are written escaped
(``\\x0a``), so that no request can forge a line of the log or move the terminal's cursor.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Literal, TextIO

import orjson

LogFormat = Literal["text", "json"]


@dataclass(slots=True)
class AccessLog:
    """Writes a line per request. Formatting happens only when the log is on: a disabled log costs a check."""

    stream: TextIO | None = None
    format: LogFormat = "text"
    enabled: bool = True

    def request(
        self, service: str, method: str, path: str, status: int, route: str, duration: float, note: str = ""
    ) -> None:
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
            if note:
                record["note"] = note
            stream.write(orjson.dumps(record).decode() + "\n")
        else:
            line = f"{_timestamp()} {service:<12} {method:<6} {path} -> {status}  [{route}]  {duration * 1000:.1f}ms"
            if note:
                line = f"{line}  {note}"
            stream.write(line if line.isprintable() else line.translate(_ESCAPES))
            stream.write("\n")
        stream.flush()

    def event(self, message: str, **fields: object) -> None:
        """A line that is not about a request: start-up, a listener, a reload."""
        stream = self.stream or sys.stderr
        if self.format == "json":
            stream.write(orjson.dumps({"time": _instant(), "event": message, **fields}).decode() + "\n")
        else:
            details = "  ".join(f"{key}={value}" for key, value in fields.items())
            line = f"mockery: {message}{'  ' + details if details else ''}"
            stream.write(line if line.isprintable() else line.translate(_ESCAPES))
            stream.write("\n")
        stream.flush()


# C0 and C1 controls and DEL, written as \xNN: a line of the text log is one line whatever a client sent.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def _instant() -> str:
    """Full UTC time for machine logs: containers collect lines from several days and hosts."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _timestamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S.%f")[:-3]
