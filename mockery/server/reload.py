"""Hot reload: watch the spec folders, load every change off the loop, swap in only what loads cleanly.

A change that fails (a typo, a half-saved file, a service that would need a new port) is logged with its
located errors and kept in ``ReloadStatus``: the public ``/__mockery/health`` shows only that it failed and
where (a failed spec may be any file a symlink points to, and its messages may quote it), the guarded
``/__mockery/reload`` and the log show the messages. The last good version keeps serving. The runtime (and so
its store) is kept across reloads: records created through the API survive.

A spec may be a symlink, as Kubernetes mounts a ConfigMap: replacing a file by a symlink, pointing a symlink
elsewhere, and editing the file it points to are all noticed. A target outside the watched folders is watched
as a file of its own, and the watch is rebuilt whenever the set of such targets changes (or one is replaced).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import watchfiles

from mockery.errors import MockeryError, SpecError, SpecErrors
from mockery.http.logs import AccessLog
from mockery.load.loader import SPEC_SUFFIXES, load_specs

if TYPE_CHECKING:
    from mockery.model.services import SpecSet

# Serves a newly loaded spec set, or raises a ``MockeryError`` saying why it cannot (``Server.apply_specs``).
Apply = Callable[["SpecSet"], None]

# Editors save in bursts (write, rename, chmod): wait this long for quiet before loading.
DEBOUNCE_MS = 150
# The public health answer names at most this many error locations (its count says how many there are).
MAX_PUBLIC_LOCATIONS = 20
# Files that may be specs: a symlink among them is followed, and its target watched.
_SPEC_LIKE = (*SPEC_SUFFIXES, ".json")


@dataclass(slots=True)
class ReloadStatus:
    """What the last reload did: ``generation`` counts the spec versions served (1 at start)."""

    generation: int = 1
    reloaded_at: float | None = None
    error: str | None = None
    errors: tuple[SpecError, ...] = ()
    failed_at: float | None = None

    @property
    def error_count(self) -> int:
        return len(self.errors) or (1 if self.error is not None else 0)

    def as_dict(self) -> dict[str, Any]:
        """The whole report, messages included: for the guarded ``/__mockery/reload`` only."""
        last_error = None
        if self.error is not None:
            last_error = {
                "message": self.error,
                "time": self.failed_at,
                "count": self.error_count,
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

    def as_public_dict(self) -> dict[str, Any]:
        """The report for anyone who can reach ``/__mockery/health``: that the last reload failed and where
        (``file:line:column`` of each error), never a message, a document path or a suggestion, which may
        quote the file."""
        last_error = None
        if self.error is not None:
            locations = [f"{error.file}:{error.line}:{error.column}" for error in self.errors]
            count = self.error_count
            shown = ", ".join(locations[:3]) + (f" and {count - 3} more" if count > 3 else "")
            message = f"the last reload failed with {count} error{'s' if count != 1 else ''}"
            last_error = {
                "message": (f"{message} at {shown}" if locations else message)
                + "; the server's log and GET /__mockery/reload (admin) have the messages",
                "time": self.failed_at,
                "count": count,
                "errors": [
                    {"file": error.file, "line": error.line, "column": error.column}
                    for error in self.errors[:MAX_PUBLIC_LOCATIONS]
                ],
            }
        return {"generation": self.generation, "reloaded_at": self.reloaded_at, "last_error": last_error}


Snapshot = frozenset[tuple[str, str, int, int, int]]


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Path, link target, inode, modification time and size of every file below ``paths`` (folders or files):
    a symlink pointed elsewhere or a file replaced by another differs even with the same size and time."""
    found = set()
    for root in paths:
        for path in root.rglob("*") if root.is_dir() else (root,):
            try:
                link = os.readlink(path) if path.is_symlink() else ""
                stat = path.stat()
            except OSError:
                continue
            found.add((str(path), link, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


def _entry(path: Path) -> Path:
    """``path`` made absolute with its folders resolved but not itself: a symlink stays the symlink."""
    path = path.absolute()
    return path.parent.resolve() / path.name


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """What to watch: the folders (recursively), and the targets of symlinked specs that lie outside them."""

    folders: tuple[Path, ...]
    targets: tuple[Path, ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        return self.folders + self.targets


class Reloader:
    """Loads the specs below ``paths`` again whenever a file there changes, and hands them to ``apply``; keeps
    the report of the last reload in ``status``.

    Create it before loading the specs it watches: a change made between that load and the moment watching
    starts is then noticed too (from a snapshot of the files) and reloaded at once. The server it is given to
    (``Server(..., reloader=...)``) runs ``watch`` with its own ``apply_specs``.
    """

    def __init__(self, paths: Sequence[str | Path], log: AccessLog) -> None:
        self.paths = [Path(path) for path in paths]
        self.log = log
        self.status = ReloadStatus()
        self.watching = asyncio.Event()
        self._targets: frozenset[str] = frozenset()
        self._baseline = snapshot(self.plan().paths)

    def watched(self) -> list[Path]:
        """The folders to watch: each folder named, and the folder of each file named (editors replace files)."""
        folders = [path if path.is_dir() else path.parent for path in self.paths]
        return [folder for folder in dict.fromkeys(folder.resolve() for folder in folders) if folder.exists()]

    def plan(self) -> WatchPlan:
        """The watched folders, plus the target of every symlinked spec below them that lies outside them."""
        folders = self.watched()
        links = [_entry(path) for path in self.paths if not path.is_dir() and path.is_symlink()]
        for path in self.paths:
            if path.is_dir():
                links.extend(p for p in path.rglob("*") if p.suffix in _SPEC_LIKE and p.is_symlink())
        targets = []
        for link in links:
            target = link.resolve()
            if target.is_file() and not any(target.is_relative_to(folder) for folder in folders):
                targets.append(target)
        return WatchPlan(tuple(folders), tuple(dict.fromkeys(targets)))

    def relevant(self, changed: str) -> bool:
        if changed in self._targets:
            return True
        # The entry itself, not what it points to: a spec replaced by a symlink to elsewhere is still a change
        # of the spec (what is loaded from it is the loader's business).
        path = _entry(Path(changed))
        for named in self.paths:
            resolved = named.resolve()
            if resolved.is_dir() or not named.suffix:
                if path.is_relative_to(resolved):
                    return True
            elif path in (_entry(named), resolved) or (
                path.parent == _entry(named).parent and path.suffix not in SPEC_SUFFIXES
            ):
                # A named spec file (or what it points to), or a file beside it that its routes may send.
                return True
        return False

    async def watch(self, apply: Apply) -> None:
        """Reload into ``apply`` after every burst of changes, until cancelled. ``watching`` is set once changes
        are seen."""
        baseline = self._baseline
        # Before the first watch nothing is served yet: plan and compare at once, as start-up does. Later rounds
        # run while requests are answered, so their file walks happen off the loop.
        plan = self.plan()
        first = True
        while True:
            stop = asyncio.Event()
            self._targets = frozenset(str(target) for target in plan.targets)
            changes = watchfiles.awatch(*plan.paths, debounce=DEBOUNCE_MS, step=50, stop_event=stop)
            pending = asyncio.ensure_future(changes.__anext__())
            # One turn of the loop runs the generator up to its first wait: the OS watch exists from then on.
            await asyncio.sleep(0)
            self.watching.set()
            try:
                current = snapshot(plan.paths) if first else await asyncio.to_thread(snapshot, plan.paths)
                first = False
                if current != baseline:
                    await self.reload(apply)
                while True:
                    try:
                        batch = await pending
                    except FileNotFoundError:
                        # A target vanished before its watch began: plan again, after a pause, not in a spin.
                        await asyncio.sleep(DEBOUNCE_MS / 1000)
                        batch = set()
                    new_plan = await asyncio.to_thread(self.plan)
                    # A watched target replaced by another file loses its watch: rebuild it, and compare
                    # against a snapshot taken now, before loading, so nothing changed meanwhile is missed.
                    rebuild = new_plan != plan or not batch or any(path in self._targets for _, path in batch)
                    if rebuild:
                        baseline = await asyncio.to_thread(snapshot, new_plan.paths)
                    if any(self.relevant(path) for _, path in batch):
                        await self.reload(apply)
                    if rebuild:
                        plan = new_plan
                        break
                    pending = asyncio.ensure_future(changes.__anext__())
            finally:
                stop.set()
                if pending.done():
                    await changes.aclose()
                else:
                    # Cancelled while waiting: the watch thread sees ``stop`` within a step and the generator ends.
                    pending.cancel()

    async def reload(self, apply: Apply) -> bool:
        """Load the specs again; ``apply`` them if they are valid. Returns whether they were applied."""
        status = self.status
        try:
            # Reading and checking files happens off the loop; the swap itself happens on it, between requests.
            specs = await asyncio.to_thread(load_specs, self.paths)
            apply(specs)
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
            self.log.event("reload", ok=False, kept_generation=self.status.generation, errors=errors)
        else:
            lines = "".join(f"\n  {error}" for error in errors)
            self.log.event(f"reload failed, still serving generation {self.status.generation}:{lines}")

    def __repr__(self) -> str:
        return f"Reloader({[str(path) for path in self.paths]})"
