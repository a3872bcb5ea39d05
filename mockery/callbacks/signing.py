"""HMAC-SHA256 signatures of a callback's body, as GitHub and Stripe send them."""

from __future__ import annotations

import hashlib
import hmac

from mockery.model.callbacks import Signature


def signature_value(signature: Signature, body: bytes, now: int) -> str:
    """The header value: ``sha256=<hex of body>``, or ``t=<now>,v1=<hex of "<now>.<body>">`` when timestamped."""
    if signature.timestamped:
        digest = hmac.new(signature.secret, f"{now}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={now},v1={digest}"
    return "sha256=" + hmac.new(signature.secret, body, hashlib.sha256).hexdigest()
