"""The measures of the ledger's, demand's and identity's newer events on real PostgreSQL:
minutes granted, allocated and reversed, the waits, unrecorded services, priority elders by
category, distinct elders served (any span, any order of arrival, every level), the
``overview`` and a rebuild equal to the live model."""
from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from reporting.app.rebuilding import rebuild
from timebank_common.errors import Forbidden

from .conftest import COMMUNITY, OTHER_CITY, PROVINCE_ADMIN, TOWNSHIP_ADMIN, envelope, feed

UTC = dt.UTC
NEIGHBOUR = "130102001002"  # another community of the same township
OCTOBER = dt.datetime(2026, 10, 5, 2, tzinfo=UTC)
NOVEMBER = dt.datetime(2026, 11, 20, 2, tzinfo=UTC)


def served(at, elder_id, region=COMMUNITY, volunteer_id="v1"):
    return envelope("service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer_id, "elder_id": elder_id, "minutes": 60,
        "category": "companionship", "funding_source": "issuance",
        "recorded_at": at.isoformat()}, at, region)


def priority(kind, elder_id, category, at, region=COMMUNITY):
    payload = {"person_id": elder_id, "category": category, "region_code": region}
    payload.update({"verified_by": "adm"} if kind == "granted" else
                   {"reason": "核实不符", "revoked_by": "adm"})
    return envelope(f"elder_priority_{kind}", payload, at, region)


def events():
    """Services of three elders in two communities of one township and another city, their
    categories, and one event of each newer kind."""
    submitted = OCTOBER - dt.timedelta(hours=3)
    out = [
        served(OCTOBER, "e1"), served(OCTOBER + dt.timedelta(days=1), "e1"),
        served(OCTOBER, "e2", NEIGHBOUR), served(NOVEMBER, "e1"),
        served(NOVEMBER, "e3", OTHER_CITY),
        priority("granted", "e1", "empty_nest", OCTOBER),
        priority("granted", "e2", "empty_nest", OCTOBER, NEIGHBOUR),
        priority("granted", "e2", "disability", OCTOBER, NEIGHBOUR),
        priority("revoked", "e2", "disability", NOVEMBER, NEIGHBOUR),
        envelope("hours_granted", {"transfer_id": "g1", "person_id": "e1", "minutes": 120,
                                   "category": "empty_nest", "period": "2026-Q4"}, OCTOBER),
        envelope("pool_allocated", {"transfer_id": "a1", "allocation_id": "al",
                                    "person_id": "e2", "minutes": 60,
                                    "pool_region_code": "130100000000"}, NOVEMBER, NEIGHBOUR),
        envelope("hours_credited", {"transfer_id": "c1", "person_id": "v1", "minutes": 90,
                                    "balance_minutes": 90}, OCTOBER),
        envelope("credit_corrected", {"transfer_id": "r1", "record_id": "rec",
                                      "person_id": "v1", "minutes": -30,
                                      "credited_minutes": 60, "outcome": "minutes_adjusted"},
                 NOVEMBER),
        envelope("demand_published", {
            "demand_id": "d1", "elder_id": "e1", "category": "companionship",
            "region_code": COMMUNITY, "window_start": OCTOBER.isoformat(),
            "window_end": OCTOBER.isoformat(), "expected_minutes": 60, "volunteers_needed": 1,
            "submitted_at": submitted.isoformat(),
            "published_at": (submitted + dt.timedelta(minutes=30)).isoformat()}, OCTOBER),
        envelope("demand_started", {"demand_id": "d1", "region_code": COMMUNITY,
                                    "category": "companionship",
                                    "submitted_at": submitted.isoformat(),
                                    "started_at": OCTOBER.isoformat()}, OCTOBER),
    ]
    out += [envelope("recording_overdue", {
        "demand_id": "d1", "volunteer_id": "v1", "elder_id": "e1", "region_code": COMMUNITY,
        "checked_out_at": OCTOBER.isoformat(), "due_at": OCTOBER.isoformat(),
        "level": level}, OCTOBER) for level in ("station", "township")]
    return out


def overview(reporting, caller, region, first="2026-10-01", last="2026-12-31"):
    return reporting.overview(caller, {"region_code": region, "from": first, "to": last})


