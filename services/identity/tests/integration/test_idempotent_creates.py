"""Identity's creates with an Idempotency-Key on the real database (``timebank_common.
idempotency``): the same key twice registers one person and answers the first answer; another
body is refused (422); two requests with one key at once register one; the stored answer is
sealed like the rest of the personal data."""
import eventlet
import pytest
from sqlalchemy import create_engine, func, select

from identity.adapters import personal_data
from identity.adapters.personal_data import phone_digest
from identity.adapters.tables import persons
from identity.commands.rotate_pii_keys import rotate
from timebank_common.db import UnitOfWork
from timebank_common.errors import RuleViolation
from timebank_common.idempotency import idempotency_keys_table
from timebank_common.pii import add_key

from .conftest import in_process
from .test_registration import OPERATOR_PHONE, elder_data, volunteer_data


def people_with_phone(db, phone) -> int:
    with db() as uow:
        return uow.execute(select(func.count()).select_from(persons)
                           .where(persons.c.phone_hash == phone_digest(phone))).scalar_one()


def test_the_same_key_registers_one_elder_and_answers_the_first_answer(identity, login,
                                                                      identity_db, events):
    operator = login(OPERATOR_PHONE)
    data = elder_data()
    first = identity.register_elder(operator, data, idempotency_key="elder-1")
    again = identity.register_elder(operator, data, idempotency_key="elder-1")
    assert first["idempotency_replayed"] is False and again["idempotency_replayed"] is True
    assert again["answer"] == first["answer"]
    assert people_with_phone(identity_db, data["phone"]) == 1
    assert len(events("person_registered")) == 1  # the retry announces nothing again

    with pytest.raises(RuleViolation) as refused:
        identity.register_elder(operator, {**data, "address": "另一条街"},
                                idempotency_key="elder-1")
    assert refused.value.code == "idempotency_key_reused"
    # without a key the service answers as it always did (no envelope)
    assert "answer" not in identity.register_volunteer(operator, volunteer_data())


def test_the_stored_answer_is_sealed(identity, login, identity_db):
    operator = login(OPERATOR_PHONE)
    data = elder_data()
    identity.register_elder(operator, data, idempotency_key="sealed-1")
    with identity_db() as uow:
        stored = uow.execute(select(idempotency_keys_table.c.answer)
                             .where(idempotency_keys_table.c.key == "sealed-1")).scalar_one()
    assert stored.startswith("v1:") and data["name"] not in stored


def test_two_requests_with_one_key_at_once_register_one_elder(demo, login, clock, signer):
    """Two workers with their own transactions on the committed database (as two gateway
    requests reaching two identity workers): the second waits on the first's key row."""
    engine = create_engine(demo["url"])
    try:
        def committed():
            return UnitOfWork(engine)

        operator = login(OPERATOR_PHONE)
        data = elder_data()
        workers = [in_process(committed, clock, signer) for _ in range(2)]
        calls = [eventlet.spawn(w.register_elder, operator, data, idempotency_key="together-1")
                 for w in workers]
        answers = [c.wait() for c in calls]
        assert answers[0]["answer"] == answers[1]["answer"]
        assert sorted(a["idempotency_replayed"] for a in answers) == [False, True]
        assert people_with_phone(committed, data["phone"]) == 1
    finally:
        engine.dispose()


def test_a_key_rotation_reseals_the_remembered_answers(identity, login, identity_db, pii_keys):
    operator = login(OPERATOR_PHONE)
    data = elder_data()
    first = identity.register_elder(operator, data, idempotency_key="rotate-1")
    new_kid = add_key(pii_keys["PII_KEYS_FILE"])
    personal_data.configure(pii_keys)
    try:
        assert rotate(identity_db, batch=2)["idempotency_keys"] >= 1
        with identity_db() as uow:
            stored = uow.execute(select(idempotency_keys_table.c.answer)
                                 .where(idempotency_keys_table.c.key == "rotate-1")).scalar_one()
        assert stored.startswith(f"v1:{new_kid}:")
        again = identity.register_elder(operator, data, idempotency_key="rotate-1")
        assert again == {"answer": first["answer"], "idempotency_replayed": True}
    finally:
        personal_data.configure(pii_keys)
