"""The URL file: where a running server says which URL its admin API answers on, for `mockery health`.

A container's health check runs beside the server with only the environment the image declares: it cannot
see a `--port` flag given to the entrypoint, nor a port 0 the kernel chose. So when ``MOCKERY_URL_FILE``
names a file, the server writes its shared listener's URL there once its sockets listen (one line, reachable
from the same machine: ``0.0.0.0`` becomes ``127.0.0.1``) and removes it when it stops; `mockery health`
reads it when it is given no URL. The image sets ``MOCKERY_URL_FILE=/tmp/mockery.url``; unset or empty, no
file is written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from mockery.errors import ServeError

URL_FILE_VAR = "MOCKERY_URL_FILE"

_UNSPECIFIED = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}


def url_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """The file ``MOCKERY_URL_FILE`` names, or ``None`` when it is unset or empty."""
    value = (os.environ if environ is None else environ).get(URL_FILE_VAR, "")
    return Path(value) if value else None


def local_url(url: str) -> str:
    """``url`` as a client on the same machine reaches it: an unspecified address becomes loopback."""
    scheme, _, rest = url.partition("://")
    for unspecified, loopback in _UNSPECIFIED.items():
        if rest.startswith(unspecified + ":"):
            return f"{scheme}://{loopback}{rest[len(unspecified) :]}"
    return url


def write_url(path: Path, url: str) -> None:
    """Write ``url`` to ``path`` at once (a reader never sees half of it); ``ServeError`` if it cannot."""
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        staging.write_text(url + "\n", encoding="utf-8")
        staging.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise ServeError(
            f"cannot write the URL file {str(path)!r} ({URL_FILE_VAR}) that `mockery health` reads: "
            f"{exc.strerror or exc}; make its folder writable (a read-only container: --tmpfs /tmp) "
            f"or set {URL_FILE_VAR} to another file, or to nothing to write none"
        ) from None


def read_url(path: Path) -> str | None:
    """The URL in ``path``, or ``None`` when there is no such file (no server is serving)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not text.startswith(("http://", "https://")) or len(text.splitlines()) != 1:
        raise ValueError(f"{str(path)!r} ({URL_FILE_VAR}) holds no URL: {text[:80]!r}")
    return text


@contextlib.contextmanager
def announced(url: str, environ: Mapping[str, str] | None = None) -> Iterator[Path | None]:
    """While the block runs, the URL file (if one is named) holds ``url`` as a local client reaches it.

    On the way out the file is removed, unless another server has written its own URL there since."""
    path = url_file(environ)
    if path is None:
        yield None
        return
    written = local_url(url)
    write_url(path, written)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError, ValueError):
            if read_url(path) == written:
                path.unlink()
