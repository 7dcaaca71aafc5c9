"""POSTs a signed webhook body to a municipal system's endpoint (the only HTTP notify makes
to an address a client chose)."""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """The HTTP status the receiver answered (None: no answer — refused, timed out)."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer, not followed
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class WebhookSender:
    def __init__(self, timeout_seconds: float = 5.0):
        self.timeout = timeout_seconds

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "timebank-webhooks/1", **headers})
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                return Outcome(answer.status)
        except urllib.error.HTTPError as exc:
            return Outcome(exc.code, f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Outcome(None, f"no answer: {reason}"[:300])
