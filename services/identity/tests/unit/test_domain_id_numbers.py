"""Resident ID numbers (GB 11643-1999): check character, birth date, sex, age."""
import datetime as dt

import pytest

from identity.domain.id_numbers import (
    FEMALE,
    MALE,
    InvalidIdNumber,
    age_at,
    check_character,
    parse,
    with_check_character,
)


def mod11_2(first17: str) -> str:
    """The check character computed independently, straight from ISO 7064 MOD 11-2."""
    total = 0
    for position, digit in enumerate(first17):
        total += int(digit) * (2 ** (17 - position) % 11)
    return "10X98765432"[total % 11]


def test_the_standards_published_example_has_check_character_x():
    # GB 11643-1999 appendix example: 11010519491231002X
    assert check_character("11010519491231002") == "X"
    assert parse("11010519491231002X").sex == FEMALE


@pytest.mark.parametrize("first17", ["13010219910512071", "13010219480308082", "44030420000229123"])
def test_valid_numbers_parse_with_birth_date_and_sex(first17):
    number = first17 + mod11_2(first17)
    resident = parse(number)
    assert resident.number == number
    assert resident.birth_date == dt.datetime.strptime(first17[6:14], "%Y%m%d").date()
    assert resident.sex == (MALE if int(first17[16]) % 2 else FEMALE)
    assert with_check_character(first17) == number


def test_lowercase_x_is_accepted_and_normalized():
    assert parse("11010519491231002x").number == "11010519491231002X"


def test_wrong_check_character_is_refused_with_reason():
    good = with_check_character("13010219910512071")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(InvalidIdNumber) as info:
        parse(wrong)
    assert info.value.reason == "check_character"
    assert "校验位" in info.value.zh


@pytest.mark.parametrize("raw, reason", [
    ("13010219910512071", "length"),
    ("1301021991051207100", "length"),
    ("1301021991051207A1", "characters"),
    ("030102199105120710", "characters"),
    (with_check_character("13010219910230071"), "birth_date"),  # 30 February
    (with_check_character("13010218990101071"), "birth_date"),
])
def test_malformed_numbers_are_refused(raw, reason):
    with pytest.raises(InvalidIdNumber) as info:
        parse(raw)
    assert info.value.reason == reason


def test_birth_date_in_the_future_is_refused():
    number = with_check_character("13010220300101071")
    with pytest.raises(InvalidIdNumber):
        parse(number, today=dt.date(2026, 11, 29))


@pytest.mark.parametrize("birth, on, age", [
    (dt.date(1966, 11, 29), dt.date(2026, 11, 29), 60),
    (dt.date(1966, 11, 30), dt.date(2026, 11, 29), 59),
    (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
    (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
])
def test_age_counts_whole_years(birth, on, age):
    assert age_at(birth, on) == age


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_an_id_number_in_full_width_digits_is_refused_not_a_second_person():
    valid = with_check_character("13010219460308002")
    assert parse(valid).number == valid
    for position in (0, 5, 17):
        spoiled = valid[:position] + valid[position].translate(FULL_WIDTH) + valid[position + 1:]
        if spoiled == valid:  # an X check character has no full-width digit form
            continue
        with pytest.raises(InvalidIdNumber) as refused:
            parse(spoiled)
        assert refused.value.reason == "characters"


def test_a_full_width_mobile_number_is_refused_by_every_phone_validator():
    from marshmallow import ValidationError

    from identity.contracts.common import CONTACT_PHONE, MOBILE
    from identity.domain.phones import is_mobile

    assert is_mobile("13905503603")
    assert not is_mobile("139０５５０３６０３")
    for validator in (MOBILE, CONTACT_PHONE):
        assert validator("13905503603") == "13905503603"
        with pytest.raises(ValidationError):
            validator("139０５５０３６０３")


@pytest.mark.parametrize("name", ["王\x00秀英", "王\ud800秀英", "王秀英\n", "王\x1b秀英"])
def test_a_name_no_database_can_store_is_refused_by_the_registration_contract(name):
    from marshmallow import ValidationError

    from identity.contracts import RegisterElderSchema

    body = {"name": name, "id_number": with_check_character("13010219460308002"),
            "region_code": "130102001001", "phone_only": True}
    with pytest.raises(ValidationError) as refused:
        RegisterElderSchema().load(body)
    assert set(refused.value.messages) == {"name"}
