"""Issue 15 item 9, done when: a municipal system (an API client of 石家庄, client-credentials
token) registers an elder its hotline knows, submits a demand for them, and follows it to the
credited minutes **through the change feed alone** (``GET /api/v1/changes``, cursor by cursor);
then again **through signed webhooks** to a receiver started here (``http.server`` on
127.0.0.1, a free port), which answers 500 once: that delivery is retried after its back-off
and accepted, and every signature checks out (verified by the receiver independently of
notify's code).

The station's and the volunteer's steps are done by their own logins, as in the demand
journeys (``journey_steps``): review, claim, check-in/out, recording, the township's release
of the held record (check-in and check-out seconds apart), the evaluation by phone.
"""
from __future__ import annotations

import pytest
from timebank_testing.fake_channels import webhook_receiver

from first_path import new_person_numbers, wait_for
from journey_steps import STATION_REGION, Staff, register_volunteer, window

pytestmark = pytest.mark.e2e

PLACE = {"lat": 38.05, "lng": 114.52}
# what the client follows for its elder's demand (events of three services). The feed's order
# is the order notify committed them: each producer's events arrive on their own queues, so
# two close events of different producers (the credit and the evaluation) may come either way
JOURNEY = ["person_registered", "demand_submitted", "demand_published", "demand_assigned",
           "demand_started", "service_recorded", "hours_credited", "evaluation_submitted"]


@pytest.fixture(scope="module")
def staff_once():
    return {}


@pytest.fixture
def staff(api, demo_accounts, staff_once):
    if "staff" not in staff_once:
        staff_once["staff"] = Staff(api, demo_accounts)
    return staff_once["staff"]


def register_elder_as_client(api, client_token: str) -> dict:
    id_number, phone = new_person_numbers("19480308", "female")
    return api.call("POST", "/api/v1/elders", {
        "name": "刘淑芬", "id_number": id_number, "phone": phone,
        "address": "石家庄市长安区建北街道育才街20号", "region_code": STATION_REGION,
        "phone_only": True}, token=client_token, expect=201).json()


def serve(api, staff: Staff, client_token: str, elder: dict, volunteer: dict) -> dict:
    """The client submits; the station and the volunteer do the rest, up to the evaluation.
    The ids the client should learn of."""
    op = staff.operator
    start, end = window()
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder["person_id"], "category": "emotional_comfort",
        "description": "热线来电：老人独居，希望有人上门陪伴聊天", "address": "育才街20号1单元101",
        "location": PLACE, "window_start": start, "window_end": end, "expected_minutes": 60,
        "volunteers_needed": 1, "channel": "api", "funding_source": "issuance"},
        token=client_token, expect=201).json()
    demand_id = demand["demand_id"]
    api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"}, token=op,
             expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer["token"], expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-in", PLACE, token=volunteer["token"],
             expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out", PLACE, token=volunteer["token"],
             expect=200)
    record = api.call("POST", f"/api/v1/demands/{demand_id}/record", {
        "volunteer_id": volunteer["person_id"], "minutes": 60, "confirmation": "phone",
        "note": "电话回访老人确认服务完成"}, token=op, expect=201).json()
    if record["status"] == "held":  # seconds present, an hour recorded: a second look
        api.call("POST", f"/api/v1/records/{record['record_id']}/release",
                 {"reason": "电话回访老人，核实服务时长"}, token=staff.township, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/evaluate", {
        "volunteer_id": volunteer["person_id"], "score": 5, "tags": ["patient"],
        "comment": "很耐心"}, token=op, expect=200)
    return {"elder_id": elder["person_id"], "demand_id": demand_id,
            "record_id": record["record_id"], "volunteer_id": volunteer["person_id"]}


def concerns(change: dict, ids: dict) -> bool:
    """Whether a change is about this journey's elder, demand, record or credit."""
    payload = change["payload"]
    return (change["entity_id"] in (ids["elder_id"], ids["demand_id"], ids["record_id"])
            or payload.get("demand_id") == ids["demand_id"])


