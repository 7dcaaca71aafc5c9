"""Claims under concurrency, withdrawal, no-shows, reliability and demand's side of the
reservation saga, with two demand containers (two processes' worth of timers) on real
PostgreSQL and RabbitMQ; ``identity`` is the small stand-in of test_integration.py, and
the ledger's replies are published the way its outbox relay does."""
import datetime as dt
import uuid

import eventlet
import pytest
from timebank_testing import wait_for

from demand.adapters import assignment_repository
from demand.adapters.tables import demand_escalations, demands
from demand.service import DemandService
from timebank_common.db import UnitOfWork, make_engine, make_event
from timebank_common.errors import BadInput, Conflict, Unavailable
from timebank_common.service import rpc as rpc_method

pytestmark = pytest.mark.integration

REGION = "130102001001"
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7", "name": "站点操作员"}


class FakeIdentity:
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None, "phone_only": True}

    @rpc_method
    def check_volunteer(self, person_id):
        if person_id.startswith("slow-"):
            eventlet.sleep(8)  # longer than IDENTITY_RPC_TIMEOUT_SECONDS below
        return {"person_id": person_id, "name": "志愿者", "region_code": "130102002003",
                "eligible": True, "reasons": []}


def volunteer():
    return {"person_id": f"vol-{uuid.uuid4().hex[:8]}", "roles": ["volunteer"], "scope": None,
            "carrier_id": None}


def submission(start_in_hours=24, **changes):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=start_in_hours)
    data = {
        "elder_id": f"elder-{uuid.uuid4().hex[:8]}", "category": "emotional_comfort",
        "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号",
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "channel": "phone",
    }
    data.update(changes)
    return data

GRACE_SECONDS = 1


@pytest.fixture(scope="module")
def listen(event_bus):
    listeners = {name: event_bus.listen("demand", name) for name in (
        "assignment_no_show", "assignment_withdrawn", "reservation_requested",
        "reservation_released", "demand_cancelled", "demand_started")}

    def received(name, demand_id, expected=1, timeout=10.0):
        listener = listeners[name]

        def found():
            return [m for m in listener.received if m["payload"]["demand_id"] == demand_id]

        deadline = eventlet.hubs.get_hub().clock() + timeout
        while len(found()) < expected and eventlet.hubs.get_hub().clock() < deadline:
            listener.drain(len(listener.received) + 1, timeout=0.2)
        return found()

    return received


@pytest.fixture(scope="module")
def running(service_config, start_module_service, listen):
    start_module_service(FakeIdentity, service_config(None, max_workers=50))
    for _ in range(2):  # two demand processes: the no-show sweep must still announce once
        start_module_service(DemandService, service_config(
            "demand", max_workers=20, NO_SHOW_GRACE_SECONDS=GRACE_SECONDS,
            NO_SHOW_SWEEP_SECONDS=0.3, EXPIRY_SWEEP_SECONDS=0.3,
            IDENTITY_RPC_TIMEOUT_SECONDS=4))


@pytest.fixture
def demand(running, rpc):
    with rpc("demand", timeout=60) as proxy:
        yield proxy


def published(proxy, funding="issuance", **changes):
    made = proxy.submit(OPERATOR, submission(**changes))
    return proxy.review(OPERATOR, made["demand_id"],
                        {"decision": "approve", "funding_source": funding})


def claim_all(rpc, demand_id, callers):
    """Every caller claims at once (its own connection); ``ok`` or the error's code."""
    def claim(caller):
        try:
            with rpc("demand", timeout=60) as proxy:
                proxy.claim(caller, demand_id)
            return "ok"
        except Conflict as err:
            return err.code
    return list(eventlet.GreenPool(len(callers)).imap(claim, callers))


@pytest.mark.parametrize("slots", [1, 3])
def test_concurrent_claims_never_overfill(demand, rpc, slots):
    made = published(demand, volunteers_needed=slots, category="culture_sports")
    results = claim_all(rpc, made["demand_id"], [volunteer() for _ in range(100)])
    assert results.count("ok") == slots
    assert set(results) == {"ok", "invalid_transition"}  # the others: 409
    shown = demand.get(OPERATOR, made["demand_id"])
    assert shown["status"] == "assigned" and shown["open_slots"] == 0
    assert len(shown["assignments"]) == slots


