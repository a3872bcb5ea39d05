"""Hot reload: watch the spec folders, load every change off the loop, swap in only what loads cleanly.

A change that fails (a typo, a half-saved file, a service that would need a new port) is logged with its
located errors and kept in ``ReloadStatus`` for ``/__mockery/health``; the last good version keeps serving.
The runtime (and so its store) is kept across reloads: records created through the API survive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import watchfiles

from mockery.errors import MockeryError, SpecError, SpecErrors
from mockery.logs import AccessLog
from mockery.spec.loader import SPEC_SUFFIXES, load_specs

if TYPE_CHECKING:
    from mockery.server import Server

# Editors save in bursts (write, rename, chmod): wait this long for quiet before loading.
DEBOUNCE_MS = 150


@dataclass(slots=True)
class ReloadStatus:
    """What the last reload did: ``generation`` counts the spec versions served (1 at start)."""

    generation: int = 1
    reloaded_at: float | None = None
    error: str | None = None
    errors: tuple[SpecError, ...] = ()
    failed_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        last_error = None
        if self.error is not None:
            last_error = {
                "message": self.error,
                "time": self.failed_at,
                "errors": [
                    {
                        "file": error.file,
                        "line": error.line,
                        "column": error.column,
                        "path": error.path,
                        "message": error.message,
                        "suggestion": error.suggestion,
                        "text": str(error),
                    }
                    for error in self.errors
                ],
            }
        return {"generation": self.generation, "reloaded_at": self.reloaded_at, "last_error": last_error}


Snapshot = frozenset[tuple[str, int, int]]


def snapshot(folders: Sequence[Path]) -> Snapshot:
    """Path, modification time and size of every file below ``folders``."""
    found = set()
    for folder in folders:
        for path in folder.rglob("*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.add((str(path), stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


class Reloader:
    """Reloads ``server`` from ``paths`` whenever a file below them changes.

    Create it before loading the specs it watches: a change made between that load and the moment watching
    starts is then noticed too (from a snapshot of the files) and reloaded at once.
    """

    def __init__(self, server: Server | None, paths: Sequence[str | Path], log: AccessLog) -> None:
        self._server = server
        self.paths = [Path(path) for path in paths]
        self.log = log
        self.watching = asyncio.Event()
        self._baseline = snapshot(self.watched())

    @property
    def server(self) -> Server:
        if self._server is None:
            raise RuntimeError("the reloader has no server: set reloader.server first")
        return self._server

    @server.setter
    def server(self, server: Server) -> None:
        self._server = server

    def watched(self) -> list[Path]:
        """The folders to watch: each folder named, and the folder of each file named (editors replace files)."""
        folders = [path if path.is_dir() else path.parent for path in self.paths]
        return [folder for folder in dict.fromkeys(folder.resolve() for folder in folders) if folder.exists()]

    def relevant(self, changed: str) -> bool:
        path = Path(changed).resolve()
        for named in self.paths:
            resolved = named.resolve()
            if resolved.is_dir() or not resolved.suffix:
                if path.is_relative_to(resolved):
                    return True
            elif path == resolved or (path.parent == resolved.parent and path.suffix not in SPEC_SUFFIXES):
                # A named spec file, or a file beside it that its routes may send.
                return True
        return False

    async def watch(self) -> None:
        """Reload after every burst of changes, until cancelled. ``watching`` is set once changes are seen."""
        changes = watchfiles.awatch(*self.watched(), debounce=DEBOUNCE_MS, step=50).__aiter__()
        pending = asyncio.ensure_future(changes.__anext__())
        # One turn of the loop runs the generator up to its first wait: the OS watch exists from then on.
        await asyncio.sleep(0)
        self.watching.set()
        try:
            if snapshot(self.watched()) != self._baseline:
                await self.reload()
            while True:
                batch = await pending
                if any(self.relevant(path) for _, path in batch):
                    await self.reload()
                pending = asyncio.ensure_future(changes.__anext__())
        finally:
            pending.cancel()

    async def reload(self) -> bool:
        """Load the specs again; serve them if they are valid. Returns whether they were applied."""
        status = self.server.reload_status
        try:
            # Reading and checking files happens off the loop; the swap itself happens on it, between requests.
            specs = await asyncio.to_thread(load_specs, self.paths)
            self.server.apply_specs(specs)
        except MockeryError as exc:
            status.error = str(exc)
            status.errors = exc.errors if isinstance(exc, SpecErrors) else ()
            status.failed_at = time.time()
            self._log_failure(exc)
            return False
        status.generation += 1
        status.reloaded_at = time.time()
        status.error, status.errors, status.failed_at = None, (), None
        self.log.event(
            "reload",
            ok=True,
            generation=status.generation,
            services=len(specs.services),
            routes=specs.route_count,
        )
        return True

    def _log_failure(self, exc: MockeryError) -> None:
        errors = [str(error) for error in exc.errors] if isinstance(exc, SpecErrors) else [str(exc)]
        if self.log.format == "json":
            self.log.event("reload", ok=False, kept_generation=self.server.reload_status.generation, errors=errors)
        else:
            lines = "".join(f"\n  {error}" for error in errors)
            self.log.event(f"reload failed, still serving generation {self.server.reload_status.generation}:{lines}")

    def __repr__(self) -> str:
        return f"Reloader({[str(path) for path in self.paths]})"
