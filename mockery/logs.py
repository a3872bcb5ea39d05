"""Request and start-up logs: one readable line per request, or one JSON object per line for machines."""

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
            stream.write(f"{line}  {note}\n" if note else line + "\n")
        stream.flush()

    def event(self, message: str, **fields: object) -> None:
        """A line that is not about a request: start-up, a listener, a reload."""
        stream = self.stream or sys.stderr
        if self.format == "json":
            stream.write(orjson.dumps({"time": _instant(), "event": message, **fields}).decode() + "\n")
        else:
            details = "  ".join(f"{key}={value}" for key, value in fields.items())
            stream.write(f"mockery: {message}{'  ' + details if details else ''}\n")
        stream.flush()


def _instant() -> str:
    """Full UTC time for machine logs: containers collect lines from several days and hosts."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _timestamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S.%f")[:-3]
