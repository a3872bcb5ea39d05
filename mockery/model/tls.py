"""How a listener serves HTTPS: the settings a spec's ``tls:`` key or ``mockery serve --tls...`` give.

Settings only: which certificate, or the local development CA's (``auto``), and whether clients must show a
certificate of their own. mockery.server.tls turns them into the files uvicorn loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mockery.source.document import Position

ClientCert = Literal["none", "optional", "required"]


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """HTTPS with ``cert`` and ``key`` (PEM files), or with a certificate of the local CA when ``auto``;
    clients show a certificate signed by ``client_ca`` when ``client_cert`` is ``required`` (or may, when
    ``optional``). ``position`` (where a spec wrote it) takes no part in comparing two settings."""

    cert: Path | None = None
    key: Path | None = None
    auto: bool = False
    client_ca: Path | None = None
    client_cert: ClientCert = "none"
    position: Position | None = field(default=None, compare=False)

    def describe(self) -> str:
        """One line for messages: ``auto``, or the certificate's file, and the client certificates asked for."""
        served = "auto" if self.auto else f"cert {self.cert}"
        if self.client_ca is None:
            return served
        return f"{served}, client certificates {self.client_cert} ({self.client_ca})"

    def __repr__(self) -> str:
        return f"TlsSettings({self.describe()})"
