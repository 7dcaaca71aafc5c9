"""identity's timers run by two processes at the same moment over the same due work announce
each change once (issue 17 item 5): two identity workers (``worker_factory``, as two
processes' containers would run the timer) on one real database whose units of work commit
(this module's own, with the demo data for the logins), their timer methods released
together (``side_by_side``); the outbox says how often each change was announced.

How each stays single: the 高龄 grant, the qualification expiry and the daily eligibility
reassessment take their rows ``FOR UPDATE SKIP LOCKED`` with "not done yet" in the condition
(granted_at / expired_at null, checked before today), so a row another process is doing is
skipped and one it has done no longer matches; an import is a job claimed under a lease
(``timebank_common.jobs``: ``SKIP LOCKED``, then ``running``), so one process runs it."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import select, text
from timebank_testing import outbox_events
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from identity.adapters.tables import import_jobs
from identity.app import imports
from identity.commands.demo import DEMO_PASSWORD, load_demo
from timebank_common.clock import china_date

from .conftest import caller_from_token, in_process
from .test_age_grants_and_revocation import register as register_elder
from .test_imports import HEADER, csv_bytes, person, row, start
from .test_schedules import register as register_volunteer

OPERATOR, TOWNSHIP_ADMIN = "13800000005", "13800000004"
MANY = 6
_file = itertools.count(1)


@pytest.fixture(scope="module")
def db(own_database_url, cheap_password_hashing):
    url = own_database_url("identity")
    load_demo(url)
    made = CommittingDatabase(url, pool_size=8)
    yield made
    made.dispose()


@pytest.fixture
def identity(db, clock, signer):
    return in_process(db, clock, signer)


@pytest.fixture
def two(db, clock, signer):
    """Two processes' workers on the same database at the same clock."""
    return in_process(db, clock, signer), in_process(db, clock, signer)


@pytest.fixture
def login(identity, public_key, clock):
    def caller(phone):
        return caller_from_token(public_key, identity.authenticate(phone, DEMO_PASSWORD)
                                 ["access_token"], clock)
    return caller


def announced(db, event_type, key, values, where=lambda payload: True):
    found = [e["payload"][key] for e in outbox_events(db, event_type) if where(e["payload"])]
    return {v: found.count(v) for v in values}


def test_the_advanced_age_sweep_grants_each_elder_once(db, identity, two, login, clock):
    tomorrow = china_date(clock.now()) + dt.timedelta(days=1)
    ids = [register_elder(identity, login(OPERATOR), tomorrow.replace(year=tomorrow.year - 80))
           ["person_id"] for _ in range(MANY)]
    clock.advance(days=1)  # they turn 80
    side_by_side(*(p.service.sweep_advanced_ages for p in two))
    assert announced(db, "elder_priority_granted", "person_id", ids,
                     lambda p: p["category"] == "advanced_age") == dict.fromkeys(ids, 1)


def test_the_qualification_sweep_announces_each_expiry_once(db, identity, two, login, clock):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    ids = []
    for n in range(MANY):
        vid = register_volunteer(identity, operator)["person_id"]
        added = identity.add_qualification(operator, vid, {
            "kind": "nurse", "number": f"N-{n}", "issuer": "河北省卫生健康委员会",
            "valid_until": "2027-06-30"})
        identity.verify_qualification(township, added["qualification_id"],
                                      {"decision": "verify"})
        ids.append(added["qualification_id"])
    clock.set(dt.datetime(2027, 7, 1, 2, tzinfo=dt.UTC))  # they ran out yesterday
    side_by_side(*(p.service.sweep_expired_qualifications for p in two))
    assert announced(db, "qualification_expired", "qualification_id", ids) == \
        dict.fromkeys(ids, 1)


def test_two_import_runners_run_each_import_once(db, identity, login, clock):
    operator = login(OPERATOR)
    files = [[person() for _ in range(3)] for _ in range(3)]
    jobs = [start(identity, operator, csv_bytes([HEADER, *map(row, people)]),
                  name=f"名册{next(_file)}.csv")["id"] for people in files]

    def runner(owner):
        def run():
            while imports.run_next(db, clock, owner) is not None:
                pass
        return run

    side_by_side(runner("process-a"), runner("process-b"))
    with db() as uow:
        ran = {r.id: (r.status, r.attempts) for r in uow.execute(
            select(import_jobs.c.id, import_jobs.c.status, import_jobs.c.attempts)
            .where(import_jobs.c.id.in_(jobs)))}
    assert ran == dict.fromkeys(jobs, ("done", 1))
    assert [(j["created"], j["refused"]) for j in
            (identity.get_import(operator, job) for job in jobs)] == [(3, 0)] * 3
    numbers = [p["id_number"] for people in files for p in people]
    for number in numbers:
        assert len(identity.list_volunteers(operator, {"id_number": number})["items"]) == 1


def test_the_eligibility_reassessment_announces_each_change_once(db, identity, two, login,
                                                                   clock):
    """Last in the module: the stricter training policy it commits holds for the rest."""
    ids = [register_volunteer(identity, login(OPERATOR), registry_status="verified",
                              screening="clear", health_declared=True,
                              training_hours_completed=8)["person_id"] for _ in range(MANY)]
    clock.advance(days=1)
    with db() as uow:  # 长安区 raises its threshold to 20 h from today: all of them fall short
        uow.execute(text("INSERT INTO training_policies (region_code, min_hours, "
                         "effective_from, note) VALUES ('130102000000', 20, :today, 'test')"),
                    {"today": china_date(clock.now())})
        uow.commit()
    side_by_side(*(p.service.sweep_volunteer_eligibility for p in two))
    assert announced(db, "volunteer_suspended", "person_id", ids) == dict.fromkeys(ids, 1)
