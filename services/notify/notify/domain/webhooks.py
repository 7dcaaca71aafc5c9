"""Webhook rules: which URLs an endpoint may have, and the signature every delivery carries.

A delivery is an HTTP POST of JSON with the headers::

    Timebank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    Timebank-Delivery: <delivery id>        (the same on every retry: receivers deduplicate)

Signing the timestamp with the body lets a receiver refuse an old message replayed by
someone who captured it (``verify`` with a tolerance). Pure: no I/O, the time is passed in.
"""
from __future__ import annotations

import hmac
import secrets

from timebank_common import signed_http
from timebank_common.signed_http import UrlRefused, check_url

__all__ = ["DELIVERY_HEADER", "SECRET_PREFIX", "SIGNATURE_HEADER", "UrlRefused", "check_url",
           "new_secret", "signature", "signature_header", "verify"]

SIGNATURE_HEADER = "Timebank-Signature"
DELIVERY_HEADER = "Timebank-Delivery"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under the endpoint's secret."""
    return signed_http.sign(secret, timestamp, body)


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={int(timestamp)},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (the README's snippet): the header's timestamp is recent and
    one of its ``v1`` signatures matches, compared in constant time."""
    parts = [item.partition("=") for item in header.split(",")]
    stamps = [value for key, _, value in parts if key.strip() == "t"]
    signatures = [value for key, _, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
