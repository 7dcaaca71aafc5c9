"""Idempotent creates on real PostgreSQL (``timebank_common.idempotency``): a create and its
key commit together, a retry answers the first answer, another body is refused, a concurrent
retry waits for the first, old keys are purged, and a process that dies before the commit
leaves neither the create nor the key, so the retry creates exactly one."""
import datetime as dt
import os
import subprocess
import sys
import textwrap
import uuid

import eventlet
import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, func, select, text

from timebank_common import idempotency
from timebank_common.db import UnitOfWork, drop_database, ensure_database
from timebank_common.errors import Conflict, RuleViolation
from timebank_common.idempotency import idempotency_keys_table as keys
from timebank_common.messaging_tables import metadata as kit_metadata
from timebank_common.messaging_tables import outbox_table
from timebank_common.pii import FieldCipher
from timebank_common.service import Database, ServiceBase, rpc

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
things_md = MetaData()
things = Table("things", things_md, Column("id", String(64), primary_key=True),
               Column("name", String(200), nullable=False))


@pytest.fixture(scope="module")
def database(run_id):
    from timebank_testing import PG_BASE

    url = f"{PG_BASE}/tbtest_{run_id}_idempotency"
    ensure_database(url)
    engine = create_engine(url)
    kit_metadata.create_all(engine)
    things_md.create_all(engine)
    yield url, engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def db(database):
    """Units of work on the scratch database, committing for real (concurrency needs two
    transactions); tables emptied before each test."""
    _, engine = database
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE things, idempotency_keys, outbox"))
    woken = []
    factory = lambda: UnitOfWork(engine, on_commit=lambda: woken.append(1))  # noqa: E731
    factory.woken = woken
    return factory


def count(db, table) -> int:
    with db() as uow:
        return uow.execute(select(func.count()).select_from(table)).scalar_one()


def make_thing(name: str, event: bool = False):
    """A use case as services write them: it opens its own unit of work and commits."""

    def create(inner_db):
        thing_id = uuid.uuid4().hex
        with inner_db() as uow:
            uow.execute(things.insert().values(id=thing_id, name=name))
            if event:
                uow.emit("thing_made", {"id": thing_id}, "130100000000")
            uow.commit()
        return {"id": thing_id, "name": name}

    return create


def once(db, key, name, caller="person:p-1", **kwargs):
    operation = "kit.make_thing"
    return idempotency.once(db, caller=caller, key=key, operation=operation,
                            print_=idempotency.fingerprint(operation, {"name": name}), now=NOW,
                            action=kwargs.pop("action", make_thing(name)), **kwargs)


def test_the_same_key_twice_creates_one_and_answers_the_first_answer(db):
    first, replayed = once(db, "k-1", "甲")
    assert replayed is False
    again, replayed = once(db, "k-1", "甲")
    assert (again, replayed) == (first, True)
    assert count(db, things) == 1 and count(db, keys) == 1
    # keys are per caller: another caller's k-1 is another create
    other, replayed = once(db, "k-1", "甲", caller="client:c-9")
    assert replayed is False and other["id"] != first["id"]
    assert count(db, things) == 2


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(db):
    once(db, "k-2", "甲")
    with pytest.raises(RuleViolation) as refused:
        once(db, "k-2", "乙")
    assert refused.value.code == "idempotency_key_reused" and refused.value.status == 422
    assert refused.value.zh and refused.value.en
    assert count(db, things) == 1


def test_a_refused_create_is_not_remembered_and_keeps_what_it_committed(db):
    def refuse(inner_db):
        with inner_db() as uow:  # committed before the refusal, as some use cases do
            uow.execute(things.insert().values(id="audit-1", name="attempt"))
            uow.commit()
        raise Conflict("not_now", "现在不行", "Not now")

    with pytest.raises(Conflict):
        once(db, "k-3", "甲", action=refuse)
    assert count(db, keys) == 0 and count(db, things) == 1  # as without a key
    made, replayed = once(db, "k-3", "甲")  # the same key works once the cause is gone
    assert replayed is False and count(db, things) == 2


def test_events_of_the_create_are_written_with_it_and_wake_the_relay_after_the_commit(db):
    once(db, "k-4", "甲", action=make_thing("甲", event=True))
    assert count(db, outbox_table) == 1 and db.woken == [1]
    once(db, "k-4", "甲", action=make_thing("甲", event=True))
    assert count(db, outbox_table) == 1  # the replay announces nothing again


def test_a_concurrent_retry_waits_for_the_first_and_answers_its_answer(db):
    started, release = eventlet.event.Event(), eventlet.event.Event()

    def slow(inner_db):
        answer = make_thing("甲")(inner_db)
        started.send()
        release.wait()
        return answer

    first = eventlet.spawn(once, db, "k-5", "甲", action=slow)
    started.wait()
    second = eventlet.spawn(once, db, "k-5", "甲")
    eventlet.sleep(0.2)  # not for ordering: to show the second is still waiting on the row
    assert not second.dead
    release.send()
    answer, replayed = first.wait()
    assert second.wait() == (answer, True) and replayed is False
    assert count(db, things) == 1


