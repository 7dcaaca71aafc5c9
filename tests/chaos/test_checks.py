"""Each end-state check of ``checks.py`` finds the fault it looks for, planted on real parts:
the services' migrated databases (rows written by the ledger's and reporting's own code where
the invariants matter), the local SMS and SMTP servers fed by notify's own channel adapters,
a real dead-letter queue — and finds nothing on the same state before the fault.
"""
from __future__ import annotations

import datetime as dt
import uuid

import checks
import pytest
from kombu import Connection, Producer
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine, text
from timebank_testing.fake_channels import sms_server, smtp_server
from timebank_testing.identity_fake import IdentityFake

from ledger.domain.journal import GENESIS_HASH
from ledger.service import LedgerService
from notify.adapters.channels.email import SmtpEmail, SmtpSettings
from notify.adapters.channels.sms import SmsSettings, TencentSms
from reporting.app.absorbing import absorb
from timebank_common.clock import FixedClock
from timebank_common.db import UnitOfWork, make_event
from timebank_common.events import DEAD_LETTER_REASON_HEADER, dead_letter_queue

NOW = dt.datetime.now(dt.UTC)
REGION, CITY = "130102001001", "130100000000"


@pytest.fixture(scope="module")
def engines(own_database_url):
    made = {s: create_engine(own_database_url(s)) for s in ("demand", "ledger", "reporting")}
    yield made
    for engine in made.values():
        engine.dispose()


@pytest.fixture(autouse=True)
def empty_tables(engines):
    """Each test starts from empty tables (the checks read everything committed)."""
    yield
    for service, tables in (("demand", "service_records, assignments, demands"),
                            ("ledger", "accounts, transfers, service_minutes_by_year"),
                            ("reporting", "event_archive")):
        with engines[service].begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    with engines["ledger"].begin() as conn:  # the hash chain starts again
        conn.execute(text("UPDATE journal_head SET seq = 0, hash = :genesis"),
                      {"genesis": GENESIS_HASH})


@pytest.fixture
def ledger(engines):
    """The ledger's own code on the module's ledger database (committing)."""
    clock = FixedClock(NOW)
    return worker_factory(LedgerService, db=lambda: UnitOfWork(engines["ledger"]), clock=clock,
                          identity=IdentityFake(clock=clock), config={})


def demand_with_record(demand, status="sent", window_end=NOW + dt.timedelta(hours=2),
                       assignment_status="recorded", demand_status="recorded") -> dict:
    """A demand, its assignment and (unless ``status`` is None) its service record, as
    demand's tables hold them."""
    ids = {"demand_id": str(uuid.uuid4()), "assignment_id": str(uuid.uuid4()),
           "record_id": str(uuid.uuid4()), "volunteer_id": str(uuid.uuid4()),
           "elder_id": str(uuid.uuid4())}
    with demand.begin() as conn:
        conn.execute(text(
            "INSERT INTO service_categories (code, name_zh, name_en, professional, "
            "qualifications, default_minutes, group_allowed) VALUES ('chat', '陪聊', 'Chat', "
            "false, '[]', 60, false) ON CONFLICT DO NOTHING"))
        conn.execute(text(
            "INSERT INTO demands (id, elder_id, category, description, address, window_start, "
            "window_end, expected_minutes, volunteers_needed, channel, status, region_code) "
            "VALUES (:demand_id, :elder_id, 'chat', '陪聊', '育才街', :start, :end, 60, 1, "
            "'phone', :demand_status, :region)"),
            {**ids, "start": window_end - dt.timedelta(hours=3), "end": window_end,
             "demand_status": demand_status, "region": REGION})
        conn.execute(text(
            "INSERT INTO assignments (id, demand_id, volunteer_id, status, assigned_at) "
            "VALUES (:assignment_id, :demand_id, :volunteer_id, :status, now())"),
            {**ids, "status": assignment_status})
        if status is not None:
            conn.execute(text(
                "INSERT INTO service_records (record_id, assignment_id, demand_id, volunteer_id,"
                " elder_id, category, minutes, funding_source, region_code, recorded_by, "
                "recorded_at, status) VALUES (:record_id, :assignment_id, :demand_id, "
                ":volunteer_id, :elder_id, 'chat', 60, 'issuance', :region, 'op', now(), "
                ":status)"), {**ids, "region": REGION, "status": status})
    return ids


