"""What demand's integration tests share: identity (``identity``, the shared
``IdentityFake`` built on identity's contracts), the demand service called in the test's own
process on a rolled-back unit of work (``in_process``), its outbox (``outbox``), and the
requests every module makes."""
import datetime as dt
import uuid

import pytest
from kombu.utils.json import dumps, loads
from nameko.testing.services import worker_factory
from sqlalchemy import func, select, text
from timebank_testing.identity_fake import (
    DEFAULT_REGION,
    DEFAULT_VOLUNTEER_REGION,
    IdentityFake,
)

from demand.service import DemandService

REGION = DEFAULT_REGION  # a community in 长安区, 石家庄: where an elder nobody registered lives
VOLUNTEER_REGION = DEFAULT_VOLUNTEER_REGION  # where a volunteer nobody registered lives

OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7", "name": "站点操作员"}
PLACE = {"lat": 38.05, "lng": 114.52}


class InProcess:
    """The demand service's entrypoints called in the test's process as an RPC proxy calls
    them — arguments and answers through JSON, declared arguments loaded, the caller made a
    ``Caller``, every answer checked against its declaration (``CHECK_CONTRACTS``) — but with
    no broker and no container: a nameko worker (``worker_factory``) whose database is the
    test's rolled-back unit of work, whose clock is the test's ``FixedClock`` and whose
    ``identity`` is the test's ``IdentityFake``. Timers and event handlers are methods too:
    ``demand.mark_no_shows()``, ``demand.escalate_unreviewed()``."""

    def __init__(self, worker):
        self.worker = worker

    def __getattr__(self, name):
        method = getattr(self.worker, name)

        def call(*args, **kwargs):
            args, kwargs = loads(dumps([args, kwargs]))  # as the proxy sends them
            return loads(dumps(method(*args, **kwargs)))  # as the proxy receives it

        return call


@pytest.fixture
def identity(clock):
    """identity as demand sees it, at the test's clock: an id nobody registered is an elder of
    ``REGION`` without a station, or an eligible volunteer of ``VOLUNTEER_REGION``; nobody is
    related to anybody or acts for an elder. A test registers the people it needs
    (``identity.add_elder(...)``, ``add_proxy``, ``add_relatives``, ``silent`` ...)."""
    return IdentityFake(clock=clock)


class LedgerStandIn:
    """The ledger as demand asks it (``balance(caller, person_id)`` at review): an elder the
    test gave no balance has plenty (600 hours earned and 600 granted); ``set(person_id,
    earned=..., grant=..., reserved=...)`` gives one; ``unknown(person_id)``: the ledger
    answers 404 (no account it shows). ``asked`` lists (caller, person_id)."""

    PLENTY = 36_000

    def __init__(self):
        self.balances: dict[str, dict] = {}
        self.asked: list[tuple[dict, str]] = []

    def set(self, person_id, earned=0, grant=0, reserved=0):
        self.balances[person_id] = {
            "person_id": person_id, "earned_minutes": earned, "grant_minutes": grant,
            "reserved_minutes": reserved, "available_minutes": earned + grant - reserved}

    def unknown(self, person_id):
        self.balances[person_id] = None

    def balance(self, caller, person_id):
        from timebank_common.errors import NotFound  # noqa: PLC0415

        self.asked.append((caller, person_id))
        if person_id not in self.balances:
            self.set(person_id, earned=self.PLENTY, grant=self.PLENTY)
        found = self.balances[person_id]
        if found is None:
            raise NotFound("account_not_found", "没有账户", "No account", {})
        return found


@pytest.fixture
def ledger():
    return LedgerStandIn()


@pytest.fixture
def in_process(uow_factory, clock, identity, ledger):
    """``in_process(SETTING=value)``: the demand service with that configuration, on this
    test's rolled-back database, at ``clock``, asking the test's ``identity`` and
    ``ledger`` (``LedgerStandIn``)."""

    def make(**config) -> InProcess:
        return InProcess(worker_factory(
            DemandService, db=uow_factory("demand"), clock=clock, identity=identity,
            ledger=ledger, config={"CHECK_CONTRACTS": "strict", **config}))

    return make


