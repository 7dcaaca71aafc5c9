"""What moves hours, through the ledger's own handlers and RPCs on a rolled-back database (no
broker: demand's and identity's events are handed to the handlers as the broker would, each
with its inbox record): the regional policy applied to service credits (rounding, yearly cap,
excess to the pool or refused), funding sources and the fallback to issuance, grants for
priority elders once per period, donations, dispute outcomes, and the policy RPCs.
The broker path itself is tested in test_service.py (credits), test_giving.py (grants) and
demand's test_integration_ledger_disputes.py (disputes)."""
import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import text

from timebank_common import idempotency
from timebank_common.clock import china_date
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden, NotFound, RuleViolation

XINGTAI = "130503001001"  # province default only
CAP_TO_POOL = "130821100001"  # 承德县 (承德): a county row, cap 120 min, excess to the pool
CAP_REFUSE = "130822100001"  # 兴隆县 (承德): cap 120 min refused, rounding nearest 30
CHENGDE = "130800000000"
DINGZHOU = "130682100001"  # 定州: a city-level unit of its own (its own pool and issuance)
COUNTY_ROWS = [("130821000000", {"yearly_cap_minutes": 120, "cap_excess": "route_to_pool"}),
               ("130822000000", {"yearly_cap_minutes": 120, "cap_excess": "refuse",
                                 "rounding_unit_minutes": 30, "rounding_mode": "nearest"})]
CHANG_AN_ADMIN = {"person_id": "adm-3", "roles": ["county_admin"], "scope": "130102000000"}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


@pytest.fixture(autouse=True)
def county_policies(ledger_db):
    """County policies in effect since 2020 (as an admin row would be), in this test's
    transaction only."""
    with ledger_db() as uow:
        for region, values in COUNTY_ROWS:
            uow.execute(text("INSERT INTO policies (region_code, effective_from, policy_values, "
                             "reason, created_by) VALUES (:r, '2020-01-01', :v, 'test', 'test')"),
                        {"r": region, "v": json.dumps(values)})
        uow.commit()


