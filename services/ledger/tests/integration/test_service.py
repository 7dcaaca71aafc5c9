"""The ledger service in a real nameko container, on real PostgreSQL and RabbitMQ: what needs the
broker (the batch handler and its inbox, redelivery, dead letters, parallel RPC callers, the
timers) and the RPC boundary itself.

``service_recorded`` events are published the way demand's outbox relay does it:
a persistent JSON envelope on exchange ``demand.events``, routing key ``service_recorded``.
"""
import datetime as dt
import time
import uuid
from functools import partial

import eventlet
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from ledger.service import LedgerService
from timebank_common.clock import FixedClock
from timebank_common.db import make_event
from timebank_common.errors import BadInput, RuleViolation

SHIJIAZHUANG = "130102001001"  # a community in 长安区, 石家庄 (issuance 130100000000)
TANGSHAN = "130203001001"  # a community in 唐山 (issuance 130200000000)
XINJI = "130181100001"  # 辛集, a county-level city managed as a city (issuance 130181000000)
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}
OTHER_COUNTY_ADMIN = {"person_id": "adm-9", "roles": ["county_admin"], "scope": "130104000000"}
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))  # the ledger's: moved by hand
HANDLER_QUEUE = "evt-demand-service_recorded--ledger.on_service_recorded"


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def handled(outcome):
    return REGISTRY.get_sample_value("timebank_events_handled_total", {
        "event_type": "service_recorded", "outcome": outcome}) or 0.0


wait_for = partial(shared_wait_for, timeout=20.0)


@pytest.fixture(scope="module")
def credited_queue(event_bus):
    """hours_credited messages for one record, from a queue declared before anything is credited."""
    listener = event_bus.listen("ledger", "hours_credited")

    def messages_for(record_id, expected=1, timeout=10.0):
        def found():
            return [m for m in listener.received if m["payload"]["record_id"] == record_id]

        deadline = time.monotonic() + timeout
        while len(found()) < expected and time.monotonic() < deadline:
            listener.drain(len(listener.received) + 1, timeout=0.2)
        return found()

    return messages_for


@pytest.fixture(scope="module")
def running(service_config, start_module_service, credited_queue, rabbit):
    # other modules (demand's) publish service_recorded into the same vhost; this module
    # counts issuance balances, so it starts from an empty queue
    rabbit.purge_queues_of("ledger")
    start_module_service(LedgerService, service_config("ledger", max_workers=20,
                                                       EVENT_DELIVERY_LIMIT=2,
                                                       PENDING_SWEEP_SECONDS=0.3,
                                                       INVARIANTS_REFRESH_SECONDS=0.5,
                                                       CLOCK=CLOCK))


@pytest.fixture
def ledger(running, rpc):
    with rpc("ledger") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def publisher(event_bus):
    return lambda envelope: event_bus.publish("demand", envelope)


def service_recorded(volunteer_id, minutes, region=SHIJIAZHUANG, record_id=None,
                     volunteer_region=None):
    payload = {
        "record_id": record_id or str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer_id, "volunteer_region_code": volunteer_region or region,
        "elder_id": new_id("elder"), "minutes": minutes, "category": "emotional_comfort",
        "funding_source": "issuance", "carrier_id": "carrier-7", "recorded_by": "op-1",
        "recorded_at": CLOCK.now().isoformat(),
    }
    return make_event("service_recorded", payload, region)


@pytest.fixture
def db(database_url):
    engine = create_engine(database_url("ledger"))
    yield engine
    engine.dispose()


def told_in_outbox(db, record_id):
    """How many ``hours_credited`` the ledger wrote for the record (what its relay publishes)."""
    with db.connect() as c:
        return c.execute(text("SELECT count(*) FROM outbox WHERE event_type = 'hours_credited' "
                              "AND body->'payload'->>'record_id' = :r"), {"r": record_id}).scalar()


def issuance_balance(db, city_code):
    with db.connect() as c:
        return c.execute(text("SELECT credits_posted - debits_posted FROM accounts WHERE kind = 'issuance' "
                              "AND region_code = :r"), {"r": city_code}).scalar()


