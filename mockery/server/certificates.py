"""The local development CA of ``--tls auto`` / ``tls: auto``, as mkcert keeps one.

On first use a CA is created in the user's data folder (``tls_folder``); each server then gets a leaf
certificate from it for localhost, 127.0.0.1, ::1 and the names it serves under. Trusting the CA once
(``mockery tls ca`` says how) makes every such certificate valid for browsers and clients. The leaf is
issued again when the names change, when it nears its end, or when the CA is not the one that signed it.
Private keys are written 0600 in a 0700 folder; a lock file keeps two servers starting at once from
creating two CAs.
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
import ipaddress
import os
import shlex
import socket
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mockery.errors import ServeError
from mockery.load.tls import load_certificates, load_key

CA_CERT = "rootCA.pem"
CA_KEY = "rootCA-key.pem"
LEAF_CERT = "localhost.pem"
LEAF_KEY = "localhost-key.pem"
CA_DAYS = 3650
# Browsers refuse leaf certificates valid for more than 825 days (Apple's rule, the strictest).
LEAF_DAYS = 820
RENEW_BEFORE = datetime.timedelta(days=30)
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


def tls_folder(explicit: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """Where the CA lives: ``explicit`` (``--tls-dir``), else ``$MOCKERY_TLS_DIR``, else
    ``$XDG_DATA_HOME/mockery/tls``, else ``~/.local/share/mockery/tls``."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit.expanduser()
    if env.get("MOCKERY_TLS_DIR"):
        return Path(env["MOCKERY_TLS_DIR"]).expanduser()
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "mockery" / "tls"
    return Path.home() / ".local" / "share" / "mockery" / "tls"


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and its key, as files."""

    cert: Path
    key: Path


def local_ca(folder: Path) -> Issued:
    """The CA of ``folder``, created on first use. ``ServeError`` when the folder cannot be written."""
    with _locked(folder):
        _ca(folder)
    return Issued(folder / CA_CERT, folder / CA_KEY)


def leaf_for(folder: Path, names: Iterable[str]) -> Issued:
    """A certificate of the CA of ``folder`` for ``names`` (and the loopback names), issued when needed."""
    wanted = sorted(set(DEFAULT_NAMES) | {name for name in names if name})
    with _locked(folder):
        ca = _ca(folder)
        cert, key = folder / LEAF_CERT, folder / LEAF_KEY
        if not _leaf_is_current(cert, key, ca, wanted):
            _issue_leaf(ca, cert, key, wanted)
        return Issued(cert, key)


def valid_names(names: Iterable[str]) -> list[str]:
    """The names a certificate can be issued for: IP addresses and DNS names (a service called
    ``payments`` is reached as ``payments`` in a compose network); others are left out."""
    found = []
    for name in names:
        candidate = name.strip().lower().rstrip(".")
        if candidate in ("", "0.0.0.0", "::"):
            continue
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(candidate)
            found.append(candidate)
            continue
        if all(_is_label(label) for label in candidate.split(".")):
            found.append(candidate)
    return found


def _is_label(label: str) -> bool:
    return 0 < len(label) <= 63 and label.isascii() and label.replace("-", "").isalnum() and label.strip("-") == label


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ServeError(
            f"cannot keep the local CA in {folder}: {exc.strerror or exc}; set MOCKERY_TLS_DIR (or --tls-dir) "
            "to a folder mockery may write"
        ) from None
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; starting two servers at once there may race
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _ca(folder: Path) -> x509.Certificate:
    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    if cert_path.exists() or key_path.exists():
        certificates, problem = load_certificates(cert_path)
        key, key_problem = load_key(key_path)
        if problem or key_problem or not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ServeError(
                f"the local CA in {folder} is damaged ({CA_CERT}: {problem or 'ok'}, {CA_KEY}: {key_problem or 'ok'}); "
                "delete the folder to create a new one (and trust the new one again)"
            )
        return certificates[0]
    key = ec.generate_private_key(ec.SECP256R1())
    user = _user()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockery development CA"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, user),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mockery {user}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write(cert_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    return certificate


def _leaf_is_current(cert: Path, key: Path, ca: x509.Certificate, wanted: list[str]) -> bool:
    if not cert.exists() or not key.exists():
        return False
    certificates, problem = load_certificates(cert)
    private_key, key_problem = load_key(key)
    if problem or key_problem or private_key is None:
        return False
    leaf = certificates[0]
    if leaf.issuer != ca.subject or leaf.public_key() != private_key.public_key():
        return False
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    if leaf.not_valid_after_utc - datetime.datetime.now(datetime.UTC) < RENEW_BEFORE:
        return False
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    issued = sorted([*names.get_values_for_type(x509.DNSName), *map(str, names.get_values_for_type(x509.IPAddress))])
    return issued == sorted(_canonical(name) for name in wanted)


def _issue_leaf(ca: x509.Certificate, cert: Path, key_path: Path, names: list[str]) -> None:
    ca_key, problem = load_key(key_path.parent / CA_KEY)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ServeError(f"the local CA's key {key_path.parent / CA_KEY} {problem or 'is of an unusable kind'}")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    alternatives: list[x509.GeneralName] = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockery development certificate"),
                    x509.NameAttribute(NameOID.COMMON_NAME, names[0] if "localhost" not in names else "localhost"),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(min(now + datetime.timedelta(days=LEAF_DAYS), ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write(cert, certificate.public_bytes(serialization.Encoding.PEM), 0o644)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _canonical(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write(path, data, 0o600)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a new file of ``mode`` beside ``path``, then put it in place in one rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)  # the umask may have taken bits away from a certificate's 0644
        os.replace(temporary, path)
    except OSError as exc:
        raise ServeError(f"cannot write {path}: {exc.strerror or exc}") from None


def _user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"{user}@{socket.gethostname()}"


def trust_instructions(ca: Path) -> str:
    """How to make systems, browsers and clients trust the CA certificate ``ca`` (what ``mockery tls ca``
    prints): once trusted, every certificate of ``tls: auto`` is valid for them."""
    quoted = shlex.quote(str(ca))
    return f"""\
mockery's local development CA: {ca}
Its key ({CA_KEY}, beside it) stays in that folder: never share it. Trust the CA once and every certificate
of `mockery serve --tls auto` (or `tls: auto`) is valid:

  Debian, Ubuntu     sudo cp {quoted} /usr/local/share/ca-certificates/mockery-development-ca.crt
                     sudo update-ca-certificates
  Fedora, RHEL       sudo cp {quoted} /etc/pki/ca-trust/source/anchors/mockery-development-ca.pem
                     sudo update-ca-trust
  macOS              sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {quoted}
  Windows            certutil -addstore -f ROOT {quoted}
  Firefox, and Chrome on Linux (NSS; Firefox keeps one database per profile folder):
                     certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "mockery development CA" -i {quoted}
  Python             export SSL_CERT_FILE={quoted}       (httpx, urllib: replaces the system's CAs)
                     export REQUESTS_CA_BUNDLE={quoted}  (requests)
  Node.js            export NODE_EXTRA_CA_CERTS={quoted}
  curl               curl --cacert {quoted} https://localhost:8443/

To stop trusting it, remove it the same way; deleting its folder makes a new CA on next use."""
