"""reporting's Prometheus figures. Each is absent from ``/metrics`` until first measured
(``MeasuredGauge``): a process that has not looked yet, or could not, claims nothing."""
from __future__ import annotations

from timebank_common.metrics import MeasuredGauge

LAG_SECONDS = MeasuredGauge(
    "timebank_reporting_lag_seconds",
    "Seconds between now and the occurred_at of the newest event the read model applied "
    "(set at every answer and by the lag timer; absent until an event was applied)")
EVENTS_WAITING = MeasuredGauge(
    "timebank_reporting_events_waiting",
    "Consumed events still waiting in reporting's queues, not yet applied (set by the lag "
    "timer; absent while the broker cannot be read)")
ZYH_PENDING = MeasuredGauge(
    "timebank_reporting_zyh_pending", "志愿汇 pushes waiting to be sent (set by the push timer)")
ZYH_DEAD = MeasuredGauge(
    "timebank_reporting_zyh_dead",
    "志愿汇 pushes that used up their attempts (replay: python -m reporting.commands.zyh)")
ZYH_LAST_SUCCESS = MeasuredGauge(
    "timebank_reporting_zyh_last_success_timestamp_seconds",
    "Unix time of the last POST 志愿汇 accepted (absent: none yet)")
