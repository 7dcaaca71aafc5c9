"""The pure parts of idempotent creates: the key's form, the request fingerprint, whose key it
is, and the answer's envelope (the database side: integration/test_idempotency.py)."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from timebank_common import idempotency
from timebank_common.caller import Caller
from timebank_common.errors import BadInput


@pytest.mark.parametrize("key", ["a", "order-2026-12-07/17", "~!" * 100, "x" * 255,
                                 str(uuid.uuid4())])
def test_visible_ascii_keys_up_to_255_characters_are_accepted(key):
    assert idempotency.valid_key(key) == key


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "中文", "tab\tkey", "nl\n", "\x7f"])
def test_other_keys_are_refused_with_a_clear_code(key):
    with pytest.raises(BadInput) as refused:
        idempotency.valid_key(key)
    assert refused.value.code == "idempotency_key_invalid"
    assert refused.value.zh and refused.value.en


def test_no_key_is_no_key():
    assert idempotency.valid_key(None) is None


def test_the_fingerprint_ignores_key_order_and_follows_every_value():
    when = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    data = {"a": 1, "b": {"x": [1, 2], "y": when}, "c": Decimal("1.5")}
    same = {"c": Decimal("1.5"), "b": {"y": when, "x": [1, 2]}, "a": 1}
    base = idempotency.fingerprint("identity.register_elder", {"data": data})
    assert base == idempotency.fingerprint("identity.register_elder", {"data": same})
    assert len(base) == 64
    changed = [
        idempotency.fingerprint("identity.register_volunteer", {"data": data}),  # another route
        idempotency.fingerprint("identity.register_elder", {"data": {**data, "a": 2}}),
        idempotency.fingerprint("identity.register_elder", {"data": {**data, "b": {"x": [2, 1],
                                                                                   "y": when}}}),
        idempotency.fingerprint("identity.register_elder", {"data": {**data, "d": None}}),
        idempotency.fingerprint("identity.register_elder", {"data": data, "elder_id": "e-1"}),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_sets_are_fingerprinted_in_any_order():
    assert idempotency.fingerprint("op", {"tags": {"b", "a", "c"}}) == \
        idempotency.fingerprint("op", {"tags": {"c", "a", "b"}})


def test_keys_belong_to_a_person_or_a_client_never_both():
    person = Caller("p-1", ("elder",))
    client = Caller(None, ("api_client",), client_id="p-1")
    assert idempotency.caller_id(person) == "person:p-1"
    assert idempotency.caller_id(client) == "client:p-1"


def test_an_envelope_unwraps_and_a_plain_answer_passes_through():
    answer = {"id": "d-1", "answer": 3}
    assert idempotency.unwrap(idempotency.envelope(answer, True)) == (answer, True)
    assert idempotency.unwrap(idempotency.envelope(answer, False)) == (answer, False)
    assert idempotency.unwrap(answer) == (answer, False)
    assert idempotency.unwrap([1]) == ([1], False)
