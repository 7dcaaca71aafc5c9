"""Contracts with the services whose events notify consumes.

* Every handler of notify is declared with its producer's ``EventContract`` and reads the
  payload with it, so notify reads only what the producer declares
  (``tests/unit/test_event_contracts.py`` checks every service's handlers;
  tests/e2e/test_notify_journey.py then drives the real flows).
* ``milestone_reached`` needs 100 hours of service, too many for the end-to-end test: here
  demand's ``service_recorded`` (built with demand's schema) goes to the REAL ledger
  (star thresholds at 1, 2, 3 hours), whose own code credits it and emits ``hours_credited``
  and ``milestone_reached``; the REAL notify turns them into the volunteer's messages.
"""
import datetime as dt
import uuid
from functools import partial

import pytest
from timebank_testing import wait_for as shared_wait_for

from demand import contracts as demand_contracts
from ledger.service import LedgerService
from notify.service import NotifyService
from timebank_common.db import make_event

from .conftest import identity_fake

# --- milestone_reached: demand -> the real ledger -> the real notify -------------------------
REGION = "130102001001"
wait_for = partial(shared_wait_for, timeout=20.0)


@pytest.fixture(scope="module")
def identity():
    return identity_fake()


@pytest.fixture(scope="module")
def ledger_and_notify(identity, service_config, start_module_service, notify_config):
    start_module_service(identity.service_class(), service_config(None))
    start_module_service(LedgerService, service_config(  # queue arguments as ledger's tests
        "ledger", max_workers=20, STAR_THRESHOLDS_HOURS=[1, 2, 3], EVENT_DELIVERY_LIMIT=2))
    start_module_service(NotifyService, notify_config)


def test_a_service_crossing_a_star_level_tells_the_volunteer(ledger_and_notify, identity, rpc,
                                                            event_bus):
    volunteer = identity.add_volunteer(name="李明", region_code=REGION)  # no phone
    caller = {"person_id": volunteer, "roles": ["volunteer"], "scope": REGION}
    record = demand_contracts.ServiceRecordedEvent().dump({
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer, "volunteer_region_code": REGION,
        "elder_id": str(uuid.uuid4()), "minutes": 75, "category": "emotional_comfort",
        "funding_source": "issuance", "carrier_id": None, "recorded_by": "op-1",
        "recorded_at": dt.datetime.now(dt.UTC), "reservation_id": None})
    event_bus.publish("demand", make_event("service_recorded", record, REGION))

    with rpc("notify") as notify:
        box = wait_for(lambda: (items := notify.inbox(caller, {})["items"])
                       and {m["kind"] for m in items} >= {"hours_credited", "milestone_reached"}
                       and items)
    kinds = {m["kind"]: m for m in box}
    star = kinds["milestone_reached"]
    assert star["title"] == "恭喜成为1星志愿者"
    assert star["body"] == "您的累计服务时长已达 1小时15分，成为1星志愿者。感谢您的付出！"
    assert star["data"]["level"] == 1 and star["data"]["transfer_id"]
    assert kinds["hours_credited"]["data"]["record_id"] == record["record_id"]