def read_all(api, token: str, cursor: str | None, limit: int = 100) -> tuple[list, str]:
    """Every change after the cursor, page by page; the cursor to go on from."""
    items = []
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/api/v1/changes" + query, token=token, expect=200).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_a_municipal_system_follows_its_demand_to_credited_minutes_by_the_change_feed(
        platform, api, staff):
    client = staff.api_client
    _, cursor = read_all(api, client, None)  # up to now: what came before is not ours

    elder = register_elder_as_client(api, client)
    volunteer = register_volunteer(api, staff, "孙磊")
    ids = serve(api, staff, client, elder, volunteer)

    seen: list[dict] = []

    def follow():
        nonlocal cursor
        items, cursor = read_all(api, client, cursor, limit=2)  # small pages: resumed often
        seen.extend(c for c in items if concerns(c, ids))
        return [c["event"] for c in seen]

    wait_for(follow, lambda events: set(JOURNEY) <= set(events), timeout=90, interval=0.5)
    by_event = {c["event"]: c for c in seen}
    sequences = [c["sequence"] for c in seen]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert all(c["region_code"] == STATION_REGION for c in seen)
    assert by_event["person_registered"]["kind"] == "person"
    assert by_event["demand_submitted"]["payload"]["channel"] == "api"
    assert by_event["demand_assigned"]["payload"]["volunteer_id"] == ids["volunteer_id"]
    recorded = by_event["service_recorded"]
    assert (recorded["kind"], recorded["entity_id"], recorded["payload"]["minutes"]) == \
        ("service_record", ids["record_id"], 60)
    credit = by_event["hours_credited"]
    assert credit["kind"] == "credit" and credit["payload"]["person_id"] == ids["volunteer_id"]
    assert credit["payload"]["record_id"] == ids["record_id"]
    assert credit["payload"]["minutes"] == 60  # the demo policy rounds to 15: 60 stays 60
    # no personal data beyond ids, statuses and minutes
    assert not any(key in c["payload"] for c in seen for key in ("name", "phone", "address"))

    # the cursor is opaque and checked; the feed is for municipal systems only
    bad = api.call("GET", "/api/v1/changes?cursor=not-a-cursor", token=client, expect=400).json()
    assert bad["error"] == "invalid_cursor" and bad["message"]["zh"] and bad["message"]["en"]
    api.call("GET", "/api/v1/changes?limit=0", token=client, expect=400)
    api.call("GET", "/api/v1/changes", token=staff.operator, expect=403)


def test_the_same_journey_by_signed_webhooks_with_one_delivery_failed_and_retried(
        platform, api, staff):
    client = staff.api_client
    with webhook_receiver() as receiver:
        created = api.call("POST", "/api/v1/webhooks", {"url": receiver.url}, token=client,
                           expect=201).json()
        receiver.secret = created["secret"]
        listed = api.call("GET", "/api/v1/webhooks", token=client, expect=200).json()["items"]
        assert [h["webhook_id"] for h in listed] == [created["webhook_id"]]
        assert "secret" not in listed[0]
        api.call("POST", "/api/v1/webhooks", {"url": "http://example.cn/hook"}, token=client,
                 expect=400)
        receiver.fail_next(1)  # the first change of the city to come is refused once

        elder = register_elder_as_client(api, client)
        volunteer = register_volunteer(api, staff, "周强")
        ids = serve(api, staff, client, elder, volunteer)

        def ours():
            return [b["change"] for b in receiver.accepted() if concerns(b["change"], ids)]

        wait_for(lambda: [c["event"] for c in ours()],
                 lambda events: set(JOURNEY) <= set(events), timeout=90, interval=0.5)
        changes = sorted(ours(), key=lambda c: c["sequence"])
        credit = next(c for c in changes if c["event"] == "hours_credited")
        assert credit["payload"]["minutes"] == 60

        requests = list(receiver.received)
        assert all(r["signature_ok"] for r in requests), "every delivery is signed"
        [failed] = [r for r in requests if r["status"] == 500]
        retried = [r for r in requests if r["delivery"] == failed["delivery"]]
        assert [r["status"] for r in retried] == [500, 204]  # the same delivery, again
        assert retried[1]["body"] == failed["body"]

        deleted = api.call("DELETE", f"/api/v1/webhooks/{created['webhook_id']}",
                           token=client, expect=200).json()
        assert deleted == {"webhook_id": created["webhook_id"], "deleted": True}
        assert api.call("GET", "/api/v1/webhooks", token=client,
                        expect=200).json()["items"] == []
