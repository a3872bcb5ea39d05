"""When a server traces: OpenTelemetry's variables, ``--trace`` over them, and nothing imported otherwise."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mockery.errors import ArgumentError
from mockery.server.options import ServerOptions, build_server
from mockery.tracing.settings import tracing_on
from tests.conftest import WriteSpec

ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}


@pytest.mark.parametrize(
    ("choice", "environ", "traced"),
    [
        (None, {}, False),
        ("auto", {}, False),
        ("auto", ENDPOINT, True),
        ("auto", {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ("auto", {"OTEL_EXPORTER_OTLP_ENDPOINT": " "}, False),
        ("auto", {**ENDPOINT, "OTEL_SDK_DISABLED": "true"}, False),
        ("off", ENDPOINT, False),
        ("OFF", ENDPOINT, False),
        ("on", {}, True),
        ("on", {**ENDPOINT, "OTEL_SDK_DISABLED": "true"}, True),
    ],
    ids=[
        "default-no-endpoint",
        "auto-no-endpoint",
        "auto-endpoint",
        "auto-traces-endpoint",
        "auto-blank-endpoint",
        "auto-sdk-disabled",
        "off-wins",
        "off-any-case",
        "on-default-endpoint",
        "on-wins",
    ],
)
def test_tracing_is_on_when(choice: str | None, environ: dict[str, str], traced: bool) -> None:
    assert tracing_on(choice, environ) is traced


def test_a_wrong_choice_names_the_valid_ones() -> None:
    with pytest.raises(ArgumentError, match=r"trace: 'sometimes' is not one of auto, on, off"):
        tracing_on("sometimes", {})


def test_an_unknown_otlp_protocol_is_refused_with_the_ones_known() -> None:
    from mockery.tracing.otel import exporter_protocol

    assert exporter_protocol({}) == "http/protobuf"
    assert exporter_protocol({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}) == "grpc"
    assert (
        exporter_protocol(
            {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}
        )
        == "http/protobuf"
    )
    with pytest.raises(ArgumentError, match=r"'http/json' is not one of http/protobuf, grpc"):
        exporter_protocol({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})


def test_trace_off_wins_over_the_endpoint_variable(write_spec: WriteSpec) -> None:
    spec = write_spec("service: quiet\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    off = build_server(ServerOptions(paths=(spec,), ephemeral=True, trace="off", environ=ENDPOINT))
    on = build_server(ServerOptions(paths=(spec,), ephemeral=True, environ=ENDPOINT))
    try:
        assert off.tracing is None
        assert on.tracing is not None
        assert "quiet" in repr(on.tracing)
    finally:
        off.close_store()
        on.close_store()
        if on.tracing is not None:
            on.tracing.flush()


def test_a_server_that_does_not_trace_never_imports_opentelemetry(write_spec: WriteSpec) -> None:
    spec = write_spec("service: plain\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    program = textwrap.dedent(f"""
        import os, sys
        import httpx
        from mockery import MockServer
        for name in list(os.environ):
            if name.startswith("OTEL_"):
                del os.environ[name]
        with MockServer({str(spec)!r}) as mock:
            assert httpx.get(mock.url + "/x").text == "ok"
        print(sorted(name for name in sys.modules if name.startswith("opentelemetry")))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
