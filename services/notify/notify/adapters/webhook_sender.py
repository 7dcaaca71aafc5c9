"""POSTs a signed webhook body to a municipal system's endpoint (the only HTTP notify makes
to an address a client chose), with the kit's ``signed_http.post``."""
from __future__ import annotations

from timebank_common.signed_http import Outcome, post

__all__ = ["Outcome", "WebhookSender"]


class WebhookSender:
    def __init__(self, timeout_seconds: float = 5.0):
        self.timeout = timeout_seconds

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        return post(url, body, headers, self.timeout, user_agent="timebank-webhooks/1")
