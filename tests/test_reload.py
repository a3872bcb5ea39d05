"""Hot reload: a `mockery serve --reload` process, its spec edited on disk while it serves."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sidecar_support import Process, serve, wait_for

from mockery.errors import ServeError
from mockery.load.loader import load_specs
from mockery.server.options import ServerOptions, build_server

RELOAD_BOUND = 2.0


def hello(text: str) -> str:
    return f"service: hello\nroutes:\n  - path: /hello\n    response: {{body: {{a: {text}, b: {text}}}}}\n"


BROKEN = "service: hello\nroutes:\n  - path: /hello\n    response: {body: {a: 1, b: 1\n"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    path = folder / "hello.yaml"
    path.write_text(hello("1"))
    return path


@pytest.fixture
def reloading(spec: Path) -> Iterator[Process]:
    process = serve(str(spec.parent), "--port", "0", "--reload", "--log-format", "json")
    yield process
    assert process.stop() == 0


def served(process: Process) -> object:
    return httpx.get(f"{process.url}/hello").json()


def serves(process: Process, version: int) -> Callable[[], bool]:
    return lambda: served(process) == {"a": version, "b": version}


def health(process: Process) -> dict[str, object]:
    body = httpx.get(f"{process.url}/__mockery/health").json()
    assert isinstance(body, dict)
    return body


def reload_report(process: Process) -> dict[str, Any]:
    """The guarded report, with every message (the test's listener is loopback, without a token)."""
    answer = httpx.get(f"{process.url}/__mockery/reload")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


def replace_atomically(path: Path, *, text: str | None = None, link_to: Path | None = None) -> None:
    """Replace ``path`` in one rename, as editors and Kubernetes do: by a file holding ``text``, or a symlink."""
    new = path.with_name(f".{path.name}.new")
    if link_to is not None:
        new.symlink_to(link_to)
    else:
        new.write_text(text or "")
    os.replace(new, path)


def relink(path: Path, target: Path) -> None:
    """Make ``path`` a symlink to ``target`` as ``rm``/``ln -s`` do: no other name is touched."""
    path.unlink()
    path.symlink_to(target)


def test_edit_then_break_then_fix(reloading: Process, spec: Path) -> None:
    assert served(reloading) == {"a": 1, "b": 1}

    spec.write_text(hello("2"))
    wait_for(lambda: served(reloading) == {"a": 2, "b": 2}, RELOAD_BOUND, "the edit being served")

    spec.write_text(BROKEN)
    wait_for(lambda: health(reloading)["last_reload_error"] is not None, RELOAD_BOUND, "the error being reported")
    assert served(reloading) == {"a": 2, "b": 2}
    report = health(reloading)
    assert report["status"] == "ok"
    error = report["last_reload_error"]
    assert isinstance(error, dict)
    assert error["count"] == 1
    [located] = error["errors"]
    assert set(located) == {"file", "line", "column"}
    assert located["file"].endswith("hello.yaml")
    assert located["line"] >= 4
    assert located["column"] >= 1
    assert f"hello.yaml:{located['line']}:{located['column']}" in error["message"]
    [full] = reload_report(reloading)["last_error"]["errors"]
    assert f":{located['line']}:{located['column']}:" in full["text"]

    spec.write_text(hello("3"))
    wait_for(lambda: served(reloading) == {"a": 3, "b": 3}, RELOAD_BOUND, "the fix being served")
    report = health(reloading)
    assert report["last_reload_error"] is None
    assert report["reload"]["generation"] == 3  # type: ignore[index]

    reloads = [record for record in reloading.records() if record["event"] == "reload"]
    assert [record["ok"] for record in reloads] == [True, False, True]
    assert "hello.yaml:" in str(reloads[1]["errors"])
    requests = [record for record in reloading.records() if record["event"] == "request"]
    assert requests
    assert all(record["path"] == "/hello" for record in requests)


def test_a_half_written_file_never_stops_the_serving(reloading: Process, spec: Path) -> None:
    text = hello("5")
    cut = text.index(", b:")
    with spec.open("w") as handle:
        handle.write(text[:cut])
        handle.flush()
        wait_for(lambda: health(reloading)["last_reload_error"] is not None, RELOAD_BOUND, "the partial write")
        assert served(reloading) == {"a": 1, "b": 1}
        handle.write(text[cut:])
    wait_for(lambda: served(reloading) == {"a": 5, "b": 5}, RELOAD_BOUND, "the whole file being served")
    assert reloading.process.poll() is None


@pytest.mark.slow
def test_requests_during_reloads_all_succeed_each_on_one_version(reloading: Process, spec: Path) -> None:
    answers: list[object] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def hammer() -> None:
        with httpx.Client() as client:
            while not done.is_set():
                try:
                    answers.append(client.get(f"{reloading.url}/hello").json())
                except BaseException as exc:
                    failures.append(exc)

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        # Under load, starting the clients can take longer than a reload: see the first version answered first.
        wait_for(lambda: len(answers) >= len(workers), RELOAD_BOUND, "the first answers")
        for version in range(2, 6):
            spec.write_text(hello(str(version)))
            wait_for(serves(reloading, version), RELOAD_BOUND, f"version {version}")
    finally:
        done.set()
        for worker in workers:
            worker.join()
    assert not failures
    assert len(answers) > 20
    assert all(isinstance(a, dict) and a["a"] == a["b"] for a in answers)
    assert {a["a"] for a in answers if isinstance(a, dict)} >= {1, 5}


def test_runtime_routes_survive_a_reload(reloading: Process, spec: Path) -> None:
    route = {"path": "/extra", "response": {"body": "added"}}
    assert httpx.post(f"{reloading.url}/__mockery/routes", json={"route": route}).status_code == 201
    spec.write_text(hello("9"))
    wait_for(lambda: served(reloading) == {"a": 9, "b": 9}, RELOAD_BOUND, "the edit being served")
    assert httpx.get(f"{reloading.url}/extra").text == "added"


def test_applying_specs_keeps_the_runtime_and_its_store(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    first = write_spec(hello("1"), "one/hello.yaml")
    server = build_server(ServerOptions(paths=(first,), ephemeral=True))
    runtime, store = server.runtime, server.runtime.store
    store.set_value("scenario:checkout", "paid")
    store.put_record("orders", "1", {"id": 1, "total": 12})
    second = write_spec(hello("2") + "seed: 4\n", "two/hello.yaml")
    server.apply_specs(load_specs([second]))
    assert server.runtime is runtime
    assert server.runtime.store is store
    assert store.get_value("scenario:checkout") == "paid"
    assert store.get_change("orders", "1") == (True, {"id": 1, "total": 12})
    assert runtime.specs is server.specs
    assert runtime.services["hello"].service.seed == 4


def test_a_change_that_needs_a_new_listener_is_refused_and_nothing_changes(write_spec: Callable[..., Path]) -> None:
    first = write_spec(hello("1"), "one/hello.yaml")
    server = build_server(ServerOptions(paths=(first,), ephemeral=True))
    other = write_spec("service: other\nport: 0\nroutes:\n  - path: /o\n", "two/other.yaml")
    before = server.specs
    with pytest.raises(ServeError, match="other would need a listener of its own"):
        server.apply_specs(load_specs([first, other]))
    assert server.specs is before


@pytest.mark.slow
def test_a_reload_reported_as_failed_keeps_serving_in_text_logs_too(spec: Path) -> None:
    process = serve(str(spec), "--port", "0", "--reload")
    try:
        spec.write_text(BROKEN)
        wait_for(lambda: "reload failed" in process.output, RELOAD_BOUND, "the failure being logged")
        assert served(process) == {"a": 1, "b": 1}
        started = time.monotonic()
        spec.write_text(hello("7"))
        wait_for(lambda: served(process) == {"a": 7, "b": 7}, RELOAD_BOUND, "the fix being served")
        assert time.monotonic() - started < RELOAD_BOUND
    finally:
        assert process.stop() == 0
    assert "still serving generation 1" in process.output
    assert "hello.yaml:" in process.output


@pytest.mark.slow
def test_records_created_through_the_api_survive_a_reload_that_did_not_touch_their_resource(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    spec = folder / "shop.yaml"
    resources = "resources:\n  customers:\n    count: 3\n    fields: {name: name}\n"
    spec.write_text(f"service: shop\n{resources}routes:\n  - path: /version\n    response: {{body: one}}\n")
    process = serve(str(folder), "--port", "0", "--reload", "--log-format", "json")
    try:
        created = httpx.post(f"{process.url}/customers", json={"name": "Ada"})
        assert created.status_code == 201
        location = created.headers["location"]
        template = "{{ resources.customers.get(4).name }}"
        spec.write_text(
            f"service: shop\n{resources}routes:\n  - path: /version\n    response: {{body: two}}\n"
            f'  - path: /fourth\n    response: {{body: "{template}"}}\n'
        )
        wait_for(lambda: httpx.get(f"{process.url}/version").text == "two", RELOAD_BOUND, "the edit being served")
        assert httpx.get(f"{process.url}{location}").json()["name"] == "Ada"
        assert httpx.get(f"{process.url}/customers").headers["x-total-count"] == "4"
        # Templates see the rebuilt collections too.
        assert httpx.get(f"{process.url}/fourth").text == "Ada"
    finally:
        assert process.stop() == 0


SECRET = "hunter2-7f1e9c"


def test_health_shows_where_a_reload_failed_but_not_what_the_file_says(reloading: Process, spec: Path) -> None:
    spec.write_text(f"service: hello\nport: {SECRET}\nroutes:\n  - path: /hello\n")
    wait_for(lambda: health(reloading)["last_reload_error"] is not None, RELOAD_BOUND, "the error being reported")
    answer = httpx.get(f"{reloading.url}/__mockery/health")
    assert SECRET not in answer.text
    error = answer.json()["last_reload_error"]
    assert error["count"] == 1
    assert error["errors"] == [{"file": error["errors"][0]["file"], "line": 2, "column": 7}]
    assert error["errors"][0]["file"].endswith("hello.yaml")
    assert "hello.yaml:2:7" in error["message"]
    # The messages stay where only the operator looks: the guarded report and the log.
    assert SECRET in reload_report(reloading)["last_error"]["errors"][0]["message"]
    failed = [record for record in reloading.records() if record["event"] == "reload" and not record["ok"]]
    assert SECRET in str(failed[0]["errors"])
    assert served(reloading) == {"a": 1, "b": 1}


@pytest.mark.parametrize("named", ["folder", "file"])
@pytest.mark.slow
def test_a_spec_swapped_for_a_symlink_to_another_file_is_refused_without_showing_it(
    spec: Path, tmp_path: Path, named: str
) -> None:
    private = tmp_path / "private" / "passwd"
    private.parent.mkdir()
    private.write_text(f"# accounts\nroot:x:0:0:{SECRET}:/root:/bin/bash\n")
    process = serve(str(spec.parent if named == "folder" else spec), "--port", "0", "--reload")
    try:
        relink(spec, private)
        wait_for(lambda: health(process)["last_reload_error"] is not None, RELOAD_BOUND, "the swap being noticed")
        answer = httpx.get(f"{process.url}/__mockery/health")
        assert SECRET not in answer.text
        assert "root:x" not in answer.text
        error = answer.json()["last_reload_error"]
        assert error["count"] == 1
        # Located in the file the loader read (it follows a spec's symlink, at start-up as on reload).
        assert error["errors"] == [{"file": str(private.resolve()), "line": 2, "column": 1}]
        assert f"{private.resolve()}:2:1" in error["message"]
        assert served(process) == {"a": 1, "b": 1}
        assert SECRET in reload_report(process)["last_error"]["message"]
        # Pointed back at a good spec, it is served again.
        good = tmp_path / "private" / "hello.yaml"
        good.write_text(hello("2"))
        relink(spec, good)
        wait_for(lambda: served(process) == {"a": 2, "b": 2}, RELOAD_BOUND, "the good spec being served")
        assert health(process)["last_reload_error"] is None
    finally:
        assert process.stop() == 0


@pytest.mark.parametrize("named", ["folder", "file"])
@pytest.mark.slow
def test_a_symlinked_spec_is_reloaded_when_swapped_or_when_its_target_changes(
    spec: Path, tmp_path: Path, named: str
) -> None:
    shared = tmp_path / "shared"  # outside the specs folder
    shared.mkdir()
    one, two = shared / "one.yaml", shared / "two.yaml"
    one.write_text(hello("2"))
    two.write_text(hello("3"))
    process = serve(str(spec.parent if named == "folder" else spec), "--port", "0", "--reload")
    try:
        assert served(process) == {"a": 1, "b": 1}
        relink(spec, one)
        wait_for(lambda: served(process) == {"a": 2, "b": 2}, RELOAD_BOUND, "the file replaced by a symlink")
        one.write_text(hello("4"))
        wait_for(lambda: served(process) == {"a": 4, "b": 4}, RELOAD_BOUND, "the target edited in place")
        replace_atomically(one, text=hello("5"))
        wait_for(lambda: served(process) == {"a": 5, "b": 5}, RELOAD_BOUND, "the target replaced")
        one.write_text(hello("6"))
        wait_for(lambda: served(process) == {"a": 6, "b": 6}, RELOAD_BOUND, "the replaced target edited")
        relink(spec, two)
        wait_for(lambda: served(process) == {"a": 3, "b": 3}, RELOAD_BOUND, "the symlink pointed elsewhere")
        two.write_text(hello("7"))
        wait_for(lambda: served(process) == {"a": 7, "b": 7}, RELOAD_BOUND, "the new target edited")
        assert httpx.get(f"{process.url}/__mockery/health").json()["last_reload_error"] is None
    finally:
        assert process.stop() == 0


@pytest.mark.slow
def test_a_configmap_style_update_is_reloaded(tmp_path: Path) -> None:
    """Kubernetes mounts a ConfigMap as ``name -> ..data/name`` and ``..data -> ..<version>``, and updates it
    by pointing ``..data`` at a new version folder in one rename."""
    folder = tmp_path / "specs"
    (folder / "..v1").mkdir(parents=True)
    (folder / "..v1" / "hello.yaml").write_text(hello("1"))
    (folder / "..data").symlink_to("..v1")
    (folder / "hello.yaml").symlink_to("..data/hello.yaml")
    process = serve(str(folder), "--port", "0", "--reload")
    try:
        assert served(process) == {"a": 1, "b": 1}
        (folder / "..v2").mkdir()
        (folder / "..v2" / "hello.yaml").write_text(hello("2"))
        replace_atomically(folder / "..data", link_to=Path("..v2"))
        (folder / "..v1" / "hello.yaml").unlink()
        (folder / "..v1").rmdir()
        wait_for(lambda: served(process) == {"a": 2, "b": 2}, RELOAD_BOUND, "the new version")
        assert httpx.get(f"{process.url}/__mockery/health").json()["last_reload_error"] is None
    finally:
        assert process.stop() == 0
