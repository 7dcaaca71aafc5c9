"""Local stand-ins for what notify talks to outside itself, for the integration tests, and
``notify``: the service's entrypoints on a rolled-back unit of work, without a broker.

* ``fake_sms``: an HTTP server speaking Tencent Cloud SMS ``SendSms`` (API 3.0) that
  verifies each request's TC3-HMAC-SHA256 signature (computed independently, from the
  provider's documented steps) and counts what it accepted;
* ``fake_smtp``: a real SMTP server (aiosmtpd) that keeps every mail it received
  (both from ``timebank_testing.fake_channels``, shared with the end-to-end tests);
* ``FakeIdentity``: a stand-in nameko ``identity`` answering the internal RPCs notify uses,
  from the ``PEOPLE`` / ``STAFF`` / ``QUALIFICATIONS`` tables a test fills — in a container
  beside notify's, or called directly by the ``notify`` fixture's identity client;
* ``AbsentDemand``: demand not running (its catalogue unknown: categories shown as codes).
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from nameko.exceptions import UnknownService
from nameko.testing.services import worker_factory
from timebank_testing.fake_channels import sms_server, smtp_server

from notify.service import NotifyService
from timebank_common.db import make_event
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


class AbsentDemand:
    """demand not running: nameko refuses an RPC to it at once (``UnknownService``)."""

    def __getattr__(self, method):
        def refused(*args):
            raise UnknownService("demand")
        return refused


CHANNELS = {"max_attempts": 3, "backoff_base_seconds": 30, "backoff_cap_seconds": 3600,
            "sending_lease_seconds": 300, "concurrency": 1, "batch": 100}


@pytest.fixture
def notify(uow_factory, clock, fake_sms, fake_smtp):
    """``NotifyService`` without a container: its RPCs (arguments loaded and answers checked
    against their declarations), event handlers (inbox records included) and timers, called
    directly on units of work rolled back at the end of the test; identity is ``FakeIdentity``
    (asked as over RPC, within the timeout), the clock the ``clock`` fixture, SMS and e-mail
    the local fakes. Publish an event with ``notify.on_<event>(envelope)``, run a timer
    tick with ``notify.send_due()`` / ``notify.send_reminders()``."""
    return worker_factory(
        NotifyService, db=uow_factory("notify"), clock=clock, identity=FakeIdentity(),
        demand=AbsentDemand(),
        config={"CHECK_CONTRACTS": True, "IDENTITY_RPC_TIMEOUT_SECONDS": 5,
                "DEMAND_RPC_TIMEOUT_SECONDS": 5, "DELIVERY": dict(CHANNELS),
                "SMS": fake_sms.settings(), "SMTP": fake_smtp.settings()})


REGION = "130102001001"


def someone(role="volunteer", **contact):
    """A person identity knows (``PEOPLE``), and the caller they are."""
    pid = str(uuid.uuid4())
    phone = contact.pop("phone", f"139{uuid.uuid4().int % 10**8:08d}")
    PEOPLE[pid] = {"name": contact.pop("name", "李明"), "phone": phone,
                   "region_code": contact.pop("region_code", REGION),
                   "is_elder": role == "elder", **contact}
    return pid, {"person_id": pid, "roles": [role], "scope": REGION}


def event(event_type, payload, region=REGION):
    """An envelope as a producer's outbox relay publishes it."""
    return make_event(event_type, payload, region)


def assigned(volunteer_id, elder_id, start, demand_id=None):
    return event("demand_assigned", {
        "demand_id": demand_id or str(uuid.uuid4()), "volunteer_id": volunteer_id,
        "elder_id": elder_id, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "open_slots": 0})


def credited(person_id, minutes=90, balance=None):
    return event("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": person_id, "minutes": minutes,
        "balance_minutes": minutes if balance is None else balance, "kind": "service_credit",
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4())})


def deliveries(notify, caller, kind):
    return [d for m in notify.inbox(caller, {})["items"] if m["kind"] == kind
            for d in m["deliveries"]]
