"""The ledger's timers run by two processes at the same moment over the same due work move
each hour once (issue 17 item 5): two ledger workers (``worker_factory``, as two processes'
containers would run the timer) on one real database whose units of work commit (this
module's own), their timer methods released together (``side_by_side``).

How each stays single: both the grant top-up and the pending sweep post under a transfer id
fixed by what it is for (``grant:<person>:<category>:<period>``, the reservation's expiry id);
the second poster waits on the accounts' row locks and then finds the id taken (``exists``),
so it neither posts nor announces. The invariants refresh only reads (one REPEATABLE READ
snapshot) and skips itself while another process holds its advisory lock: no test needed."""
import uuid

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import text
from timebank_testing import outbox_events
from timebank_testing.identity_fake import IdentityFake
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from ledger.adapters import invariants
from ledger.service import LedgerService
from timebank_common.clock import china_date
from timebank_common.db import make_event

from .test_reservations import Service, fund, person

DINGZHOU = "130682100001"  # 定州: a city-level unit of its own, the province's grant policy
ELDERS = 8


@pytest.fixture(scope="module")
def db(own_database_url):
    made = CommittingDatabase(own_database_url("ledger"), pool_size=8)
    yield made
    made.dispose()


def process(db, clock):
    return worker_factory(LedgerService, db=db, clock=clock, identity=IdentityFake(clock=clock),
                          config={"CHECK_CONTRACTS": "strict"})


@pytest.fixture
def ledger(db, clock):
    return process(db, clock)


@pytest.fixture
def two(db, clock):
    """Two processes' workers on the same database at the same clock."""
    return process(db, clock), process(db, clock)


def consistent(db):
    with db() as uow:
        report = invariants.verify_balances(uow)
    assert report["ok"], {k: v for k, v in report.items() if v}


def test_grant_top_up_grants_each_entitlement_once_per_period(db, ledger, two, clock):
    elders = [str(uuid.uuid4()) for _ in range(ELDERS)]
    for elder in elders:
        ledger.on_elder_priority_granted(make_event("elder_priority_granted", {
            "person_id": elder, "category": "empty_nest", "region_code": DINGZHOU,
            "verified_by": "adm-1"}, DINGZHOU))
    clock.advance(days=31)  # the next month: every entitlement is due its period's grant
    period = china_date(clock.now()).strftime("%Y-%m")
    side_by_side(*(p.scheduled_grant_top_up for p in two))
    told = [e["payload"]["person_id"] for e in outbox_events(db, "hours_granted")
            if e["payload"]["period"] == period]
    assert {elder: told.count(elder) for elder in elders} == dict.fromkeys(elders, 1)
    assert {ledger.balance(person(e), e)["grant_minutes"] for e in elders} == {120}
    consistent(db)


def test_pending_sweep_expires_each_reservation_once(db, ledger, two, clock):
    services = [Service(clock, minutes=30, expires_in=2) for _ in range(ELDERS)]
    for s in services:
        fund(ledger, s.elder, 100)
        ledger.on_reservation_requested(s.requested())
    clock.advance(seconds=2)
    side_by_side(*(p.sweep_expired_pending for p in two))
    with db() as uow:
        phases = uow.execute(text(
            "SELECT pending_id, phase FROM transfers WHERE pending_id = ANY(:ids)"),
            {"ids": [s.reservation_id for s in services]}).all()
    assert sorted(phases) == sorted((s.reservation_id, "expired") for s in services)
    assert {ledger.balance(person(s.elder), s.elder)["reserved_minutes"]
            for s in services} == {0}
    assert {ledger.balance(person(s.elder), s.elder)["available_minutes"]
            for s in services} == {100}
    consistent(db)

