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
ZYH_PENDING = Gauge(
    "timebank_reporting_zyh_pending", "志愿汇 pushes waiting to be sent (set by the push timer)")
ZYH_DEAD = Gauge(
    "timebank_reporting_zyh_dead",
    "志愿汇 pushes that used up their attempts (replay: python -m reporting.commands.zyh)")
ZYH_LAST_SUCCESS = Gauge(
    "timebank_reporting_zyh_last_success_timestamp_seconds",
    "Unix time of the last POST 志愿汇 accepted (0: none yet)")
