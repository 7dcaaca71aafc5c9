"""The lock order of the demand service (README "Lock order"): every path that locks a demand
and its service records takes the demand first. Here a dispute about a record is resolved
(``voided``: the path that touches the demand) at the same instant as the record's second look
(release or reject) or the elder's confirmation, many times over, each call on its own RPC
connection, with the real service on PostgreSQL (the rounds are prepared and checked in the
test's own process, on the same database): no call fails with a deadlock (PostgreSQL's
40P01, a 500 to the caller), and every round ends in the one consistent state whatever the
order the two took."""
import datetime as dt
import uuid

import eventlet
import pytest
from nameko.testing.services import worker_factory
from timebank_testing.identity_fake import IdentityFake
from timebank_testing.plugin import TEST_INSTANT

from demand.service import DemandService
from timebank_common.clock import FixedClock
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import Conflict

from .conftest import OPERATOR, InProcess, elder

TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
PLACE = {"lat": 38.05, "lng": 114.52}
FAR = {"lat": 38.10, "lng": 114.52}  # ~5.5 km away: the record is held (check_in_too_far)
ROUNDS = 20  # per pair of operations


@pytest.fixture(scope="module")
def clock():
    return FixedClock(TEST_INSTANT)


@pytest.fixture(scope="module")
def identity(clock):
    """identity for the container and the test's own calls: every elder nobody registered
    lives in demand's region, every volunteer is eligible."""
    return IdentityFake(clock=clock)


@pytest.fixture(scope="module")
def running(identity, service_config, start_module_service, clock):
    start_module_service(identity.service_class(), service_config(None, max_workers=20))
    start_module_service(DemandService, service_config("demand", max_workers=20, CLOCK=clock,
                                                       CONFIRMATION_CHASE_SECONDS=3600))


@pytest.fixture
def demand(running, database_url, clock, identity):
    """The same service in the test's process, on the same database (committed), to prepare
    and check each round without a broker round trip per step."""
    engine = make_engine(database_url("demand"), pool_size=2)
    yield InProcess(worker_factory(DemandService, db=lambda: UnitOfWork(engine), clock=clock,
                                   identity=identity, config={"CHECK_CONTRACTS": True}))
    engine.dispose()


@pytest.fixture
def connections(running, rpc):
    """Two more RPC connections: each of the two calls at once goes on its own."""
    with rpc("demand", timeout=60) as first, rpc("demand", timeout=60) as second:
        yield first, second


def disputed_record(proxy, now: dt.datetime, confirmation: str, at: dict
                    ) -> tuple[dict, dict, dict]:
    """A served demand, its record (held when ``at`` is far away), and an open dispute about
    the record by the elder."""
    start = now + dt.timedelta(hours=24)
    made = proxy.submit(OPERATOR, {
        "elder_id": str(uuid.uuid4()), "category": "emotional_comfort",
        "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号", "location": PLACE,
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "channel": "phone", "volunteers_needed": 1})
    proxy.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    v = {"person_id": str(uuid.uuid4()), "roles": ["volunteer"], "scope": None}
    proxy.claim(v, made["demand_id"])
    proxy.check_in(v, made["demand_id"], {
        "at": (now - dt.timedelta(minutes=70)).isoformat(), **at})
    proxy.check_out(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=5)).isoformat()})
    record = proxy.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": confirmation})
    dispute = proxy.open_dispute(elder(made["elder_id"]), {
        "record_id": record["record_id"], "reason": "实际没有服务这么久"})
    return made, record, dispute


def at_once(connections, *calls):
    """Run each ``call(proxy)`` on its own RPC connection (already open), released
    together; per call ``"ok"``, the code of a refusal (409), or the unexpected error's
    text."""
    go = eventlet.event.Event()

    def run(proxy, call):
        go.wait()
        try:
            call(proxy)
            return "ok"
        except Conflict as err:
            return err.code
        except Exception as err:  # noqa: BLE001 — e.g. a deadlock (40P01) as a 500
            return f"error: {err!r}"

    pool = eventlet.GreenPool(len(calls))
    threads = [pool.spawn(run, proxy, call) for proxy, call in zip(connections, calls,
                                                                   strict=True)]
    go.send(True)
    return [t.wait() for t in threads]


def resolve_voided(dispute_id):
    return lambda proxy: proxy.resolve_dispute(OPERATOR, dispute_id, {
        "outcome": "voided", "reason": "电话核实：未提供服务"})


SECOND_STEPS = {
    # the record is held (far check-in), confirmed by phone: a reviewer's second look
    "release": ("phone", FAR, lambda made, record: lambda proxy: proxy.release_record(
        TOWNSHIP_ADMIN, record["record_id"], {"reason": "核实：地点登记有误"})),
    "reject": ("phone", FAR, lambda made, record: lambda proxy: proxy.reject_record(
        TOWNSHIP_ADMIN, record["record_id"], {"reason": "签到地点不符"})),
    # the record waits for the elder's confirmation in the app
    "confirm": ("app", PLACE, lambda made, record: lambda proxy: proxy.confirm(
        elder(made["elder_id"]), made["demand_id"], {})),
}


@pytest.mark.parametrize("step", sorted(SECOND_STEPS))
def test_resolving_a_dispute_and_handling_the_record_at_once_never_deadlock(
        demand, connections, clock, step):
    confirmation, place, make_call = SECOND_STEPS[step]
    outcomes = []
    for _ in range(ROUNDS):
        made, record, dispute = disputed_record(demand, clock.now(), confirmation, place)
        resolved, other = at_once(connections, resolve_voided(dispute["dispute_id"]),
                                  make_call(made, record))
        outcomes.append((resolved, other))
        assert resolved == "ok", resolved
        # the record's step either came first or is refused (or, confirm: changes nothing)
        assert other in ("ok", "invalid_record_transition"), other

        [shown] = demand.records(OPERATOR, made["demand_id"])
        actions = [a["action"] for a in shown["audit"]]
        assert shown["status"] == "voided"
        assert actions.count("voided") == 1 and actions[-1] == "voided", actions
        assert actions.count("sent") <= 1
        if step in ("release", "reject"):  # done before the dispute's outcome, or refused
            assert (("released" if step == "release" else "rejected") in actions) == \
                (other == "ok"), (other, actions)
        assert demand.get_dispute(OPERATOR, dispute["dispute_id"])["status"] == "resolved"
        assert demand.get(OPERATOR, made["demand_id"])["status"] == "recorded"
    print(step, {o: outcomes.count(o) for o in set(outcomes)})
