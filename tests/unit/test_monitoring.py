"""deploy/monitoring: the Prometheus configuration and alert rules pass ``promtool check`` and
their unit tests (``promtool test rules``); the Grafana dashboards are sound, every expression
parses, and every metric an alert or a panel reads is one the platform or an exporter exports;
the platform's own metrics follow Prometheus's naming conventions.

promtool comes from Debian's prometheus package (deploy/ensure-infra.sh installs it); without
it these tests fail, they are not skipped.
"""
from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest

from timebank_common.metrics import MeasuredGauge

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
GRAFANA = MONITORING / "grafana"
sys.path.insert(0, str(GRAFANA))

import build_dashboards  # noqa: E402  (deploy/monitoring/grafana)

METRIC_MODULES = (
    "timebank_common.metrics", "ledger.adapters.invariant_metrics", "reporting.adapters.metrics",
    "matching.adapters.index_cache", "notify.adapters.metrics", "demand.adapters.metrics",
)
# what the exporters export that the alerts and dashboards read: RabbitMQ's rabbitmq_prometheus
# plugin (/metrics/per-object), postgres_exporter, and Prometheus's own `up`
EXPORTER_METRICS = {
    "up", "rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers", "pg_up",
    "pg_stat_database_numbackends",
}
METRIC_TOKEN = re.compile(r"\b(timebank_[a-z0-9_]+|rabbitmq_[a-z0-9_]+|pg_[a-z0-9_]+|up)\b")


def promtool(*args: str | Path) -> subprocess.CompletedProcess:
    if shutil.which("promtool") is None:
        pytest.fail("promtool is missing: run deploy/ensure-infra.sh (it installs Debian's "
                    "prometheus package, which ships /usr/bin/promtool)")
    return subprocess.run(["promtool", *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


def alert_rules() -> list[dict]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_files() -> list[Path]:
    return sorted((GRAFANA / "dashboards").glob("*.json"))


def panel_exprs() -> list[tuple[str, str]]:
    out = []
    for path in dashboard_files():
        for panel in json.loads(path.read_text())["panels"]:
            out += [(f"{path.name}: {panel['title']}", t["expr"]) for t in panel["targets"]]
    return out


def platform_families() -> dict[str, str]:
    """The metric families the platform's processes export: name -> type."""
    for module in METRIC_MODULES:
        importlib.import_module(module)
    families = {}
    for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001
        for family in collector.describe() if hasattr(collector, "describe") else collector.collect():
            if family.name.startswith("timebank_"):
                families[family.name] = family.type
    return families


SAMPLE_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}


def defined_metrics() -> set[str]:
    """Every sample name the platform's processes can export."""
    return {name + suffix for name, kind in platform_families().items()
            for suffix in SAMPLE_SUFFIXES.get(kind, ("",))}


def metrics_in(expr: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(METRIC_TOKEN.findall(without_strings))


# --- Prometheus -------------------------------------------------------------------------


def test_the_configuration_and_its_rules_pass_promtool_check():
    checked = promtool("check", "config", MONITORING / "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = promtool("check", "rules", MONITORING / "alerts.yml")
    assert rules.returncode == 0, rules.stdout + rules.stderr


def test_the_alert_rules_pass_their_unit_tests():
    tests = sorted((MONITORING / "tests").glob("*.yml"))
    assert tests
    ran = promtool("test", "rules", *tests)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "SUCCESS" in ran.stdout + ran.stderr


def test_every_alert_has_a_unit_test_a_severity_and_a_summary():
    tested = set()
    for path in (MONITORING / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            tested |= {t["alertname"] for t in case.get("alert_rule_test", []) if t.get("exp_alerts")}
    for rule in alert_rules():
        assert rule["alert"] in tested, f"{rule['alert']} has no promtool test that fires it"
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_the_readme_lists_every_alert():
    readme = (MONITORING / "README.md").read_text()
    listed = set(re.findall(r"^\| (\w+) \|", readme, re.M)) - {"alert", "file"}
    assert listed == {rule["alert"] for rule in alert_rules()}


def test_the_scrape_jobs_are_the_local_runners_processes_and_the_exporters():
    sys.path.insert(0, str(ROOT / "deploy"))
    from local_platform import DEFAULT_PORTS  # noqa: PLC0415

    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port in DEFAULT_PORTS.items():
        assert jobs[name]["static_configs"][0]["targets"] == [f"127.0.0.1:{port}"], name
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["127.0.0.1:15692"]
    assert jobs["postgres"]["static_configs"][0]["targets"] == ["127.0.0.1:9187"]


# --- Grafana ----------------------------------------------------------------------------


def test_the_dashboards_are_what_the_builder_writes():
    built = build_dashboards.dashboards()
    assert sorted(built) == [path.name for path in dashboard_files()]
    for name, board in built.items():
        assert (GRAFANA / "dashboards" / name).read_text(encoding="utf-8") == \
            build_dashboards.render(board), f"run deploy/monitoring/grafana/build_dashboards.py ({name})"


def test_the_dashboards_are_sound_and_read_the_provisioned_datasource():
    [source] = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"]
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "timebank.yml").read_text())["providers"][0]
    assert provider["type"] == "file" and provider["options"]["path"]
    boards = [json.loads(path.read_text()) for path in dashboard_files()]
    names = {path.stem for path in dashboard_files()}
    assert names == {"overview", "gateway", *build_dashboards.SERVICES}
    assert len({board["uid"] for board in boards}) == len(boards)
    for board in boards:
        assert board["title"] and board["panels"], board["uid"]
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), f"{board['uid']}: panel ids repeat"
        for panel in board["panels"]:
            where = f"{board['uid']}: {panel['title']}"
            assert panel["type"] in ("timeseries", "stat"), where
            assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), where
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, where
            assert panel["datasource"]["uid"] == source["uid"], where
            assert panel["targets"], where
            refs = [target["refId"] for target in panel["targets"]]
            assert len(refs) == len(set(refs)), where
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == source["uid"], where
                assert target["expr"].strip(), where


