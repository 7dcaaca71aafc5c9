"""Four eyes for everyone (issue 15, item 6): nobody verifies or rejects what they submitted
themselves — a hardship category (free grant hours follow), a qualification (professional
services follow) or a relative link (gifts of hours follow) — whatever their level, a province
admin included. Another staff member in scope decides. In process, rolled back."""
import itertools
import random

import pytest

from identity.commands.demo import demo_id_number
from timebank_common.errors import Forbidden

STAFF = {"province_admin": "13800000001", "city_admin": "13800000002",
         "county_admin": "13800000003", "township_admin": "13800000004",
         "station_operator": "13800000005"}
SECOND = {"province_admin": "city_admin", "city_admin": "county_admin",
          "county_admin": "township_admin", "township_admin": "station_operator",
          "station_operator": "township_admin"}
YUCAI = "130102001001"
LEVELS = list(STAFF)
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def new_elder(identity, staff: dict, birth: str = "19500101") -> str:
    number = demo_id_number(birth, f"{next(_serial) % 1000:03d}")
    return identity.register_elder(staff, {"name": "四眼老人", "id_number": number,
                                           "region_code": YUCAI})["person_id"]


def new_volunteer(identity, staff: dict) -> str:
    n = next(_serial)
    return identity.register_volunteer(staff, {
        "name": "四眼志愿者", "id_number": demo_id_number("19900101", f"{n % 1000:03d}"),
        "phone": f"1377{_BLOCK:03d}{n:04d}", "region_code": YUCAI,
        "initial_password": "Volunteer@2026"})["person_id"]


def refused_as_own_submission(decide) -> None:
    for decision in ({"decision": "verify"}, {"decision": "reject", "reason": "材料不全"}):
        with pytest.raises(Forbidden) as info:
            decide(decision)
        assert info.value.code == "four_eyes" and "提交人" in info.value.zh and info.value.en


@pytest.mark.parametrize("level", LEVELS)
def test_nobody_verifies_their_own_hardship_submission(identity, login, level, events):
    submitter, other = login(STAFF[level]), login(STAFF[SECOND[level]])
    elder = new_elder(identity, submitter)
    identity.submit_priority(submitter, elder, {"category": "economic_hardship",
                                                "evidence": "低保证 130102-0042"})
    refused_as_own_submission(
        lambda d: identity.verify_priority(submitter, elder, "economic_hardship", d))
    assert events("elder_priority_granted") == []  # no free hours from one person's word
    verified = identity.verify_priority(other, elder, "economic_hardship", {"decision": "verify"})
    assert verified["status"] == "verified" and verified["verified_by"] == other["person_id"]


@pytest.mark.parametrize("level", LEVELS)
def test_nobody_verifies_a_qualification_they_added(identity, login, level):
    submitter, other = login(STAFF[level]), login(STAFF[SECOND[level]])
    volunteer = new_volunteer(identity, submitter)
    added = identity.add_qualification(submitter, volunteer, {
        "kind": "nurse", "number": f"N-{level}", "issuer": "河北省卫生健康委员会",
        "valid_until": "2030-12-31"})
    refused_as_own_submission(
        lambda d: identity.verify_qualification(submitter, added["qualification_id"], d))
    verified = identity.verify_qualification(other, added["qualification_id"],
                                             {"decision": "verify"})
    assert verified["status"] == "verified"


@pytest.mark.parametrize("level", LEVELS)
def test_nobody_verifies_a_relative_link_they_submitted(identity, login, level):
    submitter, other = login(STAFF[level]), login(STAFF[SECOND[level]])
    mother, son = new_elder(identity, submitter, "19400101"), new_elder(identity, submitter)
    link = identity.link_relatives(submitter, {
        "person_id": son, "relative_person_id": mother, "kind": "parent",
        "evidence": "户口簿 户号 130102000999"})
    refused_as_own_submission(lambda d: identity.verify_relatives(submitter, link["link_id"], d))
    verified = identity.verify_relatives(other, link["link_id"], {"decision": "verify"})
    assert verified["status"] == "verified"
