"""Scheduled jobs of identity: the qualification-expiry sweep runs by itself, and announces
each expired qualification once however often it runs."""
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


def test_the_sweep_announces_an_expired_qualification_once_without_being_called(
        identity, login, demo, event_bus):
    expired = event_bus.listen("identity", "qualification_expired")
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    n = random.randrange(1, 9000)
    born = dt.date(1991, 1, 1) + dt.timedelta(days=n)
    volunteer = identity.register_volunteer(operator, {
        "name": "钱志愿", "id_number": with_check_character(f"130102{born:%Y%m%d}915"),
        "phone": f"1377{n:07d}", "region_code": YUCAI, "volunteer_number": f"VS{n:07d}",
        "initial_password": "Volunteer@2026"})
    vid = volunteer["person_id"]
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
