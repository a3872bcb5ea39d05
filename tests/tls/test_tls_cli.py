"""`mockery serve --tls...` and `mockery tls ca`: the options checked before anything listens, each problem
naming its option and file, all of them at once."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from pki_support import NOW, Pki

from mockery import MockServer
from mockery.cli import cli
from mockery.model.tls import TlsSettings
from mockery.server.tls import TlsError, serve_settings


@pytest.fixture
def files(pki: Pki) -> dict[str, Path]:
    ca = pki.ca("ca")
    leaf, other = pki.issue(ca, "server"), pki.issue(ca, "other")
    expired = pki.issue(
        ca, "expired", not_before=NOW - datetime.timedelta(days=9), not_after=NOW - datetime.timedelta(days=2)
    )
    future = pki.issue(ca, "future", not_before=NOW + datetime.timedelta(days=2))
    encrypted = pki.folder / "encrypted-key.pem"
    encrypted.write_bytes(
        leaf.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    text = pki.folder / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    return {
        "cert": leaf.cert,
        "key": leaf.key,
        "other_key": other.key,
        "expired": expired.cert,
        "expired_key": expired.key,
        "future": future.cert,
        "future_key": future.key,
        "encrypted": encrypted,
        "ca": ca.cert,
        "text": text,
        "missing": pki.folder / "missing.pem",
    }


def test_a_good_certificate_and_key_become_settings(files: dict[str, Path]) -> None:
    assert serve_settings(cert=files["cert"], key=files["key"]) == TlsSettings(cert=files["cert"], key=files["key"])
    assert serve_settings() is None
    assert serve_settings(tls="auto") == TlsSettings(auto=True)
    # An HTTPS port, or a client CA, alone: a certificate of the local CA.
    assert serve_settings(tls_port=8443) == TlsSettings(auto=True)
    assert serve_settings(client_ca=files["ca"], client_cert="optional") == TlsSettings(
        auto=True, client_ca=files["ca"], client_cert="optional"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            {"cert": "missing", "key": "key"}, ["--tls-cert {missing}: cannot be read: No such file"], id="missing"
        ),
        pytest.param(
            {"cert": "cert", "key": "other_key"},
            ["--tls-key {other_key}: is not the key of the certificate"],
            id="mismatch",
        ),
        pytest.param({"cert": "expired", "key": "expired_key"}, ["--tls-cert {expired}: expired on "], id="expired"),
        pytest.param(
            {"cert": "future", "key": "future_key"}, ["--tls-cert {future}: is not valid before "], id="not-yet-valid"
        ),
        pytest.param(
            {"cert": "text", "key": "key"}, ["--tls-cert {text}: holds no PEM certificate"], id="not-a-certificate"
        ),
        pytest.param({"cert": "cert", "key": "encrypted"}, ["--tls-key {encrypted}: is encrypted"], id="encrypted-key"),
        pytest.param({"cert": "cert"}, ["--tls-cert needs --tls-key too"], id="cert-alone"),
        pytest.param({"key": "key"}, ["--tls-key needs --tls-cert too"], id="key-alone"),
        pytest.param(
            {"cert": "cert", "key": "key", "client_ca": "text"},
            ["--tls-client-ca {text}: holds no PEM certificate"],
            id="client-ca",
        ),
        pytest.param(
            {"cert": "missing", "key": "text", "client_ca": "missing"},
            [
                "--tls-cert {missing}: cannot be read",
                "--tls-key {text}: holds no PEM private key",
                "--tls-client-ca {missing}: cannot be read",
            ],
            id="all-at-once",
        ),
    ],
)
def test_bad_files_are_errors_naming_the_option_and_the_file(
    given: dict[str, str], expected: list[str], files: dict[str, Path]
) -> None:
    with pytest.raises(TlsError) as caught:
        serve_settings(**{option: files[name] for option, name in given.items()})  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("cannot serve HTTPS:\n")
    lines = message.splitlines()[1:]
    assert len(lines) == len(expected), message
    for line, start in zip(lines, expected, strict=True):
        assert line.strip().startswith(start.format(**files)), line


def test_auto_and_a_given_certificate_exclude_each_other(files: dict[str, Path]) -> None:
    with pytest.raises(TlsError, match="--tls auto and --tls-cert/--tls-key exclude each other"):
        serve_settings(tls="auto", cert=files["cert"], key=files["key"])


def test_mock_server_refuses_bad_files_before_it_serves(files: dict[str, Path], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("service: a\nroutes: [{path: /a}]\n", encoding="utf-8")
    with pytest.raises(TlsError, match=str(files["other_key"])):
        MockServer(spec, tls_cert=files["cert"], tls_key=files["other_key"])


def test_serve_prints_the_problem_and_exits_1_before_listening(files: dict[str, Path], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("service: a\nroutes: [{path: /a}]\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--port",
            "0",
            "--tls-cert",
            str(files["expired"]),
            "--tls-key",
            str(files["expired_key"]),
            str(spec),
        ],
    )
    assert result.exit_code == 1, result.output
    assert f"--tls-cert {files['expired']}: expired on " in result.output
    assert "listening" not in result.output


def test_serve_reads_the_tls_variables(files: dict[str, Path], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("service: a\nroutes: [{path: /a}]\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["serve", "--port", "0", str(spec)],
        env={"MOCKERY_TLS_CERT": str(files["cert"]), "MOCKERY_TLS_KEY": str(files["other_key"])},
    )
    assert result.exit_code == 1
    assert f"--tls-key {files['other_key']}: is not the key of the certificate" in result.output


def test_serve_refuses_an_unknown_tls_mode() -> None:
    result = CliRunner().invoke(cli, ["serve", "--tls", "manual", "specs"])
    assert result.exit_code == 2
    assert "'manual' is not 'auto'" in result.output


def test_tls_ca_creates_the_ca_and_says_how_to_trust_it(tmp_path: Path) -> None:
    folder = tmp_path / "ca"
    result = CliRunner().invoke(cli, ["tls", "ca"], env={"MOCKERY_TLS_DIR": str(folder)})
    assert result.exit_code == 0, result.output
    ca = folder / "rootCA.pem"
    assert ca.read_text(encoding="utf-8").startswith("-----BEGIN CERTIFICATE-----")
    assert result.output.startswith(f"mockery's local development CA: {ca}\n")
    for needle in ("update-ca-certificates", "add-trusted-cert", "certutil", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"):
        assert needle in result.output
    again = CliRunner().invoke(cli, ["tls", "ca", "--path", "--tls-dir", str(folder)])
    assert again.output == f"{ca}\n"


def test_tls_ca_in_a_folder_it_cannot_make_exits_1_with_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["tls", "ca", "--tls-dir", str(blocker / "ca")])
    assert result.exit_code == 1
    assert "set MOCKERY_TLS_DIR" in result.output
