"""Events in → facts out, on real PostgreSQL: the series and breakdown a supervisor reads, a
redelivered event counted once, a rebuild equal to the live model, scope and lag."""
from __future__ import annotations

import datetime as dt

import pytest

from reporting.app.rebuilding import rebuild
from timebank_common.errors import DomainError, Forbidden

from .conftest import (
    COMMUNITY,
    OTHER_CITY,
    PROVINCE_ADMIN,
    TOWNSHIP_ADMIN,
    credited,
    envelope,
    feed,
    recorded,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, tzinfo=UTC)


def month_series(reporting, caller, region, measures, first="2026-10-01", last="2026-12-31",
                 period="month"):
    return reporting.series(caller, {"region_code": region, "period": period, "from": first,
                                     "to": last, "measures": measures})


def mixed_events():
    october = dt.datetime(2026, 10, 1, 2, tzinfo=UTC)
    november = dt.datetime(2026, 11, 20, 2, tzinfo=UTC)
    return [
        recorded(october, "v1", 60), recorded(october, "v2", 30),
        recorded(november, "v1", 90, funding_source="own_hours"),
        recorded(november, "v3", 45, region=OTHER_CITY),
        credited(october, 60), credited(november, 90),
        envelope("evaluation_submitted", {"demand_id": "d", "volunteer_id": "v1",
                                          "elder_id": "e1", "score": 5}, november),
        envelope("evaluation_submitted", {"demand_id": "d", "volunteer_id": "v2",
                                          "elder_id": "e1", "score": 3}, november),
        envelope("demand_cancelled", {"demand_id": "d9", "reason": "expired"}, november),
        envelope("person_registered", {"person_id": "v9", "profile": "volunteer",
                                       "region_code": COMMUNITY}, october),
    ]


def test_recorded_services_show_in_their_township_city_and_province(reporting):
    feed(reporting, mixed_events())
    measures = ["services_recorded", "service_minutes", "minutes_spent", "minutes_credited",
                "evaluations", "evaluation_score_sum", "demands_expired",
                "volunteers_registered", "active_volunteers"]
    township = month_series(reporting, TOWNSHIP_ADMIN, "130102001000", measures)
    rows = {row["period"]: row["values"] for row in township["rows"]}
    assert list(rows) == ["2026-10", "2026-11", "2026-12"]
    assert rows["2026-10"] == {
        "services_recorded": 2, "service_minutes": 90, "minutes_spent": 0,
        "minutes_credited": 60, "evaluations": 0, "evaluation_score_sum": 0,
        "demands_expired": 0, "volunteers_registered": 1, "active_volunteers": 2}
    assert rows["2026-11"]["services_recorded"] == 1
    assert rows["2026-11"]["minutes_spent"] == 90
    assert rows["2026-11"]["evaluation_score_sum"] == 8
    assert rows["2026-11"]["active_volunteers"] == 2  # v1 and v2 served within 90 days
    assert rows["2026-12"]["active_volunteers"] == 1  # by 31 Dec, v2's October is too old
    province = month_series(reporting, PROVINCE_ADMIN, "130000000000", ["services_recorded"])
    assert [r["values"]["services_recorded"] for r in province["rows"]] == [2, 2, 0]
    assert township["as_of"] is not None and township["lag_seconds"] >= 0


def test_the_breakdown_has_a_row_per_child_region(reporting):
    feed(reporting, mixed_events())
    answer = reporting.breakdown(PROVINCE_ADMIN, {"region_code": "130000000000",
                                                  "from": "2026-10-01", "to": "2026-11-30"})
    cities = {row["region_code"]: row["values"] for row in answer["rows"]}
    assert set(cities) == {"130100000000", "130200000000"}
    assert cities["130100000000"]["service_minutes"] == 180
    assert cities["130200000000"]["service_minutes"] == 45
    assert cities["130200000000"]["active_volunteers"] == 1


