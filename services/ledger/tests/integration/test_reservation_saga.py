"""The ledger's side of the reservation saga (ledger/app/reservations.py) in a real container:
demand's events are published the way its outbox relay does (exchange ``demand.events``) and
the ledger's replies heard on the broker, so the three handlers and the replies are wired as
in production. The other turns of the saga (release, refusal, longer service, recorded first,
timeout) are in test_reservations.py, through the same handlers without a broker.

The test ends with ``verify_balances`` ok and exact balances for the elder and volunteer.
"""
import datetime as dt
import uuid
from functools import partial

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from ledger.service import LedgerService
from timebank_common.db import make_event

REGION = "130102001001"
wait_for = partial(shared_wait_for, timeout=20.0)


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


@pytest.fixture(scope="module")
def replies(event_bus):
    made = event_bus.listen("ledger", "reservation_made")
    refused = event_bus.listen("ledger", "reservation_refused")

    def of(assignment_id, timeout=10.0):
        def found():
            made.drain(len(made.received) + 1, timeout=0.1)
            refused.drain(len(refused.received) + 1, timeout=0.1)
            return [m for m in made.received + refused.received
                    if m["payload"]["assignment_id"] == assignment_id]
        return wait_for(found, timeout=timeout)

    return of


@pytest.fixture(scope="module")
def running(service_config, start_module_service, replies):
    start_module_service(LedgerService, service_config("ledger", max_workers=10,
                                                       EVENT_DELIVERY_LIMIT=2))


@pytest.fixture
def ledger(running, rpc):
    with rpc("ledger") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def publish(event_bus):
    return lambda envelope: event_bus.publish("demand", envelope)


@pytest.fixture
def db(database_url):
    engine = create_engine(database_url("ledger"))
    yield engine
    engine.dispose()


class Service:
    """One elder-funded service: ids and the events demand would emit for it."""

    def __init__(self, minutes=60, source="own_hours", expires_in=3600):
        self.assignment_id = str(uuid.uuid4())
        self.reservation_id = f"reservation:{self.assignment_id}"
        self.demand_id = str(uuid.uuid4())
        self.elder = f"elder-{uuid.uuid4().hex[:8]}"
        self.volunteer = f"vol-{uuid.uuid4().hex[:8]}"
        self.minutes, self.source, self.expires_in = minutes, source, expires_in

    def requested(self):
        return make_event("reservation_requested", {
            "assignment_id": self.assignment_id, "reservation_id": self.reservation_id,
            "demand_id": self.demand_id, "elder_id": self.elder, "volunteer_id": self.volunteer,
            "volunteer_region_code": REGION, "funding_source": self.source,
            "category": "emotional_comfort", "minutes": self.minutes,
            "expires_at": (dt.datetime.now(dt.UTC)
                           + dt.timedelta(seconds=self.expires_in)).isoformat(),
            "region_code": REGION}, REGION)

    def released(self, reason="withdrawn"):
        return make_event("reservation_released", {
            "assignment_id": self.assignment_id, "reservation_id": self.reservation_id,
            "demand_id": self.demand_id, "reason": reason}, REGION)

    def recorded(self, minutes):
        return make_event("service_recorded", {
            "record_id": str(uuid.uuid4()), "demand_id": self.demand_id,
            "volunteer_id": self.volunteer, "volunteer_region_code": REGION,
            "elder_id": self.elder, "minutes": minutes, "category": "emotional_comfort",
            "funding_source": self.source, "carrier_id": "c", "recorded_by": "op-1",
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
            "reservation_id": self.reservation_id}, REGION)


def fund(ledger, elder, minutes, kind="personal"):
    """Give the elder hours to spend (own hours: as if earned; grant: a grant)."""
    issuance = ledger.open_account("issuance", "130100000000")
    account = ledger.open_account(kind, REGION, elder)
    [result] = ledger.create_transfers([{
        "id": f"fund:{elder}", "action": "post",
        "kind": "service_credit" if kind == "personal" else "grant",
        "debit_account_id": issuance["account_id"], "credit_account_id": account["account_id"],
        "amount_minutes": minutes}])
    assert result["status"] == "posted", result


def reservation_rows(db, reservation_id):
    with db.connect() as c:
        return dict(c.execute(text(
            "SELECT phase, amount_minutes FROM transfers WHERE id = :r OR pending_id = :r"),
            {"r": reservation_id}).all())


def assert_consistent(ledger):
    report = ledger.verify_balances()
    assert report["ok"], report


def test_reserve_then_post_the_recorded_minutes(ledger, publish, replies, db):
    s = Service(minutes=60)
    fund(ledger, s.elder, 100)
    publish(s.requested())
    [reply] = replies(s.assignment_id)
    assert reply["event_type"] == "reservation_made" and reply["payload"]["minutes"] == 60
    elder = ledger.balance(person(s.elder), s.elder)
    assert (elder["earned_minutes"], elder["reserved_minutes"], elder["available_minutes"]) == \
        (100, 60, 40)

    publish(s.recorded(45))  # less than reserved: 45 posted, the other 15 lapse
    wait_for(lambda: ledger.balance(person(s.volunteer), s.volunteer)["earned_minutes"] == 45)
    elder = ledger.balance(person(s.elder), s.elder)
    assert (elder["earned_minutes"], elder["reserved_minutes"], elder["available_minutes"]) == \
        (55, 0, 55)
    assert reservation_rows(db, s.reservation_id) == {"pending": 60, "post_pending": 45}
    stray = publish(s.released("cancelled"))  # a stray release after the post: no change
    again = publish(s.requested())  # nor a repeated request (new event id): tombstone
    wait_for(lambda: _handled(db, "ledger.reservation_released", stray))
    wait_for(lambda: _handled(db, "ledger.reservation_requested", again))
    assert reservation_rows(db, s.reservation_id) == {"pending": 60, "post_pending": 45}
    assert_consistent(ledger)


def _handled(db, consumer, event):
    """Whether ``consumer`` has handled (committed) this event: its inbox row."""
    with db.connect() as c:
        return c.execute(text("SELECT 1 FROM inbox WHERE consumer = :c AND event_id = :e"),
                         {"c": consumer, "e": event["event_id"]}).first()
