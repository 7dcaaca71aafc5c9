"""The kit's input rules every contract uses (issue 15 item 1): page bounds, text that can be
stored, ASCII digits only, ids that are UUIDs — refused at validation, never by the database."""
from __future__ import annotations

import re
import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from timebank_common import regions
from timebank_common.schemas import (
    MAX_PAGE,
    AsciiPattern,
    FreeText,
    PageQuery,
    SingleLineText,
    UuidText,
)
from timebank_common.text import ascii_digits, first_problem_in, text_problem

NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())
ASCII_DIGIT = st.sampled_from("0123456789")


class Person(Schema):
    name = SingleLineText(required=True)
    note = FreeText(load_default=None)
    person_id = UuidText(load_default=None)


def test_a_page_past_the_last_is_refused_before_any_offset_is_computed():
    assert PageQuery().load({"page": str(MAX_PAGE)})["page"] == MAX_PAGE
    with pytest.raises(ValidationError) as refused:
        PageQuery().load({"page": "9223372036854775807"})
    assert "page" in refused.value.messages


@pytest.mark.parametrize("bad", ["张\x00三", "张\ud800三", "张\x07三", "张\x85三", "张\n三", "张\t三",
                                 "张\u2028三"])
def test_a_name_holds_no_nul_surrogate_control_character_or_line_break(bad):
    with pytest.raises(ValidationError) as refused:
        Person().load({"name": bad})
    assert "name" in refused.value.messages


def test_free_text_keeps_tabs_and_line_breaks_but_no_nul_or_surrogate():
    assert Person().load({"name": "王秀英", "note": "第一行\r\n第二行\t完"})["note"] == \
        "第一行\r\n第二行\t完"
    for bad in ("a\x00", "a\udfff", "a\x1b[31m", "a\x9b"):
        with pytest.raises(ValidationError):
            Person().load({"name": "王秀英", "note": bad})


@given(st.text())
def test_text_is_refused_exactly_when_it_holds_a_forbidden_character(value):
    def forbidden(char, single_line):
        code = ord(char)
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return True
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return single_line or char not in "\t\n\r"
        return single_line and unicodedata.category(char) in ("Zl", "Zp")

    for single_line in (False, True):
        expected = any(forbidden(c, single_line) for c in value)
        assert (text_problem(value, single_line) is not None) == expected


def test_a_json_document_is_searched_through_keys_lists_and_nesting():
    assert first_problem_in({"a": [{"b": "ok"}, {"c": "x\x00"}]}) == ("a[1].c", "nul")
    assert first_problem_in({"k\ud800": 1}) == ("k\ud800", "lone_surrogate")
    assert first_problem_in({"a": 1, "b": None, "c": ["ok", "行\n"]}) is None


def test_an_id_is_a_uuid_in_its_canonical_form():
    raw = uuid.uuid4()
    assert Person().load({"name": "x", "person_id": str(raw).upper()})["person_id"] == str(raw)
    assert Person().load({"name": "x", "person_id": raw.hex})["person_id"] == str(raw)
    for bad in ("-" * 36, "not-an-id", "１" * 32, "", str(raw) + "\n"):
        with pytest.raises(ValidationError) as refused:
            Person().load({"name": "x", "person_id": bad})
        assert "person_id" in refused.value.messages


MOBILE = AsciiPattern(r"^1[3-9][0-9]{9}$")
MOBILE_WITH_BACKSLASH_D = AsciiPattern(r"^1[3-9]\d{9}$")  # \d is 0-9 only here too


@given(st.lists(ASCII_DIGIT, min_size=9, max_size=9).map("".join))
def test_ascii_mobile_numbers_are_accepted(tail):
    for pattern in (MOBILE, MOBILE_WITH_BACKSLASH_D):
        assert pattern("13" + tail) == "13" + tail


@given(st.lists(ASCII_DIGIT, min_size=10, max_size=10).map("".join), st.integers(0, 9),
       NON_ASCII_DIGITS)
def test_a_mobile_number_with_any_non_ascii_digit_is_refused(digits, position, other):
    number = "1" + "3" + digits[:9]
    spoiled = number[:position + 1] + other + number[position + 2:]
    for pattern in (MOBILE, MOBILE_WITH_BACKSLASH_D):
        with pytest.raises(ValidationError):
            pattern(spoiled)


def test_a_full_width_phone_is_not_a_second_form_of_the_ascii_one():
    with pytest.raises(ValidationError):
        MOBILE("139０５５０３６０３")
    assert MOBILE("13905503603") == "13905503603"
    with pytest.raises(ValidationError):
        MOBILE("13905503603\n")  # `$` alone would let the line break through


@given(st.lists(ASCII_DIGIT, min_size=12, max_size=12).map("".join), st.integers(0, 11),
       NON_ASCII_DIGITS)
def test_region_codes_are_ascii_digits(code, position, other):
    assert regions.is_code(code)
    assert regions.is_digits(code) and ascii_digits(code)
    spoiled = code[:position] + other + code[position + 1:]
    assert not regions.is_code(spoiled)
    assert not ascii_digits(spoiled)
    assert not regions.is_code(code + "\n")


def test_no_contract_uses_a_unicode_digit_class():
    """Every ``\\d`` or ``isdigit`` left in a contract or the kit matches non-ASCII digits."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    files = [*root.glob("services/*/*/contracts.py"), *root.glob("services/*/*/contracts/*.py"),
             *root.glob("common/timebank_common/*.py"), root / "gateway/gateway/schemas.py"]
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if re.search(r"\\d", text.replace("``\\\\d``", "").replace("``\\d``", "")) and \
                path.name not in ("schemas.py", "text.py"):
            offenders.append(f"{path.name}: \\d")
        if ".isdigit()" in text and path.name not in ("regions.py", "text.py"):
            offenders.append(f"{path.name}: isdigit")
    assert not offenders, offenders
