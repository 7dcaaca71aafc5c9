"""GET /api/v1/stats: the read model's figures come from reporting (``overview`` for the
period, open ends made today and five years before it), the snapshots from the owning
services; a section that does not answer is null and named in ``unavailable``."""
import datetime as dt
import json
from types import SimpleNamespace
from unittest.mock import Mock

from nameko.exceptions import UnknownService
from werkzeug.test import EnvironBuilder

from gateway.routes.stats import SupervisionStatsOut, overview_span
from gateway.service import GatewayService as Gateway

CITY_ADMIN = {"person_id": "p", "roles": ["city_admin"], "scope": "130100000000"}
REGION = "130102000000"
EMPTY = {"count": 0, "median_minutes": None, "mean_minutes": None}


def identity_answer(period):
    return {"region_code": REGION, "period": period, "as_of": "2026-12-07",
            "volunteers": {"registered": 3, "new_in_period": None, "eligible": 2, "active": 1,
                           "by_background_tag": {}, "by_sex": {}, "by_age_band": {}},
            "elders": {"registered": 1, "new_in_period": None, "phone_only": 0,
                       "with_any_hardship": 1, "by_hardship_category": {},
                       "by_age_band": {}},
            "carriers": {"total": 0, "by_kind": {}},
            "station_operators": 0, "children": []}


def overview_answer(first, last):
    return {"region_code": REGION, "from": first, "to": last,
            "totals": {"services_recorded": 4, "minutes_reversed": 30},
            "active_volunteers": 2, "elders_served": 3,
            "elders_served_by_category": {"empty_nest": 1},
            "priority_elders_by_category": {"empty_nest": 2}, "minutes_credited_net": 90,
            "mean_publication_wait_minutes": 30.0, "mean_service_wait_minutes": None,
            "average_score": 4.5, "as_of": "2026-12-07T01:00:00+00:00", "lag_seconds": 2.0}


def ask(query, reporting_fails=False):
    identity, reporting = Mock(), Mock()
    period = {"from": query.get("from"), "to": query.get("to")}
    identity.identity_stats.return_value = identity_answer(period)
    if reporting_fails:
        reporting.overview.side_effect = UnknownService("reporting")
        reporting.demand_figures.side_effect = UnknownService("reporting")
        reporting.matching_figures.side_effect = UnknownService("reporting")
    else:
        reporting.overview.side_effect = lambda caller, span: overview_answer(span["from"],
                                                                              span["to"])
        reporting.demand_figures.side_effect = lambda caller, span: demand_answer(span)
        reporting.matching_figures.side_effect = lambda caller, span: matching_answer(span)
    absent = Mock()
    absent.ledger_stats.side_effect = UnknownService("x")
    for method in ("demand_stats", "matching_stats"):  # reporting answers their sections
        getattr(absent, method).side_effect = AssertionError("not asked for supervision")
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, identity=identity,
                           reporting=reporting, ledger=absent, demand=absent, matching=absent,
                           config={"STRICT_RESPONSES": True},
                           authenticate=lambda request: CITY_ADMIN,
                           _optional_figures=Gateway._optional_figures)
    request = EnvironBuilder(method="GET", path="/api/v1/stats",
                             query_string={"region": REGION, **query}).get_request()
    response = Gateway.stats(fake, request)
    return response.status_code, json.loads(response.get_data()), reporting.overview


def matching_answer(span):
    """reporting's ``matching_figures``: matching's ``StatsOut``, from the events."""
    return {"region_code": span["region_code"], "published": 4, "assigned": 3,
            "match_rate": 0.75, "with_candidate": 3,
            "time_to_first_candidate_seconds": {"median": 1200.0, "mean": 1200.0},
            "dispatch": {"runs": 1, "proposals": {"applied": 1, "held": 1, "rejected": 1,
                                                  "failed": 0}}}


def demand_answer(span):
    """reporting's ``demand_figures``: demand's ``DemandStatsOut``, from demand's events."""
    return {"region_code": span["region_code"],
            "period": {"from": span["from"], "to": span["to"]},
            "demands": {"total": 2, "by_status": {"published": 1, "cancelled": 1},
                        "by_category": {"companionship": 2}, "by_channel": {"app": 2}},
            "timing": {"submission_to_publication": {"count": 2, "median_minutes": 12.5,
                                                     "mean_minutes": 12.5},
                       "submission_to_first_assignment": EMPTY},
            "completion": {"completed": 0, "cancelled_after_assignment": 0, "expired": 1,
                           "rate": None},
            "satisfaction": {"evaluations": 0, "average_score": None, "low_scores": 0},
            "disputes": {"disputes_opened": 0, "disputes_resolved": 0, "by_outcome": {}},
            "reliability": {"no_shows": 0, "withdrawals": 0, "no_show_rate": None},
            "funding": {"by_source": {"issuance": 2}, "chosen_by": {"default": 2},
                        "fallbacks": 0, "fallback_shortfall_minutes": 0},
            "recording": {"overdue_to_station": 0, "overdue_to_township": 0},
            "served": {"elders": 0, "by_category": {}}}


def test_the_read_models_figures_come_from_reporting_for_the_period():
    status, body, asked = ask({"from": "2026-11-01", "to": "2026-11-30"})
    assert status == 200, body
    assert asked.call_args.args[1] == {"region_code": REGION, "from": "2026-11-01",
                                       "to": "2026-11-30"}
    assert body["reporting"]["elders_served"] == 3 and body["reporting"]["lag_seconds"] == 2.0
    assert body["unavailable"] == ["ledger"]


def test_demands_and_matchings_figures_come_from_reporting_not_from_them():
    status, body, asked = ask({"from": "2026-11-01", "to": "2026-11-30"})
    assert status == 200, body
    assert body["demand"]["timing"]["submission_to_publication"]["median_minutes"] == 12.5
    assert body["demand"]["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert body["matching"]["match_rate"] == 0.75
    assert body["matching"]["time_to_first_candidate_seconds"]["median"] == 1200.0
    assert "demand" not in body["unavailable"] and "matching" not in body["unavailable"]
    assert SupervisionStatsOut().validate(body) == {}


def test_without_a_period_reporting_answers_the_five_years_up_to_today():
    status, body, asked = ask({})
    assert status == 200, body
    span = asked.call_args.args[1]
    assert span["to"] == "2026-12-07"
    assert (dt.date.fromisoformat(span["to"]) - dt.date.fromisoformat(span["from"])).days == \
        366 * 5 - 1


def test_reporting_not_answering_leaves_its_section_null():
    status, body, _ = ask({"from": "2026-11-01"}, reporting_fails=True)
    assert status == 200 and body["reporting"] is None
    assert body["unavailable"] == ["reporting", "ledger", "demand", "matching"]
    assert body["demand"] is None and body["matching"] is None  # reporting answers them


def test_the_span_is_clipped_to_what_reporting_answers():
    today = dt.date(2026, 12, 7)
    assert overview_span(REGION, dt.date(1990, 1, 1), None, today) == {
        "region_code": REGION, "from": "2021-12-04", "to": "2026-12-07"}  # 5 × 366 days
    assert overview_span(REGION, None, dt.date(2200, 1, 1), today)["to"] == "2099-12-31"
