"""高龄 granted by rule, once per elder, and hardship categories withdrawn with a reason."""
import datetime as dt
import itertools

import pytest

from identity.commands.demo import demo_id_number
from timebank_common.clock import china_date
from timebank_common.errors import BadInput, Conflict, Forbidden, RuleViolation

TOWNSHIP_ADMIN, OPERATOR = "13800000004", "13800000005"
YUCAI = "130102001001"
_serial = itertools.count(701)


def register(identity, caller, born: dt.date) -> dict:
    return identity.register_elder(caller, {
        "name": "高龄老人", "id_number": demo_id_number(f"{born:%Y%m%d}", f"{next(_serial):03d}"),
        "region_code": YUCAI})


def age_grants(events, person_id):
    return [e for e in events("elder_priority_granted")
            if e["person_id"] == person_id and e["category"] == "advanced_age"]


def test_an_elder_registered_at_80_or_more_is_granted_at_once_and_only_once(
        identity, login, events, clock):
    today = china_date(clock.now())
    elder = register(identity, login(OPERATOR), today.replace(year=today.year - 86))
    assert age_grants(events, elder["person_id"]) == [{
        "person_id": elder["person_id"], "category": "advanced_age", "region_code": YUCAI,
        "verified_by": None}]
    identity.grant_advanced_ages()
    identity.grant_advanced_ages()
    assert len(age_grants(events, elder["person_id"])) == 1
    assert "advanced_age" in identity.get_elder(login(OPERATOR), elder["person_id"])[
        "priority_categories"]


def test_the_daily_sweep_grants_on_the_day_the_elder_turns_80(identity, login, events, clock):
    today = china_date(clock.now())
    tomorrow = today + dt.timedelta(days=1)
    elder = register(identity, login(OPERATOR), tomorrow.replace(year=tomorrow.year - 80))
    identity.grant_advanced_ages()
    assert age_grants(events, elder["person_id"]) == []
    clock.advance(days=1)
    identity.grant_advanced_ages()
    identity.grant_advanced_ages()
    assert len(age_grants(events, elder["person_id"])) == 1


def test_an_elder_who_died_before_80_is_not_granted(identity, login, events, clock):
    today = china_date(clock.now())
    tomorrow = today + dt.timedelta(days=1)
    elder = register(identity, login(OPERATOR), tomorrow.replace(year=tomorrow.year - 80))
    identity.set_person_status(login(OPERATOR), elder["person_id"],
                               {"status": "deceased", "reason": "病故"})
    clock.advance(days=1)
    identity.grant_advanced_ages()
    assert age_grants(events, elder["person_id"]) == []


def test_a_hardship_category_is_withdrawn_with_a_reason(identity, login, events, clock):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    today = china_date(clock.now())
    elder = register(identity, operator, today.replace(year=today.year - 85))
    path = (elder["person_id"], "economic_hardship")
    identity.submit_priority(operator, elder["person_id"], {
        "category": "economic_hardship", "evidence": "低保证 130102-2026-0099"})
    with pytest.raises(Conflict) as info:  # not verified yet: nothing to withdraw
        identity.revoke_priority(operator, *path, {"reason": "x"})
    assert info.value.code == "not_verified"
    identity.verify_priority(township, *path, {"decision": "verify"})
    with pytest.raises(BadInput):
        identity.revoke_priority(operator, *path, {})
    revoked = identity.revoke_priority(operator, *path, {"reason": "家庭收入已超过低保标准"})
    assert revoked["status"] == "revoked" and revoked["reason"] == "家庭收入已超过低保标准"
    assert events("elder_priority_revoked") == [{
        "person_id": elder["person_id"], "category": "economic_hardship", "region_code": YUCAI,
        "reason": "家庭收入已超过低保标准", "revoked_by": operator["person_id"]}]
    view = identity.get_elder(operator, elder["person_id"])
    assert view["priority_categories"] == ["advanced_age"]
    with pytest.raises(RuleViolation) as info:
        identity.revoke_priority(operator, elder["person_id"], "advanced_age", {"reason": "x"})
    assert info.value.code == "age_not_revocable"
    # it may be submitted again later
    again = identity.submit_priority(operator, elder["person_id"], {
        "category": "economic_hardship", "evidence": "2027年复核：低保证 0100"})
    assert again["status"] == "pending"
    with pytest.raises(Forbidden) as info:
        identity.revoke_priority(login("13800000007"), *path, {"reason": "x"})
    assert info.value.code == "role_required"
