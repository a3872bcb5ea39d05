"""Record json-server's answers to queries.json (run by hand, once; the tests only read the recording).

    cd /tmp/jsrv && npm install json-server@0.17.4
    python3 tests/resources/json_server/record.py /tmp/jsrv/node_modules/.bin/json-server

Each database is copied to a temporary folder (json-server writes changes back to its file), served by
json-server on a free loopback port, and asked every query of its table in order; the status, the
X-Total-Count header and the JSON body of each answer are written to expected.json.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORPUS = HERE.parents[2].parent / "shared" / "corpus" / "json-server"
DATABASES = {
    "fixture": "typicode-json-server_fixtures__db.json",
    "placeholder": "typicode-jsonplaceholder__data.json",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ask(base: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request) as answer:
            status, headers, text = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        status, headers, text = exc.code, exc.headers, exc.read()
    return {
        "status": status,
        "total": headers.get("x-total-count"),
        "body": json.loads(text) if text.strip() else None,
    }


def main(binary: str) -> None:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    queries = json.loads((HERE / "queries.json").read_text())
    recorded: dict[str, Any] = {
        "_source": f"json-server {version} (npm), run by hand with tests/resources/json_server/record.py "
        "on the databases of /work/shared/corpus/json-server (see its SOURCES.md for their licences)",
        "version": version,
    }
    for name, file in DATABASES.items():
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "db.json"
            shutil.copy(CORPUS / file, db)
            port = free_port()
            server = subprocess.Popen(
                [binary, "--port", str(port), "--host", "127.0.0.1", "--quiet", str(db)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(100):  # a script run by hand: polling until json-server listens is fine here
                    try:
                        urllib.request.urlopen(base + "/db")
                        break
                    except OSError:
                        time.sleep(0.1)
                recorded[name] = [
                    {"query": query, **ask(base, query[0], query[1], query[2] if len(query) > 2 else None)}
                    for query in queries[name]
                ]
            finally:
                server.terminate()
                server.wait()
    (HERE / "expected.json").write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