def test_recorded_service_is_credited_exactly_once(ledger, publisher, credited_queue, db):
    volunteer = new_id("vol")
    issued_before = issuance_balance(db, "130100000000") or 0  # other modules share the database
    event = publisher(service_recorded(volunteer, 90))
    record_id = event["payload"]["record_id"]
    wait_for(lambda: ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 90)

    done, duplicates = handled("done"), handled("duplicate")
    publisher(event)  # the same event again (a redelivery): the inbox skips it
    again = service_recorded(volunteer, 90, record_id=record_id)  # a new event, same record
    again["payload"]["demand_id"] = event["payload"]["demand_id"]
    publisher(again)
    wait_for(lambda: handled("duplicate") == duplicates + 1 and handled("done") == done + 1)

    assert ledger.balance(person(volunteer), volunteer) == {
        "person_id": volunteer, "earned_minutes": 90, "grant_minutes": 0,
        "reserved_minutes": 0, "available_minutes": 90}
    page = ledger.statement(person(volunteer), volunteer, {})
    assert page["total"] == 1 and page["page"] == 1 and page["page_size"] == 20
    item = page["items"][0]
    assert item["transfer_id"] == f"service_record:{record_id}"
    assert (item["kind"], item["account_kind"], item["amount_minutes"], item["balance_after"]) == (
        "service_credit", "personal", 90, 90)
    assert item["reference"] == {"record_id": record_id,
                                 "demand_id": event["payload"]["demand_id"],
                                 "funding_source": "issuance", "paid_from": "issuance"}
    assert dt.datetime.fromisoformat(item["occurred_at"]).utcoffset() == dt.timedelta(0)

    assert issuance_balance(db, "130100000000") == issued_before - 90
    check = ledger.verify_balances()
    assert check["mismatches"] == [] and check["unbalanced_transfers"] == []
    assert check["total_sum"] == 0 and check["accounts_checked"] >= 2

    told = credited_queue(record_id)
    assert len(told) == 1
    assert told[0]["payload"] == {
        "transfer_id": f"service_record:{record_id}", "person_id": volunteer, "minutes": 90,
        "balance_minutes": 90, "kind": "service_credit", "record_id": record_id,
        "demand_id": event["payload"]["demand_id"], "recorded_minutes": 90,
        "rounded_minutes": 90, "excess_minutes": 0, "excess_to": None,
        "funding_source": "issuance", "paid_from": "issuance", "fallback": None}
    assert told[0]["region_code"] == SHIJIAZHUANG
    assert told_in_outbox(db, record_id) == 1  # told once only: the relay sends what is there


def test_a_burst_credits_each_record_once_even_within_one_batch(ledger, publisher, db):
    """Events arriving together are credited in one transaction (batch handler); copies of
    an event and second events for the same record in that burst are still credited once."""
    volunteer = new_id("vol")
    events = [service_recorded(volunteer, 15 * (1 + n % 6)) for n in range(30)]
    copy = service_recorded(volunteer, 15, record_id=events[0]["payload"]["record_id"])
    copy["payload"]["demand_id"] = events[0]["payload"]["demand_id"]
    done, duplicates = handled("done"), handled("duplicate")
    for event in [*events, events[1], copy, events[2]]:
        publisher(event)
    # all 33 deliveries handled: 31 new events (the copy is one), 2 redeliveries skipped
    wait_for(lambda: handled("done") == done + 31 and handled("duplicate") == duplicates + 2)
    expected = sum(15 * (1 + n % 6) for n in range(30))
    assert ledger.balance(person(volunteer), volunteer)["earned_minutes"] == expected
    assert ledger.statement(person(volunteer), volunteer, {"page_size": 100})["total"] == 30
    assert told_in_outbox(db, events[0]["payload"]["record_id"]) == 1


