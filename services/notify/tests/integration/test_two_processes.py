"""Two notify processes consuming the same queues side by side, on real RabbitMQ and
PostgreSQL: a redelivered event and many messages at once each reach the SMS provider exactly
once (each claims its own delivery with ``FOR UPDATE SKIP LOCKED``); the process's /metrics
counts what was sent."""
from functools import partial

import eventlet
import pytest
import requests
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService

from .conftest import credited, deliveries, identity_fake, someone

wait_for = partial(shared_wait_for, timeout=15.0)


@pytest.fixture(scope="module")
def identity():
    """The module's identity, served to both processes."""
    return identity_fake()


@pytest.fixture(scope="module")
def running(identity, notify_config, service_config, start_module_service):
    start_module_service(identity.service_class(), service_config(None))
    start_module_service(NotifyService, notify_config)
    start_module_service(NotifyService, {**notify_config, "WEB_SERVER_ADDRESS": "127.0.0.1:0"})


@pytest.fixture
def notify(running, rpc):
    with rpc("notify") as proxy:
        yield proxy


@pytest.fixture
def publish(event_bus):
    return event_bus.publish


def no_quiet_hours(notify, caller):
    return notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})


def settle():
    eventlet.sleep(0.6)  # three delivery ticks: room for a wrong second send to show up


def test_an_sms_is_signed_and_sent_exactly_once_by_two_processes(notify, identity, publish,
                                                                 fake_sms):
    pid, caller = someone(identity)
    no_quiet_hours(notify, caller)
    event = credited(pid)
    publish("ledger", event)
    publish("ledger", event)  # redelivered
    wait_for(lambda: fake_sms.to(identity.people[pid].phone))
    wait_for(lambda: [d["status"] for d in deliveries(notify, caller, "hours_credited")]
             == ["sent"])
    settle()
    [sms] = fake_sms.to(identity.people[pid].phone)
    assert sms["TemplateParamSet"][0] == "服务时长已入账"
    assert "1小时30分" in sms["TemplateParamSet"][1]
    assert fake_sms.bad_signatures == 0
    assert notify.inbox(caller, {})["total"] == 1


def test_many_messages_at_once_each_reach_the_provider_once(notify, identity, publish,
                                                            fake_sms):
    people = [someone(identity) for _ in range(8)]
    for _, caller in people:
        no_quiet_hours(notify, caller)
    for pid, _ in people:
        for minutes in (30, 60):
            publish("ledger", credited(pid, minutes))
    wait_for(lambda: all(len(fake_sms.to(identity.people[p].phone)) == 2 for p, _ in people))
    settle()
    assert all(len(fake_sms.to(identity.people[p].phone)) == 2 for p, _ in people)


def test_metrics_count_deliveries_by_channel_and_outcome(notify, identity, publish, fake_sms,
                                                         notify_config):
    pid, caller = someone(identity)
    no_quiet_hours(notify, caller)
    publish("ledger", credited(pid))
    wait_for(lambda: fake_sms.to(identity.people[pid].phone))
    text = requests.get(f"http://{notify_config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text
    assert 'timebank_notify_deliveries_total{channel="sms",outcome="sent"}' in text
    assert 'timebank_notify_messages_total{kind="hours_credited"}' in text
