"""Sending encoded batches over OTLP, configured by OpenTelemetry's standard variables:
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``, used as given), ``..._HEADERS``, ``..._TIMEOUT``
(seconds, as OpenTelemetry's Python SDK reads it), ``..._COMPRESSION`` (``gzip``), ``..._CERTIFICATE``,
``..._CLIENT_CERTIFICATE`` and ``..._CLIENT_KEY``, ``..._INSECURE`` (gRPC); each also as ``OTEL_EXPORTER_OTLP_X``
for every signal. ``http/protobuf`` posts to ``<endpoint>/v1/traces`` on a kept-alive connection; ``grpc`` calls
``TraceService/Export`` (grpcio, of the ``otel`` extra). Runs on the exporting thread, never on the event loop.
"""

from __future__ import annotations

import gzip
import http.client
import logging
import ssl
import time
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from mockery.errors import ArgumentError

PROTOCOLS = ("http/protobuf", "grpc")
_RETRIED = frozenset((429, 502, 503, 504))
_ATTEMPTS = 3
_logger = logging.getLogger("mockery.tracing")


def setting(environ: Mapping[str, str], name: str) -> str:
    """``OTEL_EXPORTER_OTLP_TRACES_<name>``, else ``OTEL_EXPORTER_OTLP_<name>``, else ``""``."""
    return (environ.get(f"OTEL_EXPORTER_OTLP_TRACES_{name}") or environ.get(f"OTEL_EXPORTER_OTLP_{name}") or "").strip()


