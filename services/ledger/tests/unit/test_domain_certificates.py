"""Certificate numbers, the canonical signed form, signatures and what verification shows."""
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.adapters.certificate_keys import CertificateKeys, fingerprint, key_id
from ledger.domain.certificates import (
    ALPHABET,
    CertificateContent,
    ServiceLine,
    build_content,
    canonical_bytes,
    check_period,
    make_number,
    mask_name,
    normalize_number,
)
from timebank_common.errors import BadInput

DAY = dt.date(2026, 11, 29)
PERSON = {"person_id": "p-1", "name": "王小明", "id_number_masked": "130102********1234",
          "volunteer_number": "HB2026000123", "region_code": "130102001001"}


def lines():
    return [
        ServiceLine("2026-03-02", "assistance", "协助服务", "Assistance", 60,
                    transfer_id="service_record:b"),
        ServiceLine("2026-02-01", "emotional_comfort", "情感慰藉", "Emotional comfort", 90,
                    transfer_id="service_record:a"),
    ]


def content(number=None):
    return build_content(number=number or make_number("130102001001", DAY, 12345),
                         person=PERSON, period_from=dt.date(2026, 1, 1), period_to=DAY,
                         lines=lines(), issuer_station="建北街道服务站",
                         issuer_organisation="河北省时间银行", issued_on=DAY)


def keys():
    private = Ed25519PrivateKey.generate()
    return CertificateKeys(private, {key_id(private.public_key()): private.public_key()})


# --- the number --------------------------------------------------------------------------
def test_number_names_the_city_and_day_and_reads_back():
    number = make_number("130102001001", DAY, 12345)
    assert number.startswith("HB-1301-20261129-") and len(number) == len("HB-1301-20261129-") + 7
    assert normalize_number(number) == number


def test_number_as_read_over_the_phone_is_understood():
    number = make_number("130102001001", DAY, 0)  # random part 000000
    spoken = number.lower().replace("-000000", "-ooo OOO")
    assert normalize_number(spoken) == number


@pytest.mark.parametrize("random_value", [0, 1, 31, 32 ** 6 - 1, 987654321 % 32 ** 6])
def test_every_single_mistyped_symbol_is_caught(random_value):
    number = make_number("130102001001", DAY, random_value)
    for position, char in enumerate(number):
        if char == "-" or (position < 2):
            continue
        choices = "0123456789" if position < 17 else ALPHABET
        for other in choices:
            if other == char:
                continue
            typo = number[:position] + other + number[position + 1:]
            with pytest.raises(BadInput) as err:
                normalize_number(typo)
            assert err.value.code == "certificate_number_mistyped"


def test_swapped_neighbours_are_caught():
    number = make_number("130102001001", DAY, 424242)
    tail_start = number.rindex("-") + 1
    for i in range(tail_start, len(number) - 1):
        a, b = number[i], number[i + 1]
        if a == b or {a, b} == {"0", "Z"}:
            continue
        swapped = number[:i] + b + a + number[i + 2:]
        with pytest.raises(BadInput):
            normalize_number(swapped)


@pytest.mark.parametrize("text", ["", "HB-1301-2026-ABCDEFG", "XX-1301-20261129-ABCDEFG",
                                  "HB-1301-20261129-ABCDEF", "HB-1301-20261129-ABCDEFU"])
def test_something_else_is_not_a_number(text):
    with pytest.raises(BadInput) as err:
        normalize_number(text)
    assert err.value.code == "certificate_number_malformed"


# --- content and canonical form --------------------------------------------------------
def test_content_lists_services_in_date_order_and_totals_them():
    c = content()
    assert [line.date for line in c.lines] == ["2026-02-01", "2026-03-02"]
    assert c.transfer_ids == ("service_record:a", "service_record:b")
    assert c.total_minutes == 150 and c.total_display == "2小时30分 / 2 h 30 min"
    assert c.volunteer_name == "王小明" and c.id_number_masked == "130102********1234"


def test_canonical_form_is_stable_and_survives_storage():
    c = content()
    stored = c.to_dict()
    reordered = dict(reversed(list(stored.items())))
    assert canonical_bytes(stored) == canonical_bytes(reordered)
    assert CertificateContent.from_dict(stored) == c
    assert "王小明".encode() in canonical_bytes(stored)  # UTF-8, not \\u escapes


# --- signatures ----------------------------------------------------------------------------
def test_signature_verifies_and_any_change_fails():
    k = keys()
    stored = content().to_dict()
    signature = k.sign(canonical_bytes(stored))
    assert k.verify(canonical_bytes(stored), signature, k.key_id) is None

    for field, value in [("total_minutes", 9999), ("volunteer_name", "王小亮"),
                         ("period_to", "2026-12-31")]:
        altered = {**stored, field: value}
        assert k.verify(canonical_bytes(altered), signature, k.key_id) == "signature_mismatch"
    longer = {**stored, "lines": [*stored["lines"], {**stored["lines"][0], "minutes": 600}]}
    assert k.verify(canonical_bytes(longer), signature, k.key_id) == "signature_mismatch"


def test_a_signature_of_another_key_is_refused():
    mine, theirs = keys(), keys()
    stored = content().to_dict()
    forged = theirs.sign(canonical_bytes(stored))
    assert mine.verify(canonical_bytes(stored), forged, theirs.key_id) == "unknown_key"
    assert mine.verify(canonical_bytes(stored), forged, mine.key_id) == "signature_mismatch"
    assert mine.verify(canonical_bytes(stored), "not base64!", mine.key_id) == "signature_mismatch"


def test_fingerprint_is_short_and_readable():
    k = keys()
    text = fingerprint(k.sign(b"x"))
    assert len(text.split(" ")) == 4 and all(len(group) == 4 for group in text.split(" "))


# --- what the public sees ------------------------------------------------------------------
@pytest.mark.parametrize("name, shown", [("王小明", "王*明"), ("王明", "王*"), ("欧阳小明", "欧**明"),
                                         ("王", "王")])
def test_public_name_is_masked(name, shown):
    assert mask_name(name) == shown


def test_period_must_be_ordered_and_not_in_the_future():
    with pytest.raises(BadInput):
        check_period(dt.date(2026, 5, 1), dt.date(2026, 4, 1), DAY)
    with pytest.raises(BadInput):
        check_period(dt.date(2027, 1, 1), dt.date(2027, 2, 1), DAY)
    check_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), DAY)  # may end after today
