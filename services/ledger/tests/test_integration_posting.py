"""``post_transfer`` and the tables' guarantees on a real PostgreSQL database (no broker)."""
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from ledger import repository as repo
from ledger.domain.kinds import ISSUANCE, PERSONAL
from ledger.domain.transfers import EXISTS, POSTED, Transfer
from timebank_common.db import UnitOfWork
from timebank_common.errors import Conflict, RuleViolation

pytestmark = pytest.mark.integration

HANDAN = "130402001001"


@pytest.fixture(scope="module")
def engine(database_url):
    engine = create_engine(database_url("ledger"))
    yield engine
    engine.dispose()


def post(engine, transfer):
    with UnitOfWork(engine) as uow:
        result = repo.post_transfer(uow, transfer)
        uow.commit()
    return result


def two_people(engine):
    with UnitOfWork(engine) as uow:
        issuance = repo.open_account(uow, ISSUANCE, "130400000000")
        a = repo.open_account(uow, PERSONAL, HANDAN, owner_person_id=f"p-{uuid.uuid4().hex}")
        b = repo.open_account(uow, PERSONAL, HANDAN, owner_person_id=f"p-{uuid.uuid4().hex}")
        uow.commit()
    return issuance, a, b


def balances(engine, *accounts):
    with engine.connect() as c:
        return [c.execute(text("SELECT balance_minutes FROM accounts WHERE id = :i"),
                          {"i": a.id}).scalar() for a in accounts]


def test_repeat_returns_the_first_result_and_changed_content_is_refused(engine):
    issuance, a, _ = two_people(engine)
    transfer = Transfer(f"t-{uuid.uuid4().hex}", "service_credit", issuance.id, a.id, 60)
    first = post(engine, transfer)
    post(engine, Transfer(f"t-{uuid.uuid4().hex}", "service_credit", issuance.id, a.id, 30))
    repeat = post(engine, transfer)
    assert (first.status, repeat.status) == (POSTED, EXISTS)
    assert repeat.credit == first.credit and repeat.credit.balance_after == 60
    with pytest.raises(Conflict) as err:
        post(engine, Transfer(transfer.transfer_id, "service_credit", issuance.id, a.id, 61))
    assert err.value.code == "transfer_id_reused"
    assert balances(engine, a) == [90]


def test_overdraft_is_refused_and_leaves_no_trace(engine):
    issuance, a, b = two_people(engine)
    post(engine, Transfer(f"t-{uuid.uuid4().hex}", "service_credit", issuance.id, a.id, 30))
    gift = Transfer(f"t-{uuid.uuid4().hex}", "gift_to_relative", a.id, b.id, 31)
    with pytest.raises(RuleViolation):
        post(engine, gift)
    assert balances(engine, a, b) == [30, 0]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM transfers WHERE id = :i"),
                         {"i": gift.transfer_id}).scalar() == 0
    assert post(engine, Transfer(gift.transfer_id, "gift_to_relative", a.id, b.id, 30)).status \
        == POSTED  # the refused id was never taken
    assert balances(engine, a, b) == [0, 30]


@pytest.mark.parametrize("statement", [
    "UPDATE entries SET amount_minutes = amount_minutes + 1",
    "DELETE FROM entries",
    "UPDATE transfers SET amount_minutes = amount_minutes + 1",
    "UPDATE accounts SET balance_minutes = -1 WHERE kind = 'personal'",
])
def test_history_cannot_be_edited_and_balances_cannot_go_negative(engine, statement):
    issuance, a, _ = two_people(engine)
    post(engine, Transfer(f"t-{uuid.uuid4().hex}", "service_credit", issuance.id, a.id, 5))
    with pytest.raises(DBAPIError), engine.begin() as c:
        c.execute(text(statement))
