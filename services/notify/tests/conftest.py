"""Local stand-ins for what notify talks to outside itself, for the integration tests:

* ``fake_sms``: an HTTP server speaking Tencent Cloud SMS ``SendSms`` (API 3.0) that
  verifies each request's TC3-HMAC-SHA256 signature (computed independently, from the
  provider's documented steps) and counts what it accepted;
* ``fake_smtp``: a real SMTP server (aiosmtpd) that keeps every mail it received
  (both from ``timebank_testing.fake_channels``, shared with the end-to-end tests);
* ``FakeIdentity``: a stand-in nameko ``identity`` answering the internal RPCs notify uses,
  from the ``PEOPLE`` / ``STAFF`` / ``QUALIFICATIONS`` tables a test fills.
"""
from __future__ import annotations

import pytest
from timebank_testing.fake_channels import sms_server, smtp_server

from timebank_common.errors import NotFound
from timebank_common.service import rpc as rpc_method

PEOPLE: dict[str, dict] = {}
STAFF: list[dict] = []
QUALIFICATIONS: list[dict] = []
REGIONS = {"130102001001": "育才社区居委会"}


class FakeIdentity:
    name = "identity"

    @rpc_method
    def contact_details(self, person_ids):
        return {"items": [{"person_id": p, "locale": "zh-CN", "is_elder": False,
                           "phone_only": False, "carrier_id": None, "phone": None,
                           **PEOPLE[p]} for p in person_ids if p in PEOPLE]}

    @rpc_method
    def person_names(self, person_ids):
        return {"names": {p: PEOPLE[p]["name"] for p in person_ids if p in PEOPLE}}

    @rpc_method
    def station_staff(self, carrier_id=None, township_code=None):
        return {"items": [s for s in STAFF
                          if (carrier_id and s.get("carrier_id") == carrier_id)
                          or (township_code and s.get("township") == township_code[:9])]}

    @rpc_method
    def get_region(self, code):
        if code not in REGIONS:
            raise NotFound("region_not_found", "区划不存在", "No such region")
        return {"code": code, "name": REGIONS[code], "level": "community"}

    @rpc_method
    def qualifications_expiring(self, on_date=None, days=30):
        return {"items": list(QUALIFICATIONS)}


@pytest.fixture(scope="module")
def fake_sms():
    with sms_server() as provider:
        yield provider


@pytest.fixture(scope="module")
def fake_smtp():
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def notify_config(service_config, fake_sms, fake_smtp):
    return service_config(
        "notify", DELIVERY_POLL_SECONDS=0.2, REMINDER_POLL_SECONDS=0.2,
        QUALIFICATION_CHECK_SECONDS=3600, IDENTITY_RPC_TIMEOUT_SECONDS=5,
        DEMAND_RPC_TIMEOUT_SECONDS=5,
        DELIVERY={"max_attempts": 3, "backoff_base_seconds": 0.2, "backoff_cap_seconds": 1,
                  "sending_lease_seconds": 2},
        SMS=fake_sms.settings(), SMTP=fake_smtp.settings())
