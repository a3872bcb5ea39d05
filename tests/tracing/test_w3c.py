"""W3C Trace Context as mockery reads it, the samplers of ``OTEL_TRACES_SAMPLER``, and the export variables."""

from __future__ import annotations

import pytest

from mockery.errors import ArgumentError
from mockery.tracing.export import HttpSender, export_headers, http_endpoint
from mockery.tracing.w3c import Sampler, carried, parse_traceparent, traceparent

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"00-{TRACE}-{PARENT}-01", (int(TRACE, 16), int(PARENT, 16), 1)),
        (f"00-{TRACE}-{PARENT}-00", (int(TRACE, 16), int(PARENT, 16), 0)),
        (f" 00-{TRACE}-{PARENT}-01 ", (int(TRACE, 16), int(PARENT, 16), 1)),
        (f"01-{TRACE}-{PARENT}-01-future", (int(TRACE, 16), int(PARENT, 16), 1)),
        (f"00-{TRACE}-{PARENT}-01-extra", None),
        (f"ff-{TRACE}-{PARENT}-01", None),
        (f"00-{'0' * 32}-{PARENT}-01", None),
        (f"00-{TRACE}-{'0' * 16}-01", None),
        (f"00-{TRACE.upper()}-{PARENT}-01", None),
        (f"00-{TRACE[:-1]}g-{PARENT}-01", None),
        (f"00_{TRACE}_{PARENT}_01", None),
        ("", None),
        ("00-short", None),
    ],
    ids=["sampled", "not-sampled", "spaces", "future-version", "v00-too-long", "version-ff", "zero-trace",
         "zero-parent", "upper-case", "not-hex", "wrong-separator", "empty", "short"],
)  # fmt: skip
def test_a_traceparent_is_read_as_w3c_says(value: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_traceparent(value) == expected


def test_a_traceparent_written_reads_back() -> None:
    written = traceparent(int(TRACE, 16), int(PARENT, 16), True)
    assert written == f"00-{TRACE}-{PARENT}-01"
    assert parse_traceparent(written) == (int(TRACE, 16), int(PARENT, 16), 1)
    assert traceparent(1, 2, False) == f"00-{1:032x}-{2:016x}-00"


def test_tracestate_and_baggage_are_carried_as_received_within_bounds() -> None:
    assert carried(" user=alice ") == "user=alice"
    assert carried("") is None
    assert carried(None) is None
    assert carried("k=" + "v" * 9000) is None


@pytest.mark.parametrize(
    ("environ", "root", "with_sampled_parent", "with_unsampled_parent"),
    [
        ({}, True, True, False),
        ({"OTEL_TRACES_SAMPLER": "parentbased_always_off"}, False, True, False),
        ({"OTEL_TRACES_SAMPLER": "always_on"}, True, True, True),
        ({"OTEL_TRACES_SAMPLER": "always_off"}, False, False, False),
        ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"}, False, False, False),
        ({"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"}, True, True, False),
    ],
    ids=["default", "parentbased-always-off", "always-on", "always-off", "ratio-0", "parentbased-ratio-1"],
)
def test_the_samplers_decide_as_opentelemetrys_do(
    environ: dict[str, str], root: bool, with_sampled_parent: bool, with_unsampled_parent: bool
) -> None:
    sampler = Sampler(environ)
    trace = int(TRACE, 16)
    assert sampler.root(trace) is root
    assert sampler.sampled(trace, 1) is with_sampled_parent
    assert sampler.sampled(trace, 0) is with_unsampled_parent


def test_a_ratio_sampler_keeps_about_that_share_of_traces() -> None:
    sampler = Sampler({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"})
    kept = sum(sampler.root(index * 0x9E3779B97F4A7C15 % 2**64) for index in range(4000))
    assert 800 < kept < 1200


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OTEL_TRACES_SAMPLER": "sometimes"}, r"OTEL_TRACES_SAMPLER: 'sometimes' is not one of parentbased_always_on"),
        (
            {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"},
            r"'2' is not a ratio between 0 and 1",
        ),
        ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "half"}, r"'half' is not a ratio"),
    ],
    ids=["unknown-sampler", "ratio-over-1", "ratio-not-a-number"],
)
def test_a_wrong_sampler_setting_names_what_is_expected(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        Sampler(environ)


def test_the_export_variables_are_read_as_opentelemetry_documents_them() -> None:
    assert http_endpoint({}) == "http://localhost:4318/v1/traces"
    assert http_endpoint({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}) == "http://collector:4318/v1/traces"
    traces = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:2/custom"}
    assert http_endpoint(traces) == "http://b:2/custom"
    headers = {"OTEL_EXPORTER_OTLP_HEADERS": "api-key=s%20cret, X-Team=dev"}
    assert export_headers(headers) == {"api-key": "s cret", "x-team": "dev"}
    assert export_headers({**headers, "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "only=this"}) == {"only": "this"}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OTEL_EXPORTER_OTLP_HEADERS": "novalue"}, r"OTEL_EXPORTER_OTLP_HEADERS: 'novalue' is not key=value"),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
            r"'collector:4318/v1/traces' is not an http:// or https://",
        ),
        ({"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, r"OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' is not a number of seconds"),
        (
            {"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"},
            r"OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' is not one of none, gzip",
        ),
    ],
    ids=["header-without-value", "endpoint-without-scheme", "timeout-word", "unknown-compression"],
)
def test_a_wrong_export_variable_is_refused_with_its_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        HttpSender(environ)


def test_a_collector_that_is_not_there_loses_the_batch_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = HttpSender({"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"})
    assert repr(sender) == f"HttpSender('http://127.0.0.1:{port}/v1/traces')"
    assert sender.send(b"") is False
    assert "not exported" in caplog.text
