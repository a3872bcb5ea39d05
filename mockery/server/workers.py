"""``mockery serve --workers N``: N processes answering on the same ports, sharing state through the store.

The parent binds every listener, checks that the store opens, then binds each listener's address again as
one socket per worker (``SO_REUSEPORT``: the kernel spreads new connections evenly among them, where one
shared socket let whichever worker woke first accept a whole burst) and forks the workers: each serves on its
own sockets and opens its own connection to the store. The parent only supervises: it forwards SIGINT and
SIGTERM, and when a worker dies unexpectedly it stops the others and exits with that worker's code, so that
a supervisor (Docker, Kubernetes, systemd) restarts the whole server.

What lives in the store is shared by the workers: records, ids, scenario states, sequence positions and
rate-limit windows. So ``memory://`` is refused: each worker would have its own records and clients would see
them change from one request to the next.

With ``redis://`` the workers share the rest too (``mockery.server.sharing``): the journal, the metrics, routes
added at runtime through the admin API and the call counts of ``per_call`` routes, whichever worker answers
the admin call, and so do the workers of other replicas started with ``--workers`` 2 or more on the same
``--state-prefix``. A request still
only appends to its worker's journal: a background thread sends the calls, and a reader first asks every
worker to send what it has. With ``sqlite://`` those four stay in each process: SQLite offers no way to ask
the other workers to send theirs now. A server of one process shares nothing and starts no thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import select
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import FrameType

from mockery.errors import ServeError
from mockery.model.services import SpecSet
from mockery.server import event_loop
from mockery.server.server import Server
from mockery.server.sharing import Sharing, feed_of
from mockery.store import Store, StoreError, store_type
from mockery.store.shared import Feed


def check_workers(state: str, workers: int, *, reload: bool = False) -> None:
    """``ServeError`` explaining why ``workers`` processes cannot share the store at ``state``."""
    if workers <= 1:
        return
    try:
        shared = store_type(state).shared
    except StoreError:
        shared = False
    if not shared:
        raise ServeError(
            f"--workers {workers} needs a store the workers share, and {state} is not one: each worker would keep "
            "its own records, scenario states and rate limits, and clients would see them change from one request "
            "to the next. Use --state sqlite:///state.db (one host) or --state redis://host:6379/0, or one worker."
        )
    if reload:
        raise ServeError("--reload works with one worker: reload a single process, or restart the workers")


def default_prefix(specs: SpecSet, seed: int) -> str:
    """The key prefix of a shared store when ``--state-prefix`` is not given: the same for every replica
    serving the same services with the same seed, and different for another deployment."""
    names = ",".join(sorted(service.name for service in specs.services))
    return "mockery:" + hashlib.sha256(f"{names}|{seed}".encode()).hexdigest()[:12]


def spread(sockets: list[socket.socket], workers: int) -> list[list[socket.socket]]:
    """Each listening socket bound again as ``workers`` sockets with ``SO_REUSEPORT`` (one set per worker), so
    that the kernel spreads new connections evenly among the workers: with one shared socket, whichever worker
    wakes first accepts a whole burst of connections (a load balancer's or a client pool's keep-alive
    connections), and the other idles. Where ``SO_REUSEPORT`` is missing, every worker shares ``sockets``."""
    if not hasattr(socket, "SO_REUSEPORT"):
        return [sockets] * workers
    sets: list[list[socket.socket]] = [[] for _ in range(workers)]
    for original in sockets:
        address = original.getsockname()
        family, kind, proto = original.family, original.type, original.proto
        # The port is released between close() and the first bind(): microseconds, before anyone was told
        # the server is ready.
        original.close()
        for worker in sets:
            sock = socket.socket(family, kind, proto)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                sock.bind(address)
                sock.listen(2048)
            except OSError as exc:
                sock.close()
                for bound in (item for items in sets for item in items):
                    bound.close()
                reason = exc.strerror or str(exc)
                raise ServeError(f"cannot listen on {address[0]}:{address[1]} for a worker: {reason}") from None
            sock.set_inheritable(True)
            worker.append(sock)
    return sets


def serve_workers(
    server: Server, workers: int, open_store: Callable[[], Store], on_ready: Callable[[], None] | None = None
) -> int:
    """Serve ``server`` (bound already) from ``workers`` forked processes until SIGINT or SIGTERM; the exit
    code. ``open_store`` opens a worker's own connection: a connection must not cross a fork."""
    server.close_store()
    own = spread(server.sockets(), workers)
    server.use_sockets(own[0])
    ready_read, ready_write = os.pipe()
    children: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            for other, sockets in enumerate(own):
                if other != index:
                    for sock in sockets:
                        sock.close()
            server.use_sockets(own[index])
            _worker(server, open_store, ready_write)  # never returns
        children.append(pid)
    os.close(ready_write)
    for sockets in own:  # the workers hold the sockets now
        for sock in sockets:
            sock.close()
    stopping = False

    def forward(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        ready = 0
        running = set(children)
        while ready < workers and not stopping and running == set(children):
            readable, _, _ = select.select([ready_read], [], [], 0.1)
            if readable:
                got = os.read(ready_read, workers)
                if not got:
                    break
                ready += len(got)
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid:
                    running.discard(pid)
                    code = code or os.waitstatus_to_exitcode(status)
        if running != set(children) and not stopping:
            print("mockery: a worker exited before it was ready; stopping the others", file=sys.stderr, flush=True)
            code = code or 1
            forward(signal.SIGTERM, None)
        elif ready == workers and on_ready is not None:
            on_ready()
        while running:
            pid, status = os.wait()
            running.discard(pid)
            exit_code = os.waitstatus_to_exitcode(status)
            if not stopping:
                print(f"mockery: worker {pid} exited ({exit_code}); stopping the others", file=sys.stderr, flush=True)
                code = exit_code or 1
                forward(signal.SIGTERM, None)
    finally:
        os.close(ready_read)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


async def _serve(server: Server, feed: Feed | None, announce: Callable[[], None]) -> None:
    """Serve as one worker of several: sharing the journal, metrics and runtime routes when the store can."""
    if feed is None:
        await server.serve(on_ready=announce)
        return
    sharing = Sharing(feed, server.journal.size)
    server.share(sharing)
    sharing.start(asyncio.get_running_loop(), server.adopt_routes)
    try:
        await server.serve(on_ready=announce)
    finally:
        await asyncio.to_thread(sharing.stop)


def _worker(server: Server, open_store: Callable[[], Store], ready: int) -> None:
    code = 0
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        store = open_store()
        server.open_store(lambda: store)

        def announce() -> None:
            os.write(ready, b"r")
            os.close(ready)

        event_loop.run(_serve(server, feed_of(store), announce))
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