def test_hot_accounts_under_fifty_parallel_credits(ledger, publisher, rabbit, db, rpc):
    volunteer = new_id("vol")
    dead_before = rabbit.queue_depth("ledger.dead-letters")
    minutes = [15 * (1 + i % 4) for i in range(50)]  # whole 15-minute units: not rounded
    for m in minutes:
        publisher(service_recorded(volunteer, m, region=TANGSHAN))
    wait_for(lambda: ledger.balance(person(volunteer), volunteer)["earned_minutes"] == sum(minutes),
             timeout=30)

    page = ledger.statement(person(volunteer), volunteer, {"page_size": 100})
    assert page["total"] == 50
    # newest first, and each balance follows from the one before: no lost update
    chain = list(reversed(page["items"]))
    running_total = 0
    for item in chain:
        running_total += item["amount_minutes"]
        assert item["balance_after"] == running_total
    assert issuance_balance(db, "130200000000") == -sum(minutes)
    check = ledger.verify_balances()
    assert check["mismatches"] == [] and check["total_sum"] == 0
    assert rabbit.queue_depth("ledger.dead-letters") == dead_before  # no deadlock, no failure

    # then 20 parallel callers spend from the hot account, together more than it holds
    hot = ledger.open_account("personal", TANGSHAN, volunteer)
    other = ledger.open_account("personal", TANGSHAN, new_id("vol"))
    pool = eventlet.GreenPool(20)

    def spend(n):
        with rpc("ledger") as proxy:
            return proxy.create_transfers([
                {"id": f"spend-{volunteer}-{n}-{i}", "kind": "gift_to_relative",
                 "debit_account_id": hot["account_id"], "credit_account_id": other["account_id"],
                 "amount_minutes": 11} for i in range(10)])

    results = [r for batch in pool.imap(spend, range(20)) for r in batch]
    spent = 11 * sum(r["status"] == "posted" for r in results)
    assert {r["status"] for r in results} == {"posted", "failed"}
    assert {r["error"]["code"] for r in results if r["error"]} == {"insufficient_balance"}
    assert spent == sum(minutes) - sum(minutes) % 11
    assert ledger.account(hot["account_id"])["balance_minutes"] == sum(minutes) - spent
    assert ledger.verify_balances()["ok"]


def test_an_invalid_record_is_dead_lettered_not_credited(ledger, publisher, rabbit):
    volunteer = new_id("vol")
    dead_before = rabbit.queue_depth("ledger.dead-letters")
    publisher(service_recorded(volunteer, 0))  # zero minutes can never be credited
    wait_for(lambda: rabbit.queue_depth("ledger.dead-letters") == dead_before + 1, timeout=30)
    assert ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 0
    assert ledger.verify_balances()["total_sum"] == 0


# --- the internal transfer API ---------------------------------------------------------------
def accounts_of(ledger, *people, region=SHIJIAZHUANG):
    return [ledger.open_account("personal", region, p)["account_id"] for p in people]


def test_reserve_then_post_the_recorded_minutes_through_rpc(ledger):
    elder, volunteer = new_id("elder"), new_id("vol")
    issuance = ledger.open_account("issuance", "130100000000")["account_id"]
    elder_acc, vol_acc = accounts_of(ledger, elder, volunteer)
    [funded] = ledger.create_transfers([{"id": new_id("fund"), "kind": "service_credit",
                                         "debit_account_id": issuance,
                                         "credit_account_id": elder_acc, "amount_minutes": 120}])
    assert funded["status"] == "posted" and funded["transfer"]["phase"] == "posted"
    reservation = new_id("res")
    [reserved] = ledger.create_transfers([{
        "id": reservation, "action": "pending", "kind": "gift_to_relative",
        "debit_account_id": elder_acc, "credit_account_id": vol_acc, "amount_minutes": 90,
        "timeout_seconds": 3600, "reference": {"demand_id": "d-1"}}])
    assert reserved["status"] == "pending" and reserved["transfer"]["expires_at"]
    assert ledger.balance(person(elder), elder) == {
        "person_id": elder, "earned_minutes": 120, "grant_minutes": 0,
        "reserved_minutes": 90, "available_minutes": 30}
    posted = ledger.create_transfers([{"id": new_id("post"), "action": "post_pending",
                                       "pending_id": reservation, "amount_minutes": 75},
                                      {"id": new_id("post"), "action": "void_pending",
                                       "pending_id": reservation}])
    assert [r["status"] for r in posted] == ["posted", "failed"]
    assert posted[1]["error"]["code"] == "pending_already_posted"
    assert posted[1]["error"]["zh"] and posted[1]["error"]["en"]
    assert ledger.balance(person(elder), elder)["available_minutes"] == 45
    assert ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 75


