"""Webhook rules: which URLs an endpoint may have, and the signature every delivery carries.

A delivery is an HTTP POST of JSON with the headers::

    Timebank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    Timebank-Delivery: <delivery id>        (the same on every retry: receivers deduplicate)

Signing the timestamp with the body lets a receiver refuse an old message replayed by
someone who captured it (``verify`` with a tolerance). Pure: no I/O, the time is passed in.
"""
from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

from timebank_common import signed_http

SIGNATURE_HEADER = "Timebank-Signature"
DELIVERY_HEADER = "Timebank-Delivery"
LOOPBACK_HOSTS = frozenset({"localhost"})
SECRET_PREFIX = "whsec_"


class UrlRefused(ValueError):
    """Why an endpoint URL cannot be used: ``(zh, en)``."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The URL if an endpoint may have it: https to any host, or plain http only to this
    machine (a test receiver) — a municipal system's notifications carry the city's data and
    are not sent in the clear."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise UrlRefused("地址格式不正确", "The URL is malformed") from None
    if parts.scheme not in ("https", "http") or not host:
        raise UrlRefused("地址须以 https:// 开头", "The URL must start with https://")
    if parts.username or parts.password:
        raise UrlRefused("地址中不能包含用户名或密码", "The URL must not carry a user or password")
    if parts.scheme == "http" and not _loopback(host):
        raise UrlRefused("只接受 https 地址（http 仅限本机测试）",
                         "Only https URLs are accepted (http only on loopback, for testing)")
    return url


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
