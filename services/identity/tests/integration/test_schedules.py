"""Scheduled jobs of identity: the qualification-expiry sweep runs by itself (a container
with a 0.3 s timer) and announces each expired qualification once however often it runs;
the daily eligibility reassessment announces eligibility that changed with time alone, once
(in process, at the test clock)."""
import datetime as dt
import random

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for

from identity.commands.demo import demo_id_number
from identity.service import IdentityService
from timebank_common.clock import china_date

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
        "name": "钱志愿", "id_number": demo_id_number(f"{born:%Y%m%d}", f"{n % 1000:03d}"),
        "phone": f"1377{n:07d}", "region_code": YUCAI, "volunteer_number": f"VS{n:07d}",
        "initial_password": "Volunteer@2026", **facts})


def test_the_sweep_announces_an_expired_qualification_once_without_being_called(
        identity_rpc, rpc_login, demo, event_bus):
    expired = event_bus.listen("identity", "qualification_expired")
    operator, township = rpc_login(OPERATOR), rpc_login(TOWNSHIP_ADMIN)
    vid = register(identity_rpc, operator)["person_id"]
    added = identity_rpc.add_qualification(operator, vid, {
        "kind": "nurse", "number": "N-7", "issuer": "河北省卫生健康委员会",
        "valid_until": "2027-06-30"})
    identity_rpc.verify_qualification(township, added["qualification_id"], {"decision": "verify"})
    engine = create_engine(demo["url"])
    with engine.begin() as conn:  # the licence ran out yesterday
        conn.execute(text("UPDATE qualifications SET valid_until = CURRENT_DATE - 1 "
                          "WHERE id = :id"), {"id": added["qualification_id"]})
    engine.dispose()

    def announced():
        return [e for e in expired.received
                if e["payload"]["qualification_id"] == added["qualification_id"]]

    wait_for(lambda: expired.drain(len(expired.received) + 1, timeout=0.2) and announced())
    expired.drain(len(expired.received) + 1, timeout=1.5)  # five more sweeps: nothing more
    assert [e["payload"]["kind"] for e in announced()] == ["nurse"]
    listed = identity_rpc.list_qualifications(operator, vid)["items"][0]
    assert listed["expired_at"] and listed["valid"] is False


def test_a_training_policy_taking_effect_suspends_volunteers_once(identity, login, identity_db,
                                                                   clock, events):
    volunteer = register(identity, login(OPERATOR), registry_status="verified",
                         screening="clear", health_declared=True, training_hours_completed=8)
    vid = volunteer["person_id"]
    assert [p["person_id"] for p in events("volunteer_eligible")] == [vid]
    assert identity.reassess_volunteers()["checked"] >= 1  # nothing changed: nothing announced
    assert events("volunteer_suspended") == []

    clock.advance(days=1)
    with identity_db() as uow:  # 长安区 raises its threshold to 20 h from today
        uow.execute(text("INSERT INTO training_policies (region_code, min_hours, "
                         "effective_from, note) VALUES ('130102000000', 20, :today, 'test')"),
                    {"today": china_date(clock.now())})
        uow.commit()
    assert identity.reassess_volunteers(batch_size=2)["checked"] >= 1
    assert identity.reassess_volunteers()["checked"] == 0  # once a day
    announced = [p for p in events("volunteer_suspended") if p["person_id"] == vid]
    assert announced == [{"person_id": vid, "region_code": YUCAI,
                          "reasons": ["training_short"],
                          "reason_texts": [{
                              "code": "training_short",
                              "zh": "培训学时不足：已完成8小时，须达到20小时",
                              "en": "Not enough training: 8 of 20 hours completed"}]}]
    assert identity.eligibility(login(OPERATOR), vid)["eligible"] is False