def test_withdrawal_reopens_the_slot_and_counts(demand, listen):
    made = published(demand)
    v = volunteer()
    assert demand.claim(v, made["demand_id"])["status"] == "assigned"
    with pytest.raises(BadInput):
        demand.withdraw(v, made["demand_id"], {"reason": ""})
    shown = demand.withdraw(v, made["demand_id"], {"reason": "家中临时有事"})
    assert shown["status"] == "published" and shown["open_slots"] == 1
    [mine] = shown["assignments"]
    assert (mine["status"], mine["end_reason"]) == ("withdrawn", "家中临时有事")
    with pytest.raises(Conflict) as err:
        demand.withdraw(v, made["demand_id"], {"reason": "again"})
    assert err.value.code == "invalid_transition"
    with pytest.raises(Conflict) as err:  # the same volunteer cannot take it back
        demand.claim(v, made["demand_id"])
    assert err.value.code == "assignment_ended"
    other = volunteer()
    assert demand.claim(other, made["demand_id"])["status"] == "assigned"

    [event] = listen("assignment_withdrawn", made["demand_id"])
    assert event["payload"] == {"demand_id": made["demand_id"], "volunteer_id": v["person_id"],
                                "reason": "家中临时有事", "open_slots": 1, "region_code": REGION}
    [counts] = demand.reliability([v["person_id"]])
    assert counts == {"volunteer_id": v["person_id"], "assigned": 1, "completed": 0,
                      "withdrawn": 1, "no_shows": 0, "reliability": 0.0}
    operator_view = demand.get(OPERATOR, made["demand_id"])
    assert [a["reliability"]["withdrawn"] for a in operator_view["assignments"]] == [1, 0]


def test_no_show_reopens_and_is_announced_once(demand, listen):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    made = published(demand, window_start=start.isoformat(),
                     window_end=(start + dt.timedelta(minutes=90)).isoformat())
    late, punctual = volunteer(), volunteer()
    demand.claim(late, made["demand_id"])
    [event] = listen("assignment_no_show", made["demand_id"], timeout=15)
    eventlet.sleep(1.0)  # both processes swept several times meanwhile
    assert len(listen("assignment_no_show", made["demand_id"], expected=2, timeout=0.5)) == 1
    assert event["payload"] == {
        "demand_id": made["demand_id"], "volunteer_id": late["person_id"],
        "elder_id": made["elder_id"], "window_start": event["payload"]["window_start"],
        "region_code": REGION, "demand_cancelled": False}
    shown = demand.get(OPERATOR, made["demand_id"])
    assert shown["status"] == "published" and shown["open_slots"] == 1
    assert shown["assignments"][0]["status"] == "no_show"
    with pytest.raises(Conflict):
        demand.check_in(late, made["demand_id"], {})
    assert demand.reliability([late["person_id"]])[0]["no_shows"] == 1
    # the window is still open: someone else takes it and is not a no-show once checked in
    demand.claim(punctual, made["demand_id"])
    assert demand.check_in(punctual, made["demand_id"], {})["status"] == "in_service"


def test_the_first_check_in_announces_the_start_once_even_before_the_window(demand, listen):
    """A group demand for three with two taken: the first volunteer checks in before the
    window. The service is under way, the last slot closes, and ``demand_started`` (open_slots
    0) tells matching; the second check-in and a repeat announce nothing more."""
    made = published(demand, volunteers_needed=3, category="culture_sports")
    first, second = volunteer(), volunteer()
    demand.claim(first, made["demand_id"])
    demand.claim(second, made["demand_id"])
    shown = demand.check_in(first, made["demand_id"], {})
    assert (shown["status"], shown["open_slots"]) == ("in_service", 0)
    [event] = listen("demand_started", made["demand_id"])
    assert event["region_code"] == REGION
    assert {k: v for k, v in event["payload"].items() if k != "started_at"} == {
        "demand_id": made["demand_id"], "volunteer_id": first["person_id"],
        "window_start": made["window_start"], "open_slots": 0, "slots_closed": 1,
        "region_code": REGION}
    assert dt.datetime.fromisoformat(event["payload"]["started_at"]) < \
        dt.datetime.fromisoformat(made["window_start"])  # before the window
    with pytest.raises(Conflict):  # nobody else can take the slot matching offered
        demand.claim(volunteer(), made["demand_id"])
    demand.check_in(second, made["demand_id"], {})
    demand.check_in(first, made["demand_id"], {})  # a repeat
    assert len(listen("demand_started", made["demand_id"], expected=2, timeout=0.5)) == 1