def test_a_concurrent_retry_that_cannot_wait_longer_is_told_the_key_is_in_flight(db):
    started, release = eventlet.event.Event(), eventlet.event.Event()

    def slow(inner_db):
        answer = make_thing("甲")(inner_db)
        started.send()
        release.wait()
        return answer

    first = eventlet.spawn(once, db, "k-6", "甲", action=slow)
    started.wait()
    with pytest.raises(Conflict) as busy:
        once(db, "k-6", "甲", wait_seconds=0.2)
    assert busy.value.code == "idempotency_key_in_flight" and busy.value.status == 409
    release.send()
    first.wait()
    assert count(db, things) == 1


def test_a_failed_first_lets_the_waiting_retry_create(db):
    started, release = eventlet.event.Event(), eventlet.event.Event()

    def failing(inner_db):
        make_thing("甲")(inner_db)
        started.send()
        release.wait()
        raise RuntimeError("the first request crashes")

    first = eventlet.spawn(once, db, "k-7", "甲", action=failing)
    started.wait()
    second = eventlet.spawn(once, db, "k-7", "甲")
    eventlet.sleep(0)
    release.send()
    with pytest.raises(RuntimeError):
        first.wait()
    answer, replayed = second.wait()
    assert replayed is False and count(db, keys) == 1


def test_keys_are_kept_24_hours_then_purged(db):
    once(db, "old", "甲")
    later = NOW + dt.timedelta(hours=23)
    idempotency.once(db, caller="person:p-1", key="new", operation="kit.make_thing",
                     print_=idempotency.fingerprint("kit.make_thing", {"name": "乙"}), now=later,
                     action=make_thing("乙"))
    # asking to keep less than 24 hours keeps 24
    assert idempotency.purge(db, NOW + dt.timedelta(hours=23, minutes=59),
                             keep=dt.timedelta(hours=1)) == 0
    assert idempotency.purge(db, NOW + dt.timedelta(hours=24, seconds=1)) == 1
    with db() as uow:
        assert uow.execute(select(keys.c.key)).scalars().all() == ["new"]
    _, replayed = once(db, "old", "甲")  # a purged key is new again
    assert replayed is False


def test_a_stored_answer_can_be_sealed(db):
    cipher = FieldCipher({"k1": b"0" * 32}, "k1")
    first, _ = once(db, "k-8", "王秀兰", cipher=cipher)
    with db() as uow:
        stored = uow.execute(select(keys.c.answer)).scalar_one()
    assert stored.startswith("v1:k1:") and "王秀兰" not in stored
    assert once(db, "k-8", "王秀兰", cipher=cipher) == (first, True)


CRASHING_CREATE = textwrap.dedent("""
    import datetime as dt, sys
    from sqlalchemy import create_engine
    sys.path.insert(0, {here!r})
    from test_idempotency import NOW, make_thing
    from timebank_common import idempotency
    from timebank_common.db import UnitOfWork
    engine = create_engine({url!r})
    idempotency.once(lambda: UnitOfWork(engine), caller="person:p-1", key="crash-1",
                     operation="kit.make_thing",
                     print_=idempotency.fingerprint("kit.make_thing", {{"name": "甲"}}),
                     now=NOW, action=make_thing("甲"))
    print("committed")
""")


def test_a_process_that_dies_before_the_commit_leaves_nothing_and_the_retry_creates_one(
        db, database):
    url, _ = database
    script = CRASHING_CREATE.format(here=os.path.dirname(__file__), url=url)
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "TIMEBANK_CRASH_AT": "idempotency_before_commit"},
                          timeout=60)
    assert died.returncode == 137, died.stderr  # killed after the create, before the commit
    assert count(db, things) == 0 and count(db, keys) == 0
    retried = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items()
                                  if k != "TIMEBANK_CRASH_AT"}, timeout=60)
    assert retried.returncode == 0 and "committed" in retried.stdout, retried.stderr
    assert count(db, things) == 1 and count(db, keys) == 1
    answer, replayed = once(db, "crash-1", "甲")
    assert replayed is True and count(db, things) == 1


class MakerWithAnswer(ServiceBase):
    """A service whose create is declared idempotent, as identity's and demand's are."""

    name = "maker_answers"
    db = Database()

    @rpc(idempotent=True)
    def make(self, caller, name):
        return make_thing(name)(self.db)


def test_an_idempotent_rpc_runs_its_use_case_once_per_key(db, database, service_config,
                                                         start_service, rpc):
    url, _ = database
    start_service(MakerWithAnswer, service_config(None, DATABASE_URL=url,
                                                  CHECK_CONTRACTS=False))
    caller = {"person_id": "p-1", "roles": ["elder"]}
    with rpc("maker_answers") as maker:
        first = maker.make(caller, "甲", idempotency_key="rpc-1")
        again = maker.make(caller, "甲", idempotency_key="rpc-1")
        with pytest.raises(RuleViolation):
            maker.make(caller, "乙", idempotency_key="rpc-1")
        plain = maker.make(caller, "丙")  # no key: answered as before, not wrapped
    assert first["idempotency_replayed"] is False and again["idempotency_replayed"] is True
    assert again["answer"] == first["answer"] and first["answer"]["name"] == "甲"
    assert plain["name"] == "丙"
    assert count(db, things) == 2 and count(db, keys) == 1
