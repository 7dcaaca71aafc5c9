"""matching's one timer, the change-log prune, run by two processes at the same moment: the
rows older than a day go, the recent ones stay, and neither prune fails (issue 17 item 5).
On committed transactions (the prune's condition reads the server's snapshot horizon), the
two prunes released together (``side_by_side``).

Why it is safe: the prune is a ``DELETE`` by age and by what every snapshot has seen, the
same rows whichever process runs it; the second waits for the first's row locks and then
finds them gone. Nothing is announced, so "once" means only "gone, and nothing else"."""
import uuid

import pytest
from sqlalchemy import text
from timebank_testing import wait_for
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from matching.app.change_log import prune_change_log

ROWS = 200


@pytest.fixture(scope="module")
def db(own_database_url):
    made = CommittingDatabase(own_database_url("matching"), pool_size=4)
    yield made
    made.dispose()


def test_two_prunes_at_once_drop_the_old_changes_and_keep_the_recent(db):
    tag = uuid.uuid4().hex[:6]
    with db() as uow:
        for table, column in (("volunteer_changes", "person_id"), ("demand_changes",
                                                                    "demand_id")):
            uow.execute(text(
                f"INSERT INTO {table} ({column}, at) SELECT 'old-{tag}-' || n, "
                f"now() - interval '2 days' FROM generate_series(1, {ROWS}) n"))
            uow.execute(text(
                f"INSERT INTO {table} ({column}, at) SELECT 'new-{tag}-' || n, now() "
                f"FROM generate_series(1, {ROWS}) n"))
        uow.commit()

    def left() -> dict:
        with db() as uow:
            return dict(uow.execute(text(
                "SELECT split_part(id, '-', 1), count(*) FROM ("
                " SELECT person_id AS id FROM volunteer_changes WHERE person_id LIKE :like"
                " UNION ALL SELECT demand_id FROM demand_changes WHERE demand_id LIKE :like"
                ") c GROUP BY 1"), {"like": f"%-{tag}-%"}).all())

    def pruned_side_by_side() -> bool:
        # a row goes only once no open transaction anywhere on the server is older than it
        # (another suite's write may be open this instant): both prune again meanwhile
        side_by_side(lambda: prune_change_log(db), lambda: prune_change_log(db))
        return "old" not in left()

    wait_for(pruned_side_by_side, timeout=90, interval=0.2)
    assert left() == {"new": 2 * ROWS}
