"""MockServer: real listeners in a background thread, started and stopped from a test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer, SpecErrors
from mockery.errors import UnknownServiceError

SPEC = """\
service: counter
routes:
  - path: /next
    random: per_call
    response: {body: {value: "{{ random.randint(1, 1000000) }}"}}
"""


def test_starts_on_a_free_port_and_stops_cleanly(write_spec: Callable[..., Path]) -> None:
    path = write_spec(SPEC)
    threads_before = threading.active_count()
    with MockServer(path) as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        assert mock.url_for("counter") == mock.url
        assert httpx.get(mock.url + "/next").status_code == 200
    assert threading.active_count() == threads_before
    with pytest.raises(httpx.ConnectError):
        httpx.get(mock.url + "/next")


def test_two_servers_run_side_by_side_on_different_ports(write_spec: Callable[..., Path]) -> None:
    path = write_spec(SPEC)
    with MockServer(path) as first, MockServer(path) as second:
        assert first.url != second.url
        assert httpx.get(first.url + "/next").content == httpx.get(second.url + "/next").content


def test_reset_replays_the_same_sequence_on_the_same_port(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    mock = serve(write_spec(SPEC))
    url = mock.url
    first = [httpx.get(url + "/next").json()["value"] for _ in range(3)]
    assert len(set(first)) == 3
    mock.reset()
    assert mock.url == url
    assert [httpx.get(url + "/next").json()["value"] for _ in range(3)] == first


def test_unknown_service_names_the_known_ones(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    mock = serve(write_spec(SPEC))
    with pytest.raises(UnknownServiceError, match="counter") as raised:
        mock.url_for("nope")
    assert isinstance(raised.value, KeyError)
    assert str(raised.value) == "no service named 'nope'; services: ['counter']"
    with pytest.raises(UnknownServiceError, match="no service named 'nope'; services: \\['counter'\\]"):
        mock.stub("nope", {"path": "/x"})


def test_invalid_specs_raise_before_anything_starts(write_spec: Callable[..., Path]) -> None:
    path = write_spec("service: broken\nroutes: [{path: nope}]\n")
    threads_before = threading.active_count()
    with pytest.raises(SpecErrors, match=r"spec\.yaml:2:17: routes\[0\]\.path"):
        MockServer(path)
    assert threading.active_count() == threads_before


def test_paths_and_inline_specs_are_separate_arguments(tmp_path: Path) -> None:
    # A path with a colon is a path: only inline= takes YAML text.
    folder = tmp_path / "a:b"
    folder.mkdir()
    (folder / "counter.yaml").write_text(SPEC, encoding="utf-8")
    extra = {"service": "extra", "routes": [{"path": "/extra", "response": {"body": "yes"}}]}
    with MockServer(str(folder), inline=extra) as mock:
        assert httpx.get(mock.url + "/extra").text == "yes"
        assert httpx.get(mock.url + "/next").status_code == 200
    other = SPEC.replace("counter", "other").replace("/next", "/other")
    with MockServer(specs=[folder], inline=[other]) as mock:
        assert httpx.get(mock.url + "/other").status_code == 200
        assert mock.url_for("other") == mock.url_for("counter")


@pytest.mark.parametrize("source", [SPEC, {"service": "counter"}], ids=["yaml-text", "mapping"])
def test_an_inline_spec_given_as_a_path_says_to_use_inline(source: object) -> None:
    with pytest.raises(TypeError, match="pass specs written in code as inline="):
        MockServer(source)  # type: ignore[arg-type]
