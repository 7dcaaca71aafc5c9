"""The index changed by deltas answers exactly as an index built afresh (pure, no I/O)."""
import datetime as dt
import random
from dataclasses import astuple, replace

from matching.domain import availability as avail
from matching.domain.candidates import DemandToMatch, Volunteer
from matching.domain.dispatch import plan_dispatch
from matching.domain.feed import rank_feed
from matching.domain.open_demand_index import OpenDemandIndex
from matching.domain.volunteer_index import VolunteerIndex

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
LAT, LNG = 38.04, 114.51
KINDS = ("nurse", "doctor", "lawyer")


def random_volunteer(rng: random.Random, pid: str) -> Volunteer:
    busy = ()
    if rng.random() < 0.3:
        s = NOW + dt.timedelta(hours=rng.randint(0, 72))
        busy = ((s, s + dt.timedelta(hours=rng.choice([1, 2, 3]))),)
    hours = avail.ALWAYS if rng.random() < 0.5 else avail.mask_of_windows(
        [{"weekday": d, "start": "08:00", "end": "18:00"} for d in rng.sample(range(7), 4)])
    completed = rng.randint(0, 20)
    return Volunteer(
        pid, LAT + rng.gauss(0, 0.05), LNG + rng.gauss(0, 0.06), rng.choice([1, 3, 5, 10, 20]),
        frozenset(k for k in KINDS if rng.random() < 0.15), hours, busy, completed,
        rng.randint(0, 3), completed * rng.uniform(3, 5), completed, rng.randint(0, 1500),
        frozenset({f"e{rng.randint(0, 9)}"}) if rng.random() < 0.3 else frozenset())


def random_demand(rng: random.Random, j: int) -> DemandToMatch:
    start = NOW + dt.timedelta(hours=rng.randint(-2, 72))
    return DemandToMatch(
        f"d{j}", f"e{rng.randint(0, 9)}", LAT + rng.gauss(0, 0.05), LNG + rng.gauss(0, 0.06),
        start, start + dt.timedelta(hours=rng.choice([1, 2, 3])),
        frozenset({"nurse"}) if rng.random() < 0.2 else frozenset(),
        rng.choice([1, 1, 2]), rng.random() < 0.3, NOW - dt.timedelta(days=1))


def changed(rng: random.Random, v: Volunteer) -> Volunteer:
    """One realistic change: history, an assignment, hours, qualifications, a move."""
    kind = rng.choice(["history", "busy", "unbusy", "hours", "kinds", "move", "radius",
                       "rating"])
    if kind == "history":
        return replace(v, completed=v.completed + 1, minutes_this_month=v.minutes_this_month + 90)
    if kind == "busy":
        s = NOW + dt.timedelta(hours=rng.randint(0, 72))
        return replace(v, busy=(*v.busy, (s, s + dt.timedelta(hours=2))))
    if kind == "unbusy":
        return replace(v, busy=v.busy[1:])
    if kind == "hours":
        return replace(v, availability=avail.ALWAYS if v.availability != avail.ALWAYS else
                       avail.mask_of_windows([{"weekday": 1, "start": "00:00", "end": "24:00"}]))
    if kind == "kinds":
        return replace(v, qualifications=v.qualifications ^ {rng.choice(KINDS)})
    if kind == "move":
        return replace(v, lat=v.lat + rng.gauss(0, 0.03), lng=v.lng + rng.gauss(0, 0.03))
    if kind == "radius":
        return replace(v, radius_km=rng.choice([1, 2.5, 3, 5, 10, 20]))
    return replace(v, rating_sum=v.rating_sum + 5, rating_count=v.rating_count + 1,
                   well_rated_by=v.well_rated_by | {f"e{rng.randint(0, 9)}"})


def same_answers(live: VolunteerIndex, truth: dict[str, Volunteer], rng: random.Random):
    fresh = VolunteerIndex(sorted(truth.values(), key=lambda v: v.person_id))
    assert len(live) == len(fresh) == len(truth)
    demands = [random_demand(rng, j) for j in range(25)]
    for d in demands:
        assert live.candidates(d, 20, NOW) == fresh.candidates(d, 20, NOW)
        rows, dist = live.eligible(d)
        frows, fdist = fresh.eligible(d)
        assert sorted(zip((live.ids[r] for r in rows), dist.round(9), strict=True)) == \
            sorted(zip((fresh.ids[r] for r in frows), fdist.round(9), strict=True))
    future = [d for d in demands if d.window_start > NOW]
    assert sorted(astuple(p) for p in plan_dispatch(future, live, NOW)) == \
        sorted(astuple(p) for p in plan_dispatch(future, fresh, NOW))
    for pid in rng.sample(sorted(truth), min(5, len(truth))):
        assert live.get(pid) == truth[pid]


def test_deltas_give_the_answers_of_a_fresh_index():
    rng = random.Random(11)
    truth = {f"v{i:03d}": random_volunteer(rng, f"v{i:03d}") for i in range(300)}
    live = VolunteerIndex(truth.values(), compact_after=40)  # the tail fills and is compacted
    same_answers(live, truth, rng)
    next_id, tails, dead = 300, 0, 0
    for _ in range(12):
        batch = []
        for _ in range(rng.randint(1, 30)):
            what = rng.random()
            if what < 0.15:  # a new eligible volunteer with a home
                pid = f"v{next_id:03d}"
                next_id += 1
                truth[pid] = random_volunteer(rng, pid)
                batch.append(truth[pid])
            elif what < 0.25 and truth:  # suspended, or the home removed
                pid = rng.choice(sorted(truth))
                live.update(batch)
                batch = []
                live.remove([pid])
                del truth[pid]
            else:
                pid = rng.choice(sorted(truth))
                truth[pid] = changed(rng, truth[pid])
                batch.append(truth[pid])
        live.update(batch)
        tails += live.n > live.n_main
        dead += not live.alive[:live.n].all()
        same_answers(live, truth, rng)
    assert tails and dead  # answered with an unsorted tail and with dead rows, not only sorted