def test_the_newer_events_show_in_the_series_and_the_overview(reporting):
    feed(reporting, events())
    township = reporting.series(TOWNSHIP_ADMIN, {
        "region_code": "130102001000", "period": "month", "from": "2026-10-01",
        "to": "2026-12-31", "measures": [
            "minutes_granted", "minutes_allocated", "minutes_reversed",
            "publication_wait_seconds", "service_wait_seconds", "services_unrecorded",
            "priority_elders", "elders_served"]})
    rows = {row["period"]: row["values"] for row in township["rows"]}
    assert rows["2026-10"] == {
        "minutes_granted": 120, "minutes_allocated": 0, "minutes_reversed": 0,
        "publication_wait_seconds": 1800, "service_wait_seconds": 3 * 3600,
        "services_unrecorded": 1, "priority_elders": 3, "elders_served": 2}
    assert rows["2026-11"] == {
        "minutes_granted": 0, "minutes_allocated": 60, "minutes_reversed": 30,
        "publication_wait_seconds": 0, "service_wait_seconds": 0,
        "services_unrecorded": 0, "priority_elders": -1, "elders_served": 1}
    quarter = reporting.series(TOWNSHIP_ADMIN, {
        "region_code": "130102001000", "period": "quarter", "from": "2026-10-01",
        "to": "2026-12-31", "measures": ["elders_served"]})
    assert quarter["rows"][0]["values"] == {"elders_served": 2}  # e1 twice: once

    figures = overview(reporting, PROVINCE_ADMIN, "130000000000")
    assert figures["elders_served"] == 3
    assert figures["elders_served_by_category"] == {"empty_nest": 2}  # e2's disability withdrawn
    assert figures["priority_elders_by_category"] == {"empty_nest": 2}
    assert overview(reporting, PROVINCE_ADMIN, "130000000000", last="2026-10-31")[
        "priority_elders_by_category"] == {"empty_nest": 2, "disability": 1}  # before withdrawal
    assert (figures["totals"]["minutes_credited"], figures["totals"]["minutes_reversed"],
            figures["minutes_credited_net"]) == (90, 30, 60)
    assert (figures["mean_publication_wait_minutes"], figures["mean_service_wait_minutes"]) == (
        30.0, 180.0)
    assert figures["average_score"] is None and figures["active_volunteers"] == 1
    assert figures["as_of"] is not None and figures["lag_seconds"] >= 0
    breakdown = reporting.breakdown(PROVINCE_ADMIN, {"region_code": "130102001000",
                                                     "from": "2026-10-01", "to": "2026-12-31"})
    assert {r["region_code"]: r["values"]["elders_served"] for r in breakdown["rows"]} == {
        COMMUNITY: 1, NEIGHBOUR: 1}


def test_the_overview_is_for_supervisors_of_the_region_only(reporting):
    with pytest.raises(Forbidden):
        overview(reporting, TOWNSHIP_ADMIN, "130000000000")
    with pytest.raises(Forbidden):
        overview(reporting, {"person_id": "v", "roles": ["volunteer"], "scope": None},
                 COMMUNITY)


def test_elders_served_in_any_span_is_the_distinct_count_whatever_the_order(reporting):
    """Random service days of a few elders in three communities (two townships), applied in a
    random order: every span and level answers the definition (distinct elders with a
    service day in the span there)."""
    rng = random.Random(16)
    start = dt.date(2026, 1, 1)
    regions = [COMMUNITY, NEIGHBOUR, "130102002001"]
    days = [(f"e{rng.randrange(6)}", start + dt.timedelta(days=rng.randrange(60)),
             rng.choice(regions)) for _ in range(80)]
    shuffled = days[:]
    rng.shuffle(shuffled)
    feed(reporting, [served(dt.datetime.combine(day, dt.time(4), UTC), elder, region)
                     for elder, day, region in shuffled])
    for _ in range(12):
        first = start + dt.timedelta(days=rng.randrange(60))
        last = first + dt.timedelta(days=rng.randrange(30))
        for prefix, region in (("130102001", "130102001000"), ("1301", "130100000000"),
                               (COMMUNITY, COMMUNITY)):
            expected = {e for e, d, r in days if r.startswith(prefix) and first <= d <= last}
            answer = overview(reporting, PROVINCE_ADMIN, region, first.isoformat(),
                              last.isoformat())
            assert answer["elders_served"] == len(expected), (region, first, last)
    weeks = reporting.series(PROVINCE_ADMIN, {
        "region_code": "130100000000", "period": "week", "from": "2026-01-01",
        "to": "2026-03-01", "measures": ["elders_served"]})
    for row in weeks["rows"]:
        first, last = dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"])
        assert row["values"]["elders_served"] == len(
            {e for e, d, _ in days if first <= d <= last})


def test_a_rebuild_gives_the_same_newer_figures(reporting, uow_factory, clock):
    feed(reporting, events())

    def figures():
        return (overview(reporting, PROVINCE_ADMIN, "130000000000"),
                overview(reporting, PROVINCE_ADMIN, COMMUNITY, last="2026-10-31"))

    live = figures()
    rebuild(uow_factory("reporting"), clock.now(), batch=4)
    rebuilt = figures()
    for before, after in zip(live, rebuilt, strict=True):
        assert {k: v for k, v in after.items() if k != "lag_seconds"} == {
            k: v for k, v in before.items() if k != "lag_seconds"}