def exporter_protocol(environ: Mapping[str, str]) -> str:
    """The OTLP protocol the variables ask for (``http/protobuf`` unless they say ``grpc``)."""
    protocol = (setting(environ, "PROTOCOL") or "http/protobuf").lower()
    if protocol not in PROTOCOLS:
        raise ArgumentError(f"OTEL_EXPORTER_OTLP_PROTOCOL: {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return protocol


def export_headers(environ: Mapping[str, str]) -> dict[str, str]:
    """``OTEL_EXPORTER_OTLP_HEADERS``: ``key=value`` pairs, comma-separated, URL-encoded."""
    headers = {}
    for item in setting(environ, "HEADERS").split(","):
        key, equals, value = item.partition("=")
        if equals and key.strip():
            headers[unquote(key).strip().lower()] = unquote(value).strip()
        elif item.strip():
            raise ArgumentError(f"OTEL_EXPORTER_OTLP_HEADERS: {item.strip()!r} is not key=value")
    return headers


def _timeout(environ: Mapping[str, str]) -> float:
    text = setting(environ, "TIMEOUT") or "10"
    try:
        return float(text)
    except ValueError:
        raise ArgumentError(f"OTEL_EXPORTER_OTLP_TIMEOUT: {text!r} is not a number of seconds") from None


def _compressed(environ: Mapping[str, str]) -> bool:
    compression = setting(environ, "COMPRESSION").lower()
    if compression not in ("", "none", "gzip"):
        raise ArgumentError(f"OTEL_EXPORTER_OTLP_COMPRESSION: {compression!r} is not one of none, gzip")
    return compression == "gzip"


class Sender(Protocol):
    def send(self, payload: bytes) -> bool:
        """Deliver one encoded ``ExportTraceServiceRequest``; ``False`` when it could not be (logged)."""
        ...

    def close(self) -> None: ...

    def after_fork(self) -> None:
        """In a forked process: let go of the parent's connection (a new one opens when needed)."""
        ...


def sender(environ: Mapping[str, str]) -> Sender:
    """The sender the variables describe (their mistakes raise ``ArgumentError`` when the server starts)."""
    if exporter_protocol(environ) == "grpc":
        return GrpcSender(environ)
    return HttpSender(environ)


def http_endpoint(environ: Mapping[str, str]) -> str:
    """Where OTLP/HTTP posts: the traces endpoint as given, else ``/v1/traces`` under the endpoint."""
    traces = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if traces:
        return traces
    base = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip() or "http://localhost:4318"
    return base.rstrip("/") + "/v1/traces"


class HttpSender:
    """OTLP/HTTP with protobuf bodies, one kept-alive connection; transient failures retried a few times."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.endpoint = http_endpoint(environ)
        url = urlsplit(self.endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ArgumentError(f"OTEL_EXPORTER_OTLP_ENDPOINT: {self.endpoint!r} is not an http:// or https:// URL")
        self._secure = url.scheme == "https"
        self._host, self._port = url.hostname, url.port or (443 if self._secure else 80)
        self._path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        self._timeout = _timeout(environ)
        self._gzip = _compressed(environ)
        self._headers = {
            **export_headers(environ),
            "content-type": "application/x-protobuf",
            "user-agent": "mockery-otlp",
        }
        if self._gzip:
            self._headers["content-encoding"] = "gzip"
        self._context: ssl.SSLContext | None = None
        if self._secure:
            self._context = ssl.create_default_context(cafile=setting(environ, "CERTIFICATE") or None)
            if certificate := setting(environ, "CLIENT_CERTIFICATE"):
                self._context.load_cert_chain(certificate, setting(environ, "CLIENT_KEY") or None)
        self._connection: http.client.HTTPConnection | None = None

    def __repr__(self) -> str:
        return f"HttpSender({self.endpoint!r})"

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self._context is not None:
                self._connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=self._context
                )
            else:
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._connection

    def send(self, payload: bytes) -> bool:
        body = gzip.compress(payload, compresslevel=6) if self._gzip else payload
        problem = ""
        deadline = time.monotonic() + self._timeout  # a collector that does not answer holds no flush for long
        for attempt in range(_ATTEMPTS):
            if attempt:
                if time.monotonic() + 0.1 * 2**attempt > deadline:
                    break
                time.sleep(0.1 * 2**attempt)
            try:
                connection = self._connect()
                connection.request("POST", self._path, body, self._headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()  # a connection the collector closed: the next attempt opens another
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if 200 <= response.status < 300:
                return True
            problem = f"HTTP {response.status}"
            if response.status not in _RETRIED:
                break
        _logger.warning("traces: %d bytes of spans not exported to %s (%s)", len(payload), self.endpoint, problem)
        return False

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def after_fork(self) -> None:
        self.close()  # closes this process's copy of the socket; the parent's connection is untouched


_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


class GrpcSender:
    """OTLP/gRPC: the encoded request is sent as it is (no message object is built)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        try:
            import grpc  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - the extra is installed with the tests
            raise ArgumentError("OTLP over gRPC needs grpcio: pip install 'mockery[otel]'") from None
        self._environ = environ
        endpoint = setting(environ, "ENDPOINT") or "http://localhost:4317"
        url = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
        if not url.hostname:
            raise ArgumentError(f"OTEL_EXPORTER_OTLP_ENDPOINT: {endpoint!r} names no host")
        self.target = f"{url.hostname}:{url.port or 4317}"
        insecure = url.scheme == "http" or (url.scheme == "" and setting(environ, "INSECURE").lower() == "true")
        if insecure:
            channel = grpc.insecure_channel(self.target)
        else:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_read(setting(environ, "CERTIFICATE")),
                private_key=_read(setting(environ, "CLIENT_KEY")),
                certificate_chain=_read(setting(environ, "CLIENT_CERTIFICATE")),
            )
            channel = grpc.secure_channel(self.target, credentials)
        self._channel = channel
        self._export: Any = channel.unary_unary(_EXPORT)  # bytes in, bytes out
        self._metadata = tuple(export_headers(environ).items())
        self._timeout = _timeout(environ)
        self._compression = grpc.Compression.Gzip if _compressed(environ) else None
        self._retried = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)
        self._error = grpc.RpcError

    def __repr__(self) -> str:
        return f"GrpcSender({self.target!r})"

    def send(self, payload: bytes) -> bool:
        problem = ""
        deadline = time.monotonic() + self._timeout
        for attempt in range(_ATTEMPTS):
            if attempt:
                if time.monotonic() + 0.1 * 2**attempt > deadline:
                    break
                time.sleep(0.1 * 2**attempt)
            try:
                self._export(payload, metadata=self._metadata, timeout=self._timeout, compression=self._compression)
                return True
            except self._error as exc:
                code = exc.code() if hasattr(exc, "code") else None
                problem = str(code)
                if code not in self._retried:
                    break
        _logger.warning("traces: %d bytes of spans not exported to %s (%s)", len(payload), self.target, problem)
        return False

    def close(self) -> None:
        self._channel.close()

    def after_fork(self) -> None:
        self.__init__(self._environ)  # type: ignore[misc]  # a gRPC channel does not cross a fork


def _read(path: str) -> bytes | None:
    if not path:
        return None
    with open(path, "rb") as file:
        return file.read()
