"""Matching's entrypoints in the test process, on a rolled-back unit of work: no broker, no
container. ``matching`` is the service class's instance with the dependencies nameko would
inject — the test's units of work (``uow_factory``), the ``clock`` fixture, stand-ins for
demand's RPCs — so every RPC is loaded, checked against its declaration (``CHECK_CONTRACTS``)
and dumped as in production, and ``deliver(event)`` hands an event to its handler as the
broker would (inbox included: a second delivery of the same event is recorded once).

What needs the broker or several processes stays in container tests:
``test_broker_and_processes.py`` and ``test_remote_timeouts.py``.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from timebank_testing.identity_fake import IdentityFake

from matching.adapters.index_cache import IndexCache, Views
from matching.service import MatchingService
from timebank_common.db import UnitOfWork, make_event


class FreshViews(IndexCache):
    """The views built afresh at every query. A rolled-back test runs in one transaction,
    whose own writes a snapshot never reports as changes; the deltas are tested against
    fresh builds in ``unit/test_index_deltas.py`` and across processes in
    ``test_broker_and_processes.py``."""

    def current(self, uow: UnitOfWork, now: dt.datetime) -> Views:
        self.volunteers = None  # a full build
        return super().current(uow, now)


CATALOGUE = [{"code": "companionship", "qualifications": []},
             {"code": "home_care", "qualifications": ["nurse"]}]


class StandInDemand:
    """demand's ``catalog`` and ``assign``, recording what it was asked to assign."""

    def __init__(self) -> None:
        self.assigned: list[tuple[str | None, str, str]] = []
        self.catalogue_asked = 0

    def catalog(self) -> list[dict[str, Any]]:
        self.catalogue_asked += 1
        return CATALOGUE

    def assign(self, caller: dict[str, Any], demand_id: str, volunteer_id: str) -> dict:
        self.assigned.append((caller["person_id"], demand_id, volunteer_id))
        return {"demand_id": demand_id}


@pytest.fixture
def db(uow_factory):
    return uow_factory("matching")


@pytest.fixture
def demand_service():
    return StandInDemand()


def in_process(db, clock, demand=None, identity=None, **config) -> MatchingService:
    """A ``MatchingService`` with the dependencies a container would inject."""
    service = MatchingService()
    service.db = db
    service.clock = clock
    service.config = {"CHECK_CONTRACTS": "strict", **config}
    service.demand = demand
    service.identity = identity
    service.volunteer_index = FreshViews()
    return service


@pytest.fixture
def identity(clock):
    """Identity's stand-in: ``person_standing`` answers for the people a test registers."""
    return IdentityFake(clock=clock)


@pytest.fixture
def matching(db, clock, demand_service, identity):
    return in_process(db, clock, demand_service, identity)


class Events:
    """Event envelopes as the producers' outbox relays publish them, ``occurred_at`` read
    from the test's clock (a microsecond later each: event time always moves on)."""

    def __init__(self, clock):
        self.clock = clock

    def __call__(self, event_type: str, payload: dict, region_code: str | None) -> dict:
        envelope = make_event(event_type, payload, region_code)
        envelope["occurred_at"] = self.clock.advance(microseconds=1).isoformat()
        return envelope

    def published(self, region: str, starts_in_h: float = 24, needed: int = 1,
                  location: tuple[float, float] | None = (38.04, 114.51), hours: float = 2,
                  category: str = "companionship", elder_id: str | None = None, on_the_hour: bool = False,
                  expected_minutes: int = 60) -> dict:
        start = self.clock.now() + dt.timedelta(hours=starts_in_h)
        if on_the_hour:
            start = start.replace(minute=0, second=0, microsecond=0)
        payload = {
            "demand_id": str(uuid.uuid4()), "elder_id": elder_id or f"e-{uuid.uuid4().hex[:6]}",
            "category": category, "region_code": region, "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=hours)).isoformat(),
            "expected_minutes": expected_minutes, "volunteers_needed": needed}
        if location is not None:
            payload["location"] = {"lat": location[0], "lng": location[1]}
        return self("demand_published", payload, region)

    def assigned(self, published: dict, open_slots: int, volunteer_id: str = "v-x") -> dict:
        p = published["payload"]
        return self("demand_assigned", {
            "demand_id": p["demand_id"], "volunteer_id": volunteer_id, "elder_id": p["elder_id"],
            "window_start": p["window_start"], "window_end": p["window_end"],
            "open_slots": open_slots}, p["region_code"])


@pytest.fixture
def events(clock):
    return Events(clock)


@pytest.fixture
def deliver(matching):
    """``deliver(event)``: the handler of the event's type gets it (``on_<event_type>``)."""
    def to_handler(event: dict) -> dict:
        getattr(matching, f"on_{event['event_type']}")(event)
        return event
    return to_handler


HOME = (38.040, 114.510)  # 长安区, 石家庄
REGION = "130102001001"


class Volunteers:
    """Eligible volunteers (identity's event) with a home, radius and hours (their own
    ``set_preferences``)."""

    def __init__(self, matching, deliver, events):
        self.matching, self.deliver, self.events = matching, deliver, events

    def eligible(self, offset_km: float = 0.5, radius: float = 5.0, kinds=(), availability=(),
                 region: str = REGION, home: tuple[float, float] = HOME) -> str:
        pid = f"v-{uuid.uuid4().hex[:8]}"
        self.deliver(self.events("volunteer_eligible", {
            "person_id": pid, "region_code": region, "qualifications": list(kinds)}, region))
        self.matching.set_preferences(
            {"person_id": pid, "roles": ["volunteer"], "scope": region}, pid,
            {"home": {"lat": home[0] + offset_km / 111.2, "lng": home[1]}, "radius_km": radius,
             "availability": list(availability)})
        return pid


@pytest.fixture
def volunteers(matching, deliver, events):
    return Volunteers(matching, deliver, events)
