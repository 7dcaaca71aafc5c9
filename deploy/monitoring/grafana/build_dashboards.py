"""Write the Grafana dashboards (one overview, one per process) as JSON into ``dashboards/``.

    .venv/bin/python deploy/monitoring/grafana/build_dashboards.py

The JSON files are committed; ``tests/unit/test_monitoring.py`` checks that they are what this
script writes, that their structure is sound, that every expression parses (``promtool``) and
that every metric they read is one the platform or an exporter exports.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "timebank-prometheus"}
SERVICES = ("identity", "demand", "matching", "ledger", "notify", "reporting")
TITLES = {"gateway": "网关 Gateway", "identity": "身份 Identity", "demand": "需求 Demand",
          "matching": "匹配 Matching", "ledger": "账本 Ledger", "notify": "通知 Notify",
          "reporting": "统计 Reporting"}


def panel(title: str, *exprs: tuple[str, str], unit: str = "short", kind: str = "timeseries",
          description: str = "", thresholds: list[tuple[float, str]] | None = None) -> dict:
    """A panel of ``(expr, legend)`` pairs; placed and numbered by ``dashboard``."""
    steps = [{"color": "green", "value": None}]
    steps += [{"color": color, "value": value} for value, color in thresholds or []]
    out = {
        "type": kind, "title": title, "description": description, "datasource": DATASOURCE,
        "targets": [{"refId": chr(ord("A") + n), "datasource": DATASOURCE, "expr": expr,
                     "legendFormat": legend, "range": True}
                    for n, (expr, legend) in enumerate(exprs)],
        "fieldConfig": {"defaults": {"unit": unit,
                                     "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {},
    }
    if kind == "stat":
        out["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                          "colorMode": "background", "graphMode": "none"}
    return out


def dashboard(uid: str, title: str, panels: list[dict], description: str) -> dict:
    placed, x, y = [], 0, 0
    for n, p in enumerate(panels, start=1):
        width = 6 if p["type"] == "stat" else 12
        if x + width > 24:
            x, y = 0, y + 8
        placed.append({"id": n, "gridPos": {"h": 8, "w": width, "x": x, "y": y}, **p})
        x += width
    return {
        "uid": uid, "title": title, "description": description, "tags": ["timebank"],
        "editable": False, "schemaVersion": 38, "version": 1, "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"}, "timezone": "browser",
        "templating": {"list": []}, "annotations": {"list": []}, "links": [],
        "panels": placed,
    }


def process_panels(job: str) -> list[dict]:
    """What every process exports (timebank_common.metrics)."""
    sel = f'job="{job}"'
    return [
        panel("进程 Processes up", (f"sum(up{{{sel}}})", "up"), kind="stat",
              description="Processes of this service Prometheus can scrape"),
        panel("死信 Dead letters", (f"max(timebank_dead_letters{{{sel}}})", "dead letters"),
              kind="stat", thresholds=[(1, "red")],
              description="Messages in <service>.dead-letters; absent while the broker cannot "
                          "be reached"),
        panel("死信检查 Dead-letter check", (f"min(timebank_dead_letters_check_ok{{{sel}}})",
                                          "broker reachable"),
              kind="stat", thresholds=[(0, "red"), (1, "green")],
              description="0: the broker could not be reached at the last scrape"),
        panel("发件箱最久 Outbox oldest", (f"max(timebank_outbox_oldest_age_seconds{{{sel}}})",
                                          "oldest unsent"),
              kind="stat", unit="s", thresholds=[(60, "orange"), (300, "red")]),
        panel("调用 Entrypoint calls by outcome",
              (f"sum by (outcome) (rate(timebank_entrypoint_calls_total{{{sel}}}[5m]))",
               "{{outcome}}"), unit="ops"),
        panel("错误 Entrypoint errors",
              (f'sum by (entrypoint) (rate(timebank_entrypoint_calls_total{{{sel}, '
               f'outcome="error"}}[5m])) > 0', "{{entrypoint}}"), unit="ops"),
        panel("延迟 p99 latency by entrypoint (top 10)",
              (f"topk(10, histogram_quantile(0.99, sum by (entrypoint, le) "
               f"(rate(timebank_entrypoint_duration_seconds_bucket{{{sel}}}[5m]))))",
               "{{entrypoint}}"), unit="s"),
        panel("发件箱 Outbox",
              (f"sum(timebank_outbox_backlog{{{sel}}})", "unsent rows"),
              (f"sum(rate(timebank_outbox_published_total{{{sel}}}[5m]))", "published /s")),
        panel("事件 Events handled",
              (f"sum by (event_type, outcome) "
               f"(rate(timebank_events_handled_total{{{sel}}}[5m]))",
               "{{event_type}} {{outcome}}"), unit="ops"),
    ]


def own_panels(job: str) -> list[dict]:
    sel = f'job="{job}"'
    if job == "gateway":
        return [
            panel("请求 Requests by status",
                  (f"sum by (code) (rate(timebank_http_requests_total{{{sel}}}[5m]))", "{{code}}"),
                  unit="reqps"),
            panel("5xx 比例 5xx ratio",
                  (f'sum(rate(timebank_http_requests_total{{{sel}, code=~"5.."}}[5m])) / '
                   f"sum(rate(timebank_http_requests_total{{{sel}}}[5m]))", "5xx"),
                  unit="percentunit", thresholds=[(0.01, "red")]),
            panel("路由延迟 p99 by route (top 10)",
                  (f"topk(10, histogram_quantile(0.99, sum by (route, method, le) "
                   f"(rate(timebank_http_request_duration_seconds_bucket{{{sel}}}[5m]))))",
                   "{{method}} {{route}}"), unit="s"),
            panel("路由 5xx by route",
                  (f'sum by (route, method, code) (rate(timebank_http_requests_total{{{sel}, '
                   f'code=~"5.."}}[5m])) > 0', "{{method}} {{route}} {{code}}"), unit="reqps"),
            panel("限流 Rate limited",
                  (f"sum by (rate_class) (rate(timebank_rate_limited_total{{{sel}}}[5m]))",
                   "{{rate_class}}"), unit="reqps"),
            panel("令牌与约定 Revoked tokens, contract violations",
                  (f"sum(rate(timebank_revoked_tokens_refused_total{{{sel}}}[5m]))",
                   "revoked tokens refused"),
                  (f"sum by (route) (rate(timebank_gateway_response_contract_violations_total"
                   f"{{{sel}}}[5m]))", "contract violation {{route}}"), unit="reqps"),
        ]
    if job == "identity":
        return [panel("登录 Logins by outcome",
                      (f"sum by (outcome) (rate(timebank_login_attempts_total{{{sel}}}[5m]))",
                       "{{outcome}}"), unit="ops")]
    if job == "demand":
        return [panel("需求 Escalations, expiries, series",
                      (f"sum(increase(timebank_demand_review_escalations_total{{{sel}}}[1h]))",
                       "review escalations /h"),
                      (f"sum(increase(timebank_demand_expired_total{{{sel}}}[1h]))",
                       "expired unserved /h"),
                      (f"sum by (outcome) (increase("
                       f"timebank_demand_series_occurrences_total{{{sel}}}[1h]))",
                       "series occurrences {{outcome}} /h"))]
    if job == "matching":
        return [
            panel("索引 Index size",
                  (f"timebank_matching_index_volunteers{{{sel}}}", "volunteers {{instance}}"),
                  (f"timebank_matching_index_open_demands{{{sel}}}", "open demands {{instance}}")),
            panel("索引更新 Index builds and deltas",
                  (f"sum(rate(timebank_matching_index_builds_total{{{sel}}}[5m]))", "builds /s"),
                  (f"sum(rate(timebank_matching_index_deltas_total{{{sel}}}[5m]))", "deltas /s")),
        ]
    if job == "ledger":
        mismatches = ("accounts_below_zero", "posted_total_mismatches", "pending_total_mismatches",
                      "unbalanced_transfers", "running_balance_mismatches",
                      "yearly_sum_mismatches")
        return [
            panel("不变量 Invariants hold", (f"min(timebank_ledger_invariants_ok{{{sel}}})", "ok"),
                  kind="stat", thresholds=[(0, "red"), (1, "green")],
                  description="Absent until the first check after a start"),
            panel("日志链 Journal intact", (f"min(timebank_ledger_journal_intact{{{sel}}})", "ok"),
                  kind="stat", thresholds=[(0, "red"), (1, "green")]),
            panel("上次检查 Since last check",
                  (f"time() - max(timebank_ledger_invariants_last_check_timestamp_seconds"
                   f"{{{sel}}})", "since last check"),
                  kind="stat", unit="s", thresholds=[(900, "red")]),
            panel("上次全链 Since last full journal walk",
                  (f"time() - max(timebank_ledger_journal_last_full_check_timestamp_seconds"
                   f"{{{sel}}})", "since full walk"),
                  kind="stat", unit="s", thresholds=[(172800, "red")]),
            panel("不一致 Mismatches (must be 0)",
                  *((f"max(timebank_ledger_{name}{{{sel}}})", name) for name in mismatches),
                  (f"max(timebank_ledger_entries_sum_seconds{{{sel}}})", "entries sum (seconds)")),
            panel("日志链长度 Journal links verified",
                  (f"max(timebank_ledger_journal_checked{{{sel}}})", "last seq verified")),
            panel("证明 Certificates",
                  (f"sum(increase(timebank_ledger_certificates_signed_total{{{sel}}}[1h]))",
                   "signed /h"),
                  (f"sum(increase(timebank_ledger_certificate_signing_failures_total{{{sel}}}"
                   f"[1h]))", "signing failures /h")),
        ]
    if job == "notify":
        return [
            panel("投递 Deliveries by channel and outcome",
                  (f"sum by (channel, outcome) "
                   f"(rate(timebank_notify_deliveries_total{{{sel}}}[5m]))",
                   "{{channel}} {{outcome}}"), unit="ops"),
            panel("消息与提醒 Messages and reminders",
                  (f"sum by (kind) (rate(timebank_notify_messages_total{{{sel}}}[5m]))",
                   "messages {{kind}}"),
                  (f"sum by (outcome) (rate(timebank_notify_reminders_total{{{sel}}}[5m]))",
                   "reminders {{outcome}}"), unit="ops"),
        ]
    if job == "reporting":
        return [
            panel("滞后 Read-model lag", (f"max(timebank_reporting_lag_seconds{{{sel}}})", "lag"),
                  unit="s", description="Now minus the newest applied event's occurred_at"),
            panel("待处理事件 Events waiting",
                  (f"max(timebank_reporting_events_waiting{{{sel}}})", "waiting")),
            panel("志愿汇 pushes",
                  (f"max(timebank_reporting_zyh_pending{{{sel}}})", "pending"),
                  (f"max(timebank_reporting_zyh_dead{{{sel}}})", "dead")),
            panel("志愿汇 since last success",
                  (f"time() - max(timebank_reporting_zyh_last_success_timestamp_seconds"
                   f"{{{sel}}})", "since last success"), kind="stat", unit="s"),
        ]
    raise KeyError(job)


def overview() -> dict:
    gw = 'job="gateway"'
    panels = [
        panel("进程 Processes up by job", ("sum by (job) (up)", "{{job}}"),
              description="Every scrape target: the processes, RabbitMQ and postgres_exporter"),
        panel("API 请求 Requests by status",
              (f"sum by (code) (rate(timebank_http_requests_total{{{gw}}}[5m]))", "{{code}}"),
              unit="reqps"),
        panel("5xx 比例 5xx ratio",
              (f'sum(rate(timebank_http_requests_total{{{gw}, code=~"5.."}}[5m])) / '
               f"sum(rate(timebank_http_requests_total{{{gw}}}[5m]))", "5xx"),
              kind="stat", unit="percentunit", thresholds=[(0.01, "red")]),
        panel("API p99",
              (f"histogram_quantile(0.99, sum by (le) "
               f"(rate(timebank_http_request_duration_seconds_bucket{{{gw}}}[5m])))", "p99"),
              kind="stat", unit="s", thresholds=[(2.5, "orange")]),
        panel("账本不变量 Ledger invariants",
              ('min(timebank_ledger_invariants_ok{job="ledger"})', "invariants"),
              kind="stat", thresholds=[(0, "red"), (1, "green")]),
        panel("账本日志链 Ledger journal",
              ('min(timebank_ledger_journal_intact{job="ledger"})', "journal"),
              kind="stat", thresholds=[(0, "red"), (1, "green")]),
        panel("发件箱最久 Outbox oldest by job",
              ("max by (job) (timebank_outbox_oldest_age_seconds)", "{{job}}"), unit="s"),
        panel("死信 Dead letters by job",
              ("max by (job) (timebank_dead_letters)", "{{job}}"),
              ("min by (job) (timebank_dead_letters_check_ok) == 0",
               "{{job}}: broker unreachable")),
        panel("统计滞后 Reporting lag",
              ('max(timebank_reporting_lag_seconds{job="reporting"})', "lag"),
              ('max(timebank_reporting_events_waiting{job="reporting"})', "events waiting")),
        panel("队列 Ready messages (top 10 queues)",
              ("topk(10, rabbitmq_queue_messages_ready)", "{{queue}}")),
        panel("无消费者队列 Queues without consumers",
              ('rabbitmq_queue_consumers{queue=~"rpc-.+|evt-.+"} == 0', "{{queue}}")),
        panel("PostgreSQL connections by database",
              ("sum by (datname) (pg_stat_database_numbackends)", "{{datname}}"),
              ("min(pg_up)", "pg_up")),
    ]
    return dashboard("timebank-overview", "时间银行 Time bank — overview", panels,
                     "The platform at a glance: processes, API, ledger, messaging, reporting, "
                     "broker and database")


def dashboards() -> dict[str, dict]:
    out = {"overview.json": overview()}
    for job in ("gateway", *SERVICES):
        out[f"{job}.json"] = dashboard(
            f"timebank-{job}", f"时间银行 {TITLES[job]}", own_panels(job) + process_panels(job),
            f"The {job} processes (Prometheus job {job})")
    return out


def render(board: dict) -> str:
    return json.dumps(board, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, board in dashboards().items():
        (OUT / name).write_text(render(board), encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
