"""The delivery worker (a timer) and, for operators, dead deliveries (internal RPCs)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields

from timebank_common.service import rpc, scheduled

from ..adapters.channels.email import SmtpEmail, SmtpSettings
from ..adapters.channels.sms import SmsSettings, TencentSms
from ..app import dead_deliveries, delivering
from ..contracts import DeadDeliveries, DeadDelivery, DeliveryReplayed
from ..domain.delivery import RetryPolicy
from .base import NotifyEntrypoints


class DeliveryEntrypoints(NotifyEntrypoints):
    @scheduled("DELIVERY_POLL_SECONDS", 2)
    def send_due(self) -> None:
        """Deliveries left ``sending`` by a dead process become dead; then what is due is
        sent (``DELIVERY.concurrency`` at once, at most ``DELIVERY.batch`` per tick)."""
        settings = self.config
        senders = delivering.Senders(
            sms=TencentSms(SmsSettings.from_config(settings.get("SMS"))),
            email=SmtpEmail(SmtpSettings.from_config(settings.get("SMTP"))))
        cfg = settings.get("DELIVERY", {}) or {}
        lease = dt.timedelta(seconds=float(cfg.get("sending_lease_seconds", 300)))
        delivering.expire_interrupted(self.db, lease, self.clock)
        delivering.deliver_due(self.db, self.identity_service().contacts, senders,
                               self._retry_policy(), self.clock,
                               limit=int(cfg.get("batch", 100)),
                               concurrency=int(cfg.get("concurrency", 4)))

    def _retry_policy(self) -> RetryPolicy:
        cfg = self.config.get("DELIVERY", {}) or {}
        return RetryPolicy(max_attempts=int(cfg.get("max_attempts", 5)),
                           base_seconds=float(cfg.get("backoff_base_seconds", 30)),
                           cap_seconds=float(cfg.get("backoff_cap_seconds", 3600)))

    @rpc(args={"limit": fields.Integer()}, returns=DeadDeliveries, internal=True)
    def dead_deliveries(self, limit=100) -> dict[str, Any]:
        """The most recent dead deliveries (at most 1,000), for an operator to inspect."""
        view = DeadDelivery()
        return {"items": [view.dump(row) for row in dead_deliveries.list_dead(self.db, limit)]}

    @rpc(returns=DeliveryReplayed, internal=True)
    def replay_delivery(self, delivery_id) -> dict[str, Any]:
        """Send a dead delivery again (after the cause was fixed): back to ``pending``,
        attempts from zero."""
        return dead_deliveries.replay(self.db, delivery_id, self.clock.now())
