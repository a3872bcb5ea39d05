"""Run once by hand: start WireMock standalone on loopback with root/ and record its answers to probes.json.

python3 tests/importers/wiremock/record.py tests/importers/wiremock PATH/TO/wiremock-standalone.jar
(the jar ships in the npm package ``wiremock``: ``npm install wiremock@3.13.2``, node_modules/wiremock/build/)
"""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

here, jar = Path(sys.argv[1]), Path(sys.argv[2])
probe_socket = socket.socket()
probe_socket.bind(("127.0.0.1", 0))
port = probe_socket.getsockname()[1]
probe_socket.close()
command = [
    "java",
    "-jar",
    str(jar),
    "--port",
    str(port),
    "--bind-address",
    "127.0.0.1",
    "--root-dir",
    str(here / "root"),
]
process = subprocess.Popen([*command, "--disable-banner"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
    for _ in range(300):
        try:
            version = httpx.get(f"http://127.0.0.1:{port}/__admin/version", timeout=1).json()["version"]
            break
        except httpx.TransportError:
            time.sleep(0.1)
    fixture = json.loads((here / "probes.json").read_text(encoding="utf-8"))
    recorded = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        for probe in fixture["probes"]:
            headers = dict(probe.get("headers", {}))
            if "json_body" in probe:
                content = json.dumps(probe["json_body"]).encode()
                headers.setdefault("Content-Type", "application/json")
            else:
                content = probe.get("body", "").encode()
            try:
                answer = http.request(probe["method"], probe["path"], content=content, headers=headers)
            except httpx.TransportError as exc:
                recorded.append({"name": probe["name"], "fault": type(exc).__name__})
                continue
            kept = {name: answer.headers[name] for name in ("content-type",) if name in answer.headers}
            recorded.append({"name": probe["name"], "status": answer.status_code, "headers": kept, "body": answer.text})
    out = {"tool": f"WireMock {version} (wiremock-standalone jar, Java {sys.platform})", "answers": recorded}
    (here / "recorded.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(out["tool"], len(recorded))
finally:
    process.terminate()
    process.wait(20)
