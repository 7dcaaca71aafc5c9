"""Matching asks identity and demand over RPC through ``timebank_common.remote.ask``: a service
that takes the question and never answers gives 503 ``<service>_unavailable`` (Chinese and
English) within the configured timeout — never a hung request — and changes nothing. identity
is the shared ``IdentityFake``, silent, and demand a silent stand-in, both as nameko services
(the RPC boundary itself is what is tested); the place is in 张家口, away from the data other
modules commit to this database.
"""
import datetime as dt
import time
import uuid
from functools import partial

import eventlet
import pytest
from eventlet.event import Event
from timebank_testing import wait_for as shared_wait_for
from timebank_testing.identity_fake import IdentityFake

from matching.adapters.clients import REBUILD_TIMEOUT_FACTOR
from matching.service import MatchingService
from timebank_common.clock import FixedClock
from timebank_common.db import make_event
from timebank_common.errors import Unavailable
from timebank_common.rpc import rpc as rpc_method

REGION = "130702001001"
OPERATOR = {"person_id": "op-zjk", "roles": ["station_operator"], "scope": "130702001000"}
IDENTITY_TIMEOUT = 0.25  # IDENTITY_RPC_TIMEOUT_SECONDS of this matching process
DEMAND_TIMEOUT = 1.0  # DEMAND_RPC_TIMEOUT_SECONDS: each service's own setting counts
SILENCE = DEMAND_TIMEOUT * REBUILD_TIMEOUT_FACTOR + 1  # longer than any wait of matching's
wait_for = partial(shared_wait_for, timeout=10.0)
RELEASED = Event()  # sent when the module is done: the silent workers then end at once


def stay_silent():
    """Never answer while matching waits (the stand-in's workers end when the module is
    done, so its container stops at once)."""
    with eventlet.Timeout(SILENCE, False):
        RELEASED.wait()


class SilentDemand:
    name = "demand"

    @rpc_method
    def catalog(self):
        stay_silent()
        return []

    @rpc_method
    def assign(self, caller, demand_id, volunteer_id):
        stay_silent()
        return {}


@pytest.fixture(scope="module")
def clock():
    return FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))  # Monday, 10:00 in China


@pytest.fixture(scope="module")
def running(service_config, start_module_service, clock):
    start_module_service(MatchingService, service_config(
        "matching", IDENTITY_RPC_TIMEOUT_SECONDS=IDENTITY_TIMEOUT,
        DEMAND_RPC_TIMEOUT_SECONDS=DEMAND_TIMEOUT, CLOCK=clock))
    identity = IdentityFake(clock=clock)
    identity.silent(seconds=SILENCE)  # takes every question, answers none (until it stops)
    start_module_service(identity.service_class(), service_config(None))
    start_module_service(SilentDemand, service_config(None))
    yield
    RELEASED.send()  # before the containers stop (their fixture is torn down after this one)


@pytest.fixture
def matching(running, rpc):
    with rpc("matching", timeout=60) as proxy:
        yield proxy


def published(clock, category="companionship"):
    start = (clock.now() + dt.timedelta(days=3)).replace(microsecond=0)
    event = make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": f"zjk-e-{uuid.uuid4().hex[:6]}",
        "category": category, "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": 1, "location": {"lat": 40.77, "lng": 114.88}}, REGION)
    event["occurred_at"] = clock.advance(microseconds=1).isoformat()
    return event


def city_feed(matching):
    volunteer = {"person_id": "zjk-v", "roles": ["volunteer"], "scope": REGION}
    return [i["demand_id"] for i in matching.feed_for(volunteer, "zjk-v")["items"]]


def timed(call):
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        call()
    return err.value, time.monotonic() - started


def test_a_silent_identity_fails_the_rebuild_clearly_and_keeps_the_read_models(matching,
                                                                              event_bus, clock):
    """The rebuild asks identity first; identity takes the question and never answers: 503
    ``identity_unavailable`` after the rebuild's patience (its bulk pages wait
    ``REBUILD_TIMEOUT_FACTOR`` times identity's own timeout — not demand's), and the old read
    model stays (documented)."""
    event = event_bus.publish("demand", published(clock))
    wait_for(lambda: event["payload"]["demand_id"] in city_feed(matching))
    error, waited = timed(matching.rebuild_read_models)
    assert (error.status, error.code) == (503, "identity_unavailable")
    assert error.zh == "身份服务暂时无响应，请稍后重试"
    assert error.en == "The identity service did not answer; please retry"
    patience = IDENTITY_TIMEOUT * REBUILD_TIMEOUT_FACTOR
    assert patience - 0.2 <= waited < patience + 1.5
    assert event["payload"]["demand_id"] in city_feed(matching)  # nothing was dropped


def test_a_silent_demand_is_demand_unavailable_not_a_hung_request(matching, event_bus, clock):
    """A demand whose category matching has not heard of needs demand's catalogue: without an
    answer the candidates are 503 ``demand_unavailable`` after one timeout."""
    event = event_bus.publish("demand", published(clock, category=f"zjk-{uuid.uuid4().hex[:6]}"))
    wait_for(lambda: event["payload"]["demand_id"] in city_feed(matching))
    error, waited = timed(lambda: matching.candidates_for(OPERATOR,
                                                          event["payload"]["demand_id"]))
    assert (error.status, error.code) == (503, "demand_unavailable")
    assert "需求服务" in error.zh
    assert DEMAND_TIMEOUT - 0.2 <= waited < DEMAND_TIMEOUT + 1.5
