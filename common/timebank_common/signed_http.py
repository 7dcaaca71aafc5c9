"""Signed HTTP POSTs to another system, and the retry schedule around them — shared by
notify's webhooks and reporting's 志愿汇 pushes.

* ``sign``: the hex HMAC-SHA256, under a shared secret, of ``"<timestamp>.<body>"`` or, with a
  nonce, ``"<timestamp>.<nonce>.<body>"`` — signing the time (and a one-off nonce) with the
  body lets the receiver refuse an old message replayed by someone who captured it;
  ``verify`` is what a receiver does (recent timestamp, constant-time comparison).
* ``backoff``: the deterministic pause after the n-th failed attempt, base × 2^(n−1), capped
  (no jitter: a schedule a test and an operator can predict).
* ``check_url``: https to any host, plain http only to this machine (a test receiver).
* ``post``: one POST with a timeout; redirects are answers, not followed; a network error is an
  ``Outcome`` without status, never an exception.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost"})


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
    machine (a test receiver) — what is posted carries people's data and is not sent in the
    clear."""
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


def sign(secret: str, timestamp: int, body: bytes, nonce: str | None = None) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` (``"<timestamp>.<nonce>.<body>"``)."""
    message = str(int(timestamp)).encode() + b"."
    if nonce is not None:
        message += nonce.encode() + b"."
    return hmac.new(secret.encode(), message + body, hashlib.sha256).hexdigest()


def verify(secret: str, signature: str, timestamp: int, body: bytes, now: int,
           nonce: str | None = None, tolerance: int = 300) -> bool:
    """The timestamp is within ``tolerance`` seconds of ``now`` and the signature matches."""
    if abs(int(now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body, nonce), signature)


def backoff(attempts: int, base_seconds: float, cap_seconds: float) -> dt.timedelta:
    """The pause after the ``attempts``-th failed attempt (1 → base, 2 → 2×base, …, ≤ cap)."""
    seconds = base_seconds * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, cap_seconds))


@dataclass(frozen=True)
class Outcome:
    """The HTTP status the receiver answered (None: no answer — refused, timed out)."""

    status: int | None
    error: str | None = None
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect is an answer, not followed


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float,
         user_agent: str = "timebank/1") -> Outcome:
    """POST ``body`` (JSON) with ``headers``; the answer's status, or why there was none."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": user_agent,
        **headers})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return Outcome(answer.status, None, answer.read(4096))
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"no answer: {reason}"[:300])
