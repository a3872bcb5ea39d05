"""--tls-names: the certificate of ``--tls auto`` also names the hosts other containers reach mockery by."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509

from mockery import MockServer
from mockery.errors import ArgumentError
from mockery.server.options import tls_hostnames

SPEC = """\
service: hello
routes:
  - path: /hello
    response: {body: {hello: world}}
"""


def _handshake(url: str, ca: Path, name: str) -> list[str]:
    """Verify the listener at ``url`` as a client that reached it by ``name``; the DNS names it showed."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    context = ssl.create_default_context(cafile=str(ca))
    with (
        socket.create_connection((parts.hostname, parts.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    names = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return list(names.value.get_values_for_type(x509.DNSName))


def test_a_client_reaching_mockery_by_a_listed_name_verifies_it(tmp_path: Path) -> None:
    spec = tmp_path / "hello.yaml"
    spec.write_text(SPEC)
    ca = tmp_path / "ca"
    with MockServer(spec, tls="auto", tls_dir=ca, tls_names=["mocks", "api.test"]) as server:
        shown = _handshake(server.url, ca / "rootCA.pem", "mocks")
        assert {"mocks", "api.test", "hello", "localhost"} <= set(shown)
        assert _handshake(server.url, ca / "rootCA.pem", "api.test") == shown
        with pytest.raises(ssl.SSLCertVerificationError):
            _handshake(server.url, ca / "rootCA.pem", "elsewhere.test")


@pytest.mark.parametrize(
    ("text", "wrong"),
    [("bad name", ["bad name"]), ("mocks,under_score", ["under_score"]), ("*.wild.test, ok", ["*.wild.test"])],
)
def test_a_name_no_certificate_can_carry_is_refused_by_name(text: str, wrong: list[str]) -> None:
    with pytest.raises(ArgumentError) as caught:
        tls_hostnames(text)
    for name in wrong:
        assert repr(name) in str(caught.value)
    assert "mocks" not in str(caught.value)


def test_no_names_and_blank_entries_give_nothing() -> None:
    assert tls_hostnames(None) == ()
    assert tls_hostnames(" , mocks ,") == ("mocks",)
