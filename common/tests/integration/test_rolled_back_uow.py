"""The rolled-back unit of work tests of use cases run on: real PostgreSQL, commits that
behave as in production inside one test, nothing left behind after it."""
import datetime as dt
import uuid

from marshmallow import Schema, fields, validate
from sqlalchemy import create_engine, text
from timebank_testing import outbox_events
from timebank_testing.database import rolled_back_units_of_work

from timebank_common.contracts import EventContract


class Cancelled(Schema):
    demand_id = fields.UUID(required=True)
    at = fields.DateTime(required=True)


CANCELLED = EventContract("demand", "demand_cancelled", Cancelled)
AT = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


def _count(url: str, event_id: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                                      {"id": event_id}).scalar_one()
    finally:
        engine.dispose()


def test_commits_are_seen_inside_the_test_and_gone_after_it(database_url):
    demand_id = uuid.uuid4()
    with rolled_back_units_of_work(database_url) as make:
        uow_factory = make("notify")
        with uow_factory() as uow:
            envelope = uow.emit(CANCELLED, {"demand_id": demand_id, "at": AT}, "130102001001")
            uow.commit()
        with uow_factory() as uow:  # not committed: rolled back to its savepoint
            uow.emit("something_else", {}, None)
        events = outbox_events(uow_factory)
        assert [e["event_id"] for e in events] == [envelope["event_id"]]
        assert events[0]["payload"] == {"demand_id": str(demand_id),
                                        "at": "2026-06-15T02:00:00+00:00"}
        assert events[0]["v"] == 1
        assert _count(database_url("notify"), envelope["event_id"]) == 0  # not visible outside
    assert _count(database_url("notify"), envelope["event_id"]) == 0  # and gone after


class Registered(Schema):
    person_id = fields.UUID(required=True)
    region_code = fields.String(required=True, validate=validate.Length(equal=12))


REGISTERED = EventContract("identity", "person_registered", Registered)


def test_an_event_its_contract_refuses_is_not_written_and_fails_the_producer(database_url):
    """Poison cannot enter (issue 15 item 7): the payload is checked against the contract
    consumers load it with, when it is emitted."""
    import pytest

    from timebank_common.contracts import EventRefused

    with rolled_back_units_of_work(database_url) as make:
        uow_factory = make("notify")
        with uow_factory() as uow:
            with pytest.raises(EventRefused) as refused:
                uow.emit(REGISTERED, {"person_id": uuid.uuid4(), "region_code": "1301"},
                         "130102001001")
            with pytest.raises(EventRefused):
                uow.emit(REGISTERED, {"region_code": "130102001001"}, "130102001001")
            uow.commit()
        assert set(refused.value.errors) == {"region_code"}
        assert outbox_events(uow_factory) == []
        with uow_factory() as uow:
            good = uow.emit(REGISTERED, {"person_id": uuid.uuid4(),
                                         "region_code": "130102001001"}, "130102001001")
            uow.commit()
        assert [e["event_id"] for e in outbox_events(uow_factory)] == [good["event_id"]]


def test_a_savepoint_that_raises_undoes_its_writes_and_its_events_only(database_url):
    kept, undone = uuid.uuid4(), uuid.uuid4()
    with rolled_back_units_of_work(database_url) as make:
        uow_factory = make("notify")
        with uow_factory() as uow:
            uow.execute(text("CREATE TEMP TABLE marks (id uuid)"))
            with uow.savepoint():
                uow.execute(text("INSERT INTO marks VALUES (:id)"), {"id": kept})
                uow.emit(CANCELLED, {"demand_id": kept, "at": AT}, None)
            try:
                with uow.savepoint():
                    uow.execute(text("INSERT INTO marks VALUES (:id)"), {"id": undone})
                    uow.emit(CANCELLED, {"demand_id": undone, "at": AT}, None)
                    raise ValueError("refused")
            except ValueError:
                pass
            assert [r[0] for r in uow.execute(text("SELECT id FROM marks"))] == [kept]
            uow.commit()
        events = outbox_events(uow_factory)
        assert [e["payload"]["demand_id"] for e in events] == [str(kept)]
