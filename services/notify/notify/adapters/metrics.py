"""Prometheus metrics of the notify service (exposed on its /metrics with the shared ones)."""
from prometheus_client import Counter

MESSAGES = Counter("timebank_notify_messages_total", "Inbox messages stored", ["kind"])
DELIVERIES = Counter(
    "timebank_notify_deliveries_total",
    "Delivery attempts by channel and outcome (sent, failed, dead, skipped, deferred)",
    ["channel", "outcome"],
)
REMINDERS = Counter("timebank_notify_reminders_total", "Reminders by outcome", ["outcome"])
