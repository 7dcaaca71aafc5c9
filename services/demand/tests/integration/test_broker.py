"""What crosses the broker, with two real demand containers (two processes' worth of timers
and outbox relays) on real PostgreSQL and RabbitMQ: events published from the outbox once
and marked sent; the ledger's replies to the reservation saga handled once; two processes'
timers escalating, marking no-shows and expiring each demand once; an identity that does not
answer over RPC. Time is the module's ``FixedClock``, shared with the containers (their
``CLOCK``): the test moves it and the sweeps, running every 0.1 s, see it move. What the
service does without the broker: ``test_demands.py``, ``test_intake.py``,
``test_assignment.py``, ``test_recording.py``."""
import datetime as dt

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for
from timebank_testing.identity_fake import IdentityFake
from timebank_testing.plugin import TEST_INSTANT

from demand.service import DemandService
from timebank_common.clock import FixedClock
from timebank_common.db import make_event
from timebank_common.errors import Unavailable
from timebank_common.rpc import rpc as nameko_rpc

from .conftest import OPERATOR, PLACE, REGION, published, submission, volunteer

TIMERS = {"NO_SHOW_GRACE_SECONDS": 1, "NO_SHOW_SWEEP_SECONDS": 0.1, "EXPIRY_SWEEP_SECONDS": 0.1,
          "REVIEW_ESCALATION_SECONDS": 2, "REVIEW_ESCALATION_CHECK_SECONDS": 0.1,
          "IDENTITY_RPC_TIMEOUT_SECONDS": 1}
LISTENED = ("service_recorded", "demand_review_overdue", "assignment_no_show",
            "demand_cancelled", "reservation_requested", "reservation_released")


@pytest.fixture(scope="module")
def clock():
    """The module's time, shared by the test and both demand containers."""
    return FixedClock(TEST_INSTANT)


@pytest.fixture(scope="module")
def listen(event_bus):
    """``listen(event_type, demand_id, expected=1)``: the envelopes received about a demand,
    waiting (up to 10 s) until ``expected`` have arrived."""
    listeners = {name: event_bus.listen("demand", name) for name in LISTENED}

    def received(name, demand_id, expected=1):
        listener = listeners[name]

        def arrived():
            listener.drain(len(listener.received) + 1, timeout=0.1)
            found = [m for m in listener.received if m["payload"]["demand_id"] == demand_id]
            return found if len(found) >= expected else None

        return wait_for(arrived, timeout=10)

    return received


@pytest.fixture(scope="module")
def identity(clock):
    """identity for the module's containers: unregistered elders of ``REGION``, eligible
    volunteers."""
    return IdentityFake(clock=clock)


class LedgerBalances:
    """The ledger as a review asks it (``balance``): every elder has plenty of hours."""

    name = "ledger"

    @nameko_rpc
    def balance(self, caller, person_id):
        return {"person_id": person_id, "earned_minutes": 6000, "grant_minutes": 6000,
                "reserved_minutes": 0, "available_minutes": 12000}


@pytest.fixture(scope="module")
def running(service_config, start_module_service, listen, clock, identity):
    start_module_service(identity.service_class(), service_config(None, max_workers=20))
    start_module_service(LedgerBalances, service_config(None, max_workers=5))
    for _ in range(2):  # two demand processes: each demand is still announced once
        start_module_service(DemandService, service_config("demand", max_workers=20,
                                                           CLOCK=clock, **TIMERS))


@pytest.fixture
def demand(running, rpc):
    with rpc("demand", timeout=30) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def outbox_rows(database_url):
    """``outbox_rows(event_type, demand_id)``: demand's outbox rows of that type about that
    demand, ``(payload, sent_at)`` — each event exists once there, published or not."""
    engine = create_engine(database_url("demand"))

    def rows(event_type, demand_id):
        with engine.connect() as c:
            return c.execute(text(
                "SELECT body->'payload', sent_at FROM outbox WHERE event_type = :type"
                " AND body->'payload'->>'demand_id' = :demand"),
                {"type": event_type, "demand": demand_id}).all()

    yield rows
    engine.dispose()


def test_service_recorded_is_published_once_from_the_outbox_and_marked_sent(
        demand, listen, outbox_rows, clock):
    now = clock.now()
    made = published(demand, now)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    clock.set(dt.datetime.fromisoformat(made["window_start"]))  # the server's time counts
    demand.check_in(v, made["demand_id"], dict(PLACE))
    clock.advance(minutes=65)
    demand.check_out(v, made["demand_id"], dict(PLACE))
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    again = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert again["record_id"] == record["record_id"]

    [event] = listen("service_recorded", made["demand_id"])
    assert event["region_code"] == REGION and event["event_type"] == "service_recorded"
    assert event["payload"]["record_id"] == record["record_id"]
    # one row in the outbox, sent once the broker confirmed: a repeat publishes nothing more
    [(payload, sent_at)] = wait_for(lambda: [r for r in outbox_rows(
        "service_recorded", made["demand_id"]) if r[1] is not None])
    assert payload == event["payload"] and sent_at is not None