def test_a_redelivered_event_is_counted_once(reporting):
    event = recorded(dt.datetime(2026, 11, 1, tzinfo=UTC), minutes=50)
    feed(reporting, [event, event])
    answer = month_series(reporting, PROVINCE_ADMIN, "130000000000", ["service_minutes"],
                          "2026-11-01", "2026-11-30")
    assert answer["rows"][0]["values"] == {"service_minutes": 50}


def test_a_rebuild_from_the_archive_equals_the_live_model(reporting, uow_factory):
    feed(reporting, mixed_events())
    measures = ["services_recorded", "service_minutes", "minutes_credited", "evaluations",
                "demands_expired", "volunteers_registered", "active_volunteers"]

    def figures():
        return ([month_series(reporting, PROVINCE_ADMIN, "130000000000", measures,
                              period=period)["rows"] for period in ("day", "week", "month")],
                reporting.breakdown(PROVINCE_ADMIN, {"region_code": "130102000000",
                                                     "from": "2026-10-01",
                                                     "to": "2026-12-31"})["rows"])

    live = figures()
    assert rebuild(uow_factory("reporting"), NOW, batch=3) == {
        "events": 10, "newest": dt.datetime(2026, 11, 20, 2, tzinfo=UTC)}
    assert figures() == live
    assert rebuild(uow_factory("reporting"), NOW)["events"] == 10  # twice: still the same
    assert figures() == live


def test_a_caller_reads_only_their_scope_and_supervisors_only(reporting):
    with pytest.raises(Forbidden) as refused:
        month_series(reporting, TOWNSHIP_ADMIN, "130100000000", ["services_recorded"])
    assert refused.value.code == "out_of_scope"
    volunteer = {"person_id": "v1", "roles": ["volunteer"], "scope": COMMUNITY}
    with pytest.raises(Forbidden):
        month_series(reporting, volunteer, COMMUNITY, ["services_recorded"])


def test_bad_spans_are_refused_with_a_reason(reporting):
    with pytest.raises(DomainError) as backwards:
        month_series(reporting, PROVINCE_ADMIN, "130000000000", ["services_recorded"],
                     "2026-12-01", "2026-11-01")
    assert backwards.value.status == 400
    with pytest.raises(DomainError) as many:
        month_series(reporting, PROVINCE_ADMIN, "130000000000", ["services_recorded"],
                     "2025-01-01", "2026-12-31", period="day")
    assert many.value.code == "too_many_periods"
    with pytest.raises(DomainError) as community:
        reporting.breakdown(TOWNSHIP_ADMIN, {"region_code": COMMUNITY, "from": "2026-10-01",
                                             "to": "2026-10-31"})
    assert community.value.code == "no_child_regions"


def test_the_lag_is_now_minus_the_newest_applied_event(reporting, clock):
    empty = month_series(reporting, PROVINCE_ADMIN, "130000000000", ["services_recorded"])
    assert (empty["as_of"], empty["lag_seconds"]) == (None, None)
    at = clock.now() - dt.timedelta(seconds=42)
    feed(reporting, [recorded(at)])
    answer = month_series(reporting, PROVINCE_ADMIN, "130000000000", ["services_recorded"])
    assert answer["lag_seconds"] == pytest.approx(42)
    assert dt.datetime.fromisoformat(answer["as_of"]) == at


def test_the_timer_sets_the_lag_and_waiting_gauges(uow_factory, clock, amqp_uri):
    from nameko.testing.services import worker_factory

    from reporting.adapters.metrics import EVENTS_WAITING, LAG_SECONDS
    from reporting.service import ReportingService

    service = worker_factory(ReportingService, db=uow_factory("reporting"), clock=clock,
                             config={"AMQP_URI": amqp_uri})
    feed(service, [recorded(clock.now() - dt.timedelta(seconds=75))])
    EVENTS_WAITING.clear()
    service.refresh_lag()
    assert LAG_SECONDS.value() == pytest.approx(75)
    assert EVENTS_WAITING.value() == 0  # nothing queued, and the gauge was read
