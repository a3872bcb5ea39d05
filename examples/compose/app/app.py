"""The app under test: POST /checkout looks the user up and charges them, through two fake services.

Standard library only, so that it runs in a bare python image. USERS_URL and PAYMENTS_URL say where the
services are: in compose, http://users:8000/users and http://payments:8000/payments (aliases of mockery).
"""

from __future__ import annotations

import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def call(method: str, url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        loaded = json.loads(response.read())
    assert isinstance(loaded, dict)
    return loaded


class Checkout(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        if self.path != "/checkout":
            self.send_error(404)
            return
        order = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        user = call("GET", f"{os.environ['USERS_URL']}/{order['user']}")
        charge = call("POST", f"{os.environ['PAYMENTS_URL']}/charges", {"user": user["id"], "amount": order["amount"]})
        payload = json.dumps({"user": user["name"], "charge": charge["id"], "status": charge["status"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main() -> None:
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Checkout)
    print(f"app listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
