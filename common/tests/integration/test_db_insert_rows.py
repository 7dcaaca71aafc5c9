"""``insert_rows``: many rows in one statement (unnest of one array per column), against
PostgreSQL: every column type the services use, NULLs, a conflict clause and RETURNING,
and the plans it gets stay custom (no stale generic plan)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from timebank_testing import PG_BASE

from timebank_common.db import UnitOfWork, drop_database, ensure_database, insert_rows, make_engine

md = MetaData()
things = Table("things", md,
               Column("id", UUID(as_uuid=False), primary_key=True),
               Column("name", String(50), nullable=False),
               Column("note", Text),
               Column("amount", BigInteger),
               Column("level", Integer),
               Column("at", DateTime(timezone=True)),
               Column("data", JSONB))


@pytest.fixture(scope="module")
def engine():
    url = f"{PG_BASE}/tb_insert_rows_{uuid.uuid4().hex[:8]}"
    ensure_database(url)
    engine = make_engine(url, pool_size=1)
    md.create_all(engine)
    yield engine
    engine.dispose()
    drop_database(url)


def test_every_column_type_and_nulls_round_trip(engine):
    at = dt.datetime(2026, 11, 29, 9, 30, tzinfo=dt.UTC)
    rows = [{"id": str(uuid.uuid4()), "name": "王秀英", "note": None, "amount": 10**12,
             "level": 3, "at": at, "data": {"事件": "hours_credited", "n": [1, 2]}},
            {"id": uuid.uuid4(), "name": "Li", "note": "it's \"quoted\", {braces}", "amount": None,
             "level": None, "at": None, "data": None}]
    with UnitOfWork(engine) as uow:
        insert_rows(uow, things, rows)
        uow.commit()
    with engine.connect() as c:
        stored = {r.name: r for r in c.execute(things.select())}
    assert stored["王秀英"].data == {"事件": "hours_credited", "n": [1, 2]}
    assert stored["王秀英"].at == at and stored["王秀英"].amount == 10**12
    assert stored["Li"].note == "it's \"quoted\", {braces}"
    assert stored["Li"].data is None and stored["Li"].amount is None
    assert stored["Li"].id == str(rows[1]["id"])


def test_a_conflict_clause_and_returning(engine):
    taken = str(uuid.uuid4())
    with UnitOfWork(engine) as uow:
        insert_rows(uow, things, [{"id": taken, "name": "first"}])
        returned = insert_rows(uow, things, [{"id": taken, "name": "again"},
                                             {"id": str(uuid.uuid4()), "name": "new"}],
                               "ON CONFLICT DO NOTHING RETURNING name").scalars().all()
        uow.commit()
    assert returned == ["new"]


def test_connections_use_custom_plans_only(engine):
    with engine.connect() as c:
        assert c.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