@pytest.fixture
def record(ledger):
    """``record(volunteer, minutes, region, source, elder)``: demand recorded a service; the
    ledger's batch handler takes it. Returns the record id."""
    def recorded(volunteer, minutes, region, source=None, elder=None):
        record_id = str(uuid.uuid4())
        ledger.on_service_recorded([make_event("service_recorded", {
            "record_id": record_id, "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer,
            "volunteer_region_code": region, "elder_id": elder, "minutes": minutes,
            "category": "daily_care", "funding_source": source,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, region)])
        return record_id

    return recorded


@pytest.fixture
def credited(emitted):
    """``credited(record_id)``: the ``hours_credited`` payload told for the record."""
    def told(record_id):
        [payload] = [p for p in emitted("hours_credited") if p["record_id"] == record_id]
        return payload

    return told


@pytest.fixture
def transfer(ledger_db):
    def stored(transfer_id):
        with ledger_db() as uow:
            return uow.execute(text("SELECT * FROM transfers WHERE id = :i"),
                               {"i": transfer_id}).first()

    return stored


def earned(ledger, who):
    return ledger.balance(person(who), who)["earned_minutes"]


def pool_balance(ledger, unit):
    return ledger.open_account("donation_pool", unit)["balance_minutes"]


def fund(ledger, kind, region, owner, minutes):
    """Give an account minutes from its city's issuance (as a service credit or a grant)."""
    issuance = ledger.open_account("issuance", region[:4] + "00000000" if region[:6] != "130682"
                                   else "130682000000")
    target = ledger.open_account(kind, region, owner)
    [result] = ledger.create_transfers([{
        "id": new_id("fund"), "kind": "grant" if kind == "grant" else "service_credit",
        "debit_account_id": issuance["account_id"], "credit_account_id": target["account_id"],
        "amount_minutes": minutes}])
    assert result["status"] == "posted"


def test_recorded_minutes_are_rounded_down_to_quarter_hours_by_default(ledger, record, credited):
    volunteer = new_id("vol")
    told = credited(record(volunteer, 50, XINGTAI))
    assert (told["recorded_minutes"], told["rounded_minutes"], told["minutes"]) == (50, 45, 45)
    assert earned(ledger, volunteer) == 45


def test_minutes_beyond_the_yearly_cap_go_to_the_donation_pool(ledger, record, credited,
                                                               transfer, consistent):
    volunteer, pool_before = new_id("vol"), pool_balance(ledger, CHENGDE)
    first = record(volunteer, 90, CAP_TO_POOL)
    assert credited(first)["minutes"] == 90
    second = record(volunteer, 90, CAP_TO_POOL)
    told = credited(second)
    assert (told["minutes"], told["excess_minutes"], told["excess_to"]) == (30, 60, "pool")
    assert earned(ledger, volunteer) == 120
    assert pool_balance(ledger, CHENGDE) == pool_before + 60
    excess = transfer(f"service_record_excess:{second}")
    assert (excess.kind, excess.amount_minutes, excess.reference["reason"]) == (
        "donation", 60, "yearly_cap_excess")
    third = record(volunteer, 45, CAP_TO_POOL)  # at the cap: all of it to the pool
    assert transfer(f"service_record_excess:{third}") is not None
    assert transfer(f"service_record:{third}") is None  # nothing for the volunteer
    with pytest.raises(ValueError):
        credited(third)  # and nothing told
    assert earned(ledger, volunteer) == 120
    assert pool_balance(ledger, CHENGDE) == pool_before + 105
    consistent()


def test_a_region_may_refuse_the_excess_instead(ledger, record, credited):
    volunteer = new_id("vol")
    told = credited(record(volunteer, 100, CAP_REFUSE))  # nearest 30: 90
    assert (told["rounded_minutes"], told["minutes"]) == (90, 90)
    told = credited(record(volunteer, 50, CAP_REFUSE))  # 60, 30 fit under 120
    assert (told["rounded_minutes"], told["minutes"], told["excess_minutes"],
            told["excess_to"]) == (60, 30, 30, "refused")
    assert earned(ledger, volunteer) == 120


def test_each_funding_source_pays_and_issuance_steps_in_when_it_cannot(ledger, record, credited,
                                                                       transfer, consistent):
    elder, donor = new_id("elder"), new_id("donor")
    fund(ledger, "personal", DINGZHOU, elder, 60)
    fund(ledger, "grant", DINGZHOU, elder, 60)
    fund(ledger, "personal", DINGZHOU, donor, 60)
    ledger.give(person(donor), {"kind": "donation", "minutes": 30}, "pool-1")
    pool_before = pool_balance(ledger, "130682000000")
    paid = {}
    # donation_pool: demand's name of the pool (ledger/domain/funding.py)
    for source, minutes in [("own_hours", 45), ("grant", 60), ("donation_pool", 30),
                            ("own_hours", 45), ("grant", 15), ("issuance", 15), (None, 15)]:
        rid = record(new_id("vol"), minutes, DINGZHOU, source, elder)
        told = credited(rid)
        paid[(source, minutes, told["paid_from"])] = transfer(f"service_record:{rid}")
    assert [k[2] for k in paid] == ["own_hours", "grant", "pool", "issuance", "issuance",
                                    "issuance", "issuance"]
    fallback = paid[("own_hours", 45, "issuance")].reference
    assert (fallback["funding_source"], fallback["paid_from"], fallback["fallback"]) == (
        "own_hours", "issuance", "source_insufficient")
    assert paid[("grant", 15, "issuance")].reference["fallback"] == "source_insufficient"
    balance = ledger.balance(person(elder), elder)
    assert (balance["earned_minutes"], balance["grant_minutes"]) == (15, 0)
    assert pool_balance(ledger, "130682000000") == pool_before - 30
    unknown_elder = record(new_id("vol"), 30, DINGZHOU, "own_hours", new_id("nobody"))
    assert credited(unknown_elder)["paid_from"] == "issuance"
    assert transfer(f"service_record:{unknown_elder}").reference["fallback"] == \
        "source_account_missing"
    consistent()


def test_a_priority_elder_is_granted_once_per_period(ledger, ledger_db, transfer, clock,
                                                     emitted):
    elder = new_id("elder")
    granted = make_event("elder_priority_granted", {
        "person_id": elder, "category": "empty_nest", "region_code": DINGZHOU,
        "verified_by": "adm-1"}, DINGZHOU)
    ledger.on_elder_priority_granted(granted)
    assert ledger.balance(person(elder), elder)["grant_minutes"] == 60
    ledger.on_elder_priority_granted(granted)  # redelivered: the inbox skips it
    ledger.on_elder_priority_granted({**granted, "event_id": str(uuid.uuid4())})  # verified again
    ledger.grant_top_up()  # (other tests' entitlements may be granted: they share the table)
    assert ledger.balance(person(elder), elder)["grant_minutes"] == 60  # granted already
    month = china_date(clock.now()).strftime("%Y-%m")
    stored = transfer(f"grant:{elder}:empty_nest:{month}")
    assert (stored.kind, stored.amount_minutes, stored.memo) == ("grant", 60, "empty_nest")
    with ledger_db() as uow:
        assert uow.execute(text(
            "SELECT count(*) FROM inbox WHERE consumer = 'ledger.grant_priority' "
            "AND event_id = ANY(:ids)"), {"ids": [granted["event_id"]]}).scalar() == 1
        row = uow.execute(text("SELECT category, region_code FROM grant_entitlements "
                               "WHERE person_id = :p"), {"p": elder}).one()
    assert ledger.balance(person(elder), elder)["grant_minutes"] == 60
    assert tuple(row) == ("empty_nest", DINGZHOU)
    clock.advance(days=31)  # next month: the top-up grants the new period
    assert ledger.grant_top_up()["granted"] >= 1
    assert ledger.balance(person(elder), elder)["grant_minutes"] == 120
    told = [p for p in emitted("hours_granted") if p["person_id"] == elder]
    next_month = china_date(clock.now()).strftime("%Y-%m")
    assert [(p["transfer_id"], p["minutes"], p["category"], p["period"]) for p in told] == [
        (f"grant:{elder}:empty_nest:{month}", 60, "empty_nest", month),
        (f"grant:{elder}:empty_nest:{next_month}", 60, "empty_nest", next_month)]


def test_a_donation_moves_earned_hours_to_the_pool_once_per_key(ledger, emitted):
    donor, pool_before = new_id("donor"), pool_balance(ledger, CHENGDE)
    fund(ledger, "personal", CAP_TO_POOL, donor, 90)
    # with a key the answer comes in the kit's envelope; the retry answers the first answer
    first, replayed = idempotency.unwrap(
        ledger.give(person(donor), {"kind": "donation", "minutes": 60, "note": "敬老"}, "k-1"))
    again, replayed_again = idempotency.unwrap(
        ledger.give(person(donor), {"kind": "donation", "minutes": 60, "note": "敬老"}, "k-1"))
    assert (first["status"], replayed, replayed_again) == ("posted", False, True)
    assert again == first
    assert again["transfer"]["id"] == first["transfer"]["id"] == f"donation:{donor}:k-1"
    assert [p for p in emitted("hours_given") if p["from_person_id"] == donor] == [{
        "transfer_id": f"donation:{donor}:k-1", "kind": "donation", "from_person_id": donor,
        "to_person_id": None, "pool_region_code": CHENGDE, "minutes": 60,
        "given_by": donor}]  # once: the repeat announces nothing
    assert earned(ledger, donor) == 30
    assert pool_balance(ledger, CHENGDE) == pool_before + 60
    with pytest.raises(RuleViolation) as refused:
        ledger.give(person(donor), {"kind": "donation", "minutes": 60}, "k-2")
    assert refused.value.code == "insufficient_balance"
    elder = new_id("elder")
    fund(ledger, "grant", CAP_TO_POOL, elder, 120)
    with pytest.raises(RuleViolation) as refused:
        ledger.give(person(elder), {"kind": "donation", "minutes": 60}, "k-1")
    assert refused.value.code == "grant_hours_not_giftable"


def test_dispute_outcomes_reverse_the_credit_once_per_dispute(ledger, record, credited,
                                                              transfer, consistent, emitted):
    volunteer = new_id("vol")
    rid = record(volunteer, 90, XINGTAI)
    credited(rid)
    adjust = dict(record_id=rid, approver="adm-3", reason="实际服务 60 分钟")
    result = ledger.apply_dispute_outcome("d-1" + rid, outcome="minutes_adjusted", minutes=60,
                                          **adjust)
    assert (result["reversed_minutes"], result["repeated"]) == (30, False)
    again = ledger.apply_dispute_outcome("d-1" + rid, outcome="minutes_adjusted", minutes=60,
                                         **adjust)
    assert (again["reversed_minutes"], again["repeated"]) == (30, True)
    assert earned(ledger, volunteer) == 60
    kept = ledger.apply_dispute_outcome("d-2" + rid, outcome="upheld", **adjust)
    assert kept["reversed_minutes"] == 0 and earned(ledger, volunteer) == 60
    voided = ledger.apply_dispute_outcome("d-3" + rid, outcome="voided", **adjust)
    assert voided["reversed_minutes"] == 60 and earned(ledger, volunteer) == 0
    stored = transfer(f"dispute:d-3{rid}")
    assert (stored.kind, stored.reverses_id, stored.approver) == (
        "reversal", f"service_record:{rid}", "adm-3")
    told = [p for p in emitted("credit_corrected") if p["record_id"] == rid]
    assert [(p["transfer_id"], p["minutes"], p["credited_minutes"], p["outcome"], p["person_id"])
            for p in told] == [  # once per correcting transfer (the repeat tells nothing)
        (f"dispute:d-1{rid}", -30, 60, "minutes_adjusted", volunteer),
        (f"dispute:d-3{rid}", -60, 0, "voided", volunteer)]
    with pytest.raises(NotFound):
        ledger.apply_dispute_outcome("d-4", record_id="nothing", outcome="voided",
                                     approver="adm-3", reason="x")
    consistent()


def dispute_resolved(record_id, outcome, minutes=None, credited=True, subject="record"):
    return make_event("dispute_resolved", {
        "dispute_id": str(uuid.uuid4()), "subject": subject, "record_id": record_id,
        "demand_id": str(uuid.uuid4()), "outcome": outcome, "minutes": minutes,
        "approver": "adm-3", "reason": "乡镇裁决", "region_code": XINGTAI,
        "credited": credited}, XINGTAI)


def test_dispute_resolved_events_reverse_once_however_often_delivered(ledger, record, credited,
                                                                      transfer, consistent,
                                                                      emitted):
    volunteer = new_id("vol")
    rid = record(volunteer, 90, XINGTAI)
    credited(rid)
    event = dispute_resolved(rid, "minutes_adjusted", 60)
    ledger.on_dispute_resolved(event)
    assert earned(ledger, volunteer) == 60
    ledger.on_dispute_resolved(event)  # redelivered: the inbox skips it
    again = dict(event, event_id=str(uuid.uuid4()))  # a new event, same dispute: same reversal
    ledger.on_dispute_resolved(again)
    not_credited = dispute_resolved(rid, "voided", credited=False)  # record never sent: nothing
    about_evaluation = dispute_resolved(rid, "voided", subject="evaluation")
    ledger.on_dispute_resolved(not_credited)
    ledger.on_dispute_resolved(about_evaluation)
    rounded = new_id("vol")  # 50 recorded, 45 credited: a correction to 48 reverses nothing
    rounded_rid = record(rounded, 50, XINGTAI)
    credited(rounded_rid)
    above_credit = dispute_resolved(rounded_rid, "minutes_adjusted", 48)
    ledger.on_dispute_resolved(above_credit)
    assert earned(ledger, volunteer) == 60
    stored = transfer(f"dispute:{event['payload']['dispute_id']}")
    assert (stored.kind, stored.amount_minutes, stored.approver) == ("reversal", 30, "adm-3")
    assert transfer(f"dispute:{not_credited['payload']['dispute_id']}") is None
    assert transfer(f"dispute:{above_credit['payload']['dispute_id']}") is None
    assert earned(ledger, rounded) == 45
    told = [p for p in emitted("credit_corrected") if p["record_id"] in (rid, rounded_rid)]
    assert [(p["minutes"], p["credited_minutes"], p["dispute_id"]) for p in told] == [
        (-30, 60, event["payload"]["dispute_id"])]
    consistent()


def test_policies_are_read_and_admins_add_future_rows(ledger, clock):
    policy = ledger.policy("130102001001")
    assert policy["values"]["yearly_cap_minutes"] == 20000
    assert policy["values"]["grant_minutes"]["economic_hardship"] == {"minutes": 120,
                                                                      "period": "quarter"}
    assert policy["sources"]["rounding_mode"]["region_code"] == "130000000000"
    assert policy["rows"][0]["created_by"] == "migration-0004"
    later = (china_date(clock.now()) + dt.timedelta(days=40)).isoformat()
    added = ledger.add_policy(CHANG_AN_ADMIN, {
        "region_code": "130102000000", "effective_from": later,
        "values": {"yearly_cap_minutes": 15000}, "reason": "区级调整"})
    assert added["values"]["yearly_cap_minutes"] == 15000
    assert added["sources"]["yearly_cap_minutes"]["region_code"] == "130102000000"
    assert added["rows"][-1]["created_by"] == "adm-3"
    assert ledger.policy("130102001001")["values"]["yearly_cap_minutes"] == 20000  # not yet
    assert ledger.policy("130102001001", later)["values"]["yearly_cap_minutes"] == 15000
    with pytest.raises(Forbidden):  # another county
        ledger.add_policy(CHANG_AN_ADMIN, {"region_code": "130104000000",
                                           "effective_from": later,
                                           "values": {"yearly_cap_minutes": 1}, "reason": "x"})
    with pytest.raises(Forbidden):
        ledger.add_policy(person("vol"), {"region_code": "130102000000", "effective_from": later,
                                          "values": {"yearly_cap_minutes": 1}, "reason": "x"})
    with pytest.raises(BadInput) as refused:
        ledger.add_policy(CHANG_AN_ADMIN, {
            "region_code": "130102000000", "effective_from": "2020-01-01",
            "values": {"yearly_cap_minutes": 1}, "reason": "x"})
    assert refused.value.code == "policy_not_future"
    clock.advance(days=41)  # the row's date has come: it is in effect
    assert ledger.policy("130102001001")["values"]["yearly_cap_minutes"] == 15000
