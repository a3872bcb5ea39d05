"""The local development CA: where it lives, how its files are kept, and when its leaf is issued again."""

from __future__ import annotations

import datetime
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from mockery.errors import ServeError
from mockery.server import certificates
from mockery.server.certificates import leaf_for, local_ca, tls_folder, trust_instructions, valid_names


def _names(cert: Path) -> set[str]:
    certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    alternatives = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {
        *alternatives.get_values_for_type(x509.DNSName),
        *map(str, alternatives.get_values_for_type(x509.IPAddress)),
    }


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        pytest.param("/given", {"MOCKERY_TLS_DIR": "/env", "XDG_DATA_HOME": "/xdg"}, "/given", id="option-first"),
        pytest.param(None, {"MOCKERY_TLS_DIR": "/env", "XDG_DATA_HOME": "/xdg"}, "/env", id="variable"),
        pytest.param(None, {"XDG_DATA_HOME": "/xdg"}, "/xdg/mockery/tls", id="xdg-data-home"),
        pytest.param(None, {"MOCKERY_TLS_DIR": "", "XDG_DATA_HOME": ""}, "~/.local/share/mockery/tls", id="home"),
    ],
)
def test_the_ca_folder_is_chosen_in_order(explicit: str | None, environ: dict[str, str], expected: str) -> None:
    found = tls_folder(Path(explicit) if explicit else None, environ)
    assert found == Path(expected).expanduser()


def test_the_ca_is_made_once_with_private_keys_only_its_owner_reads(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    ca = local_ca(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(ca.key.stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate(ca.cert.read_bytes())
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    first = ca.cert.read_bytes()
    assert local_ca(folder).cert.read_bytes() == first  # kept, not made again
    leaf = leaf_for(folder, ["payments"])
    assert stat.S_IMODE(leaf.key.stat().st_mode) == 0o600


def test_the_leaf_names_the_loopback_addresses_and_the_services_and_is_signed_by_the_ca(tmp_path: Path) -> None:
    leaf = leaf_for(tmp_path, ["payments", "users.internal", "192.0.2.7"])
    assert _names(leaf.cert) == {"localhost", "127.0.0.1", "::1", "payments", "users.internal", "192.0.2.7"}
    issued = x509.load_pem_x509_certificate(leaf.cert.read_bytes())
    issued.verify_directly_issued_by(x509.load_pem_x509_certificate((tmp_path / "rootCA.pem").read_bytes()))
    assert issued.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(leaf.cert, leaf.key)  # the key is the certificate's


def test_the_leaf_is_kept_while_the_names_hold_and_issued_again_when_they_change(tmp_path: Path) -> None:
    first = leaf_for(tmp_path, ["payments"]).cert.read_bytes()
    assert leaf_for(tmp_path, ["payments"]).cert.read_bytes() == first
    assert leaf_for(tmp_path, ["payments", "payments"]).cert.read_bytes() == first
    changed = leaf_for(tmp_path, ["orders"])
    assert changed.cert.read_bytes() != first
    assert "orders" in _names(changed.cert)
    assert "payments" not in _names(changed.cert)


def test_the_leaf_is_issued_again_when_it_nears_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = leaf_for(tmp_path, []).cert.read_bytes()
    monkeypatch.setattr(certificates, "RENEW_BEFORE", datetime.timedelta(days=certificates.LEAF_DAYS + 1))
    assert leaf_for(tmp_path, []).cert.read_bytes() != first


def test_a_new_ca_issues_a_new_leaf(tmp_path: Path) -> None:
    old = leaf_for(tmp_path, [])
    first = old.cert.read_bytes()
    (tmp_path / "rootCA.pem").unlink()
    (tmp_path / "rootCA-key.pem").unlink()
    leaf = leaf_for(tmp_path, [])
    assert leaf.cert.read_bytes() != first
    issued = x509.load_pem_x509_certificate(leaf.cert.read_bytes())
    issued.verify_directly_issued_by(x509.load_pem_x509_certificate((tmp_path / "rootCA.pem").read_bytes()))


def test_a_damaged_ca_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    local_ca(tmp_path)
    (tmp_path / "rootCA-key.pem").write_text("not a key\n", encoding="utf-8")
    with pytest.raises(ServeError, match=r"damaged.*delete the folder"):
        leaf_for(tmp_path, [])


def test_a_folder_that_cannot_be_made_is_an_error_naming_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ServeError, match="MOCKERY_TLS_DIR") as caught:
        local_ca(blocker / "tls")
    assert str(blocker / "tls") in str(caught.value)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["payments", "Users.Internal."], ["payments", "users.internal"], id="dns-names"),
        pytest.param(["0.0.0.0", "::", ""], [], id="wildcards-are-not-names"),
        pytest.param(["10.0.0.1", "fe80::1"], ["10.0.0.1", "fe80::1"], id="addresses"),
        pytest.param(["my service", "under_score", "-dash", "ünï"], [], id="not-host-names"),
    ],
)
def test_only_host_names_and_addresses_go_into_a_certificate(names: list[str], expected: list[str]) -> None:
    assert valid_names(names) == expected


def test_the_trust_instructions_cover_systems_browsers_and_clients(tmp_path: Path) -> None:
    text = trust_instructions(tmp_path / "rootCA.pem")
    for needle in (
        str(tmp_path / "rootCA.pem"),
        "update-ca-certificates",
        "security add-trusted-cert",
        "certutil -d sql:",
        "SSL_CERT_FILE=",
        "REQUESTS_CA_BUNDLE=",
        "NODE_EXTRA_CA_CERTS=",
    ):
        assert needle in text, needle
