"""The 通存通兑 report reconciles with the journal: random services (paid by issuance, by the
elder's own hours, grant or the pool; in 唐山 a yearly cap of 60 minutes sends the excess to
the pool), grants, gifts, donations, pool allocations, moves and reversals (full or partial, of
any transfer) in three city-level units, through the ledger's own handlers and RPCs on a
rolled-back database. Each example runs on a day of its own (the clock), and the report of that
day must:

* reconcile per unit (opening held + issued + inflow − outflow = held) and across the province
  (inflows = outflows, held = opening + issued);
* state the issue's identity across the province: opening held + earned + granted − spent =
  held (over all time: earned + granted = held + spent), with earned, granted and spent equal
  to a recomputation from the transfers of the day;
* have pairs that add up to each unit's inflow and outflow;
* equal a recomputation straight from the entries and moves of the day (issued = minus the
  issuance entries; held − opening = the holding accounts' entries and moves, by the unit of
  the region each account was in then), and the all-time report's holdings equal the
  accounts' balances now, by the unit of their region now."""
import datetime as dt
import itertools
import json
import uuid
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from timebank_common.db import make_event
from timebank_common.errors import DomainError, Forbidden
from timebank_common.regions import city_unit_of

REGIONS = ["130102001001", "130202001001", "130682100001"]  # 石家庄, 唐山, 定州
PROVINCE = {"person_id": "adm-p", "roles": ["province_admin"], "scope": "130000000000"}
TANGSHAN_ADMIN = {"person_id": "adm-t", "roles": ["city_admin"], "scope": "130200000000"}
PEOPLE = 4
CAPPED = ("130202000000", {"yearly_cap_minutes": 60, "cap_excess": "route_to_pool"})
DAYS = itertools.count()


