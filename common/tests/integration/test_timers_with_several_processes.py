"""The kit's own timer, the idempotency-key purge (``IdempotencyPurge``, in every service with
idempotent creates), run by two processes at the same moment: each old key is deleted once,
by one of them, and no key younger than 24 hours goes (issue 17 item 5). On a scratch
database of committing units of work, the two purges released together (``side_by_side``).

Why it is safe: each batch takes its keys ``FOR UPDATE SKIP LOCKED`` in the ``DELETE``'s own
statement, so the two purges share the old keys between them rather than wait for or repeat
each other; a purge is only ever a delete by age, so whatever order they run in leaves the
same table."""
import datetime as dt

import pytest
from sqlalchemy import create_engine, func, insert, select
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from timebank_common import idempotency
from timebank_common.db import drop_database, ensure_database
from timebank_common.idempotency import idempotency_keys_table as keys
from timebank_common.messaging_tables import metadata as kit_metadata

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
OLD = idempotency.PURGE_BATCH * 2 + 700  # several batches: the purges take turns on them


@pytest.fixture(scope="module")
def db(run_id):
    from timebank_testing import PG_BASE

    url = f"{PG_BASE}/tbtest_{run_id}_timers_purge"
    ensure_database(url)
    engine = create_engine(url)
    kit_metadata.create_all(engine)
    engine.dispose()
    made = CommittingDatabase(url, pool_size=4)
    yield made
    made.dispose()
    drop_database(url)


def test_two_purges_at_once_delete_each_old_key_once_and_keep_the_young(db):
    def key(n, age):
        return {"caller": "person:p-1", "key": f"k-{age.total_seconds():.0f}-{n}",
                "fingerprint": "f", "answer": None, "created_at": NOW - age}

    with db() as uow:
        uow.execute(insert(keys), [key(n, dt.timedelta(days=2)) for n in range(OLD)])
        uow.execute(insert(keys), [key(n, dt.timedelta(hours=23)) for n in range(30)])
        uow.commit()
    deleted = side_by_side(*(lambda: idempotency.purge(db, NOW) for _ in range(2)))
    assert sum(deleted) == OLD
    with db() as uow:
        left = uow.execute(select(func.min(keys.c.created_at), func.count())).one()
    assert tuple(left) == (NOW - dt.timedelta(hours=23), 30)
