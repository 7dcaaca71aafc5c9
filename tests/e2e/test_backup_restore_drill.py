"""Issue 18, item 7: backup and restore, tried (``deploy/drill.py``, the runbook in
deploy/README.md "Backup and restore").

On a platform of its own: two volunteers go the first path (demand submitted, published,
claimed, served, recorded, released, credited 90 minutes). The second is credited while the
ledger runs with its outbox relay switched off (``OUTBOX_RELAY_ENABLED=false``): its
``hours_credited`` event is committed in the ledger's outbox and not sent when the drill
stops the processes and backs the databases up. The drill then drops every database,
recreates, restores and migrates them, starts the processes (the relay on again) and waits for
the outboxes and queues to empty, and verifies the ledger's journal and invariants and
reporting's read model against a rebuild.

Asserted: every step ok; the balances and statements read through the gateway (logged in
again) equal those before; the held-back event left the restored ledger's outbox and reached
reporting's archive; the journal's head is the one at backup time. The drill's table is
printed (``-s``) and its timings go into the runbook."""
from __future__ import annotations

import time

import pytest
from drill import Drill
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from first_path import run_path, wait_for, wait_for_balance
from platform_fixtures import Api, running_platform

pytestmark = pytest.mark.e2e


def rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def read_accounts(api: Api, people: list[dict]) -> dict[str, tuple[dict, dict]]:
    """Each volunteer's balance and statement through the gateway, freshly logged in."""
    found = {}
    for person in people:
        token = api.login(person["phone"], "Volunteer@2026")
        account = f"/api/v1/accounts/{person['person_id']}"
        found[person["person_id"]] = (
            api.call("GET", account, token=token, expect=200).json(),
            api.call("GET", account + "/statement", token=token, expect=200).json())
    return found


def test_a_backup_restored_into_new_databases_replays_its_outboxes_and_verifies(
        tmp_path, channels, demo_accounts):
    started = time.monotonic()
    with running_platform(tmp_path, channels) as platform:
        api = Api(platform.url("gateway"))
        first = run_path(api, demo_accounts)
        wait_for_balance(api, first, 90)

        # the ledger's relay off: the second credit's event stays in its outbox
        platform.restart("ledger", {"OUTBOX_RELAY_ENABLED": "false"})
        second = run_path(api, demo_accounts)
        wait_for_balance(api, second, 90)
        ledger_url = platform.db_url("ledger")
        held = wait_for(lambda: rows(ledger_url, "SELECT id::text, event_type FROM outbox "
                                                 "WHERE sent_at IS NULL"), bool)
        held_ids = {r.id for r in held}
        assert "hours_credited" in {r.event_type for r in held}, held

        people = [{"person_id": r["volunteer"]["person_id"],
                   "phone": r["volunteer_number"][1:]} for r in (first, second)]
        before = read_accounts(api, people)
        assert all(balance["earned_minutes"] == 90 for balance, _ in before.values()), before
        assert all(statement["total"] == 1 for _, statement in before.values()), before

        drill = Drill(platform.databases, tmp_path / "backup", platform=platform)
        report = drill.run()
        print("\n" + report.table())
        assert report.ok, report.table()
        assert [s.name for s in report.steps] == [
            "stop", "backup", "check_backup", "destroy", "recreate", "restore", "migrate", "start",
            "replay", "verify_ledger", "verify_reporting"]
        manifest = report.manifest
        assert manifest["quiesced"]
        assert {e["service"]: e["outbox_unsent"] for e in manifest["services"]}["ledger"] \
            == len(held_ids)
        assert all(e["sha256"] and e["size"] > 0 and e["alembic_revision"]
                   for e in manifest["services"]), manifest

        # the unsent event was sent from the restored outbox and reached its consumer
        sent = rows(ledger_url, "SELECT id::text FROM outbox WHERE sent_at IS NOT NULL "
                                "AND id::text = ANY(:ids)", ids=list(held_ids))
        assert {r.id for r in sent} == held_ids
        archived = wait_for(lambda: {r.event_id for r in rows(
            platform.db_url("reporting"), "SELECT event_id FROM event_archive "
                                          "WHERE event_id = ANY(:ids)", ids=list(held_ids))},
                            lambda found: found >= {r.id for r in held
                                                    if r.event_type == "hours_credited"})
        assert archived

        after = read_accounts(api, people)
        assert after == before
        assert drill.journal_head() == manifest["ledger_journal_head"]  # nothing new posted
    assert time.monotonic() - started < 300