def credit(ledger, ids: dict, transfer_id: str | None = None, minutes: int = 60) -> None:
    issuance = ledger.open_account("issuance", CITY)
    personal = ledger.open_account("personal", REGION, ids["volunteer_id"])
    [result] = ledger.create_transfers([{
        "id": transfer_id or f"service_record:{ids['record_id']}", "kind": "service_credit",
        "debit_account_id": issuance["account_id"], "credit_account_id": personal["account_id"],
        "amount_minutes": minutes, "reference": {"record_id": ids["record_id"]}}])
    assert result["status"] == "posted", result


# --- credited exactly once ------------------------------------------------------------------
def test_a_doubled_credit_is_found(engines, ledger):
    ids = demand_with_record(engines["demand"])
    credit(ledger, ids)
    assert checks.credited_exactly_once(engines["demand"], engines["ledger"]) == []

    credit(ledger, ids, transfer_id=f"again:{ids['record_id']}")  # a second credit, other id
    [finding] = checks.credited_exactly_once(engines["demand"], engines["ledger"])
    assert ids["record_id"] in finding and "credited 2 times" in finding


def test_a_lost_credit_and_a_credit_of_a_held_record_are_found(engines, ledger):
    lost = demand_with_record(engines["demand"])
    held = demand_with_record(engines["demand"], status="held")
    credit(ledger, held)
    stranger = {"record_id": str(uuid.uuid4()), "volunteer_id": str(uuid.uuid4())}
    credit(ledger, stranger)
    findings = checks.credited_exactly_once(engines["demand"], engines["ledger"])
    assert len(findings) == 3, findings
    assert any(lost["record_id"] in f and "credited 0 times" in f for f in findings)
    assert any(held["record_id"] in f and "is held, yet credited" in f for f in findings)
    assert any(stranger["record_id"] in f and "does not know" in f for f in findings)


# --- the ledger's invariants and journal -----------------------------------------------------
def test_a_ledger_whose_totals_or_history_were_edited_is_found(engines, ledger):
    ids = demand_with_record(engines["demand"])
    credit(ledger, ids)
    assert checks.ledger_verifies(engines["ledger"]) == []

    with engines["ledger"].begin() as conn:  # history edited behind the ledger's back
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # past its guard
        conn.execute(text("UPDATE transfers SET amount_minutes = 600 WHERE id = :id"),
                     {"id": f"service_record:{ids['record_id']}"})
    findings = checks.ledger_verifies(engines["ledger"])
    assert any("unbalanced_transfers" in f for f in findings), findings
    assert any("journal broken" in f for f in findings), findings


# --- no reservation open past its demand -----------------------------------------------------
def reserve(ledger, ids: dict) -> str:
    elder = ledger.open_account("personal", REGION, ids["elder_id"])
    issuance = ledger.open_account("issuance", CITY)
    ledger.create_transfers([{
        "id": f"fund:{ids['elder_id']}", "kind": "service_credit", "amount_minutes": 120,
        "debit_account_id": issuance["account_id"], "credit_account_id": elder["account_id"]}])
    reservation = f"reservation:{ids['assignment_id']}"
    [result] = ledger.create_transfers([{
        "id": reservation, "action": "pending", "kind": "service_credit", "amount_minutes": 60,
        "debit_account_id": elder["account_id"], "credit_account_id": issuance["account_id"],
        "timeout_seconds": 86400}])
    assert result["status"] == "pending", result
    return reservation


def test_a_reservation_left_open_after_its_demand_ended_is_found(engines, ledger):
    under_way = demand_with_record(engines["demand"], status=None, assignment_status="assigned",
                                   demand_status="assigned")
    reserve(ledger, under_way)
    assert checks.no_reservation_past_its_demand(engines["demand"], engines["ledger"]) == []

    cancelled = demand_with_record(engines["demand"], status=None,
                                   assignment_status="withdrawn", demand_status="cancelled")
    left_open = reserve(ledger, cancelled)
    past = demand_with_record(engines["demand"], status=None, assignment_status="assigned",
                              demand_status="assigned", window_end=NOW - dt.timedelta(hours=1))
    overdue = reserve(ledger, past)
    findings = checks.no_reservation_past_its_demand(engines["demand"], engines["ledger"])
    assert len(findings) == 2, findings
    assert any(left_open in f and "demand " + cancelled["demand_id"] + " cancelled" in f
               for f in findings)
    assert any(overdue in f for f in findings)