def test_reservation_saga_on_demands_side(demand, listen, event_bus):
    made = published(demand, funding="own_hours")
    v = volunteer()
    claimed = demand.claim(v, made["demand_id"])
    [assignment] = claimed["assignments"]
    assert assignment["reservation_status"] == "requested"
    [request] = listen("reservation_requested", made["demand_id"])
    assert request["payload"]["reservation_id"] == f"reservation:{assignment['assignment_id']}"
    assert request["payload"]["minutes"] == 60
    assert request["payload"]["funding_source"] == "own_hours"
    window_end = dt.datetime.fromisoformat(made["window_end"])
    assert dt.datetime.fromisoformat(request["payload"]["expires_at"]) == \
        window_end + dt.timedelta(days=1)

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
    event_bus.publish("ledger", make_event("reservation_refused", {
        "assignment_id": assignment["assignment_id"], "demand_id": made["demand_id"],
        "reason": "insufficient_balance"}, REGION))
    eventlet.sleep(0.5)
    shown = demand.get(OPERATOR, made["demand_id"])["assignments"][0]
    assert shown["reservation_status"] == "released"


def test_a_reply_committed_during_another_step_is_kept(demand, database_url):
    """The ledger's reply sets an assignment's reservation status without the demand's row
    lock; a step on the demand that read the assignments before that reply committed (e.g.
    the station assigning the next volunteer of a group) must not write the old status
    back (the reservation showed ``requested`` for ever)."""
    from demand.adapters import demand_repository as repository

    made = published(demand, funding="own_hours", volunteers_needed=2,
                     category="culture_sports")
    [first] = demand.claim(volunteer(), made["demand_id"])["assignments"]
    engine = make_engine(database_url("demand"))
    try:
        with UnitOfWork(engine) as step:  # holds the demand's lock, read "requested"
            stale = repository.get_demand(step, made["demand_id"], lock=True)
            assert stale.assignments[0].reservation_status == "requested"
            with UnitOfWork(engine) as reply:
                assignment_repository.set_reservation_status(
                    reply, first["assignment_id"], "reserved", None)
                reply.commit()
            repository.save_demand(step, stale)
            step.commit()
    finally:
        engine.dispose()
    shown = demand.get(OPERATOR, made["demand_id"])["assignments"][0]
    assert shown["reservation_status"] == "reserved"


def test_issuance_funded_demand_reserves_nothing(demand, listen):
    made = published(demand)
    claimed = demand.claim(volunteer(), made["demand_id"])
    assert claimed["assignments"][0]["reservation_status"] is None
    assert listen("reservation_requested", made["demand_id"], timeout=0.5) == []


def test_identity_not_answering_is_unavailable_and_changes_nothing(demand):
    made = published(demand)
    slow = {**volunteer(), "person_id": f"slow-{uuid.uuid4().hex[:6]}"}
    with pytest.raises(Unavailable) as err:
        demand.claim(slow, made["demand_id"])
    assert err.value.code == "identity_unavailable"
    assert demand.get(OPERATOR, made["demand_id"])["assignments"] == []


def test_a_volunteers_list_waits_for_identity_no_longer_than_the_timeout(demand):
    """The list asks identity for the volunteer's region (their city's published demands)
    through the same timed path as every other identity question."""
    made = published(demand)
    slow = {**volunteer(), "person_id": f"slow-{uuid.uuid4().hex[:6]}"}
    started = eventlet.hubs.get_hub().clock()
    with pytest.raises(Unavailable) as err:
        demand.list(slow, {"status": "published"})
    assert err.value.code == "identity_unavailable"
    assert eventlet.hubs.get_hub().clock() - started < 7  # the timeout is 4 s; identity, 8
    shown = demand.list(volunteer(), {"status": "published", "page_size": 100})["items"]
    assert made["demand_id"] in [d["demand_id"] for d in shown]


