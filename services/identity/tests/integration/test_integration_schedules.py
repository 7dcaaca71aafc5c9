"""Scheduled jobs of identity: the qualification-expiry sweep runs by itself and announces
each expired qualification once however often it runs; the daily eligibility sweep
announces eligibility that changed with time alone, once."""
import datetime as dt
import random

import pytest
from sqlalchemy import create_engine, text

from identity.domain.id_numbers import with_check_character
from identity.service import IdentityService

pytestmark = pytest.mark.integration

OPERATOR, TOWNSHIP_ADMIN = "13800000005", "13800000004"
YUCAI = "130102001001"


@pytest.fixture(scope="module")
def running(demo, service_config, start_module_service):
    start_module_service(IdentityService, service_config(
        None, DATABASE_URL=demo["url"], QUALIFICATION_SWEEP_SECONDS=0.3))


def register(identity, operator, **facts) -> dict:
    n = random.randrange(1, 9_000_000)
    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 12_000)
    return identity.register_volunteer(operator, {
        "name": "钱志愿", "id_number": with_check_character(f"130102{born:%Y%m%d}{n % 1000:03d}"),
        "phone": f"1377{n:07d}", "region_code": YUCAI, "volunteer_number": f"VS{n:07d}",
        "initial_password": "Volunteer@2026", **facts})


def test_the_sweep_announces_an_expired_qualification_once_without_being_called(
        identity, login, demo, event_bus):
    expired = event_bus.listen("identity", "qualification_expired")
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    vid = register(identity, operator)["person_id"]
    added = identity.add_qualification(operator, vid, {
        "kind": "nurse", "number": "N-7", "issuer": "河北省卫生健康委员会",
        "valid_until": "2027-06-30"})
    identity.verify_qualification(township, added["qualification_id"], {"decision": "verify"})
    engine = create_engine(demo["url"])
    with engine.begin() as conn:  # the licence ran out yesterday
        conn.execute(text("UPDATE qualifications SET valid_until = CURRENT_DATE - 1 "
                          "WHERE id = :id"), {"id": added["qualification_id"]})
    engine.dispose()

    # several sweeps run in the next 3 s (every 0.3 s); exactly one announcement
    events = [e for e in expired.drain(3, timeout=10)
              if e["payload"]["qualification_id"] == added["qualification_id"]]
    assert [e["payload"]["kind"] for e in events] == ["nurse"]
    listed = identity.list_qualifications(operator, vid)["items"][0]
    assert listed["expired_at"] and listed["valid"] is False


def test_a_training_policy_taking_effect_suspends_volunteers_once(identity, login, demo,
                                                                   event_bus):
    suspended = event_bus.listen("identity", "volunteer_suspended")
    eligible = event_bus.listen("identity", "volunteer_eligible")
    volunteer = register(identity, login(OPERATOR), registry_status="verified",
                         screening="clear", health_declared=True, training_hours_completed=8)
    vid = volunteer["person_id"]
    assert [e["payload"]["person_id"] for e in eligible.drain(1, timeout=5)] == [vid]
    assert identity.reassess_volunteers()["checked"] >= 1  # nothing changed: nothing announced
    assert suspended.drain(1, timeout=2) == []

    raised = ("INSERT INTO training_policies (region_code, min_hours, effective_from, note) "
              "VALUES ('130102000000', 20, CURRENT_DATE, 'test')")
    engine = create_engine(demo["url"])  # the database is shared with other test modules
    with engine.begin() as conn:  # 长安区 raises its threshold to 20 h from today
        conn.execute(text(raised))
        conn.execute(text("UPDATE volunteer_profiles SET eligibility_checked_on = NULL"))
    try:
        assert identity.reassess_volunteers(batch_size=2)["checked"] >= 1
        assert identity.reassess_volunteers()["checked"] == 0  # once a day
        announced = [e["payload"] for e in suspended.drain(1, timeout=5)
                     if e["payload"]["person_id"] == vid]
        assert announced == [{"person_id": vid, "region_code": YUCAI,
                              "reasons": ["training_short"],
                              "reason_texts": [{
                                  "code": "training_short",
                                  "zh": "培训学时不足：已完成8小时，须达到20小时",
                                  "en": "Not enough training: 8 of 20 hours completed"}]}]
        assert identity.eligibility(login(OPERATOR), vid)["eligible"] is False
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM training_policies WHERE note = 'test'"))
        engine.dispose()
