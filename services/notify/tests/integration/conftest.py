"""Local stand-ins for what notify talks to outside itself, for the integration tests, and
``notify``: the service's entrypoints on a rolled-back unit of work, without a broker.

* ``fake_sms``: an HTTP server speaking Tencent Cloud SMS ``SendSms`` (API 3.0) that
  verifies each request's TC3-HMAC-SHA256 signature (computed independently, from the
  provider's documented steps) and counts what it accepted;
* ``fake_smtp``: a real SMTP server (aiosmtpd) that keeps every mail it received
  (both from ``timebank_testing.fake_channels``, shared with the end-to-end tests);
* ``identity``: the shared ``IdentityFake`` (built on identity's contracts) with the people,
  staff and qualifications a test registers (``someone(identity, ...)``,
  ``identity.add_station_operator``, ``identity.add_qualification``) and the community
  ``REGION`` — called directly by the ``notify`` fixture's identity client, or in a container
  beside notify's (``identity.service_class()``);
* ``AbsentDemand``: demand not running (its catalogue unknown: categories shown as codes).
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from nameko.exceptions import UnknownService
from nameko.testing.services import worker_factory
from timebank_testing.fake_channels import sms_server, smtp_server
from timebank_testing.identity_fake import IdentityFake

from notify.service import NotifyService
from timebank_common.clock import Clock
from timebank_common.db import make_event

REGION = "130102001001"  # 育才社区居委会, 长安区


@pytest.fixture(autouse=True)
def nothing_kept_from_another_test():
    """Names and the catalogue notify keeps (``adapters.identity``, ``adapters.demand``) came
    from another test's identity and demand: dropped before each test."""
    from notify.adapters import demand, identity

    identity.forget_kept()
    demand.forget_kept()


def identity_fake(clock: Clock | None = None) -> IdentityFake:
    """identity as notify's tests see it: only the people a test registers (as identity
    answers for known ids only) and the one community ``REGION`` (any other code: 404)."""
    fake = IdentityFake(known_only=True, clock=clock)
    fake.add_region(REGION, "育才社区居委会", parent_code=REGION[:9] + "000")
    return fake


@pytest.fixture
def identity(clock):
    """The test's ``IdentityFake``, at the test's clock (a module with containers overrides
    it with one of module scope, served by ``identity.service_class()``)."""
    return identity_fake(clock)


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
def notify(uow_factory, clock, identity, fake_sms, fake_smtp):
    """``NotifyService`` without a container: its RPCs (arguments loaded and answers checked
    against their declarations), event handlers (inbox records included) and timers, called
    directly on units of work rolled back at the end of the test; identity is the test's
    ``identity`` fake (asked as over RPC, within the timeout), the clock the ``clock``
    fixture, SMS and e-mail the local fakes. Publish an event with
    ``notify.on_<event>(envelope)``, run a timer tick with ``notify.send_due()`` /
    ``notify.send_reminders()``."""
    return worker_factory(
        NotifyService, db=uow_factory("notify"), clock=clock, identity=identity,
        demand=AbsentDemand(),
        config={"CHECK_CONTRACTS": "strict", "IDENTITY_RPC_TIMEOUT_SECONDS": 5,
                "DEMAND_RPC_TIMEOUT_SECONDS": 5, "DELIVERY": dict(CHANNELS),
                "SMS": fake_sms.settings(), "SMTP": fake_smtp.settings()})


def someone(identity, role="volunteer", *, name="李明", phone=None, region_code=REGION,
            **facts):
    """A person registered in ``identity`` (an elder, a volunteer, or a person of another
    role; ``facts``: ``carrier_id``, ``phone_only`` of an elder ...), with a mobile number of
    their own unless ``phone`` is given; their id and the caller they are."""
    phone = phone or f"139{uuid.uuid4().int % 10**8:08d}"
    register = {"elder": identity.add_elder,
                "volunteer": identity.add_volunteer}.get(role, identity.add_person)
    pid = register(str(uuid.uuid4()), name=name, phone=phone, region_code=region_code,
                   **facts)
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
