"""Issue 5, done when: demands run from submission to credited hours through the gateway, for
a single volunteer and for a group, on every channel, from every funding source, and the
balances are exactly right afterwards (the whole platform as processes, real RabbitMQ and
PostgreSQL).

Each row of ``JOURNEYS`` is one demand: who submits it on which channel, who pays (chosen
by the submitter: the elder, the proxy, the operator on the elder's behalf, or the municipal
system; the station's review does not choose it), how many
volunteers take it (claiming, or assigned by the station), the minutes the station records
for each, and how the elder's confirmation comes in. After every step that moves hours the
test checks, as deltas from before the demand, the earned / grant / reserved minutes of the
elder and of every volunteer, and the city's issuance liability and donation pool balance
(``GET /api/v1/stats``):

* elder-paid demands (own hours, grant) hold ``expected × volunteers`` minutes from the
  claim/assignment until the recording, then pay exactly what was credited: the reserved
  amount goes back to 0, the unused rest of each reservation is free again;
* the station records minutes as they were; the ledger credits them rounded per the
  region's policy (``GET /api/v1/policies``: the demo province rounds down to 15 minutes),
  and the payer pays what was credited;
* check-in and check-out take the server's time, so a record of more minutes than the
  volunteer was present (seconds, here) is held for a second look: the township admin
  releases each before it goes further;
* a record confirmed later (in the app by the elder or the proxy, or by the station by
  phone through ``/confirm``) moves nothing until the confirmation;
* a pool-funded demand takes what was credited from the city's donation pool (filled by a
  donor's donation before the snapshot) and nothing from the issuance account; the volunteers'
  statements name the payer (``reference.paid_from``);
* once the elder's side (the elder, the proxy or the station by phone) has rated every
  volunteer, the demand is ``evaluated``; a proxy relative finds it in their own demand list.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from first_path import wait_for
from journey_steps import (
    STATION_REGION,
    Staff,
    balance,
    donate,
    earned_years_ago,
    grant_priority,
    liability,
    make_proxy,
    pool,
    register_elder,
    register_volunteer,
    rounded,
    window,
)

pytestmark = pytest.mark.e2e

ELDER_OWN_HOURS = 300  # earned years ago
GRANT_CATEGORY = "disabled_care"  # 失能: the policy's monthly grant
VOLUNTEER_NAMES = ("李明", "张伟", "陈静")
PLACE = {"lat": 38.05, "lng": 114.52}
ELDER_PAYS = {"own_hours": "earned_minutes", "grant": "grant_minutes"}
PAID_FROM = {"issuance": "issuance", "own_hours": "own_hours", "grant": "grant",
             "donation_pool": "pool"}  # the ledger's name of the payer in a credit's reference


@dataclass(frozen=True)
class Journey:
    name: str
    channel: str  # phone | station | app | api
    submitter: str  # operator | elder | proxy | api_client
    funding: str  # the payer, chosen at submission by the submitter
    category: str
    expected: int  # minutes expected; reserved per volunteer when the elder pays
    recorded: tuple[int, ...]  # what the station records, one entry per volunteer
    taken_by: str  # claim (the volunteers) | assign (the station)
    confirmation: str  # phone (taken when recording) | elder | proxy (in the app) | phone_later

    @property
    def group(self) -> bool:
        return len(self.recorded) > 1


JOURNEYS = [
    Journey("phone-issuance-single", "phone", "operator", "issuance", "emotional_comfort",
            60, (50,), "claim", "phone"),
    Journey("app-elder-own-hours-single", "app", "elder", "own_hours", "assistance",
            60, (60,), "claim", "elder"),
    Journey("app-proxy-grant-single", "app", "proxy", "grant", "emotional_comfort",
            60, (50,), "assign", "proxy"),
    Journey("station-pool-group", "station", "operator", "donation_pool", "culture_sports",
            90, (90, 80, 100), "claim", "phone"),
    Journey("api-own-hours-group", "api", "api_client", "own_hours", "health_education",
            60, (60, 55), "assign", "phone_later"),
]


@pytest.fixture(scope="module")
def once_per_module():
    return {}


@pytest.fixture
def staff(api, demo_accounts, once_per_module):
    """Logins and the municipal API client, made once for all the journeys."""
    if "staff" not in once_per_module:
        once_per_module["staff"] = Staff(api, demo_accounts)
    return once_per_module["staff"]


@pytest.fixture
def policy(api, staff):
    """The ledger's policy in effect in the station's community (rounding, grants)."""
    return api.call("GET", f"/api/v1/policies?region_code={STATION_REGION}",
                    token=staff.operator, expect=200).json()["values"]


def fund(platform, api, staff, journey, elder, credited, policy) -> None:
    """Put the hours the journey's payer needs in place (before the snapshot)."""
    if journey.funding == "own_hours":
        earned_years_ago(platform, elder["person_id"], ELDER_OWN_HOURS)
    elif journey.funding == "grant":
        granted = policy["grant_minutes"][GRANT_CATEGORY]["minutes"]
        assert granted >= journey.expected * len(journey.recorded)
        grant_priority(api, staff, elder, GRANT_CATEGORY, granted)
    elif journey.funding == "donation_pool":
        donor = register_volunteer(api, staff, "赵敏", birth="19880101", sex="female")
        earned_years_ago(platform, donor["person_id"], sum(credited))
        donate(api, donor, sum(credited))
        assert balance(api, donor["token"], donor["person_id"])["earned_minutes"] == 0


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.name for j in JOURNEYS])
def test_demand_from_submission_to_credited_hours(platform, api, staff, policy, journey):
    j = journey
    op = staff.operator
    elder = register_elder(api, staff, "王秀英", with_login="elder" in (j.submitter, j.confirmation))
    proxy = make_proxy(api, staff, elder) if "proxy" in (j.submitter, j.confirmation) else None
    volunteers = [register_volunteer(api, staff, name)
                  for name in VOLUNTEER_NAMES[:len(j.recorded)]]
    credited = [rounded(minutes, policy) for minutes in j.recorded]
    fund(platform, api, staff, j, elder, credited, policy)

    people = [elder["person_id"], *[v["person_id"] for v in volunteers]]
    start = {p: balance(api, op, p) for p in people}
    issuance_start, pool_start = liability(api, staff), pool(api, staff)

    def expect(elder_delta: dict, volunteer_earned: list[int], issuance_paid: int,
               pool_paid: int = 0) -> None:
        """Exact balances now, as deltas from before the demand."""
        def moved(person_id, delta):
            return {k: start[person_id][k] + delta.get(k, 0) for k in start[person_id]}

        now = {p: balance(api, op, p) for p in people}
        assert now[elder["person_id"]] == moved(elder["person_id"], elder_delta), "elder"
        for volunteer, earned in zip(volunteers, volunteer_earned, strict=True):
            assert now[volunteer["person_id"]] == \
                moved(volunteer["person_id"], {"earned_minutes": earned}), volunteer["name"]
        assert liability(api, staff) - issuance_start == issuance_paid, "issuance"
        assert pool_start - pool(api, staff) == pool_paid, "donation pool"

    # 1. submission on the journey's channel
    submitter = {"operator": op, "elder": elder["token"], "api_client": staff.api_client,
                 "proxy": proxy and proxy["token"]}[j.submitter]
    window_start, window_end = window()
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder["person_id"], "category": j.category,
        "description": "需要志愿者上门或组织活动", "address": "育才街18号2单元102",
        "location": PLACE, "window_start": window_start, "window_end": window_end,
        "expected_minutes": j.expected, "volunteers_needed": len(volunteers),
        "channel": j.channel, "funding_source": j.funding}, token=submitter, expect=201).json()
    demand_id = demand["demand_id"]
    assert (demand["status"], demand["channel"]) == ("submitted", j.channel)
    assert demand["region_code"] == STATION_REGION
    chooser = {"operator": "operator", "elder": "elder", "proxy": "proxy",
               "api_client": "api_client"}[j.submitter]
    assert (demand["funding_source"], demand["funding_chosen_by"]) == (j.funding, chooser)

    # 2. the station reviews it: published, paid as chosen (the elder's hours cover it)
    shown = api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
                     token=op, expect=200).json()
    assert (shown["status"], shown["funding_source"], shown["open_slots"]) == \
        ("published", j.funding, len(volunteers))
    assert (shown["funding_shortfall_minutes"], shown["fallback_reason"]) == (0, None)

    # 3. taken: each volunteer claims, or the station assigns them
    for volunteer in volunteers:
        if j.taken_by == "claim":
            shown = api.call("POST", f"/api/v1/demands/{demand_id}/claim",
                             token=volunteer["token"], expect=200).json()
        else:
            shown = api.call("POST", f"/api/v1/demands/{demand_id}/assign",
                             {"volunteer_id": volunteer["person_id"]}, token=op,
                             expect=200).json()
    assert (shown["status"], shown["open_slots"]) == ("assigned", 0)
    assert sorted(a["volunteer_id"] for a in shown["assignments"]) == \
        sorted(v["person_id"] for v in volunteers)

    # 4. an elder-paid demand holds the expected minutes per volunteer; nothing is paid yet
    held = j.expected * len(volunteers) if j.funding in ELDER_PAYS else 0
    if held:
        wait_for(lambda: [a["reservation_status"] for a in api.call(
            "GET", f"/api/v1/demands/{demand_id}", token=op, expect=200).json()["assignments"]],
            lambda statuses: statuses == ["reserved"] * len(volunteers), timeout=60)
    expect({"reserved_minutes": held}, [0] * len(volunteers), 0)

    # 5. each volunteer checks in and out (the server's time: seconds apart here)
    for volunteer in volunteers:
        api.call("POST", f"/api/v1/demands/{demand_id}/check-in", PLACE,
                 token=volunteer["token"], expect=200)
        api.call("POST", f"/api/v1/demands/{demand_id}/check-out", PLACE,
                 token=volunteer["token"], expect=200)

    # 6. the station records the minutes: one volunteer, or the whole group at once
    confirmation = "phone" if j.confirmation == "phone" else "app"
    if j.group:
        outcome = api.call("POST", f"/api/v1/demands/{demand_id}/record-group", {
            "entries": [{"volunteer_id": v["person_id"], "minutes": m}
                        for v, m in zip(volunteers, j.recorded, strict=True)],
            "confirmation": confirmation, "note": "集体活动签到表已核对"},
            token=op, expect=201).json()
        assert outcome["failed"] == []
        records = outcome["recorded"]
    else:
        records = [api.call("POST", f"/api/v1/demands/{demand_id}/record", {
            "volunteer_id": volunteers[0]["person_id"], "minutes": j.recorded[0],
            "confirmation": confirmation, "note": "电话回访老人确认服务完成"},
            token=op, expect=201).json()]
    # present seconds, recorded an hour or more: each record is held for a second look by
    # another staff member, who releases it (it moves nothing until then)
    for record in records:
        assert record["status"] == "held"
        assert [f["code"] for f in record["flags"]] == ["minutes_exceed_presence"], \
            record["flags"]
    time.sleep(0.5)
    expect({"reserved_minutes": held}, [0] * len(volunteers), 0)
    records = [api.call("POST", f"/api/v1/records/{r['record_id']}/release",
                        {"reason": "电话回访老人，核实服务时长"}, token=staff.township,
                        expect=200).json() for r in records]
    by_volunteer = {r["volunteer_id"]: r for r in records}
    for volunteer, minutes in zip(volunteers, j.recorded, strict=True):
        record = by_volunteer[volunteer["person_id"]]
        assert record["minutes"] == minutes  # kept as recorded; the ledger rounds
        assert record["funding_source"] == j.funding
        assert record["status"] == ("sent" if confirmation == "phone" else
                                    "awaiting_confirmation")

    # 7. the elder's confirmation, when it was not taken by phone at the recording
    if confirmation == "app":
        time.sleep(0.5)  # a record waiting for confirmation must move nothing
        expect({"reserved_minutes": held}, [0] * len(volunteers), 0)
        confirmer, body = {"elder": (elder["token"], {"note": "服务很好"}),
                           "proxy": (proxy and proxy["token"], {"note": "女儿代为确认"}),
                           "phone_later": (op, {"confirmed_by": "elder",
                                                "note": "电话回访，老人确认"})}[j.confirmation]
        confirmed = api.call("POST", f"/api/v1/demands/{demand_id}/confirm", body,
                             token=confirmer, expect=200).json()
        how = "phone" if j.confirmation == "phone_later" else "app"
        assert sorted((r["status"], r["confirmation"]) for r in confirmed) == \
            [("sent", how)] * len(volunteers)
        assert {r["confirmed_by"] for r in confirmed} == \
            {"proxy" if j.confirmation == "proxy" else "elder"}

    # 8. credited, rounded per policy; the payer paid exactly that; nothing stays reserved
    paid = sum(credited)
    elder_delta = {ELDER_PAYS[j.funding]: -paid} if j.funding in ELDER_PAYS else {}
    issuance_paid = paid if j.funding == "issuance" else 0
    pool_paid = paid if j.funding == "donation_pool" else 0
    for volunteer, minutes in zip(volunteers, credited, strict=True):
        wait_for(lambda v=volunteer: balance(api, op, v["person_id"]),
                 lambda b, m=minutes: b["earned_minutes"] >= m, timeout=60)
    wait_for(lambda: balance(api, op, elder["person_id"]),
             lambda b: b["reserved_minutes"] == 0, timeout=60)
    expect(elder_delta, credited, issuance_paid, pool_paid)
    time.sleep(1.0)  # anything doubled would show by now
    expect(elder_delta, credited, issuance_paid, pool_paid)

    # 9. the statements say who paid and what was recorded
    for volunteer, minutes, credit in zip(volunteers, j.recorded, credited, strict=True):
        items = api.call("GET", f"/api/v1/accounts/{volunteer['person_id']}/statement",
                         token=volunteer["token"], expect=200).json()["items"]
        assert [(i["kind"], i["amount_minutes"]) for i in items] == [("service_credit", credit)]
        reference = items[0]["reference"]
        assert (reference["demand_id"], reference["paid_from"]) == \
            (demand_id, PAID_FROM[j.funding]), reference
        assert "fallback" not in reference, reference
        assert reference.get("recorded_minutes", credit) == minutes
    if j.funding in ELDER_PAYS:
        spent = api.call("GET", f"/api/v1/accounts/{elder['person_id']}/statement",
                         token=op, expect=200).json()["items"]
        assert sorted(-i["amount_minutes"] for i in spent
                      if i["reference"].get("demand_id") == demand_id) == sorted(credited)

    # 10. the elder (or the proxy, or the station by phone) rates each volunteer
    rater, channel = {"elder": (elder["token"], "app"), "proxy": (proxy and proxy["token"], "proxy"),
                      }.get(j.confirmation, (op, "phone"))
    for n, volunteer in enumerate(volunteers, start=1):
        rated = api.call("POST", f"/api/v1/demands/{demand_id}/evaluate", {
            "volunteer_id": volunteer["person_id"], "score": 5, "tags": ["patient", "warm"],
            "comment": "很耐心"}, token=rater, expect=200).json()
        assert (rated["channel"], rated["score"], rated["follow_up_id"]) == (channel, 5, None)
        # evaluated with the last volunteer's rating (a group waits for each)
        assert rated["demand_status"] == ("evaluated" if n == len(volunteers) else "recorded")

    # whoever submitted sees the outcome (a municipal system syncs it back)
    final = api.call("GET", f"/api/v1/demands/{demand_id}", token=submitter, expect=200).json()
    assert final["status"] == "evaluated"
    if proxy:  # the proxy relative follows the elder's demands in their own list
        listed = api.call("GET", "/api/v1/demands?status=evaluated", token=proxy["token"],
                          expect=200).json()
        assert demand_id in [d["demand_id"] for d in listed["items"]]
    assert {a["reservation_status"] for a in final["assignments"]} == \
        ({"settled"} if held else {None})
    shown = api.call("GET", f"/api/v1/demands/{demand_id}/records", token=submitter,
                     expect=200).json()
    assert sorted((r["volunteer_id"], r["minutes"], r["status"]) for r in shown) == sorted(
        (v["person_id"], m, "sent") for v, m in zip(volunteers, j.recorded, strict=True))
    if elder["token"]:  # the elder's own view of the balance agrees
        assert balance(api, elder["token"], elder["person_id"]) == \
            balance(api, op, elder["person_id"])