def test_every_dashboard_expression_parses(tmp_path):
    exprs = panel_exprs()
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:expr_{n}:check", "expr": expr} for n, (_, expr) in enumerate(exprs)]}]}
    path = tmp_path / "dashboard_exprs.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True))
    checked = promtool("check", "rules", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in checked.stdout


def test_every_metric_an_alert_or_a_panel_reads_is_exported():
    known = defined_metrics() | EXPORTER_METRICS
    used = [(f"alert {rule['alert']}", rule["expr"]) for rule in alert_rules()] + panel_exprs()
    unknown = {(where, name) for where, expr in used for name in metrics_in(expr) - known}
    assert not unknown, sorted(unknown)
    read = set().union(*(metrics_in(expr) for _, expr in used))
    # and every metric of the platform is on a dashboard or in an alert
    unread = {name for name, kind in platform_families().items()
              if not {name + suffix for suffix in SAMPLE_SUFFIXES.get(kind, ("",))} & read}
    assert not unread, sorted(unread)


# --- naming conventions -----------------------------------------------------------------


def test_the_exposition_passes_promtools_metric_lint():
    platform_families()
    measured = [c for c in list(REGISTRY._collector_to_names)  # noqa: SLF001
                if isinstance(c, MeasuredGauge) and c.value() is None]
    for gauge in measured:  # present, so that the lint sees them
        gauge.set(1)
    try:
        exposition = generate_latest(REGISTRY)
    finally:
        for gauge in measured:
            gauge.clear()
    if shutil.which("promtool") is None:
        promtool()  # fails with the way to install it
    linted = subprocess.run(["promtool", "check", "metrics"], input=exposition,
                            capture_output=True, timeout=60, check=False)
    assert linted.returncode == 0, (linted.stdout + linted.stderr).decode()


def test_the_platforms_metrics_follow_prometheus_naming_conventions():
    platform_families()
    for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001
        name = getattr(collector, "_name", None) or getattr(collector, "name", "")
        if not name.startswith("timebank_"):
            continue
        kind = getattr(collector, "_type", "gauge")
        labels = set(getattr(collector, "_labelnames", ()))
        assert not labels & {"service", "job", "instance"}, f"{name}: a label repeats the target"
        assert not re.search(r"_(milliseconds|ms|minutes|hours|days)$", name), \
            f"{name}: not in base units"
        if kind == "histogram":
            assert name.endswith("_duration_seconds"), name
        if kind == "counter":
            assert not name.endswith(("_seconds", "_timestamp")), name
        if kind == "gauge":
            assert not name.endswith("_total"), name
            assert "timestamp" not in name or name.endswith("_timestamp_seconds"), name
