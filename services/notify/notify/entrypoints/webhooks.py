"""Webhooks of municipal systems: their endpoints (RPC), the worker that POSTs each change
signed (a timer), and for operators the dead deliveries and their replay (internal RPCs,
also ``python -m notify.commands.webhooks``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields

from identity.contracts import TOKENS_REVOKED
from timebank_common.events import event_handler, once
from timebank_common.service import rpc, scheduled

from ..adapters.webhook_sender import WebhookSender
from ..app import webhooks
from ..contracts import (
    WebhookCreated,
    WebhookDeleted,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookIn,
    WebhookList,
)
from ..domain.delivery import RetryPolicy
from .base import NotifyEntrypoints


def webhook_settings(config) -> dict[str, Any]:
    return dict(config.get("WEBHOOKS") or {})


def retry_policy(config) -> RetryPolicy:
    cfg = webhook_settings(config)
    return RetryPolicy(max_attempts=int(cfg.get("max_attempts", 8)),
                       base_seconds=float(cfg.get("backoff_base_seconds", 30)),
                       cap_seconds=float(cfg.get("backoff_cap_seconds", 3600)))


class WebhookEntrypoints(NotifyEntrypoints):
    @rpc(args={"data": WebhookIn}, returns=WebhookCreated, idempotent=True)
    def create_webhook(self, caller, data) -> dict[str, Any]:
        """A new endpoint for the calling municipal system; its secret is in this answer only."""
        limit = int(webhook_settings(self.config).get("max_endpoints", webhooks.MAX_ENDPOINTS))
        return WebhookCreated().dump(webhooks.create(self.db, caller, data, self.clock.now(),
                                                     limit))

    @rpc(returns=WebhookList)
    def webhooks(self, caller) -> dict[str, Any]:
        """The calling municipal system's endpoints (never their secrets)."""
        return WebhookList().dump(webhooks.listing(self.db, caller))

    @rpc(returns=WebhookDeleted)
    def delete_webhook(self, caller, webhook_id) -> dict[str, Any]:
        """No more deliveries to the endpoint; what it still owed is cancelled."""
        return webhooks.delete(self.db, caller, webhook_id, self.clock.now())

    @event_handler(TOKENS_REVOKED)
    @once("notify.webhooks_on_tokens_revoked")
    def webhooks_on_tokens_revoked(self, uow, event) -> None:
        """A revoked municipal system's endpoints are deleted: its city's changes stop."""
        webhooks.client_revoked(uow, TOKENS_REVOKED.load_event(event)["payload"],
                                self.clock.now())

    @scheduled("WEBHOOK_POLL_SECONDS", 1)
    def send_webhooks(self) -> None:
        """POST what is due (at most ``WEBHOOKS.batch`` per tick)."""
        cfg = webhook_settings(self.config)
        webhooks.deliver_due(
            self.db, WebhookSender(float(cfg.get("timeout_seconds", 5))),
            retry_policy(self.config), self.clock,
            dt.timedelta(seconds=float(cfg.get("sending_lease_seconds", 60))),
            limit=int(cfg.get("batch", 50)))

    @rpc(args={"limit": fields.Integer()}, returns=WebhookDeliveries, internal=True)
    def dead_webhook_deliveries(self, limit=100) -> dict[str, Any]:
        """Deliveries that gave up (attempts used up), newest first, for an operator."""
        return WebhookDeliveries().dump({"items": webhooks.dead(self.db, limit)})

    @rpc(returns=WebhookDelivery, internal=True)
    def replay_webhook_delivery(self, delivery_id) -> dict[str, Any]:
        """Send a dead delivery again: back to pending, attempts from zero."""
        return WebhookDelivery().dump(webhooks.replay(self.db, delivery_id, self.clock.now()))
