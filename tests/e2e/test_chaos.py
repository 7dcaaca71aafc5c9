"""Kill one process during the path (like a crash: SIGKILL), restart it, finish the
path: the volunteer ends with exactly 90 minutes — none lost, none doubled."""
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for

from first_path import balance_of, run_path, wait_for_balance

pytestmark = pytest.mark.e2e

# (process, step before which it is killed and restarted)
KILLS = [
    ("identity", "volunteer_login"),
    ("demand", "claim"),
    ("matching", "claim"),
    ("gateway", "check_out"),
    ("notify", "record"),
]


def assert_exactly(api, result, minutes):
    balance = wait_for_balance(api, result, minutes)
    time.sleep(1.5)  # anything doubled would show by now
    balance = balance_of(api, result)
    assert balance["earned_minutes"] == minutes, balance
    person = result["volunteer"]["person_id"]
    statement = api.call("GET", f"/api/v1/accounts/{person}/statement",
                         token=result["volunteer_token"], expect=200).json()
    assert statement["total"] == 1


@pytest.mark.parametrize("process,step", KILLS, ids=[k[0] for k in KILLS])
def test_kill_and_restart_a_process_during_the_path(platform, api, demo_accounts, process, step):
    def before(current):
        if current == step:
            platform.kill(process)
            platform.start(process)
            platform.wait_healthy([process])

    result = run_path(api, demo_accounts, before=before)
    assert_exactly(api, result, 90)


def test_ledger_down_while_hours_are_recorded(platform, api, demo_accounts):
    """The event waits in the ledger's durable queue until the ledger is back."""

    def before(step):
        if step == "record":
            platform.kill("ledger")
        if step == "after_record":
            time.sleep(1.0)
            platform.start("ledger")
            platform.wait_healthy(["ledger"])

    assert_exactly(api, run_path(api, demo_accounts, before=before), 90)


def unsent_events(platform, service) -> int:
    engine = create_engine(platform.db_url(service))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar()
    finally:
        engine.dispose()


def test_demand_killed_between_commit_and_publish(platform, api, demo_accounts):
    """demand commits the record (and its outbox row) but dies before its relay
    publishes: after restart the event is delivered, exactly once."""

    def before(step):
        if step == "record":  # run demand with its relay off: the row stays unsent
            platform.kill("demand")
            platform.start("demand", {"OUTBOX_RELAY_ENABLED": "false"})
            platform.wait_healthy(["demand"])
        if step == "after_record":
            time.sleep(1.0)
            assert unsent_events(platform, "demand") >= 1  # committed, not published
            platform.kill("demand")  # crash with the event committed but unpublished
            platform.start("demand")
            platform.wait_healthy(["demand"])

    result = run_path(api, demo_accounts, before=before)
    assert_exactly(api, result, 90)


def restart_when_it_crashes(platform, name, env):
    """Start ``name`` with a crash point armed; a watcher restarts it normally once it
    has crashed (whenever that is, even while a request is in flight). Its outbox is drained
    first: an event of the path's earlier steps still unsent would fire the crash point as the
    armed process starts, before it is healthy and before the step the test is about (seen
    in CI, with the machine loaded: the check-out's event, and demand left down)."""
    wait_for(lambda: unsent_events(platform, name) == 0, timeout=60)
    platform.kill(name)
    proc = platform.start(name, env)
    platform.wait_healthy([name])

    def watch():
        proc.wait()
        platform.start(name)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def test_demand_killed_between_publish_and_mark_sent(platform, api, demo_accounts):
    """The relay publishes, the broker confirms, the process dies before marking the
    row sent: after restart it publishes again and the ledger's inbox drops the copy."""

    watchers = []

    def before(step):
        if step == "record":
            watchers.append(restart_when_it_crashes(platform, "demand",
                                                    {"TIMEBANK_CRASH_AT": "outbox_after_publish"}))
        if step == "after_record":
            watchers[0].join(60)
            assert not watchers[0].is_alive(), "demand never reached its crash point"
            platform.wait_healthy(["demand"])

    result = run_path(api, demo_accounts, before=before)
    assert_exactly(api, result, 90)


def test_ledger_killed_after_commit_before_ack(platform, api, demo_accounts):
    """The ledger commits the credit and dies before acknowledging the message: the
    broker redelivers it after restart, and the inbox makes it a no-op."""

    watchers = []

    def before(step):
        if step == "record":
            watchers.append(restart_when_it_crashes(platform, "ledger",
                                                    {"TIMEBANK_CRASH_AT": "handler_after_commit"}))
        if step == "after_record":
            watchers[0].join(60)
            assert not watchers[0].is_alive(), "ledger never reached its crash point"
            platform.wait_healthy(["ledger"])

    assert_exactly(api, run_path(api, demo_accounts, before=before), 90)
