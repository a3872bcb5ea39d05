"""Fixtures of the TLS tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pki_support import Pki


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A folder of test CAs and certificates, made with cryptography directly."""
    return Pki(tmp_path / "pki")
