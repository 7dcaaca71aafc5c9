"""Phones, masking, the elder and volunteer rules, token claims."""
import re
import uuid
from decimal import Decimal

import pytest

from identity.contracts import CARRIER_KINDS, CONTACT_PHONE_PATTERN
from identity.domain.access import broadest_scope, caller_claims
from identity.domain.carriers import is_carrier_kind, kind_names
from identity.domain.eligibility import VolunteerFacts, is_elder, volunteer_reasons
from identity.domain.masking import mask_id_number, mask_phone
from identity.domain.phones import is_mobile


@pytest.mark.parametrize("phone, ok", [
    ("13800000001", True), ("19912345678", True), ("12800000001", False),
    ("1380000000", False), ("138000000011", False), ("+8613800000001", False), ("", False),
])
def test_mainland_mobile_numbers(phone, ok):
    assert is_mobile(phone) is ok


def test_masking_shows_only_the_ends():
    assert mask_phone("13800000001") == "138****0001"
    assert mask_id_number("13010219910512071X") == "130102********071X"
    assert mask_phone(None) is None and mask_id_number(None) is None


def test_elders_are_sixty_or_older():
    assert is_elder(60) and not is_elder(59)


def test_volunteer_eligibility_lists_every_missing_condition():
    ready = VolunteerFacts(35, "V001", "verified", "clear", Decimal(8), Decimal(8), True)
    assert volunteer_reasons(ready) == []
    assert [r["code"] for r in volunteer_reasons(VolunteerFacts(17, None))] == [
        "under_age", "no_volunteer_number", "registry_unverified", "screening_unknown",
        "no_health_declaration"]
    reason = volunteer_reasons(VolunteerFacts(18, "  ", "verified", "clear", health_declared=True))[0]
    assert reason["code"] == "no_volunteer_number" and reason["zh"] and reason["en"]


def test_scope_is_the_broadest_grant_or_own_region():
    grants = [{"role": "volunteer", "scope_code": "130102001001"},
              {"role": "county_admin", "scope_code": "130102000000"}]
    assert broadest_scope(grants, "130102001001") == "130102000000"
    assert broadest_scope([], "130102001001") == "130102001001"


def test_claims_carry_roles_and_the_operators_station():
    station = uuid.uuid4()
    person = {"id": uuid.uuid4(), "name": "周晓燕", "region_code": "130102001001"}
    grants = [{"role": "station_operator", "scope_code": "130102001000", "carrier_id": station},
              {"role": "volunteer", "scope_code": "130102001001", "carrier_id": None}]
    claims = caller_claims(person, grants)
    assert claims["roles"] == ["station_operator", "volunteer"]
    assert claims["scope"] == "130102001000"
    assert claims["carrier_id"] == str(station)
    assert claims["person_id"] == str(person["id"]) and claims["name"] == "周晓燕"


def test_carrier_kinds_have_chinese_and_english_names():
    assert len(CARRIER_KINDS) == 7 and is_carrier_kind("lei_feng_station")
    assert kind_names("cuncaoxin_station") == {"zh": "寸草心敬老志愿服务站",
                                               "en": "Cuncaoxin elder-respect volunteer service station"}
    assert all(zh and en for zh, en in CARRIER_KINDS.values())
    assert not is_carrier_kind("housekeeping_company")


@pytest.mark.parametrize("phone, ok", [
    ("13800000001", True), ("0311-87654321", True), ("031187654321", True),
    ("0311-8765432-801", True), ("87654321", False), ("0311-123", False),
])
def test_carrier_contact_lines(phone, ok):
    assert bool(re.match(CONTACT_PHONE_PATTERN, phone)) is ok
