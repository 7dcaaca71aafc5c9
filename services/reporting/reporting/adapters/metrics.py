"""reporting's Prometheus figures."""
from __future__ import annotations

from prometheus_client import Gauge

LAG_SECONDS = Gauge(
    "timebank_reporting_lag_seconds",
    "Seconds between now and the occurred_at of the newest event the read model applied "
    "(set at every answer and metrics scrape)")
EVENTS_WAITING = Gauge(
    "timebank_reporting_events_waiting",
    "Consumed events still waiting in reporting's queues, not yet applied (set by the lag "
    "timer)")
