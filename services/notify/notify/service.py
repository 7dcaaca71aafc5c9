"""The notify service: its entrypoint mixins (``notify.entrypoints``) and its dependencies."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .entrypoints.call_tasks import CallTaskEntrypoints
from .entrypoints.changes import ChangeFeedEntrypoints
from .entrypoints.deliveries import DeliveryEntrypoints
from .entrypoints.demand_events import DemandEventEntrypoints
from .entrypoints.identity_events import IdentityEventEntrypoints
from .entrypoints.inbox import InboxEntrypoints
from .entrypoints.ledger_events import LedgerEventEntrypoints
from .entrypoints.preferences import PreferencesEntrypoints
from .entrypoints.qualifications import QualificationEntrypoints
from .entrypoints.reminders import ReminderEntrypoints
from .entrypoints.templates import TemplateEntrypoints
from .entrypoints.webhooks import WebhookEntrypoints


class NotifyService(InboxEntrypoints, PreferencesEntrypoints, TemplateEntrypoints,
                    CallTaskEntrypoints, DeliveryEntrypoints, ReminderEntrypoints,
                    QualificationEntrypoints, DemandEventEntrypoints, LedgerEventEntrypoints,
                    IdentityEventEntrypoints, ChangeFeedEntrypoints, WebhookEntrypoints,
                    IdempotencyPurge, ServiceBase):
    name = "notify"
    db = Database()
    relay = OutboxRelay()
    identity = RpcProxy("identity")
    demand = RpcProxy("demand")