@pytest.fixture
def outbox(uow_factory):
    """``outbox("service_recorded")``: the payloads of that type this test's units of work
    wrote to demand's outbox, oldest first (``outbox()``: the envelopes of every type). Rows
    other tests committed (containers, ``test_concurrency.py``) are left out: this test's rows
    were all written in its one transaction, so their ``created_at`` (PostgreSQL's ``now()``,
    the transaction's start) is the transaction's ``now()``."""

    def read(event_type=None):
        with uow_factory("demand")() as uow:
            events = uow.execute(text(
                "SELECT body FROM outbox WHERE created_at = now()"
                " AND (CAST(:type AS text) IS NULL OR event_type = :type)"
                " ORDER BY body->>'occurred_at'"), {"type": event_type}).scalars().all()
        return [e["payload"] for e in events] if event_type else list(events)

    return read


def new_id(prefix: str) -> str:
    """A new person's id: a UUID, as identity makes them (``prefix`` says whose, for the reader)."""
    return str(uuid.uuid4())


def named_id(name: str) -> str:
    """A fixed person's id for a test's cast (``named_id("nobody")``): a UUID, stable by name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"timebank-demand-test:{name}"))


def volunteer(person_id=None):
    return {"person_id": person_id or new_id("vol"), "roles": ["volunteer"], "scope": None,
            "carrier_id": None}


def elder(person_id):
    return {"person_id": person_id, "roles": ["elder"], "scope": None}


def submission(now: dt.datetime, start_in_hours=24, **changes):
    """A demand for a new elder by phone, its window starting ``start_in_hours`` after
    ``now``."""
    start = now + dt.timedelta(hours=start_in_hours)
    data = {
        "elder_id": new_id("elder"), "category": "emotional_comfort",
        "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号", "location": PLACE,
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "channel": "phone",
    }
    data.update(changes)
    return data


def published(demand, now, operator=OPERATOR, funding="issuance", **changes):
    """Submitted (the payer ``funding`` chosen by the operator for the elder) and approved."""
    made = demand.submit(operator, submission(now, funding_source=funding, **changes))
    return demand.review(operator, made["demand_id"], {"decision": "approve"})


def served(demand, now, volunteers=1, elder_id=None, served_minutes=65, early_minutes=0,
           at=PLACE, who=None, operator=OPERATOR, present=None):
    """A published demand (its window starting two hours after ``now``), claimed by each
    volunteer, checked in and out by each (or by the first ``present`` of them). Check-in and
    check-out times are the server's: the service's clock (the test's ``FixedClock``) is moved
    to ``early_minutes`` before the window's start, everyone checks in (at ``at``), the clock
    moves ``served_minutes`` and everyone checks out at the demand's place; the clock is left
    there."""
    made = published(demand, now, operator, elder_id=elder_id or new_id("elder"),
                     category="culture_sports" if volunteers > 1 else "emotional_comfort",
                     volunteers_needed=volunteers, start_in_hours=2)
    people = who or [volunteer() for _ in range(volunteers)]
    for v in people:
        demand.claim(v, made["demand_id"])
    clock = demand.worker.clock
    clock.set(dt.datetime.fromisoformat(made["window_start"])
              - dt.timedelta(minutes=early_minutes))
    for v in people[:present]:
        demand.check_in(v, made["demand_id"], {"lat": at["lat"], "lng": at["lng"]} if at else {})
    clock.advance(minutes=served_minutes)
    for v in people[:present]:
        demand.check_out(v, made["demand_id"], dict(PLACE))
    return made, people


def rows(db, table, **where) -> int:
    """How many rows of ``table`` match ``where`` (column = value), read through ``db``."""
    with db() as uow:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return uow.execute(query).scalar_one()