def test_the_ledgers_replies_reach_the_assignment_once(demand, listen, event_bus, clock,
                                                       database_url):
    made = published(demand, clock.now(), funding="own_hours")
    claimed = demand.claim(volunteer(), made["demand_id"])
    [assignment] = claimed["assignments"]
    assert assignment["reservation_status"] == "requested"
    [request] = listen("reservation_requested", made["demand_id"])
    assert request["payload"]["reservation_id"] == f"reservation:{assignment['assignment_id']}"

    event_bus.publish("ledger", make_event("reservation_made", {
        "assignment_id": assignment["assignment_id"], "demand_id": made["demand_id"],
        "reservation_id": request["payload"]["reservation_id"], "minutes": 60}, REGION))
    wait_for(lambda: demand.get(OPERATOR, made["demand_id"])["assignments"][0]
             ["reservation_status"] == "reserved")

    demand.cancel(OPERATOR, made["demand_id"], {"reason": "老人住院"})
    [release] = listen("reservation_released", made["demand_id"])
    assert release["payload"] == {"assignment_id": assignment["assignment_id"],
                                  "reservation_id": request["payload"]["reservation_id"],
                                  "demand_id": made["demand_id"], "reason": "cancelled"}
    # a late refusal never reopens a released reservation
    refusal = make_event("reservation_refused", {
        "assignment_id": assignment["assignment_id"], "demand_id": made["demand_id"],
        "reason": "insufficient_balance"}, REGION)
    event_bus.publish("ledger", refusal)
    engine = create_engine(database_url("demand"))
    try:
        def handled():
            with engine.connect() as c:
                return c.execute(text("SELECT 1 FROM inbox WHERE event_id = :id"),
                                 {"id": refusal["event_id"]}).first()
        wait_for(handled)
    finally:
        engine.dispose()
    shown = demand.get(OPERATOR, made["demand_id"])["assignments"][0]
    assert shown["reservation_status"] == "released"


def test_two_processes_escalate_an_unreviewed_demand_exactly_once(demand, listen, outbox_rows,
                                                                  clock):
    made = demand.submit(OPERATOR, submission(clock.now()))
    clock.advance(seconds=2)  # REVIEW_ESCALATION_SECONDS
    [event] = listen("demand_review_overdue", made["demand_id"])
    assert event["payload"]["township_code"] == "130102001000"
    assert len(outbox_rows("demand_review_overdue", made["demand_id"])) == 1


def test_two_processes_announce_each_no_show_once(demand, listen, outbox_rows, clock):
    start = clock.now() + dt.timedelta(hours=1)
    made = published(demand, clock.now(), window_start=start.isoformat(),
                     window_end=(start + dt.timedelta(minutes=90)).isoformat())
    late = volunteer()
    demand.claim(late, made["demand_id"])
    clock.set(start + dt.timedelta(seconds=1))  # NO_SHOW_GRACE_SECONDS after the start
    [event] = listen("assignment_no_show", made["demand_id"])
    assert event["payload"]["volunteer_id"] == late["person_id"]
    assert len(outbox_rows("assignment_no_show", made["demand_id"])) == 1
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "published"


def test_two_processes_expire_each_unserved_demand_once(demand, listen, outbox_rows, clock):
    unclaimed = published(demand, clock.now())
    taken = published(demand, clock.now())
    demand.claim(volunteer(), taken["demand_id"])
    clock.advance(hours=27)  # both windows (24 to 26 hours ahead) are over
    [expired] = listen("demand_cancelled", unclaimed["demand_id"])
    [no_show] = listen("demand_cancelled", taken["demand_id"])
    assert (expired["payload"]["reason"], no_show["payload"]["reason"]) == ("expired", "no_show")
    for made in (unclaimed, taken):
        assert len(outbox_rows("demand_cancelled", made["demand_id"])) == 1


def test_identity_not_answering_over_rpc_is_unavailable(demand, clock, identity):
    made = published(demand, clock.now())
    slow = volunteer()
    # identity takes the question about this volunteer and never answers; demand waits 1 s
    identity.silent("check_volunteer", when=lambda person_id: person_id == slow["person_id"])
    try:
        with pytest.raises(Unavailable) as err:
            demand.claim(slow, made["demand_id"])
    finally:
        identity.speak()
    assert err.value.code == "identity_unavailable"
    assert demand.get(OPERATOR, made["demand_id"])["assignments"] == []