def test_one_change_at_a_time_in_place_and_moved():
    near = Volunteer("near", LAT + 0.005, LNG, 5)
    live = VolunteerIndex([near, Volunteer("far", LAT + 0.03, LNG, 5)])
    d = random_demand(random.Random(1), 0)
    d = replace(d, lat=LAT, lng=LNG, qualifications=frozenset(),
                window_start=NOW + dt.timedelta(hours=30),
                window_end=NOW + dt.timedelta(hours=31))
    assert [c.volunteer_id for c in live.candidates(d)] == ["near", "far"]
    live.update([replace(near, busy=((d.window_start, d.window_end),))])  # in place
    assert live.n == live.n_main == 2
    assert [c.volunteer_id for c in live.candidates(d)] == ["far"]
    live.update([replace(near, lat=LAT + 0.5)])  # moved out of reach: to the tail
    assert live.n == 3 and not live.alive[live.n_main - 2:live.n_main].all()
    assert [c.volunteer_id for c in live.candidates(d)] == ["far"]
    live.update([near])  # back home, free again
    assert [c.volunteer_id for c in live.candidates(d)] == ["near", "far"]
    live.remove(["far"])
    assert [c.volunteer_id for c in live.candidates(d)] == ["near"]
    live.compact()
    assert live.n == live.n_main == len(live) == 1
    live.update([Volunteer("new", LAT, LNG + 0.01, 3, frozenset({"nurse"}))])
    assert [c.volunteer_id for c in live.candidates(
        replace(d, qualifications=frozenset({"nurse"})))] == ["new"]


def test_an_assignment_that_ended_no_longer_makes_a_volunteer_busy():
    v = Volunteer("v", LAT, LNG, 5, busy=((NOW - dt.timedelta(hours=2), NOW),))
    under_way = DemandToMatch("d", "e", LAT, LNG, NOW - dt.timedelta(hours=1),
                              NOW + dt.timedelta(hours=1))
    index = VolunteerIndex([v])
    assert index.candidates(under_way, now=NOW - dt.timedelta(minutes=30)) == []
    assert [c.volunteer_id for c in index.candidates(under_way, now=NOW)] == ["v"]


def test_the_month_turning_resets_minutes_served():
    a = Volunteer("a", LAT, LNG, 5, minutes_this_month=1200)
    b = Volunteer("b", LAT, LNG + 0.001, 5, minutes_this_month=0)
    live = VolunteerIndex([a, b])
    d = DemandToMatch("d", "e", LAT, LNG, NOW + dt.timedelta(hours=3),
                      NOW + dt.timedelta(hours=4))
    assert live.candidates(d)[0].volunteer_id == "b"
    live.new_month({"b": 600})
    assert live.get("a").minutes_this_month == 0
    fresh = VolunteerIndex([replace(a, minutes_this_month=0), replace(b, minutes_this_month=600)])
    assert live.candidates(d) == fresh.candidates(d)
    assert live.candidates(d)[0].volunteer_id == "a"


def test_the_open_demand_view_gives_the_feed_rank_feed_gives():
    rng = random.Random(5)
    requirements = {"companionship": frozenset(), "home_care": frozenset({"nurse"}),
                    "legal_aid": frozenset({"lawyer"})}
    truth: dict[str, DemandToMatch] = {}

    def new_demand(j):
        d = random_demand(rng, j)
        return replace(d, category=rng.choice(sorted(requirements)),
                       region_code=rng.choice(["130102001001", "130104002001"]),
                       published_at=NOW - dt.timedelta(hours=rng.randint(0, 5)),
                       window_start=d.window_start.replace(minute=rng.choice([0, 30])))
    for j in range(400):
        truth[f"d{j}"] = new_demand(j)
    view = OpenDemandIndex(truth.values())
    people = [random_volunteer(rng, f"v{i}") for i in range(40)]

    def same_feeds():
        assert len(view) == len(truth)
        every = [replace(d, qualifications=d.qualifications | requirements[d.category])
                 for d in truth.values()]
        for v in people:
            for scope in (None, "130104"):
                expected = rank_feed(v, [d for d in every if scope is None
                                         or d.region_code.startswith(scope)], NOW, 10)
                got = view.feed(v, NOW, 10, requirements, scope)
                assert [(e.demand.demand_id, e.distance_km) for e in got] == \
                    [(e.demand.demand_id, e.distance_km) for e in expected]
        assert any(view.feed(v, NOW, 10, requirements) for v in people)
    same_feeds()
    next_id = 400
    for _ in range(8):
        for _ in range(60):
            what = rng.random()
            if what < 0.3:
                truth[f"d{next_id}"] = new_demand(next_id)
                view.update([truth[f"d{next_id}"]])
                next_id += 1
            elif what < 0.6:
                gone = rng.choice(sorted(truth))
                del truth[gone]
                view.remove([gone])
            else:
                key = rng.choice(sorted(truth))
                truth[key] = replace(truth[key], open_slots=rng.randint(1, 3),
                                     priority_elder=not truth[key].priority_elder)
                view.update([truth[key]])
        same_feeds()
    # a category the caller could not look up yet: its demands are not offered
    assert all(e.demand.category != "legal_aid" for v in people for e in view.feed(
        v, NOW, 50, {k: r for k, r in requirements.items() if k != "legal_aid"}))
