"""Template bombs over real HTTP: a few characters of template that ask for gigabytes are refused before they
allocate, with a 500 problem naming the route and the limit, while the server keeps serving.

The server runs in a process of its own, under a memory limit (``RLIMIT_AS``): its peak resident memory is
measured around the bombs, and a server that did build one could only fail, never take the machine with it.
The sizes come from the request (none is sent, so the defaults apply): the spec loads, and each route fails
when it renders. The same templates with constant sizes are refused when the spec loads, also tested here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner
from hostile_support import hostile_beside_ordinary

from mockery.cli import cli

MEMORY_LIMIT = 1536 * 1024 * 1024
PROMPT_SECONDS = 1.0
GROWTH_LIMIT = 200 * 1024 * 1024
N = "request.query.n|default"  # a size the request may give: N(10**9)|int is 10**9 unless it gives one

# name -> the route's body. Each one, rendered, would build gigabytes (or terabytes once serialised); mockery
# before these checks built each one, or crashed on it.
SHARED = (
    f"{{% set a = ['x' * {N}(100000)|int] * 9 %}}{{% set b = [a, a, a, a, a, a, a, a, a, a] %}}"
    "{% set c = [b, b, b, b, b, b, b, b, b, b] %}"
)  # c is 90 MB as text, in a few kilobytes of memory
BOMBS: dict[str, Any] = {
    "nested-repeat": {"x": f"{{{{ ['x' * 1000000] * {N}(1000000)|int }}}}"},
    "nested-repeat-reversed": {"x": f"{{{{ {N}(1000000)|int * ['x' * 1000000] }}}}"},
    "bytes-repeat": {"x": f"{{{{ 'x'.encode() * {N}(10**10)|int }}}}"},
    "concat-doubling": (
        f"{{% set a = 'x' * {N}(1000000)|int %}}{{% set b = a ~ a ~ a ~ a %}}{{% set c = b ~ b ~ b ~ b %}}"
        "{{ c|length }}"
    ),
    "list-concat": (
        f"{{% set a = ['x' * {N}(600000)|int] %}}{{% set b = a + a + a + a + a + a + a + a + a + a %}}"
        "{% set c = b + b + b + b + b + b + b + b + b + b %}{{ c + c + c + c + c + c + c + c + c + c }}"
    ),
    "join": SHARED + "{{ [c, c, c, c, c, c, c, c, c, c]|join }}",
    "format-filter": {"x": f"{{{{ ('%(a)s' * {N}(190000)|int)|format(a='x' * 5000) }}}}"},
    "percent": {"x": f"{{{{ ('%(a)s' * {N}(190000)|int) % {{'a': 'x' * 5000}} }}}}"},
    "str-format": {"x": f"{{{{ ('{{0}}' * {N}(300000)|int).format('x' * 1000) }}}}"},
    "indent": {"x": f"{{{{ ('\\n' * 999999)|indent('x' * {N}(999999)|int, blank=true) }}}}"},
    "expandtabs": {"x": f"{{{{ ('\\t' * 999999).expandtabs({N}(9999)|int) }}}}"},
    "tojson-indent": {"x": f"{{{{ ([0] * 90000)|tojson(indent={N}(9999)|int) }}}}"},
    "batch-fill": {"x": f"{{{{ [1]|batch({N}(10**9)|int, 'x')|list }}}}"},
    "shared-references": SHARED + "{{ [c, c, c, c, c, c, c, c, c, c] }}",
    "loop-doubling": (
        f"{{% set ns = namespace(items=[1]) %}}{{% for i in range({N}(40)|int) %}}"
        "{% set ns.items = ns.items + [ns.items, ns.items] %}{% endfor %}{{ ns.items }}"
    ),
    "loop-copies": (
        f"{{% set ns = namespace(kept=[]) %}}{{% set big = [0] * {N}(400000)|int %}}"
        "{% for i in range(10000) %}{% set ns.kept = [ns.kept, big[1:]] %}{% endfor %}{{ ns.kept|length }}"
    ),
    "many-values": {f"v{index}": f"{{{{ 'x' * {N}(1000000)|int }}}}" for index in range(300)},
}
# A list of 40 references to the request's body: the echo route shows 50 of them.
ECHO_40 = "[" + ", ".join(["request.body"] * 40) + "]"

SERVER = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from mockery import MockServer
server = MockServer(sys.argv[2]).start()
print(server.url, flush=True)
sys.stdin.read()
server.stop()
"""