def test_a_reservation_left_alone_is_expired_by_the_sweep(ledger):
    elder, volunteer = new_id("elder"), new_id("vol")
    issuance = ledger.open_account("issuance", "130100000000")["account_id"]
    elder_acc, vol_acc = accounts_of(ledger, elder, volunteer)
    reservation = new_id("res")
    results = ledger.create_transfers([
        {"id": new_id("fund"), "kind": "service_credit", "debit_account_id": issuance,
         "credit_account_id": elder_acc, "amount_minutes": 60, "linked": True},
        {"id": reservation, "action": "pending", "kind": "gift_to_relative",
         "debit_account_id": elder_acc, "credit_account_id": vol_acc, "amount_minutes": 60,
         "timeout_seconds": 1}])
    assert [r["status"] for r in results] == ["posted", "pending"]
    assert ledger.balance(person(elder), elder)["reserved_minutes"] == 60
    CLOCK.advance(seconds=1)  # the timeout passes: the sweep (every 0.3 s here) closes it
    wait_for(lambda: ledger.balance(person(elder), elder)["reserved_minutes"] == 0, timeout=10)
    [late] = ledger.create_transfers([{"id": new_id("post"), "action": "post_pending",
                                       "pending_id": reservation}])
    assert late["error"]["code"] == "pending_expired"
    assert ledger.balance(person(elder), elder)["available_minutes"] == 60
    assert ledger.verify_balances()["pending_mismatches"] == []


def test_reverse_and_verify_journal_rpcs(ledger, publisher):
    volunteer = new_id("vol")
    event = publisher(service_recorded(volunteer, 90))
    wait_for(lambda: ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 90)
    credited = f"service_record:{event['payload']['record_id']}"
    first = ledger.reverse(credited, "服务记录有误 / wrong record", "auditor-1", 30)
    assert first["status"] == "posted" and first["id"] == f"reversal:{credited}"
    assert (first["transfer"]["kind"], first["transfer"]["reason"],
            first["transfer"]["approver"]) == ("reversal", "服务记录有误 / wrong record",
                                               "auditor-1")
    assert ledger.reverse(credited, "服务记录有误 / wrong record", "auditor-1", 30)["status"] \
        == "exists"
    with pytest.raises(RuleViolation) as err:
        ledger.reverse(credited, "again", "auditor-1", 61, reversal_id=new_id("rev"))
    assert err.value.code == "reversal_exceeds_remaining"
    assert ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 60
    items = ledger.statement(person(volunteer), volunteer, {})["items"]
    assert [(i["kind"], i["amount_minutes"], i["balance_after"]) for i in items] == [
        ("reversal", -30, 60), ("service_credit", 90, 90)]
    journal = ledger.verify_journal()
    assert journal["ok"] and journal["first_broken"] is None and journal["checked"] >= 3


def test_bad_batches_are_refused_whole_and_invariants_are_exported(ledger):
    with pytest.raises(BadInput):
        ledger.create_transfers([{"id": "x", "amount_minutes": "ten"}])
    with pytest.raises(BadInput):
        ledger.create_transfers([])
    wait_for(lambda: REGISTRY.get_sample_value("timebank_ledger_invariants_ok") == 1.0)
    assert REGISTRY.get_sample_value("timebank_ledger_entries_sum_seconds") == 0.0
    assert REGISTRY.get_sample_value("timebank_ledger_journal_intact") == 1.0
    checked_at = REGISTRY.get_sample_value(
        "timebank_ledger_invariants_last_check_timestamp_seconds")
    assert checked_at is not None and abs(checked_at - time.time()) < 120
