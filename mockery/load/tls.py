"""A spec's ``tls:`` key, and the checks every certificate, key and client CA passes before it is served.

The checks are shared with ``mockery serve --tls-cert/--tls-key/--tls-client-ca`` (mockery.server.tls): a
missing or unreadable file, a file holding no PEM certificate or key, a key that does not belong to the
certificate, or a certificate that has expired is reported, naming the file, before anything listens.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from mockery.errors import SpecError
from mockery.model.tls import ClientCert, TlsSettings
from mockery.source.document import DocPath, Position

TlsFile = Literal["cert", "key", "client_ca"]
# A PEM file larger than this is not a certificate chain: refuse it before reading it all.
MAX_PEM_BYTES = 1024 * 1024


class _Builder(Protocol):
    folder: Path
    errors: list[SpecError]

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def position(self, path: DocPath) -> Position: ...


def service_tls(builder: _Builder, raw: Any) -> TlsSettings | None:
    """The settings of a service's ``tls:`` (``auto``, or a mapping the schema has checked), with its files
    found in the spec's folder and checked; ``None`` without the key or when it is wrong (errors reported)."""
    if raw is None:
        return None
    position = builder.position(("tls",))
    if raw == "auto":
        return TlsSettings(auto=True, position=position)
    if not isinstance(raw, dict):
        return None  # the schema has said what is wrong
    errors_before = len(builder.errors)
    auto = raw.get("auto") is True
    if auto and ("cert" in raw or "key" in raw):
        builder.error(("tls", "auto"), "`auto` and `cert`/`key` exclude each other", "keep one of them")
    elif not auto and not ("cert" in raw and "key" in raw):
        missing = "key" if "cert" in raw else "cert"
        builder.error(("tls",), f"`tls` needs `cert` and `key`; `{missing}` is missing", "or write `tls: auto`")
    files: dict[TlsFile, Path | None] = {}
    for name in ("cert", "key", "client_ca"):
        value = raw.get(name)
        files[name] = _spec_file(builder, value, ("tls", name)) if isinstance(value, str) else None
    mode = raw.get("client_cert")
    client_cert: ClientCert = mode if mode in ("optional", "required") else "none"
    if files["client_ca"] is not None and mode is None:
        client_cert = "required"
    if mode is not None and "client_ca" not in raw:
        builder.error(
            ("tls", "client_cert"),
            "`client_cert` needs `client_ca`: the CA that signs the clients' certificates",
            "add `client_ca: clients-ca.pem`",
        )
    cert, key, client_ca = files["cert"], files["key"], files["client_ca"]
    if cert is not None and key is not None:
        for which, message in certificate_problems(cert, key):
            builder.error(("tls", which), f"{raw[which]!r} {message}")
    if client_ca is not None:
        for message in ca_problems(client_ca):
            builder.error(("tls", "client_ca"), f"{raw['client_ca']!r} {message}")
    if len(builder.errors) > errors_before:
        return None
    return TlsSettings(cert=cert, key=key, auto=auto, client_ca=client_ca, client_cert=client_cert, position=position)


def _spec_file(builder: _Builder, name: str, path: DocPath) -> Path | None:
    """A file named relative to the spec's folder, and inside it (the rule for every file a spec names)."""
    candidate = Path(name)
    if candidate.is_absolute():
        builder.error(path, f"{name!r} is an absolute path", "name a file relative to the spec's folder")
        return None
    resolved = (builder.folder / candidate).resolve()
    if not resolved.is_relative_to(builder.folder):
        builder.error(path, f"{name!r} lies outside the spec's folder", "keep certificates beside the spec")
        return None
    if not resolved.is_file():
        builder.error(path, f"file {name!r} does not exist in {builder.folder}")
        return None
    return resolved


def _read(path: Path) -> tuple[bytes | None, str | None]:
    try:
        if path.stat().st_size > MAX_PEM_BYTES:
            return None, f"is larger than {MAX_PEM_BYTES} bytes: not a PEM file"
        return path.read_bytes(), None
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"


def load_certificates(path: Path) -> tuple[list[x509.Certificate], str | None]:
    """The PEM certificates of ``path`` (a chain: the first is the one served), or why there are none."""
    data, problem = _read(path)
    if data is None:
        return [], problem
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        return [], "holds no PEM certificate (a file starting with -----BEGIN CERTIFICATE-----)"
    return certificates, None


def load_key(path: Path) -> tuple[PrivateKeyTypes | None, str | None]:
    """The unencrypted PEM private key of ``path``, or why it cannot be used."""
    data, problem = _read(path)
    if data is None:
        return None, problem
    try:
        return serialization.load_pem_private_key(data, password=None), None
    except TypeError:
        return None, "is encrypted: give the key without a passphrase (openssl pkey -in KEY -out PLAIN)"
    except ValueError:
        return None, "holds no PEM private key (a file starting with -----BEGIN ... PRIVATE KEY-----)"
    except UnsupportedAlgorithm as exc:
        return None, f"holds a key of a kind TLS cannot use: {exc}"


def validity_problem(certificate: x509.Certificate, now: datetime.datetime | None = None) -> str | None:
    """Why ``certificate`` cannot be served now: expired, or not valid yet; ``None`` when it can."""
    now = now or datetime.datetime.now(datetime.UTC)
    if certificate.not_valid_after_utc <= now:
        return f"expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    if certificate.not_valid_before_utc > now:
        return f"is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    return None


def certificate_problems(cert: Path, key: Path) -> list[tuple[Literal["cert", "key"], str]]:
    """What is wrong with serving ``cert`` with ``key``, each message to follow the file's name."""
    problems: list[tuple[Literal["cert", "key"], str]] = []
    certificates, cert_problem = load_certificates(cert)
    if cert_problem is not None:
        problems.append(("cert", cert_problem))
    private_key, key_problem = load_key(key)
    if key_problem is not None:
        problems.append(("key", key_problem))
    if not certificates:
        return problems
    if (expired := validity_problem(certificates[0])) is not None:
        problems.append(("cert", expired))
    if private_key is not None:
        public = (
            certificates[0]
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        own = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if public != own:
            problems.append(("key", f"is not the key of the certificate {cert.name!r}"))
    return problems


def ca_problems(path: Path) -> list[str]:
    """What is wrong with trusting the CA certificates of ``path`` for clients' certificates."""
    certificates, problem = load_certificates(path)
    if problem is not None:
        return [problem]
    expired = [found for certificate in certificates if (found := validity_problem(certificate)) is not None]
    return expired[:1] if len(expired) == len(certificates) else []