# --- no notification sent twice --------------------------------------------------------------
def test_an_sms_or_mail_sent_twice_is_found():
    with sms_server() as provider, smtp_server() as mailbox:
        sms = TencentSms(SmsSettings.from_config(provider.settings()))
        mail = SmtpEmail(SmtpSettings.from_config({**mailbox.settings(),
                                                   "sender": "noreply@timebank.test"}))
        message = {"title_zh": "服务已记录", "title_en": "Service recorded",
                   "body_zh": "90 分钟", "body_en": "90 minutes"}
        once, twice = str(uuid.uuid4()), str(uuid.uuid4())
        for reference in (once, twice, twice):  # notify's adapters, as a redelivery would
            sms.send("13900000001", message["title_zh"], message["body_zh"], reference)
            mail.send("volunteer@example.test", message, reference)
        findings = checks.no_notification_sent_twice(list(provider.accepted),
                                                     list(mailbox.mails))
        assert findings == [f"SMS delivery {twice} sent 2 times",
                            f"e-mail delivery {twice} sent 2 times"]
        assert checks.no_notification_sent_twice(provider.accepted[:2], mailbox.mails[:2]) == []


# --- nothing unexplained in a dead-letter queue ----------------------------------------------
def test_an_unexplained_dead_letter_is_found(amqp_uri):
    service = f"chaoscheck{uuid.uuid4().hex[:6]}"
    assert checks.dead_letters_explained(amqp_uri, [service]) == []
    envelope = make_event("service_recorded", {"record_id": "r1"}, REGION)
    with Connection(amqp_uri) as conn:
        queue = dead_letter_queue(service)(conn.channel())
        queue.declare()
        Producer(conn.channel()).publish(
            envelope, exchange="", routing_key=queue.name, serializer="json",
            headers={DEAD_LETTER_REASON_HEADER: "BadInput: region_code_invalid"})
    try:
        [finding] = checks.dead_letters_explained(amqp_uri, [service])
        assert envelope["event_id"] in finding and "region_code_invalid" in finding
        explained = [checks.Explained("service_recorded", "region_code_invalid", "planted")]
        assert checks.dead_letters_explained(amqp_uri, [service], explained) == []
        assert checks.dead_letters_explained(amqp_uri, [service]) != []  # listing keeps it
    finally:
        with Connection(amqp_uri) as conn:
            queue(conn.channel()).delete()


# --- reporting equal to a rebuild ------------------------------------------------------------
def test_a_read_model_that_drifted_from_its_archive_is_found(engines):
    reporting = engines["reporting"]
    events = [make_event("demand_submitted", {
        "demand_id": str(uuid.uuid4()), "elder_id": "e1", "category": "companionship",
        "region_code": REGION, "channel": "phone"}, REGION) for _ in range(3)]
    with UnitOfWork(reporting) as uow:
        absorb(uow, events, NOW)
        uow.commit()
    try:
        assert checks.reporting_equals_rebuild(reporting) == []

        with reporting.begin() as conn:  # a figure counted twice
            conn.execute(text("UPDATE facts SET value = value + 1 WHERE ctid = "
                              "(SELECT ctid FROM facts WHERE value > 0 LIMIT 1)"))
        [finding] = checks.reporting_equals_rebuild(reporting)
        assert finding.startswith("reporting facts differs from a rebuild")
        assert checks.reporting_equals_rebuild(reporting) == [finding]  # the check changed nothing
    finally:
        with reporting.begin() as conn:
            conn.execute(text("TRUNCATE facts, service_days, service_records, demand_progress"))


def test_a_process_that_ended_by_itself_is_found():
    assert checks.every_process_running({"ledger": None, "ledger-2": None}) == []
    assert checks.every_process_running({"ledger": None, "reporting": 1}) == [
        "process reporting exited by itself with 1; see its log"]
