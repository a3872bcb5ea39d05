"""Run once by hand: start Mockoon CLI on loopback with environment.json and record its answers to probes.json."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

here = Path(sys.argv[1])
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
cli = "node_modules/.bin/mockoon-cli"  # where `npm install @mockoon/cli` put it
version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.strip()
proc = subprocess.Popen(
    [cli, "start", "--data", str(here / "environment.json"), "--port", str(port), "--hostname", "127.0.0.1"],
    stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT,
)
try:
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/xml", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    probes = json.loads((here / "probes.json").read_text())
    answers = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        for probe in probes:
            content = (
                json.dumps(probe["json_body"]).encode() if "json_body" in probe else probe.get("body", "").encode()
            )
            headers = dict(probe.get("headers", {}))
            if "json_body" in probe:
                headers["Content-Type"] = "application/json"
            elif "body" in probe:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            r = http.request(probe["method"], probe["path"], content=content, headers=headers)
            keep = {
                k: r.headers[k]
                for k in ("content-type", "x-custom", "x-env", "access-control-allow-origin")
                if k in r.headers
            }
            answers.append({**probe, "expected": {"status": r.status_code, "headers": keep, "body": r.text}})
    out = {
        "tool": version,
        "recorded": "mockoon-cli start --data environment.json on 127.0.0.1, each probe sent once, in order",
        "probes": answers,
    }
    (here / "recorded.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(version, len(answers))
finally:
    proc.terminate()
    proc.wait(10)