class Served:
    """A MockServer in a process of its own, under a memory limit."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def peak(self) -> int:
        """The process's peak resident set size in bytes (``VmHWM``)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no VmHWM for process {self.process.pid}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc/PID/status")
    routes: list[dict[str, Any]] = [{"path": "/ok", "response": {"body": {"ok": True}}}]
    routes += [{"name": name, "path": f"/bomb/{name}", "response": {"body": body}} for name, body in BOMBS.items()]
    routes.append(
        {
            "name": "echo-many",
            "path": "/echo-many",
            "method": "POST",
            "response": {"body": {"x": "{{ [" + ", ".join([ECHO_40] * 50) + "] }}"}},
        }
    )
    spec = tmp_path_factory.mktemp("bombs") / "bombs.yaml"
    spec.write_text(json.dumps({"service": "bombs", "routes": routes}))
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(MEMORY_LIMIT), str(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://"), f"the server did not start (exit status {process.poll()})"
    try:
        yield Served(process, url)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def assert_limit_problem(status: int, body: bytes, route: str) -> None:
    assert status == 500, body[:500]
    document = orjson.loads(body)
    assert document["title"] == "Template error"
    assert document["route"] == route
    assert f"route {route} failed" in document["detail"]
    assert "limit" in document["detail"], document["detail"]


@pytest.mark.parametrize("name", BOMBS)
@pytest.mark.slow
def test_a_bomb_answers_a_500_problem_and_the_server_keeps_serving(served: Served, name: str) -> None:
    httpx.get(f"{served.url}/ok").raise_for_status()  # what the server allocates once is in the baseline
    before = served.peak()
    outcome = hostile_beside_ordinary(served.url, "GET", f"/bomb/{name}", "/ok")
    assert_limit_problem(outcome.status, outcome.body, name)
    assert outcome.ordinary_seconds < PROMPT_SECONDS
    grown = served.peak() - before
    assert grown < GROWTH_LIMIT, f"the server's peak RSS grew by {grown / 2**20:.0f} MiB"


def test_request_data_repeated_in_one_answer_is_counted_each_time(served: Served) -> None:
    document = {"items": ["y" * 100] * 10_000}  # a megabyte, shown 2,000 times
    httpx.get(f"{served.url}/ok").raise_for_status()
    before = served.peak()
    outcome = hostile_beside_ordinary(served.url, "POST", "/echo-many", "/ok", body=document)
    assert_limit_problem(outcome.status, outcome.body, "echo-many")
    assert outcome.ordinary_seconds < PROMPT_SECONDS
    grown = served.peak() - before
    assert grown < GROWTH_LIMIT, f"the server's peak RSS grew by {grown / 2**20:.0f} MiB"


def test_a_bomb_posted_as_a_runtime_route_is_refused_or_fails_when_it_renders(served: Served) -> None:
    routes = f"{served.url}/__mockery/routes"
    httpx.get(f"{served.url}/ok").raise_for_status()
    before = served.peak()
    constant = {"route": {"path": "/posted", "response": {"body": {"x": "{{ ['x' * 1000000] * 1000000 }}"}}}}
    refused = httpx.post(routes, json=constant)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    (error,) = refused.json()["errors"]
    assert error["field"] == "route.response.body.x"
    assert "over the limit of 1,000,000" in error["message"]
    assert httpx.get(f"{served.url}/posted").status_code == 404

    sized = {"route": {"name": "posted", "path": "/posted", "response": {"body": BOMBS["nested-repeat"]}}}
    assert httpx.post(routes, json=sized).status_code == 201
    outcome = hostile_beside_ordinary(served.url, "GET", "/posted", "/ok")
    assert_limit_problem(outcome.status, outcome.body, "posted")
    assert outcome.ordinary_seconds < PROMPT_SECONDS
    grown = served.peak() - before
    assert grown < GROWTH_LIMIT, f"the server's peak RSS grew by {grown / 2**20:.0f} MiB"


def test_validate_locates_a_template_whose_constants_are_over_a_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = textwrap.dedent(
        """\
        service: bomb
        routes:
          - path: /fine
          - path: /bomb
            response:
              body:
                items: "{{ ['x' * 1000000] * 1000000 }}"
        """
    )
    (tmp_path / "bomb.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["validate", "bomb.yaml"])
    assert result.exit_code == 1, result.output
    column = text.splitlines()[6].index('"') + 1
    assert (
        f"bomb.yaml:7:{column}: routes[1].response.body.items: `*` builds a value of at least 1,000,001,000,001 "
        "items or characters, over the limit of 1,000,000: it fails whenever it runs; build a smaller value"
    ) in result.output
