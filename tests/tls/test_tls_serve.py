"""HTTPS end to end: real TLS handshakes against real listeners, with the local CA, a given certificate,
HTTP and HTTPS side by side, and client certificates (mTLS)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pki_support import Pki

from mockery import MockServer
from mockery.server.certificates import local_ca

Serve = Callable[..., MockServer]
SPEC = """\
service: hello
routes:
  - path: /hello
    response:
      body: {hello: world}
"""


def trusting(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def peer_certificate(url: str, context: ssl.SSLContext) -> bytes:
    """The DER certificate the listener at ``url`` shows in a handshake."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    with (
        socket.create_connection((parts.hostname, parts.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=parts.hostname) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def tls_refusal(url: str, context: ssl.SSLContext) -> tuple[str, str]:
    """Where a client of ``url`` was refused: ``handshake`` (with the TLS error), or ``closed unanswered``
    after a handshake the client thought complete."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        try:
            tls = context.wrap_socket(raw, server_hostname=parts.hostname)
        except ssl.SSLError as exc:
            return "handshake", str(exc)
        with tls:
            try:
                tls.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = tls.recv(1024)
            except (ssl.SSLError, ConnectionResetError) as exc:
                return "closed unanswered", str(exc)
            if answer == b"":
                return "closed unanswered", ""
    raise AssertionError(f"{url} admitted the client: {answer[:40]!r}")


def test_auto_serves_a_certificate_of_the_local_ca_that_a_client_trusting_it_verifies(
    write_spec: Callable[..., Path], serve: Serve, tmp_path: Path
) -> None:
    server = serve(write_spec(SPEC), tls="auto", tls_dir=tmp_path / "ca")
    assert server.url.startswith("https://127.0.0.1:")
    assert server.tls_url == server.url
    ca = tmp_path / "ca" / "rootCA.pem"
    for host in ("127.0.0.1", "localhost"):
        url = server.url.replace("127.0.0.1", host)
        response = httpx.get(url + "/hello", verify=trusting(ca), timeout=10)
        assert response.status_code == 200
        assert response.json() == {"hello": "world"}


def test_a_client_that_does_not_trust_the_ca_fails_verification(
    write_spec: Callable[..., Path], serve: Serve, tmp_path: Path
) -> None:
    server = serve(write_spec(SPEC), tls="auto", tls_dir=tmp_path / "ca")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(server.url + "/hello", timeout=10)  # the system's CAs only
    unrelated = local_ca(tmp_path / "another-users-ca").cert
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(server.url + "/hello", verify=trusting(unrelated), timeout=10)


def test_a_given_certificate_is_the_one_served(write_spec: Callable[..., Path], serve: Serve, pki: Pki) -> None:
    ca = pki.ca("team-ca")
    leaf = pki.issue(ca, "server")
    server = serve(write_spec(SPEC), tls_cert=leaf.cert, tls_key=leaf.key)
    response = httpx.get(server.url + "/hello", verify=trusting(ca.cert), timeout=10)
    assert response.json() == {"hello": "world"}
    assert peer_certificate(server.url, trusting(ca.cert)) == leaf.certificate.public_bytes(Encoding.DER)


def test_http_and_https_answer_side_by_side_on_two_ports(
    write_spec: Callable[..., Path], serve: Serve, tmp_path: Path
) -> None:
    server = serve(write_spec(SPEC), tls="auto", tls_port=0, tls_dir=tmp_path / "ca")
    assert server.url.startswith("http://")
    assert server.tls_url is not None
    assert server.tls_url.startswith("https://")
    assert urlsplit(server.url).port != urlsplit(server.tls_url).port
    assert httpx.get(server.url + "/hello", timeout=10).json() == {"hello": "world"}
    secure = httpx.get(server.tls_url + "/hello", verify=trusting(tmp_path / "ca" / "rootCA.pem"), timeout=10)
    assert secure.json() == {"hello": "world"}
    # One journal: both listeners serve the same services.
    server.assert_called("GET", "/hello", times=2)
    with pytest.raises(httpx.TransportError):
        httpx.get(server.tls_url.replace("https://", "http://") + "/hello", timeout=10)


@pytest.fixture
def mtls(pki: Pki) -> dict[str, Any]:
    server_ca, client_ca, stranger_ca = pki.ca("server-ca"), pki.ca("client-ca"), pki.ca("stranger-ca")
    return {
        "server_ca": server_ca,
        "client_ca": client_ca,
        "leaf": pki.issue(server_ca, "server"),
        "client": pki.issue(client_ca, "client", names=("client.example",), client=True),
        "stranger": pki.issue(stranger_ca, "stranger", names=("stranger.example",), client=True),
    }


def test_mtls_required_refuses_a_client_without_a_certificate_and_admits_one_signed_by_the_client_ca(
    write_spec: Callable[..., Path], serve: Serve, mtls: dict[str, Any]
) -> None:
    leaf, server_ca = mtls["leaf"], mtls["server_ca"].cert
    server = serve(write_spec(SPEC), tls_cert=leaf.cert, tls_key=leaf.key, tls_client_ca=mtls["client_ca"].cert)
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/hello", verify=trusting(server_ca), timeout=10)
    # Refused by the TLS layer: in TLS 1.2 the handshake itself fails; in TLS 1.3 (where the client's side of
    # the handshake ends first) the connection closes with no answer.
    tls12 = trusting(server_ca)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    assert tls_refusal(server.url, tls12)[0] == "handshake"
    assert tls_refusal(server.url, trusting(server_ca))[0] == "closed unanswered"
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/hello", verify=mtls["stranger"].client_context(server_ca), timeout=10)
    response = httpx.get(server.url + "/hello", verify=mtls["client"].client_context(server_ca), timeout=10)
    assert response.json() == {"hello": "world"}
    server.assert_called("GET", "/hello", times=1)  # the refused clients never reached the app


def test_mtls_optional_admits_clients_with_and_without_a_certificate(
    write_spec: Callable[..., Path], serve: Serve, mtls: dict[str, Any]
) -> None:
    leaf, server_ca = mtls["leaf"], mtls["server_ca"].cert
    server = serve(
        write_spec(SPEC),
        tls_cert=leaf.cert,
        tls_key=leaf.key,
        tls_client_ca=mtls["client_ca"].cert,
        tls_client_cert="optional",
    )
    assert httpx.get(server.url + "/hello", verify=trusting(server_ca), timeout=10).status_code == 200
    shown = httpx.get(server.url + "/hello", verify=mtls["client"].client_context(server_ca), timeout=10)
    assert shown.status_code == 200
    with pytest.raises(httpx.TransportError):  # a certificate shown must still be signed by the client CA
        httpx.get(server.url + "/hello", verify=mtls["stranger"].client_context(server_ca), timeout=10)


def test_a_spec_serves_its_own_port_over_https_beside_the_plain_shared_listener(
    write_spec: Callable[..., Path], serve: Serve, pki: Pki, tmp_path: Path
) -> None:
    ca = pki.ca("spec-ca")
    leaf = pki.issue(ca, "spec-server")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "server.pem").write_bytes(leaf.cert.read_bytes())
    (tmp_path / "certs" / "server-key.pem").write_bytes(leaf.key.read_bytes())
    secure = write_spec(
        """\
        service: secure
        port: 0
        tls: {cert: certs/server.pem, key: certs/server-key.pem}
        routes:
          - path: /secret
            response: {body: {secure: true}}
        """,
        name="secure.yaml",
    )
    auto = write_spec(
        """\
        service: automatic
        port: 0
        tls: auto
        routes:
          - path: /auto
            response: {body: {auto: true}}
        """,
        name="auto.yaml",
    )
    server = serve(secure, auto, write_spec(SPEC), tls_dir=tmp_path / "ca")
    assert server.url.startswith("http://")
    assert httpx.get(server.url + "/hello", timeout=10).json() == {"hello": "world"}
    secure_url = server.url_for("secure")
    assert secure_url.startswith("https://")
    assert httpx.get(secure_url + "/secret", verify=trusting(ca.cert), timeout=10).json() == {"secure": True}
    auto_url = server.url_for("automatic")
    local = trusting(tmp_path / "ca" / "rootCA.pem")
    assert httpx.get(auto_url + "/auto", verify=local, timeout=10).json() == {"auto": True}
    # The local CA's certificate names every service too, as other containers of a compose network reach them.
    served = x509.load_der_x509_certificate(peer_certificate(auto_url, local))
    names = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "automatic", "secure", "hello"} <= set(names.get_values_for_type(x509.DNSName))
