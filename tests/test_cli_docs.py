"""docs/cli.md cannot fall behind the CLI: every command of the click tree has its section, and every option
its row there, with its MOCKERY_* variable and its default; the sidecar guide lists every serve variable."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from mockery.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SIDECAR_DOC = (ROOT / "docs" / "sidecar.md").read_text(encoding="utf-8")
# Options with one variable per service rather than one of their own.
PER_SERVICE_VARIABLES = {"ports": "MOCKERY_PORT_<SERVICE>"}


def commands(group: click.Group = cli, path: tuple[str, ...] = ("mockery",)) -> dict[str, click.Command]:
    """Every command a user can run, by its full name (``mockery import openapi``); groups are not runnable."""
    found: dict[str, click.Command] = {}
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.update(commands(command, (*path, name)))
        else:
            found[" ".join((*path, name))] = command
    return found


COMMANDS = commands()


def section(name: str) -> str:
    """The text of the ``## `mockery NAME ...``` section, up to the next heading of its level."""
    match = re.search(rf"^## `{re.escape(name)}(?: [^`]*)?`\n(?P<body>.*?)(?=^## |\Z)", CLI_DOC, re.M | re.S)
    assert match is not None, f"docs/cli.md has no section '## `{name} ...`'"
    return match.group("body")


def row(text: str, name: str) -> str:
    """The table row documenting option or argument ``name`` (its first cell names it)."""
    for line in text.splitlines():
        if line.startswith("|") and re.search(rf"`{re.escape(name)}[ `,]", line.split("|")[1] + " "):
            return line
    raise AssertionError(f"no table row for {name}")


def documented_name(parameter: click.Parameter) -> list[str]:
    if isinstance(parameter, click.Argument):
        # Written in the singular, as a usage line does: PATHS is PATH..., one or more paths.
        name = parameter.human_readable_name.upper()
        return [name.removesuffix("S") + "..." if parameter.nargs == -1 else name]
    return [*parameter.opts, *parameter.secondary_opts]


def shown_default(parameter: click.Parameter) -> str | None:
    """The default as the docs write it, where it is a plain value."""
    default = parameter.default
    if isinstance(parameter, click.Option) and parameter.is_flag:
        return "off"
    if default is None or callable(default) or not isinstance(default, int | float | str | Path):
        return None
    return f"{default:g}" if isinstance(default, float) else str(default)


def test_the_command_tree_is_what_the_docs_are_checked_against() -> None:
    assert {"mockery serve", "mockery reset", "mockery record", "mockery import openapi", "mockery health"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_overview_and_has_a_section(name: str) -> None:
    overview = CLI_DOC.split("\n## ", 1)[0]
    assert f"| `{name}" in overview, f"{name} is missing from the command table of docs/cli.md"
    section(name)


@pytest.mark.parametrize(
    ("name", "parameter"),
    [
        pytest.param(name, parameter, id=f"{name} {parameter.name}")
        for name, command in sorted(COMMANDS.items())
        for parameter in command.params
    ],
)
def test_every_option_is_documented_in_its_command_section(name: str, parameter: click.Parameter) -> None:
    text = section(name)
    if isinstance(parameter, click.Argument) and parameter.envvar is None:
        [argument] = documented_name(parameter)
        heading = re.search(rf"^## `{re.escape(name)}[^`]*`$", CLI_DOC, re.M)
        assert heading is not None
        assert argument in heading.group(), f"{name}: {argument} is not in its heading {heading.group()}"
        return
    for option in documented_name(parameter):
        line = row(text, option)
        if parameter.envvar is not None:
            assert f"`{parameter.envvar}`" in line, f"{name} {option}: its variable {parameter.envvar} is not in {line}"
        elif parameter.name in PER_SERVICE_VARIABLES:
            assert f"`{PER_SERVICE_VARIABLES[parameter.name]}`" in line, line
        else:
            assert "MOCKERY_" not in line, f"{name} {option} has no variable, but its row names one: {line}"
        if isinstance(parameter, click.Option) and parameter.required:
            assert "required" in line, line
        default = shown_default(parameter)
        if default is not None:
            cells = [cell.strip().strip("`") for cell in line.split("|")]
            assert default in cells, f"{name} {option}: its default {default!r} is not in {line}"


def test_the_root_options_are_documented() -> None:
    for parameter in cli.get_params(click.Context(cli)):
        for option in documented_name(parameter):
            assert option in CLI_DOC.split("\n## ", 1)[0], option
    assert "## `mockery --version`" in CLI_DOC


def test_the_sidecar_guide_lists_every_serve_variable() -> None:
    serve = COMMANDS["mockery serve"]
    for parameter in serve.params:
        variable = parameter.envvar or PER_SERVICE_VARIABLES.get(str(parameter.name))
        if variable is not None:
            assert re.search(rf"^\| `{re.escape(str(variable))}` \|", SIDECAR_DOC, re.M), variable
