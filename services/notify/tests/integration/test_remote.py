"""Notify asks identity through ``timebank_common.remote.ask`` (within
``IDENTITY_RPC_TIMEOUT_SECONDS``). Here identity takes every question and never answers: a
request that cannot do without it is 503 ``identity_unavailable`` (Chinese and English) after
the timeout, never a hung request; an event is still turned into its messages with the
documented fallbacks (no name: "您好：" and "志愿者"), and their deliveries wait for identity
(deferred, not counted as attempts). identity is the shared ``IdentityFake``, silenced."""
import datetime as dt
import time
import uuid
from functools import partial

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService
from timebank_common.clock import FixedClock
from timebank_common.db import make_event
from timebank_common.errors import Unavailable

from .conftest import identity_fake

REGION = "130102001001"
TIMEOUT = 0.5  # IDENTITY_RPC_TIMEOUT_SECONDS of this notify process (the default is 3)
SILENCE = 1.5  # identity's "answer" comes well after notify stopped waiting
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC))  # 10:00 in China: no quiet hours
wait_for = partial(shared_wait_for, timeout=15.0)


@pytest.fixture(scope="module")
def running(notify_config, service_config, start_module_service):
    identity = identity_fake(CLOCK)
    identity.silent(seconds=SILENCE)  # takes every question, answers none in time
    start_module_service(identity.service_class(), service_config(None))
    start_module_service(NotifyService, {**notify_config, "CLOCK": CLOCK,
                                         "IDENTITY_RPC_TIMEOUT_SECONDS": TIMEOUT})


@pytest.fixture
def notify(running, rpc):
    with rpc("notify", timeout=30) as proxy:
        yield proxy


def timed(call):
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        call()
    return err.value, time.monotonic() - started


def test_what_needs_identity_is_identity_unavailable_after_the_timeout(notify):
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": REGION[:9] + "000", "carrier_id": "c-1"}
    error, waited = timed(lambda: notify.preferences(operator, str(uuid.uuid4())))
    assert (error.status, error.code) == (503, "identity_unavailable")
    assert error.zh == "身份服务暂时无响应，请稍后重试"
    assert error.en == "The identity service did not answer; please retry"
    assert TIMEOUT - 0.1 <= waited < TIMEOUT + 1.5
    error, waited = timed(notify.check_qualifications)
    assert error.code == "identity_unavailable" and waited < TIMEOUT + 1.5


def deferred(notify_config, person_id):
    """The person's deliveries the worker deferred because identity did not answer."""
    engine = create_engine(notify_config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM deliveries WHERE person_id = :p "
                "AND last_error = 'identity_unavailable'"), {"p": person_id}).scalar()
    finally:
        engine.dispose()


def test_an_event_is_still_told_without_names_and_its_deliveries_wait(notify, event_bus,
                                                                      notify_config):
    volunteer, elder = str(uuid.uuid4()), str(uuid.uuid4())
    start = CLOCK.now() + dt.timedelta(days=2)
    event_bus.publish("demand", make_event("demand_assigned", {
        "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer, "elder_id": elder,
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "open_slots": 0}, REGION))
    elder_caller = {"person_id": elder, "roles": ["elder"], "scope": REGION}
    [told] = wait_for(lambda: notify.inbox(elder_caller, {})["items"])
    assert told["kind"] == "demand_assigned"
    assert told["body"].startswith("您好：志愿者将于")  # no name: the documented fallback
    wait_for(lambda: deferred(notify_config, elder) == 2)  # the worker found identity silent
    [message] = notify.inbox(elder_caller, {})["items"]
    assert message["deliveries"] and all(
        d["status"] == "pending" and d["attempts"] == 0 for d in message["deliveries"])