def test_no_show_figures_for_statistics(demand, database_url):
    """What demand statistics will show: no-shows, withdrawals, rate over started services."""
    prefix = "1301020010"  # this test's own demands get their own window period
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    made = [published(demand, start_in_hours=24 * 40 + i * 3) for i in range(2)]
    v1, v2 = volunteer(), volunteer()
    demand.claim(v1, made[0]["demand_id"])
    demand.withdraw(v1, made[0]["demand_id"], {"reason": "出差"})
    demand.claim(v2, made[1]["demand_id"])
    engine = make_engine(database_url("demand"))
    try:
        with UnitOfWork(engine) as uow:
            figures = assignment_repository.no_show_figures(
                uow, prefix, start - dt.timedelta(hours=1), start + dt.timedelta(days=1))
    finally:
        engine.dispose()
    assert figures == {"no_shows": 0, "withdrawals": 1, "no_show_rate": None}


def _in_the_database(database_url, *statements):
    engine = make_engine(database_url("demand"))
    try:
        with UnitOfWork(engine) as uow:
            for statement in statements:
                uow.execute(statement)
            uow.commit()
    finally:
        engine.dispose()


def _window_over(demand_id, now):
    """The window ran from 3 hours to 1 minute ago (a new demand's must lie ahead)."""
    return demands.update().where(demands.c.id == demand_id).values(
        window_start=now - dt.timedelta(hours=3), window_end=now - dt.timedelta(minutes=1))


def test_demands_nobody_serves_expire_once_when_their_window_ends(demand, listen, database_url):
    """Both demand processes sweep every 0.3 s. A demand nobody claimed, one reopened by a
    withdrawal with nobody left, and one never reviewed (escalated) are cancelled with reason
    ``expired``, each announced once; one a volunteer still holds is the no-show rule's
    (reason ``no_show``), never expired as well. Statistics count the expired ones."""
    county = {"person_id": "ca-1", "roles": ["county_admin"], "scope": "130102000000"}
    now = dt.datetime.now(dt.UTC)
    today = (now + dt.timedelta(hours=8)).date().isoformat()
    expired_before = demand.demand_stats(county, None, today, today)["completion"]["expired"]

    unclaimed = published(demand)
    reopened = published(demand, funding="own_hours")
    gone = volunteer()
    demand.claim(gone, reopened["demand_id"])
    demand.withdraw(gone, reopened["demand_id"], {"reason": "家中临时有事"})
    unreviewed = demand.submit(OPERATOR, submission())
    taken = published(demand)
    holder = volunteer()
    demand.claim(holder, taken["demand_id"])
    _in_the_database(
        database_url,
        demand_escalations.insert().values(
            demand_id=unreviewed["demand_id"], region_code=REGION,
            township_code="130102001000", carrier_id=None, submitted_at=now,
            escalated_at=now),
        *[_window_over(d["demand_id"], now) for d in (unclaimed, reopened, unreviewed, taken)])

    for made in (unclaimed, reopened, unreviewed):
        [event] = listen("demand_cancelled", made["demand_id"], timeout=15)
        assert event["payload"]["reason"] == "expired"
        assert event["payload"]["elder_id"] == made["elder_id"]
        assert event["payload"]["volunteer_ids"] == []
        assert event["region_code"] == REGION
    [no_show] = listen("demand_cancelled", taken["demand_id"], timeout=15)
    assert no_show["payload"]["reason"] == "no_show"
    eventlet.sleep(1.0)  # both processes swept several times meanwhile
    for made in (unclaimed, reopened, unreviewed, taken):
        assert len(listen("demand_cancelled", made["demand_id"], expected=2, timeout=0.3)) == 1

    for made in (unclaimed, reopened, unreviewed):
        shown = demand.get(OPERATOR, made["demand_id"])
        assert (shown["status"], shown["cancel_reason"], shown["open_slots"]) == (
            "cancelled", "expired", 0)
        with pytest.raises(Conflict):
            demand.claim(volunteer(), made["demand_id"])
    assert [a["status"] for a in demand.get(OPERATOR, reopened["demand_id"])["assignments"]] \
        == ["withdrawn"]  # kept, for the volunteer's reliability
    escalation = demand.get(OPERATOR, unreviewed["demand_id"])["escalation"]
    assert escalation["closed_reason"] == "expired" and escalation["closed_at"]
    shown = demand.get(OPERATOR, taken["demand_id"])
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "no_show")
    completion = demand.demand_stats(county, None, today, today)["completion"]
    assert completion["expired"] - expired_before == 3

