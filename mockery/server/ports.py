"""Which port each service listens on when the command line or the environment moves it, and who holds a
busy port.

``--port-of SERVICE=PORT`` (repeatable) and ``MOCKERY_PORT_<SERVICE>`` move one service's listener without
editing its spec: the flag wins over the variable, which wins over the spec's ``port``. A port that cannot be
had is reported with what moves it and, when the OS says, the process holding it (read from ``/proc`` on
Linux; anywhere else, or without the permission, that part of the message is left out).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from mockery.errors import ServeError
from mockery.model.services import Service, SpecSet
from mockery.suggest import did_you_mean

SHARED_PORT_VARIABLE = "MOCKERY_PORT"
_LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def port_variable(service: str) -> str:
    """``MOCKERY_PORT_<SERVICE>``: the name upper-cased, every character that is not a letter or digit an ``_``."""
    return SHARED_PORT_VARIABLE + "_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in service.upper())


def parse_port_of(values: Iterable[str]) -> dict[str, int]:
    """``SERVICE=PORT`` values of ``--port-of`` as a mapping; ``ValueError`` saying what is wrong with one."""
    ports: dict[str, int] = {}
    for value in values:
        name, sep, number = value.rpartition("=")
        if not sep or not name:
            raise ValueError(f"{value!r} is not SERVICE=PORT, e.g. payments=9001")
        ports[name] = _port(number, f"--port-of {value}")
    return ports


def _port(text: str, where: str) -> int:
    try:
        port = int(text.strip())
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{where}: {port} is not a port number (0-65535)")
    return port


def requested_ports(specs: SpecSet, given: Mapping[str, int], environ: Mapping[str, str]) -> dict[str, int]:
    """The ports asked for: ``given`` (from ``--port-of``) over each service's ``MOCKERY_PORT_<SERVICE>``.

    ``ServeError`` for a name that is no service (with the nearest one) or a variable that is no port."""
    names = [service.name for service in specs.services]
    problems = []
    ports: dict[str, int] = {}
    for service in specs.services:
        variable = port_variable(service.name)
        if variable in environ:
            try:
                ports[service.name] = _port(environ[variable], variable)
            except ValueError as exc:
                problems.append(str(exc))
    for name, port in given.items():
        if name not in names:
            hint = did_you_mean(name, names) or f"services: {', '.join(names) or 'none'}"
            problems.append(f"--port-of {name}={port}: no service named {name!r}; {hint}")
        ports[name] = port
    if problems:
        raise ServeError("\n".join(problems))
    return ports


def move_ports(specs: SpecSet, ports: Mapping[str, int]) -> SpecSet:
    """``specs`` with the services named in ``ports`` on those ports (names that are no service are ignored:
    a reload may have removed one)."""
    if not any(service.name in ports for service in specs.services):
        return specs
    return SpecSet(
        tuple(
            dataclasses.replace(service, port=ports[service.name]) if service.name in ports else service
            for service in specs.services
        )
    )


def moved_by(services: Iterable[Service], shared: bool) -> str:
    """What moves a listener: ``--port``/``MOCKERY_PORT`` for the shared one, else each service's own."""
    if shared:
        return f"move it with --port PORT ({SHARED_PORT_VARIABLE}=PORT)"
    ways = [f"--port-of {service.name}=PORT ({port_variable(service.name)}=PORT)" for service in services]
    return f"move it with {' or '.join(ways)}" if ways else "move it with --port-of SERVICE=PORT"


def holder_of(port: int, proc: Path = Path("/proc")) -> str | None:
    """``pid 123 (python3 -m http.server)`` for the process listening on TCP ``port``, when ``/proc`` says;
    ``None`` otherwise. Never raises: this only makes an error message more helpful."""
    with contextlib.suppress(Exception):
        inodes = set()
        for table in ("tcp", "tcp6"):
            path = proc / "net" / table
            if not path.exists():
                continue
            for line in path.read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
        if not inodes:
            return None
        targets = {f"socket:[{inode}]" for inode in inodes}
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                for fd in (entry / "fd").iterdir():
                    with contextlib.suppress(OSError):
                        if os.readlink(fd) in targets:
                            return f"pid {entry.name} ({_command(entry)})"
    return None


def _command(entry: Path) -> str:
    with contextlib.suppress(OSError):
        words = (entry / "cmdline").read_bytes().split(b"\0")
        text = " ".join(word.decode(errors="replace") for word in words if word)
        if text:
            return text if len(text) <= 120 else text[:117] + "..."
    with contextlib.suppress(OSError):
        return (entry / "comm").read_text().strip()
    return "unknown command"