def me(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


people = st.integers(0, PEOPLE - 1)
regions = st.integers(0, len(REGIONS) - 1)
minutes = st.sampled_from([15, 30, 45, 60, 90, 120])
operations = st.lists(st.one_of(
    st.tuples(st.just("service"), people, minutes, regions,
              st.sampled_from(["issuance", "own_hours", "grant", "donation_pool"]), people),
    st.tuples(st.just("grant"), people),
    st.tuples(st.just("gift"), people, people, minutes),
    st.tuples(st.just("donation"), people, minutes),
    st.tuples(st.just("move"), people, regions),
    st.tuples(st.just("allocation"), regions, minutes),
    st.tuples(st.just("reversal"), st.integers(0, 50), st.booleans()),
), min_size=1, max_size=14)


@pytest.fixture
def capped_region(ledger_db):
    """唐山's 路南区 caps a volunteer's year at 60 minutes, the excess to the pool (this test's
    transaction only)."""
    with ledger_db() as uow:
        uow.execute(text("INSERT INTO policies (region_code, effective_from, policy_values, "
                         "reason, created_by) VALUES (:r, '2020-01-01', :v, 'test', 'test')"),
                    {"r": CAPPED[0], "v": json.dumps(CAPPED[1])})
        uow.commit()


class World:
    def __init__(self, ledger, identity, clock, ledger_db=None):
        self.ledger, self.identity, self.clock = ledger, identity, clock
        self.ledger_db, self.began = ledger_db, clock.now()
        self.where = [REGIONS[i % len(REGIONS)] for i in range(PEOPLE)]
        self.ids = [identity.add_volunteer(f"p-{uuid.uuid4().hex[:12]}", region_code=r)
                    for r in self.where]
        for a, b in itertools.combinations(self.ids, 2):
            identity.add_relatives(a, b)
        for region in REGIONS:  # an elder of 85 in each unit: pool allocations reach them
            identity.add_elder(region_code=region, age=85)

    def run(self, op):
        kind = op[0]
        try:
            getattr(self, kind)(*op[1:])
        except DomainError:  # refused (not enough hours...): nothing moved
            pass

    def service(self, volunteer, minutes, region, source, elder):
        record_id = str(uuid.uuid4())
        if elder == volunteer:  # an elder is not their own volunteer
            elder = (elder + 1) % PEOPLE
        demand_region = REGIONS[region]
        self.ledger.on_service_recorded([make_event("service_recorded", {
            "record_id": record_id, "demand_id": str(uuid.uuid4()),
            "volunteer_id": self.ids[volunteer], "volunteer_region_code": self.where[volunteer],
            "elder_id": self.ids[elder], "minutes": minutes, "category": "daily_care",
            "funding_source": source, "recorded_at": self.clock.now().isoformat()},
            demand_region)])

    def grant(self, elder):
        region = self.where[elder]
        self.ledger.on_elder_priority_granted(make_event("elder_priority_granted", {
            "person_id": self.ids[elder], "category": "advanced_age", "region_code": region,
            "verified_by": None}, region))

    def gift(self, giver, receiver, minutes):
        self.ledger.give(me(self.ids[giver]), {"kind": "gift_to_relative", "minutes": minutes,
                                               "to_person_id": self.ids[receiver]},
                         uuid.uuid4().hex)

    def donation(self, giver, minutes):
        self.ledger.give(me(self.ids[giver]), {"kind": "donation", "minutes": minutes},
                         uuid.uuid4().hex)

    def move(self, who, region):
        to_region = REGIONS[region]
        if to_region == self.where[who]:
            return
        self.ledger.on_person_moved(make_event("person_moved", {
            "person_id": self.ids[who], "from_region_code": self.where[who],
            "to_region_code": to_region, "profiles": ["volunteer"], "carrier_id": None,
            "moved_by": "op", "moved_at": self.clock.now().isoformat()}, to_region))
        self.identity.move(self.ids[who], to_region)
        self.where[who] = to_region

    def allocation(self, region, minutes_each):
        self.ledger.allocate_pool(PROVINCE, {"region_code": REGIONS[region],
                                             "minutes_each": minutes_each,
                                             "allocation_id": uuid.uuid4().hex})

    def reversal(self, index, partial):
        """A full or partial (15 minutes) reversal of any transfer of this example."""
        with self.ledger_db() as uow:
            ids = uow.execute(text(
                "SELECT id FROM transfers WHERE kind <> 'reversal' AND phase IN "
                "('posted', 'post_pending') AND created_at >= :t ORDER BY created_at, id"),
                {"t": self.began}).scalars().all()
        if ids:
            self.ledger.reverse(ids[index % len(ids)], "核实有误", "adm-p",
                                amount_minutes=15 if partial else None,
                                reversal_id=uuid.uuid4().hex)


def recomputed(ledger_db, start, end):
    """Straight from the entries and moves of ``[start, end)``: issued and the change of
    holdings per unit (each entry in the unit its account was in when it was written)."""
    issued, change = defaultdict(int), defaultdict(int)
    with ledger_db() as uow:
        for row in uow.execute(text("""
                SELECT a.kind, CASE WHEN e.amount_minutes < 0 THEN t.debit_region_code
                                    ELSE t.credit_region_code END AS region, e.amount_minutes
                FROM entries e JOIN transfers t ON t.id = e.transfer_id
                JOIN accounts a ON a.id = e.account_id
                WHERE t.created_at >= :s AND t.created_at < :e"""), {"s": start, "e": end}):
            if row.kind == "issuance":
                issued[city_unit_of(row.region)] -= row.amount_minutes
            else:
                change[city_unit_of(row.region)] += row.amount_minutes
        for row in uow.execute(text("""
                SELECT from_region_code, to_region_code, balance_minutes FROM account_moves
                WHERE moved_at >= :s AND moved_at < :e"""), {"s": start, "e": end}):
            change[city_unit_of(row.from_region_code)] -= row.balance_minutes
            change[city_unit_of(row.to_region_code)] += row.balance_minutes
    return issued, change


def received(ledger_db, start, end):
    """Across the province, straight from the transfers of ``[start, end)`` (a reversal as the
    transfer it reverses, negative): minutes earned for services (the credit, and the yearly
    cap's excess sent to the pool), granted, and spent out of holding accounts."""
    with ledger_db() as uow:
        row = uow.execute(text("""
            WITH booked AS (
                SELECT COALESCE(o.kind, t.kind) AS kind,
                       COALESCE(o.reference, t.reference) ->> 'reason' AS reason,
                       CASE WHEN o.id IS NULL THEN 1 ELSE -1 END * t.amount_minutes AS minutes,
                       payer.kind AS payer_kind
                FROM transfers t LEFT JOIN transfers o ON o.id = t.reverses_id
                JOIN accounts payer ON payer.id = CASE WHEN o.id IS NULL
                                                       THEN t.debit_account_id
                                                       ELSE t.credit_account_id END
                WHERE t.phase IN ('posted', 'post_pending')
                  AND t.created_at >= :s AND t.created_at < :e),
            services AS (SELECT * FROM booked WHERE kind = 'service_credit'
                         OR (kind = 'donation' AND reason = 'yearly_cap_excess'))
            SELECT (SELECT COALESCE(SUM(minutes), 0) FROM services) AS earned,
                   (SELECT COALESCE(SUM(minutes), 0) FROM booked WHERE kind = 'grant')
                       AS granted,
                   (SELECT COALESCE(SUM(minutes), 0) FROM services
                    WHERE payer_kind <> 'issuance') AS spent"""),
            {"s": start, "e": end}).one()
    return {"earned_minutes": row.earned, "granted_minutes": row.granted,
            "spent_minutes": row.spent}


def balances_now(ledger_db):
    held, issued = defaultdict(int), defaultdict(int)
    with ledger_db() as uow:
        for row in uow.execute(text("SELECT kind, region_code, credits_posted - debits_posted "
                                    "AS balance FROM accounts")):
            if row.kind == "issuance":
                issued[city_unit_of(row.region_code)] -= row.balance
            else:
                held[(city_unit_of(row.region_code), row.kind)] += row.balance
    return held, issued


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_the_report_reconciles_with_the_journal(ledger, ledger_db, identity, clock, consistent,
                                                capped_region, ops):
    day = dt.date(2031, 1, 1) + dt.timedelta(days=next(DAYS))  # this example's own day
    clock.set(dt.datetime.combine(day, dt.time(2)).replace(tzinfo=dt.UTC))
    world = World(ledger, identity, clock, ledger_db)
    for person in range(PEOPLE):  # everyone starts with an hour: gifts and own hours can pay
        world.service(person, 60, person % len(REGIONS), "issuance", (person + 1) % PEOPLE)
    for op in ops:
        world.run(op)
        clock.advance(minutes=1)

    report = ledger.interchange_report(PROVINCE, {"period_from": day.isoformat(),
                                                  "period_to": day.isoformat()})
    assert report["complete"] and report["reconciles"], report
    units = {u["unit_code"]: u for u in report["units"]}
    for code, unit in units.items():
        assert (unit["opening_held_minutes"] + unit["issued_minutes"] + unit["inflow_minutes"]
                - unit["outflow_minutes"]) == unit["held_minutes"]
        assert unit["outflow_minutes"] == sum(p["minutes"] for p in report["pairs"]
                                              if p["from_unit"] == code)
        assert unit["inflow_minutes"] == sum(p["minutes"] for p in report["pairs"]
                                             if p["to_unit"] == code)
    totals = report["totals"]
    assert totals["inflow_minutes"] == totals["outflow_minutes"]
    assert totals["held_minutes"] == totals["opening_held_minutes"] + totals["issued_minutes"]
    assert totals["earned_granted_reconciles"]
    assert (totals["opening_held_minutes"] + totals["earned_minutes"] + totals["granted_minutes"]
            - totals["spent_minutes"]) == totals["held_minutes"]

    start = dt.datetime.combine(day, dt.time(), dt.UTC) - dt.timedelta(hours=8)
    end = start + dt.timedelta(days=1)
    assert {name: totals[name] for name in ("earned_minutes", "granted_minutes",
                                            "spent_minutes")} == received(ledger_db, start, end)
    issued, change = recomputed(ledger_db, start, end)
    for code in set(units) | set(issued) | set(change):
        unit = units.get(code, {"issued_minutes": 0, "held_minutes": 0,
                                "opening_held_minutes": 0})
        assert unit["issued_minutes"] == issued[code], code
        assert unit["held_minutes"] - unit["opening_held_minutes"] == change[code], code

    whole = ledger.interchange_report(PROVINCE, {})
    held, issued_now = balances_now(ledger_db)
    for unit in whole["units"]:
        for kind, minutes_held in unit["held_by_kind"].items():
            assert minutes_held == held[(unit["unit_code"], kind)], (unit["unit_code"], kind)
        assert unit["issued_minutes"] == issued_now[unit["unit_code"]]
    everything = whole["totals"]
    assert everything["held_minutes"] == everything["issued_minutes"]
    assert everything["earned_minutes"] + everything["granted_minutes"] == (
        everything["held_minutes"] + everything["spent_minutes"])
    assert everything["earned_granted_reconciles"] and whole["reconciles"]
    consistent()


def test_what_people_received_is_held_or_spent(ledger, ledger_db, identity, clock,
                                               capped_region):
    """The issue's identity on a known story, every route of a service's minutes included:
    earned + granted = held + spent, gifts, donations and allocations cancelling."""
    clock.set(dt.datetime(2032, 3, 1, 2, tzinfo=dt.UTC))
    world = World(ledger, identity, clock, ledger_db)
    world.service(1, 60, 1, "issuance", 0)  # 唐山's volunteer reaches the yearly cap: earned 60
    world.service(0, 90, 0, "issuance", 2)  # earned 90
    world.service(1, 60, 1, "own_hours", 0)  # all beyond the cap, paid from own hours: the
    #                                          excess goes to the pool: earned and spent 60
    world.service(1, 30, 1, "issuance", 2)  # beyond the cap, issuance-paid: earned 30
    world.grant(2)  # 定州's elder: granted 60 (advanced_age, a month)
    world.service(3, 45, 0, "grant", 2)  # paid from the grant: earned and spent 45
    world.gift(0, 3, 15)  # neither
    world.donation(3, 30)  # neither
    world.allocation(0, 15)  # neither: 石家庄's pool to its elder's grant account
    with ledger_db() as uow:
        excess = uow.execute(text(
            "SELECT t.id FROM transfers t JOIN accounts a ON a.id = t.debit_account_id "
            "WHERE t.reference ->> 'reason' = 'yearly_cap_excess' AND a.kind = 'issuance' "
            "AND t.created_at >= :t"), {"t": world.began}).scalar_one()
    ledger.reverse(excess, "核实有误", "adm-p", amount_minutes=10)  # un-earned 10

    totals = ledger.interchange_report(PROVINCE, {"period_from": "2032-03-01",
                                                  "period_to": "2032-03-01"})["totals"]
    assert (totals["earned_minutes"], totals["granted_minutes"], totals["spent_minutes"]) == (
        60 + 90 + 60 + 30 + 45 - 10, 60, 60 + 45)
    assert totals["held_minutes"] - totals["opening_held_minutes"] == 275 + 60 - 105
    assert totals["earned_granted_reconciles"]


def test_a_city_sees_its_unit_and_the_pairs_touching_it(ledger, identity, clock):
    world = World(ledger, identity, clock)
    world.service(0, 60, 0, "issuance", 1)  # 石家庄
    world.gift(0, 1, 30)  # 石家庄 -> 唐山: 30
    world.move(0, 1)  # 石家庄 -> 唐山: the 30 left

    report = ledger.interchange_report(TANGSHAN_ADMIN, {})
    assert [u["unit_code"] for u in report["units"]] == ["130200000000"]
    assert not report["complete"] and report["reconciles"]
    mine = [p for p in report["pairs"] if "130100000000" in (p["from_unit"], p["to_unit"])]
    pair = next(p for p in mine if p["from_unit"] == "130100000000")
    assert pair["by_kind"]["gift_to_relative"] >= 30 and pair["by_kind"]["move"] >= 30
    with pytest.raises(Forbidden):
        ledger.interchange_report({"person_id": "c", "roles": ["county_admin"],
                                   "scope": "130102000000"}, {})
