"""HTTPS for listeners: the settings of ``mockery serve --tls...`` checked, and settings turned into the files
and client-certificate mode uvicorn serves with.

A listener's settings come from the spec's ``tls:`` (a service's own port; checked when the spec loads) or
from ``mockery serve`` (the shared listener, or its HTTPS twin on ``--tls-port``). ``auto`` takes a
certificate of the local development CA (mockery.server.certificates), issued before anything listens.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockery.errors import ServeError, SpecError
from mockery.model.services import Service
from mockery.model.tls import ClientCert, TlsSettings

CLIENT_CERT_MODES = ("required", "optional")
_CERT_REQS = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}


class TlsError(ServeError):
    """A certificate, key or client CA given to ``mockery serve`` cannot be served; names every file at fault."""


@dataclass(frozen=True, slots=True)
class ServedTls:
    """What one HTTPS listener serves: certificate and key files, and the clients' CA and mode."""

    cert: Path
    key: Path
    client_ca: Path | None = None
    client_cert: ClientCert = "none"

    def uvicorn_options(self) -> dict[str, Any]:
        """The keyword arguments of ``uvicorn.Config`` for this listener."""
        return {
            "ssl_certfile": str(self.cert),
            "ssl_keyfile": str(self.key),
            "ssl_ca_certs": str(self.client_ca) if self.client_ca is not None else None,
            "ssl_cert_reqs": _CERT_REQS[self.client_cert if self.client_ca is not None else "none"],
        }


def serve_settings(
    *,
    tls: str | None = None,
    cert: Path | None = None,
    key: Path | None = None,
    client_ca: Path | None = None,
    client_cert: str = "required",
    tls_port: int | None = None,
) -> TlsSettings | None:
    """The shared listener's settings from ``mockery serve``'s options (``None``: plain HTTP), its files
    checked: ``TlsError`` listing every problem, each naming its option and file."""
    problems: list[str] = []
    if tls is not None and tls != "auto":
        problems.append(
            f"--tls {tls!r}: the only value is 'auto' (for a certificate of your own: --tls-cert, --tls-key)"
        )
    auto = tls == "auto"
    if auto and (cert is not None or key is not None):
        problems.append("--tls auto and --tls-cert/--tls-key exclude each other: keep one")
    elif (cert is None) != (key is None):
        given, missing = ("--tls-cert", "--tls-key") if key is None else ("--tls-key", "--tls-cert")
        problems.append(f"{given} needs {missing} too")
    if client_cert not in CLIENT_CERT_MODES:
        problems.append(f"--tls-client-cert {client_cert!r}: expected one of {', '.join(CLIENT_CERT_MODES)}")
    wanted = auto or cert is not None or key is not None or client_ca is not None or tls_port is not None
    if not wanted:
        return None
    if not auto and cert is None and key is None and not problems:
        auto = True  # --tls-port or --tls-client-ca alone: serve a certificate of the local CA
    from mockery.load.tls import ca_problems, certificate_problems  # cryptography: only when serving HTTPS

    if cert is not None and key is not None:
        for which, message in certificate_problems(cert, key):
            option, path = ("--tls-cert", cert) if which == "cert" else ("--tls-key", key)
            problems.append(f"{option} {path}: {message}")
    if client_ca is not None:
        problems.extend(f"--tls-client-ca {client_ca}: {message}" for message in ca_problems(client_ca))
    if problems:
        raise TlsError("cannot serve HTTPS:\n" + "\n".join(f"  {problem}" for problem in problems))
    mode: ClientCert = "optional" if client_cert == "optional" else "required"
    return TlsSettings(
        cert=cert.resolve() if cert is not None else None,
        key=key.resolve() if key is not None else None,
        auto=auto,
        client_ca=client_ca.resolve() if client_ca is not None else None,
        client_cert=mode if client_ca is not None else "none",
    )


def served_tls(settings: TlsSettings, *, names: Iterable[str], folder: Path | None = None) -> ServedTls:
    """The files a listener with ``settings`` serves; for ``auto``, a certificate of the local CA in
    ``folder`` (see ``tls_folder``) for ``names``, issued now if needed."""
    if settings.auto:
        from mockery.server.certificates import leaf_for, tls_folder  # cryptography: only when serving HTTPS

        issued = leaf_for(tls_folder(folder), names)
        cert, key = issued.cert, issued.key
    elif settings.cert is not None and settings.key is not None:
        cert, key = settings.cert, settings.key
    else:
        raise ServeError(f"TLS settings without a certificate: {settings!r}")
    return ServedTls(cert, key, settings.client_ca, settings.client_cert)


def listener_tls_conflicts(services: Iterable[Service], *, shared: bool) -> list[SpecError]:
    """Services on one listener must agree on its TLS: each that differs from the first is a located
    error. On the shared listener, ``mockery serve --tls...`` decides, so a service's own ``tls`` is one."""
    errors: list[SpecError] = []
    first: Service | None = None
    for service in services:
        settings = service.tls
        if shared:
            if settings is not None:
                errors.append(
                    _located(
                        service,
                        "`tls` is set by a listener of the service's own: this service shares the listener of "
                        "`mockery serve --port`",
                        "give the service a `port` of its own, or serve the shared listener with --tls",
                    )
                )
            continue
        if first is None:
            first = service
            continue
        if settings != first.tls:
            where = first.tls.position if first.tls is not None else first.position
            theirs = first.tls.describe() if first.tls is not None else "plain HTTP"
            line, column = (where.line, where.column) if where is not None else (1, 1)
            errors.append(
                _located(
                    service,
                    f"port {service.port} is shared with {first.name!r} "
                    f"({first.display_name}:{line}:{column}), which serves it with {theirs}: "
                    f"one port speaks one protocol",
                    "give both services the same `tls`, or each a port of its own",
                )
            )
    return errors


def _located(service: Service, message: str, suggestion: str) -> SpecError:
    position = service.tls.position if service.tls is not None and service.tls.position else service.position
    return SpecError(service.display_name, position.line, position.column, "tls", message, suggestion)
