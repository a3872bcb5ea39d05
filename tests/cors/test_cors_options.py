"""--cors / MOCKERY_CORS: the server's default policy, checked before anything starts; and docs/frontends.md's
examples are valid specs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockery import ArgumentError, load_specs
from mockery.cli import cli
from mockery.http.cors import ANY, OFF, CorsPolicy
from mockery.server.options import ENV_VARS, ServerOptions, build_server

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = "service: hello\nroutes:\n  - path: /hi\n    response: {body: hi}\n"


def test_the_option_has_its_variable_and_defaults_to_every_origin() -> None:
    assert ENV_VARS["cors"] == "MOCKERY_CORS"
    assert ServerOptions().cors == "*"


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        pytest.param("*", ANY, id="star"),
        pytest.param("off", OFF, id="off"),
        pytest.param("http://localhost:3000", CorsPolicy(origins=("http://localhost:3000",)), id="one origin"),
    ],
)
def test_build_server_makes_it_the_listeners_default(
    write_spec: Callable[..., Path], value: str, policy: CorsPolicy
) -> None:
    server = build_server(ServerOptions(paths=(write_spec(SPEC),), ephemeral=True, cors=value))
    assert server.config.cors == policy


def test_build_server_refuses_a_bad_value_saying_why(write_spec: Callable[..., Path]) -> None:
    with pytest.raises(ArgumentError, match="'localhost:3000' is not an origin"):
        build_server(ServerOptions(paths=(write_spec(SPEC),), ephemeral=True, cors="localhost:3000"))


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        pytest.param(["--cors", "localhost:3000"], {}, "'--cors'", id="flag without scheme"),
        pytest.param(["--cors", "http://a.test/app"], {}, "'--cors'", id="flag with a path"),
        pytest.param([], {"MOCKERY_CORS": "http://a.test,*"}, "MOCKERY_CORS", id="variable with a star in a list"),
        pytest.param([], {"MOCKERY_CORS": " , "}, "MOCKERY_CORS", id="variable with no origin"),
    ],
)
def test_a_bad_value_exits_2_naming_the_flag_or_variable(args: list[str], env: dict[str, str], named: str) -> None:
    # A path that does not exist: a value that got through would fail with 1 on loading, never serve.
    result = CliRunner().invoke(cli, ["serve", *args, "/no/such/specs"], env=env)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert "Traceback" not in result.output


def test_a_good_value_gets_through_to_loading(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--cors", "http://localhost:3000,http://127.0.0.1:5173", str(tmp_path / "no")]
    )
    assert result.exit_code == 1, result.output


FRONTENDS_EXAMPLES = re.findall(
    r"^```yaml\n(.*?)^```", (ROOT / "docs" / "frontends.md").read_text(encoding="utf-8"), re.S | re.M
)


def test_the_frontends_guide_has_its_cors_and_headers_examples() -> None:
    assert any("cors:" in block for block in FRONTENDS_EXAMPLES)
    assert any("headers:" in block and "uuid()" in block for block in FRONTENDS_EXAMPLES)


@pytest.mark.parametrize("block", FRONTENDS_EXAMPLES, ids=[f"example {n + 1}" for n in range(len(FRONTENDS_EXAMPLES))])
def test_the_frontends_guide_examples_are_valid_specs(tmp_path: Path, block: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(block, encoding="utf-8")
    assert load_specs([spec]).services
