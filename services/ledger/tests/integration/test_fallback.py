"""An explicit fallback: when the source the elder chose cannot pay, the issuance account
pays, the credit keeps the ledger's reason and the station's agreement, ``hours_credited``
says so, and the statistics count it by reason — through the ledger's own handler and RPCs
on a rolled-back database."""
import datetime as dt
import uuid

from sqlalchemy import text

from timebank_common.clock import china_date
from timebank_common.db import make_event

BAODING = "130602001001"  # 竞秀区, 保定: this module's services
COUNTY = "130602000000"
ADMIN = {"person_id": "adm-b", "roles": ["city_admin"], "scope": "130600000000"}


def serve(ledger, minutes, source, elder, fallback_reason=None):
    record_id = str(uuid.uuid4())
    ledger.on_service_recorded([make_event("service_recorded", {
        "record_id": record_id, "demand_id": str(uuid.uuid4()),
        "volunteer_id": f"v-{uuid.uuid4().hex[:8]}", "volunteer_region_code": BAODING,
        "elder_id": elder, "minutes": minutes, "category": "daily_care",
        "funding_source": source, "fallback_reason": fallback_reason,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, BAODING)])
    return record_id


def test_a_fallback_is_explicit_recorded_and_counted(ledger, ledger_db, emitted, clock):
    today = china_date(clock.now()).isoformat()
    before = ledger.ledger_stats(ADMIN, COUNTY, today, today)
    elder = f"e-{uuid.uuid4().hex[:8]}"  # no hours of their own
    agreed = serve(ledger, 60, "own_hours", elder, fallback_reason="子女已同意，由政府兜底")
    silent = serve(ledger, 30, "grant", elder)
    plain = serve(ledger, 45, "issuance", elder)

    told = {p["record_id"]: p for p in emitted("hours_credited")}
    assert (told[agreed]["paid_from"], told[agreed]["fallback"]) == \
        ("issuance", "source_account_missing")
    assert told[silent]["fallback"] == "source_account_missing"
    assert told[plain]["fallback"] is None  # issuance was the choice: no fallback
    with ledger_db() as uow:
        reference = uow.execute(text("SELECT reference FROM transfers WHERE id = :i"),
                                {"i": f"service_record:{agreed}"}).scalar()
    assert reference["fallback"] == "source_account_missing"
    assert reference["fallback_reason"] == "子女已同意，由政府兜底"

    after = ledger.ledger_stats(ADMIN, COUNTY, today, today)
    assert after["fallback_count"] - before["fallback_count"] == 2
    assert after["fallback_minutes"] - before["fallback_minutes"] == 90
    [missing] = [f for f in after["fallbacks"] if f["reason"] == "source_account_missing"]
    assert missing["minutes"] >= 90
