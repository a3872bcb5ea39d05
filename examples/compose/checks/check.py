"""The test container: drive the app, then read mockery's journal (with the admin token) to see what it sent.

Exits 0 when the app called both fake services as expected. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request


def request(method: str, url: str, body: object = None, token: str | None = None) -> object:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers), timeout=5) as r:
        text = r.read()
    return json.loads(text) if text else None


def main() -> int:
    app, mockery, token = os.environ["APP_URL"], os.environ["MOCKERY_URL"], os.environ["MOCKERY_ADMIN_TOKEN"]
    request("DELETE", f"{mockery}/__mockery/requests", token=token)
    deadline = time.monotonic() + 30
    while True:  # compose starts the app without waiting for it to listen
        try:
            result = request("POST", f"{app}/checkout", {"user": 42, "amount": 12.5})
            break
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    journal = request("GET", f"{mockery}/__mockery/requests?service=payments", token=token)
    users = request("GET", f"{mockery}/__mockery/requests?service=users&path=/users/42", token=token)
    expected_charge = {"user": 42, "amount": 12.5}
    problems = []
    if not isinstance(result, dict) or result.get("status") != "paid":
        problems.append(f"the app answered {result!r}")
    if not isinstance(journal, dict) or journal.get("count") != 1:
        problems.append(f"payments received {journal!r}")
    elif journal["requests"][0]["body"] != expected_charge:
        problems.append(f"the charge sent was {journal['requests'][0]['body']!r}")
    if not isinstance(users, dict) or users.get("count") != 1:
        problems.append(f"users received {users!r}")
    if problems:
        print("checks failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("checks passed: the app looked up user 42 and charged 12.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
