"""Pure rules of candidates, feed and dispatch: no I/O."""
import datetime as dt
import random

import pytest

from matching.domain import availability as avail
from matching.domain.candidates import DemandToMatch, Volunteer
from matching.domain.dispatch import exact_dispatch, objective, plan_dispatch, time_groups
from matching.domain.feed import rank_feed
from matching.domain.geo import cell_of, cells_covering, haversine_km
from matching.domain.scoring import demand_weight
from matching.domain.volunteer_index import VolunteerIndex

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # Tuesday 08:00 in Shanghai
LAT, LNG = 38.04, 114.51


def north(km):
    return LAT + km / 111.195


def demand(did="d1", hours_from_now=24, length_h=2, **kw):
    start = NOW + dt.timedelta(hours=hours_from_now)
    return DemandToMatch(did, kw.pop("elder_id", "e1"), kw.pop("lat", LAT), LNG, start,
                         start + dt.timedelta(hours=length_h), published_at=NOW, **kw)


def test_grid_cover_holds_every_point_within_the_radius():
    rng = random.Random(3)
    for _ in range(300):
        lat, lng = 36 + rng.random() * 6, 113.5 + rng.random() * 6
        radius = rng.choice([0.5, 3, 10, 30])
        cover = set(cells_covering(lat, lng, radius))
        bearing_lat, bearing_lng = rng.uniform(-1, 1), rng.uniform(-1, 1)
        p_lat = lat + bearing_lat * radius / 111.2
        p_lng = lng + bearing_lng * radius / 111.2 / 0.74
        if haversine_km(lat, lng, p_lat, p_lng) <= radius:
            assert cell_of(p_lat, p_lng) in cover


def test_availability_masks_follow_shanghai_time():
    tuesday_morning = avail.mask_of_windows([{"weekday": 1, "start": "08:00", "end": "12:00"}])
    assert avail.available(tuesday_morning, avail.mask_of_period(NOW, NOW + dt.timedelta(hours=2)))
    assert not avail.available(tuesday_morning,
                               avail.mask_of_period(NOW, NOW + dt.timedelta(hours=5)))
    assert avail.mask_of_windows([]) == avail.ALWAYS


def test_hard_rules_exclude_and_ranking_explains():
    index = VolunteerIndex([
        Volunteer("near", north(0.5), LNG, 5),
        Volunteer("far", north(3), LNG, 5),
        Volunteer("short_reach", north(2), LNG, 1),
        Volunteer("busy", north(0.1), LNG, 5,
                  busy=((NOW + dt.timedelta(hours=25), NOW + dt.timedelta(hours=26)),)),
        Volunteer("away", north(0.1), LNG, 5,
                  availability=avail.mask_of_windows([{"weekday": 6, "start": "08:00",
                                                       "end": "18:00"}])),
        Volunteer("nurse", north(1), LNG, 5, qualifications=frozenset({"nurse"})),
    ])
    ranked = index.candidates(demand())
    ids = [c.volunteer_id for c in ranked]
    assert ids == ["near", "nurse", "far"]
    assert set(ranked[0].parts) == {"distance", "reliability", "rating", "fairness", "continuity"}
    assert [c.volunteer_id for c in index.candidates(
        demand(qualifications=frozenset({"nurse"})))] == ["nurse"]
    assert index.candidates(demand(qualifications=frozenset({"lawyer"}))) == []


def test_reliability_ratings_fairness_and_continuity_move_the_rank():
    base = {"lat": north(1), "lng": LNG, "radius_km": 5}
    index = VolunteerIndex([
        Volunteer("plain", **base),
        Volunteer("reliable", **base, completed=20),
        Volunteer("no_shows", **base, completed=2, no_shows=5),
        Volunteer("busy_month", **base, minutes_this_month=1500),
        Volunteer("liked", **base, well_rated_by=frozenset({"e1"})),
    ])
    ids = [c.volunteer_id for c in index.candidates(demand())]
    assert ids[0] == "liked" and ids.index("reliable") < ids.index("plain")
    assert ids[-2:] == ["busy_month", "no_shows"] or ids[-1] in ("busy_month", "no_shows")


def test_priority_and_waiting_weigh_more():
    assert demand_weight(True, 0) > demand_weight(False, 7) > demand_weight(False, 0)


def test_time_groups_chain_overlaps():
    ds = [demand("a", 24, 2), demand("b", 25, 2), demand("c", 26.5, 1), demand("d", 40, 1)]
    g = time_groups(ds)
    assert g[0] == g[1] == g[2] != g[3]


def test_dispatch_never_gives_one_volunteer_overlapping_demands_and_prefers_priority():
    index = VolunteerIndex([Volunteer("only", north(0.5), LNG, 5)])
    ds = [demand("plain", 24, elder_id="e1"), demand("prio", 25, elder_id="e2",
                                                   priority_elder=True),
          demand("later", 48)]
    proposals = plan_dispatch(ds, index, NOW)
    assert sorted(p.demand_id for p in proposals) == ["later", "prio"]


def test_group_demand_gets_distinct_volunteers():
    index = VolunteerIndex([Volunteer(f"v{i}", north(0.2 * i), LNG, 5) for i in range(3)])
    proposals = plan_dispatch([demand("group", open_slots=2)], index, NOW)
    assert len({p.volunteer_id for p in proposals}) == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dispatch_is_within_one_percent_of_the_exact_optimum(seed):
    rng = random.Random(seed)
    vols = [Volunteer(f"v{i}", LAT + rng.gauss(0, 0.04), LNG + rng.gauss(0, 0.04),
                      rng.choice([2, 5, 10])) for i in range(60)]
    index = VolunteerIndex(vols)
    ds = [DemandToMatch(f"d{j}", "e", LAT + rng.gauss(0, 0.04), LNG + rng.gauss(0, 0.04),
                        NOW + dt.timedelta(hours=h), NOW + dt.timedelta(hours=h + 2),
                        open_slots=rng.choice([1, 1, 2]), priority_elder=rng.random() < 0.3,
                        published_at=NOW)
          for j, h in enumerate(rng.randint(0, 12) for _ in range(40))]
    heuristic = objective(plan_dispatch(ds, index, NOW))
    assert heuristic >= 0.99 * exact_dispatch(ds, index, NOW)


def test_feed_keeps_what_the_volunteer_may_take_priority_first_among_equals():
    me = Volunteer("me", LAT, LNG, 3)
    ds = [demand("plain", 24), demand("prio", 30, priority_elder=True),
          demand("too_far", 24, lat=north(5)), demand("started", -1),
          demand("nurse", 24, qualifications=frozenset({"nurse"}))]
    assert [e.demand.demand_id for e in rank_feed(me, ds, NOW, 10)] == ["prio", "plain"]
