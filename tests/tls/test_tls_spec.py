"""A spec's `tls` key: read with its files in the spec's folder, checked when the spec loads, and agreed on by
the services of one port; every mistake located."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from pki_support import NOW, Pki

from mockery.errors import ServeError, SpecErrors
from mockery.load.loader import load_specs
from mockery.model.tls import TlsSettings
from mockery.server.options import ServerOptions, build_server
from mockery.server.server import plan_listeners

WriteSpec = Callable[..., Path]


@pytest.fixture(autouse=True)
def _in_the_specs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # errors name the spec files relative to here


def _errors(path: Path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_specs([path], environ={})
    return [str(error) for error in caught.value.errors]


def _certs(pki: Pki, folder: Path) -> None:
    """server.pem/server-key.pem, other-key.pem, old.pem/old-key.pem (expired), ca.pem beside the spec."""
    ca = pki.ca("ca")
    leaf, other = pki.issue(ca, "server"), pki.issue(ca, "other")
    old = pki.issue(ca, "old", not_before=NOW - datetime.timedelta(days=30), not_after=NOW - datetime.timedelta(days=1))
    for name, source in {
        "server.pem": leaf.cert,
        "server-key.pem": leaf.key,
        "other-key.pem": other.key,
        "old.pem": old.cert,
        "old-key.pem": old.key,
        "ca.pem": ca.cert,
    }.items():
        (folder / name).write_bytes(source.read_bytes())
    (folder / "notes.txt").write_text("not a certificate\n", encoding="utf-8")


def test_tls_auto_and_given_files_become_settings(write_spec: WriteSpec, pki: Pki, tmp_path: Path) -> None:
    _certs(pki, tmp_path)
    auto = write_spec("service: a\nport: 9001\ntls: auto\n", name="a.yaml")
    given = write_spec(
        "service: b\nport: 9002\ntls: {cert: server.pem, key: server-key.pem, client_ca: ca.pem}\n", name="b.yaml"
    )
    optional = write_spec(
        "service: c\nport: 9003\ntls: {auto: true, client_ca: ca.pem, client_cert: optional}\n", name="c.yaml"
    )
    specs = load_specs([auto, given, optional], environ={})
    settings = {service.name: service.tls for service in specs.services}
    assert settings["a"] == TlsSettings(auto=True)
    assert settings["b"] == TlsSettings(
        cert=tmp_path / "server.pem",
        key=tmp_path / "server-key.pem",
        client_ca=tmp_path / "ca.pem",
        client_cert="required",  # the default with a client CA
    )
    assert settings["c"] == TlsSettings(auto=True, client_ca=tmp_path / "ca.pem", client_cert="optional")
    plans = {plan.services[0].name: plan.tls for plan in plan_listeners(specs) if plan.services}
    assert plans == settings


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        pytest.param("autp", ["spec.yaml:3:6: tls: expected one of auto; got 'autp'; did you mean 'auto'?"], id="typo"),
        pytest.param("5", ["spec.yaml:3:6: tls: expected a string or a mapping, got 5"], id="wrong-type"),
        pytest.param(
            "{cert: server.pem, kee: server-key.pem}",
            [
                "spec.yaml:3:6: tls: `tls` needs `cert` and `key`; `key` is missing; or write `tls: auto`",
                "spec.yaml:3:25: tls.kee: unknown key 'kee'; did you mean 'key'?",
            ],
            id="unknown-key",
        ),
        pytest.param(
            "{auto: true, cert: server.pem, key: server-key.pem}",
            ["spec.yaml:3:13: tls.auto: `auto` and `cert`/`key` exclude each other; keep one of them"],
            id="auto-and-files",
        ),
        pytest.param(
            "{cert: ../server.pem, key: /etc/key.pem}",
            [
                "spec.yaml:3:13: tls.cert: '../server.pem' lies outside the spec's folder; keep certificates "
                "beside the spec",
                "spec.yaml:3:33: tls.key: '/etc/key.pem' is an absolute path; name a file relative to the "
                "spec's folder",
            ],
            id="outside-the-folder",
        ),
        pytest.param(
            "{cert: server.pem, key: other-key.pem}",
            ["spec.yaml:3:30: tls.key: 'other-key.pem' is not the key of the certificate 'server.pem'"],
            id="key-of-another-certificate",
        ),
        pytest.param(
            "{cert: notes.txt, key: notes.txt}",
            [
                "spec.yaml:3:13: tls.cert: 'notes.txt' holds no PEM certificate (a file starting with "
                "-----BEGIN CERTIFICATE-----)",
                "spec.yaml:3:29: tls.key: 'notes.txt' holds no PEM private key (a file starting with "
                "-----BEGIN ... PRIVATE KEY-----)",
            ],
            id="not-pem",
        ),
        pytest.param(
            "{auto: true, client_cert: required}",
            [
                "spec.yaml:3:32: tls.client_cert: `client_cert` needs `client_ca`: the CA that signs the "
                "clients' certificates; add `client_ca: clients-ca.pem`"
            ],
            id="client-cert-without-ca",
        ),
        pytest.param(
            "{auto: true, client_ca: notes.txt}",
            [
                "spec.yaml:3:30: tls.client_ca: 'notes.txt' holds no PEM certificate (a file starting with "
                "-----BEGIN CERTIFICATE-----)"
            ],
            id="client-ca-not-pem",
        ),
    ],
)
def test_a_wrong_tls_is_located(tls: str, expected: list[str], write_spec: WriteSpec, pki: Pki, tmp_path: Path) -> None:
    _certs(pki, tmp_path)
    spec = write_spec(f"service: a\nport: 9001\ntls: {tls}\n")
    assert _errors(spec) == expected


def test_an_expired_certificate_and_a_missing_file_are_located(write_spec: WriteSpec, pki: Pki, tmp_path: Path) -> None:
    _certs(pki, tmp_path)
    expired = write_spec("service: a\nport: 9001\ntls: {cert: old.pem, key: old-key.pem}\n", name="a.yaml")
    [error] = _errors(expired)
    assert error.startswith("a.yaml:3:13: tls.cert: 'old.pem' expired on ")
    missing = write_spec("service: b\nport: 9002\ntls: {cert: gone.pem, key: server-key.pem}\n", name="b.yaml")
    assert _errors(missing) == [f"b.yaml:3:13: tls.cert: file 'gone.pem' does not exist in {tmp_path}"]


def test_services_sharing_a_port_must_agree_on_tls(write_spec: WriteSpec) -> None:
    first = write_spec("service: a\nport: 9001\ntls: auto\nroutes: [{path: /a}]\n", name="a.yaml")
    plain = write_spec("service: b\nport: 9001\nroutes: [{path: /b}]\n", name="b.yaml")
    same = write_spec("service: c\nport: 9001\ntls: auto\nroutes: [{path: /c}]\n", name="c.yaml")
    with pytest.raises(SpecErrors) as caught:
        plan_listeners(load_specs([first, plain, same], environ={}))
    assert [str(error) for error in caught.value.errors] == [
        "b.yaml:1:10: tls: port 9001 is shared with 'a' (a.yaml:3:6), which serves it with auto: one port "
        "speaks one protocol; give both services the same `tls`, or each a port of its own"
    ]
    plans = plan_listeners(load_specs([first, same], environ={}))
    assert [plan.tls for plan in plans if plan.services] == [TlsSettings(auto=True)]


def test_a_service_on_the_shared_listener_cannot_have_its_own_tls(write_spec: WriteSpec) -> None:
    spec = write_spec("service: a\ntls: auto\nroutes: [{path: /a}]\n")
    with pytest.raises(SpecErrors) as caught:
        plan_listeners(load_specs([spec], environ={}))
    [error] = caught.value.errors
    assert (error.line, error.column, error.path) == (2, 6, "tls")
    assert "give the service a `port` of its own" in str(error)
    # A port equal to the shared one is the shared listener too.
    same = write_spec("service: a\nport: 8000\ntls: auto\nroutes: [{path: /a}]\n")
    with pytest.raises(SpecErrors):
        plan_listeners(load_specs([same], environ={}), port=8000)


def test_a_reload_that_changes_tls_asks_for_a_restart(write_spec: WriteSpec) -> None:
    spec = write_spec("service: a\nport: 0\nroutes: [{path: /a}]\n")
    server = build_server(ServerOptions(paths=(spec,), port=0, ephemeral=True, environ={}))
    write_spec("service: a\nport: 0\ntls: auto\nroutes: [{path: /a}]\n")
    with pytest.raises(ServeError, match="TLS settings of a changed: restart mockery"):
        server.apply_specs(load_specs([spec], environ={}))
    assert server.specs.services[0].tls is None


def test_a_reload_reaches_both_sides_of_a_listener_served_over_http_and_https(
    write_spec: WriteSpec, tmp_path: Path
) -> None:
    spec = write_spec("service: a\nroutes: [{path: /a}]\n")
    options = ServerOptions(paths=(spec,), port=0, ephemeral=True, environ={}, tls="auto", tls_port=0, tls_dir=tmp_path)
    server = build_server(options)
    assert [(plan.shared, plan.tls) for plan in server.plans] == [(True, None), (True, TlsSettings(auto=True))]
    write_spec("service: a\nroutes: [{path: /a}, {path: /b}]\n")
    server.apply_specs(load_specs([spec], environ={}))
    assert [[route.path for route in plan.services[0].routes] for plan in server.plans] == [["/a", "/b"]] * 2
