"""The check behind every "no request can stall another" test: while a hostile request is in flight, another
route of the same server still answers promptly.

The hostile request is written whole onto its own socket before the probe is sent, so the server has it
(or is reading it) when the probe arrives: no sleep decides the order.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

PROMPT_SECONDS = 1.0


def raw_request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """An HTTP/1.1 request as bytes, asking the server to close the connection after answering."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def probe_during(base_url: str, hostile: bytes, probe_path: str, *, timeout: float = 60.0) -> tuple[int, bytes, float]:
    """Send ``hostile`` on a socket of its own, then time a GET of ``probe_path`` (which must answer 200);
    returns the hostile request's status and body, and the probe's seconds."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(hostile)
        began = time.perf_counter()
        probe = httpx.get(base_url + probe_path, timeout=timeout)
        elapsed = time.perf_counter() - began
        assert probe.status_code == 200, probe.text
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body, elapsed
