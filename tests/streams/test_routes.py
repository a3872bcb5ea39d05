"""`mockery routes` shows the streaming kinds."""

from __future__ import annotations

import re

from click.testing import CliRunner

from mockery.cli import cli
from tests.conftest import WriteSpec

SPEC = """\
service: live
routes:
  - path: /events
    events: [{data: hi}]
  - path: /socket
    name: socket
    websocket: {on_connect: hi}
"""


def test_routes_shows_event_streams_and_websockets(write_spec: WriteSpec) -> None:
    result = CliRunner().invoke(cli, ["routes", str(write_spec(SPEC))])
    assert result.exit_code == 0, result.output
    rows = [re.split(r"\s{2,}", line) for line in result.output.splitlines()]
    by_path = {row[3]: row for row in rows[1:]}
    assert by_path["/events"][4:6] == ["GET /events", "events"]
    assert by_path["/socket"][4:6] == ["socket", "websocket"]
