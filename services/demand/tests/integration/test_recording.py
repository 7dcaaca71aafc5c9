"""Recording, confirmation, held records, group recording, evidence thresholds,
evaluations and disputes, in the test's process on real PostgreSQL (a rolled-back unit of
work, no broker; the events read from demand's outbox), with the test's ``IdentityFake``
(``conftest.identity``)."""

import datetime as dt

import pytest

from timebank_common.clock import CHINA
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

from .conftest import OPERATOR, PLACE, REGION, elder, named_id, published, served, volunteer

XINGTAI_OPERATOR = {"person_id": "op-x", "roles": ["station_operator"], "scope": "130503001000"}
TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
COMMUNITY_OPERATOR = {"person_id": "op-c", "roles": ["station_operator"], "scope": REGION}
XINGTAI_REGION = "130503001001"  # 邢台: its own thresholds
RELATIVE = named_id("vol-relative")  # a volunteer who is the elder's direct relative (registered per test)
PROXY = named_id("proxy-1")  # a relative who acts for the elder (registered per test)


@pytest.fixture
def demand(in_process):
    return in_process()


@pytest.fixture
def events(outbox):
    """The payloads of the events of a type whose ``key`` is ``value``, as demand's outbox
    holds them (each written once, in the transaction of its change)."""

    def about(kind, key, value):
        return [p for p in outbox(kind) if p.get(key) == value]

    return about


def test_app_confirmation_sends_the_record_once(demand, events, clock):
    made, [v] = served(demand, clock.now())
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
    assert record["status"] == "awaiting_confirmation" and record["confirmed_at"] is None
    assert events("service_recorded", "record_id", record["record_id"]) == []

    with pytest.raises(Forbidden):
        demand.confirm(volunteer(), made["demand_id"], {})
    [confirmed] = demand.confirm(elder(made["elder_id"]), made["demand_id"], {})
    assert confirmed["status"] == "sent" and confirmed["confirmation"] == "app"
    assert confirmed["confirmed_by"] == "elder"
    [again] = demand.confirm(elder(made["elder_id"]), made["demand_id"], {})
    assert again["confirmed_at"] == confirmed["confirmed_at"]
    [sent] = events("service_recorded", "record_id", record["record_id"])
    assert sent["started_at"] is not None and sent["ended_at"] is not None  # check-in and -out
    assert sent["started_at"] <= sent["ended_at"]
    [shown] = demand.records(elder(made["elder_id"]), made["demand_id"])
    assert [s["action"] for s in shown["audit"]] == ["recorded", "confirmed", "sent"]


def test_a_proxy_confirms_in_the_app_and_the_station_by_phone(demand, clock, identity):
    made, [v] = served(demand, clock.now())
    identity.add_proxy(PROXY, made["elder_id"])
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "app"})
    [by_proxy] = demand.confirm({"person_id": PROXY, "roles": ["elder"]}, made["demand_id"], {})
    assert (by_proxy["confirmation"], by_proxy["confirmed_by"]) == ("app", "proxy")
    # the proxy (role relative in their token) sees what they confirmed
    [seen] = demand.records({"person_id": PROXY, "roles": ["relative"]}, made["demand_id"])
    assert seen["record_id"] == by_proxy["record_id"] and seen["status"] == "sent"

    made, [v] = served(demand, clock.now())
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "app"})
    [by_phone] = demand.confirm(OPERATOR, made["demand_id"],
                                {"confirmed_by": "proxy", "note": "女儿接听电话确认"})
    assert (by_phone["confirmation"], by_phone["confirmed_by"]) == ("phone", "proxy")
    assert by_phone["confirmed_by_person"] == "op-1" and by_phone["status"] == "sent"


def test_a_relative_volunteer_is_held_until_released(demand, events, clock, identity):
    mother = identity.add_elder()
    identity.add_relatives(mother, RELATIVE, "child")
    made, [v] = served(demand, clock.now(), elder_id=mother, who=[volunteer(RELATIVE)])
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": RELATIVE, "minutes": 60, "confirmation": "phone"})
    assert record["status"] == "held"
    assert [f["code"] for f in record["flags"]] == ["direct_relatives"]
    assert record["flags"][0]["zh"] and record["flags"][0]["en"]
    assert events("record_held", "record_id", record["record_id"])
    held = demand.list_records(OPERATOR, {"status": "held", "page_size": 100})
    assert record["record_id"] in [r["record_id"] for r in held["items"]]
    with pytest.raises(NotFound):  # out of scope: as if it did not exist
        demand.release_record({**OPERATOR, "scope": "130104001000"}, record["record_id"], {})
    with pytest.raises(Forbidden) as e:  # a second look: not the one who recorded it
        demand.release_record(OPERATOR, record["record_id"], {})
    assert e.value.code == "second_look_required"
    released = demand.release_record(TOWNSHIP_ADMIN, record["record_id"],
                                     {"reason": "核实：由站点安排，老人同意"})
    assert released["status"] == "sent" and released["review"] == "released"
    assert [s["action"] for s in released["audit"]] == ["recorded", "confirmed", "released",
                                                        "sent"]
    assert len(events("service_recorded", "record_id", record["record_id"])) == 1
    with pytest.raises(Conflict) as e:
        demand.reject_record(OPERATOR, record["record_id"], {"reason": "晚了"})
    assert e.value.code == "invalid_record_transition"


def test_a_rejected_record_never_reaches_the_ledger(demand, events, clock):
    made, [v] = served(demand, clock.now(), at={"lat": 38.10, "lng": 114.52})  # ~5.5 km away
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
    assert [f["code"] for f in record["flags"]] == ["check_in_too_far"]
    with pytest.raises(BadInput) as e:
        demand.reject_record(OPERATOR, record["record_id"], {})
    assert e.value.code == "reason_required"
    rejected = demand.reject_record(OPERATOR, record["record_id"], {"reason": "签到地点不符"})
    assert rejected["status"] == "rejected" and rejected["review_reason"] == "签到地点不符"
    [after] = demand.confirm(elder(made["elder_id"]), made["demand_id"], {})
    assert after["status"] == "rejected" and after["confirmed_at"] is None
    assert events("service_recorded", "record_id", record["record_id"]) == []


def test_group_recording_records_each_volunteer_on_their_own(demand, events, clock):
    made, people = served(demand, clock.now(), volunteers=3)
    late = volunteer()  # claimed nothing: fails alone
    result = demand.record_group(OPERATOR, made["demand_id"], {
        "entries": [{"volunteer_id": p["person_id"], "minutes": 60} for p in people]
        + [{"volunteer_id": late["person_id"], "minutes": 60}],
        "confirmation": "phone"})
    assert sorted(r["volunteer_id"] for r in result["recorded"]) == sorted(
        p["person_id"] for p in people)
    assert all(r["status"] == "sent" for r in result["recorded"])
    [failed] = result["failed"]
    assert failed["volunteer_id"] == late["person_id"]
    assert failed["error"]["error"] == "assignment_not_found" and failed["error"]["message"]["zh"]
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "recorded"
    for r in result["recorded"]:
        assert len(events("service_recorded", "record_id", r["record_id"])) == 1
    again = demand.record_group(OPERATOR, made["demand_id"], {
        "entries": [{"volunteer_id": people[0]["person_id"], "minutes": 90}],
        "confirmation": "phone"})
    first = next(r for r in result["recorded"] if r["volunteer_id"] == people[0]["person_id"])
    assert again["recorded"][0]["record_id"] == first["record_id"]
    assert again["recorded"][0]["minutes"] == 60  # a repeat returns the first record


def test_thresholds_are_regional_policy_data(demand, clock, identity):
    # a new policy row starts today (China time) at the earliest; the service below began
    # 70 minutes before the clock's 10:00, on the same China date
    china_now = clock.now().astimezone(CHINA)
    city_admin = {"person_id": "adm-xt", "roles": ["city_admin"], "scope": "130500000000"}
    today = china_now.date().isoformat()
    with pytest.raises(Forbidden):
        demand.add_evidence_policy(OPERATOR, {"region_code": "130500000000",
                                              "effective_from": today,
                                              "values": {"daily_max_minutes": 60},
                                              "reason": "试点"})
    with pytest.raises(Forbidden):  # another city
        demand.add_evidence_policy(city_admin, {"region_code": "130100000000",
                                                "effective_from": today,
                                                "values": {"daily_max_minutes": 60},
                                                "reason": "试点"})
    policy = demand.add_evidence_policy(city_admin, {
        "region_code": "130500000000", "effective_from": today,
        "values": {"daily_max_minutes": 60}, "reason": "邢台试点：每日上限 1 小时"})
    assert policy["values"]["daily_max_minutes"] == 60
    assert policy["values"]["max_check_in_distance_m"] == 500  # the province's
    assert [r["region_code"] for r in policy["rows"]] == ["130000000000", "130500000000"]
    assert demand.evidence_policy(REGION)["values"]["daily_max_minutes"] == 480

    made, [v] = served(demand, clock.now(),
                       elder_id=identity.add_elder(region_code=XINGTAI_REGION),
                       operator=XINGTAI_OPERATOR)
    record = demand.record(XINGTAI_OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 65, "confirmation": "phone"})
    assert [f["code"] for f in record["flags"]] == ["daily_maximum_exceeded"]
    assert record["status"] == "held"


def test_unconfirmed_records_are_chased_once(demand, events, clock):
    made, [v] = served(demand, clock.now())
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
    clock.advance(days=3, minutes=1)  # CONFIRMATION_DAYS and a bit
    assert demand.chase_confirmations(3)["reported"] >= 1
    [overdue] = events("record_confirmation_overdue", "record_id", record["record_id"])
    assert (overdue["elder_id"], overdue["minutes"]) == (made["elder_id"], 60)
    [opened] = events("follow_up_opened", "record_id", record["record_id"])
    assert (opened["kind"], opened["carrier_id"]) == ("confirmation_overdue", "carrier-7")
    demand.chase_confirmations(3)
    assert len(events("record_confirmation_overdue", "record_id", record["record_id"])) == 1
    [shown] = demand.records(OPERATOR, made["demand_id"])
    assert shown["status"] == "awaiting_confirmation"  # still no hours until confirmed
    assert "confirmation_overdue" in [s["action"] for s in shown["audit"]]

    def call_tasks(status):
        page = demand.list_follow_ups(OPERATOR, {"kind": "confirmation_overdue",
                                                 "status": status, "page_size": 100})
        return [t for t in page["items"] if t["record_id"] == record["record_id"]]

    [task] = call_tasks("open")  # the station is asked to call the elder
    assert task["demand_id"] == made["demand_id"] and task["score"] is None
    [confirmed] = demand.confirm(OPERATOR, made["demand_id"], {"note": "电话联系老人确认"})
    assert confirmed["status"] == "sent" and confirmed["confirmation"] == "phone"
    assert call_tasks("open") == []
    [done] = call_tasks("closed")
    assert done["closed_by"] == "op-1"


def test_evaluation_once_per_assignment_and_a_low_score_opens_a_follow_up(demand, events, clock):
    made, [v] = served(demand, clock.now())
    with pytest.raises(Conflict) as e:
        demand.evaluate(elder(made["elder_id"]), made["demand_id"], {"score": 5})
    assert e.value.code == "not_recorded"
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "phone"})
    with pytest.raises(BadInput) as e:
        demand.evaluate(elder(made["elder_id"]), made["demand_id"], {"score": 6})
    assert e.value.code == "score_out_of_range"
    first = demand.evaluate(elder(made["elder_id"]), made["demand_id"],
                            {"score": 2, "tags": ["late"], "comment": "来晚了半小时"})
    assert (first["score"], first["channel"], first["tags"]) == (2, "app", ["late"])
    assert first["follow_up_id"]
    [task] = [t for t in demand.list_follow_ups(OPERATOR, {"kind": "low_score",
                                                           "page_size": 100})["items"]
              if t["follow_up_id"] == first["follow_up_id"]]
    assert task["score"] == 2 and task["evaluation_id"] == first["evaluation_id"]
    repeat = demand.evaluate(OPERATOR, made["demand_id"], {"score": 5})
    assert repeat["evaluation_id"] == first["evaluation_id"] and repeat["score"] == 2
    assert len(events("evaluation_submitted", "evaluation_id", first["evaluation_id"])) == 1
    [opened] = events("follow_up_opened", "follow_up_id", first["follow_up_id"])
    assert (opened["kind"], opened["score"], opened["carrier_id"]) == ("low_score", 2,
                                                                      "carrier-7")

    open_tasks = demand.list_follow_ups(OPERATOR, {"page_size": 100})["items"]
    assert first["follow_up_id"] in [t["follow_up_id"] for t in open_tasks]
    with pytest.raises(NotFound):
        demand.close_follow_up({**OPERATOR, "scope": "130104001000"}, first["follow_up_id"],
                               {"note": "x"})
    closed = demand.close_follow_up(OPERATOR, first["follow_up_id"],
                                    {"note": "已回访老人，志愿者致歉"})
    assert closed["status"] == "closed" and closed["closed_by"] == "op-1"
    stats = demand.feedback_stats("130102")
    assert stats["evaluations"] >= 1 and stats["low_scores"] >= 1


def test_the_station_evaluates_by_phone_and_a_good_score_opens_nothing(demand, clock):
    made, [v] = served(demand, clock.now())
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "phone"})
    given = demand.evaluate(OPERATOR, made["demand_id"], {"score": 5, "tags": ["patient"]})
    assert given["channel"] == "phone" and given["follow_up_id"] is None


def test_a_dispute_is_opened_handled_and_resolved_with_every_step(demand, events, clock):
    made, [v] = served(demand, clock.now())
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    with pytest.raises(NotFound):  # not theirs: as if it did not exist
        demand.open_dispute(volunteer(), {"record_id": record["record_id"], "reason": "x"})
    dispute = demand.open_dispute(elder(made["elder_id"]), {
        "record_id": record["record_id"], "reason": "实际只服务了 30 分钟"})
    assert (dispute["status"], dispute["opener_role"]) == ("open", "elder")
    with pytest.raises(Conflict) as e:
        demand.open_dispute(v, {"record_id": record["record_id"], "reason": "我服务了一小时"})
    assert e.value.details["dispute_id"] == dispute["dispute_id"]
    [opened] = events("dispute_opened", "dispute_id", dispute["dispute_id"])
    # who notify tells of the outcome, also for a record never sent to the ledger
    assert (opened["volunteer_id"], opened["elder_id"], opened["opened_by"]) == (
        v["person_id"], made["elder_id"], made["elder_id"])

    assert [d["dispute_id"] for d in demand.list_disputes(v, {})["items"]] == [
        dispute["dispute_id"]]
    with pytest.raises(Forbidden) as e:
        demand.take_dispute(COMMUNITY_OPERATOR, dispute["dispute_id"])
    assert e.value.code == "township_level_required"
    taken = demand.take_dispute(OPERATOR, dispute["dispute_id"])
    assert (taken["status"], taken["handler_id"]) == ("in_review", "op-1")
    demand.comment_dispute(v, dispute["dispute_id"], {"note": "签到签退记录为 65 分钟"})
    with pytest.raises(BadInput) as e:
        demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {
            "outcome": "minutes_adjusted", "minutes": 90, "reason": "多了"})
    assert e.value.code == "adjusted_minutes_invalid"
    resolved = demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {
        "outcome": "minutes_adjusted", "minutes": 45, "reason": "电话核实后认定 45 分钟"})
    assert (resolved["status"], resolved["outcome"], resolved["minutes"]) == (
        "resolved", "minutes_adjusted", 45)
    assert [s["step"] for s in resolved["steps"]] == ["opened", "assigned", "comment",
                                                      "resolved"]
    with pytest.raises(Conflict):
        demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {"outcome": "voided",
                                                                 "reason": "再议"})
    [told] = events("dispute_resolved", "dispute_id", dispute["dispute_id"])
    assert told == {"dispute_id": dispute["dispute_id"], "subject": "record",
                    "record_id": record["record_id"], "demand_id": made["demand_id"],
                    "volunteer_id": v["person_id"], "elder_id": made["elder_id"],
                    "opened_by": made["elder_id"],
                    "outcome": "minutes_adjusted", "minutes": 45, "approver": "op-1",
                    "reason": "电话核实后认定 45 分钟", "region_code": REGION, "credited": True}
    [shown] = demand.records(OPERATOR, made["demand_id"])
    assert shown["corrected_minutes"] == 45 and shown["minutes"] == 60
    assert demand.get_dispute(elder(made["elder_id"]), dispute["dispute_id"])["outcome"] == \
        "minutes_adjusted"
    stats = demand.feedback_stats("130102")
    assert stats["disputes_resolved"] >= 1 and stats["by_outcome"]["minutes_adjusted"] >= 1


def test_an_evaluation_dispute_voids_it(demand, clock):
    made, [v] = served(demand, clock.now())
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "phone"})
    given = demand.evaluate(elder(made["elder_id"]), made["demand_id"], {"score": 1})
    dispute = demand.open_dispute(v, {"evaluation_id": given["evaluation_id"],
                                      "reason": "老人误评，服务已完成"})
    assert dispute["subject"] == "evaluation" and dispute["opener_role"] == "volunteer"
    with pytest.raises(BadInput):
        demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {
            "outcome": "minutes_adjusted", "minutes": 30, "reason": "x"})
    resolved = demand.resolve_dispute(OPERATOR, dispute["dispute_id"],
                                      {"outcome": "voided", "reason": "老人家属确认误评"})
    assert resolved["outcome"] == "voided"
    again = demand.evaluate(elder(made["elder_id"]), made["demand_id"], {"score": 5})
    assert again["voided"] is True  # the first stays (once per assignment), not counted


def test_evaluating_the_service_moves_the_demand_to_evaluated_and_disputes_still_work(
        demand, events, clock):
    made, [v] = served(demand, clock.now())
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "recorded"
    given = demand.evaluate(elder(made["elder_id"]), made["demand_id"], {"score": 4})
    assert given["demand_status"] == "evaluated"
    assert demand.get(elder(made["elder_id"]), made["demand_id"])["status"] == "evaluated"
    [told] = events("evaluation_submitted", "evaluation_id", given["evaluation_id"])
    assert told["demand_status"] == "evaluated"
    repeat = demand.evaluate(OPERATOR, made["demand_id"], {"score": 1})
    assert (repeat["evaluation_id"], repeat["demand_status"]) == (given["evaluation_id"],
                                                                  "evaluated")
    with pytest.raises(Conflict) as e:
        demand.cancel(OPERATOR, made["demand_id"], {"reason": "误操作"})
    assert e.value.code == "invalid_transition" and e.value.details["status"] == "evaluated"
    assert "已评价" in e.value.zh

    # disputes about the record and about the evaluation, from evaluated
    about_record = demand.open_dispute(elder(made["elder_id"]), {
        "record_id": record["record_id"], "reason": "实际只服务了 40 分钟"})
    about_evaluation = demand.open_dispute(v, {"evaluation_id": given["evaluation_id"],
                                               "reason": "老人误评"})
    adjusted = demand.resolve_dispute(OPERATOR, about_record["dispute_id"], {
        "outcome": "minutes_adjusted", "minutes": 40, "reason": "电话核实"})
    voided = demand.resolve_dispute(OPERATOR, about_evaluation["dispute_id"], {
        "outcome": "voided", "reason": "家属确认误评"})
    assert (adjusted["status"], voided["status"]) == ("resolved", "resolved")
    [sent] = events("dispute_resolved", "dispute_id", adjusted["dispute_id"])
    assert (sent["minutes"], sent["credited"]) == (40, True)
    assert events("dispute_resolved", "dispute_id", voided["dispute_id"])
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "evaluated"

    figures = demand.demand_stats(TOWNSHIP_ADMIN)
    assert figures["demands"]["by_status"]["evaluated"] >= 1
    assert figures["completion"]["completed"] >= figures["demands"]["by_status"]["evaluated"]


def test_a_group_demand_is_evaluated_once_every_counting_record_is(demand, clock, identity):
    mother = identity.add_elder()
    identity.add_relatives(mother, RELATIVE, "child")
    made, people = served(demand, clock.now(), volunteers=3, elder_id=mother,
                          who=[volunteer(), volunteer(), volunteer(RELATIVE)])
    recorded = demand.record_group(OPERATOR, made["demand_id"], {
        "entries": [{"volunteer_id": p["person_id"], "minutes": 60} for p in people],
        "confirmation": "phone"})["recorded"]
    held = next(r for r in recorded if r["volunteer_id"] == RELATIVE)
    assert held["status"] == "held"  # the elder's relative: a second look
    first = demand.evaluate(elder(made["elder_id"]), made["demand_id"], {
        "volunteer_id": people[0]["person_id"], "score": 5})
    second = demand.evaluate(OPERATOR, made["demand_id"], {
        "volunteer_id": people[1]["person_id"], "score": 4})
    assert (first["demand_status"], second["demand_status"]) == ("recorded", "recorded")
    # the held record is refused: nothing left to evaluate, the demand is evaluated
    demand.reject_record(TOWNSHIP_ADMIN, held["record_id"], {"reason": "亲属关系，不予认定"})
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "evaluated"
    with pytest.raises(Conflict) as e:
        demand.evaluate(elder(made["elder_id"]), made["demand_id"], {
            "volunteer_id": RELATIVE, "score": 5})
    assert e.value.code == "not_recorded"


def test_the_last_volunteer_withdrawing_leaves_an_evaluated_group_demand(demand, clock):
    """One volunteer served early and was evaluated; the other gives the slot back before
    the start: the demand is complete and evaluated (not left recorded)."""
    made, [early, other] = served(demand, clock.now(), volunteers=2, present=1,
                                  early_minutes=28, served_minutes=25)
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": early["person_id"],
                                               "minutes": 30, "confirmation": "phone"})
    given = demand.evaluate(elder(made["elder_id"]), made["demand_id"], {
        "volunteer_id": early["person_id"], "score": 5})
    assert given["demand_status"] == "in_service"
    after = demand.withdraw(other, made["demand_id"], {"reason": "临时有事"})
    # the service was under way: the slot is not reopened (nobody could claim it)
    assert (after["status"], after["open_slots"]) == ("evaluated", 0)


def test_a_backdated_check_in_gets_the_servers_time_and_the_record_is_held(demand, clock):
    """The issue's case: the app sends a check-in 7 hours in the past and a check-out 2 hours
    in the past, then the station records 300 minutes for a window that has not begun."""
    made = published(demand, clock.now())  # its window starts tomorrow
    v = volunteer()
    demand.claim(v, made["demand_id"])
    now = clock.now()
    started = demand.check_in(v, made["demand_id"], {
        "at": (now - dt.timedelta(hours=7)).isoformat()})  # and no GPS
    [mine] = started["assignments"]
    assert dt.datetime.fromisoformat(mine["checked_in_at"]) == now  # the server's time
    assert dt.datetime.fromisoformat(mine["check_in_device_at"]) == now - dt.timedelta(hours=7)
    clock.advance(minutes=5)
    ended = demand.check_out(v, made["demand_id"], {
        "at": (now - dt.timedelta(hours=2)).isoformat(), "lat": 38.10, "lng": 114.52})
    [mine] = ended["assignments"]
    assert dt.datetime.fromisoformat(mine["checked_out_at"]) == clock.now()
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 300, "confirmation": "phone"})
    assert record["status"] == "held"
    flags = {f["code"]: f for f in record["flags"]}
    assert {"device_time_skewed", "location_missing", "checkout_far_from_address",
            "presence_outside_window", "minutes_exceed_presence"} <= set(flags)
    assert flags["device_time_skewed"]["details"]["check_in_skew_minutes"] == -420
    assert flags["location_missing"]["details"] == {"missing": ["check_in"]}
    assert flags["presence_outside_window"]["zh"] and flags["presence_outside_window"]["en"]
    with pytest.raises(Forbidden) as e:  # held for a second look, as every flagged record
        demand.release_record(OPERATOR, record["record_id"], {})
    assert e.value.code == "second_look_required"


def test_only_a_record_whose_presence_overlaps_is_named_by_the_overlap_flag(demand, clock):
    """The volunteer's other records are read bounded by this service's check-in..out (never
    their whole history): the one whose presence overlaps is named; a record of another day
    raises nothing."""
    now, v = clock.now(), volunteer()
    first = published(demand, now, start_in_hours=2)  # window +2 h .. +4 h
    second = published(demand, now, start_in_hours=4)  # +4 h .. +6 h: windows only touch
    next_day = published(demand, now, start_in_hours=26)
    for made in (first, second, next_day):
        demand.claim(v, made["demand_id"])

    def at(hours, minutes=0):
        clock.set(now + dt.timedelta(hours=hours, minutes=minutes))

    def record(made):
        return demand.record(OPERATOR, made["demand_id"], {
            "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})

    at(2)
    demand.check_in(v, first["demand_id"], dict(PLACE))
    at(3, 45)
    demand.check_in(v, second["demand_id"], dict(PLACE))  # still at the first one
    at(4, 10)
    demand.check_out(v, first["demand_id"], dict(PLACE))
    earlier = record(first)
    assert (earlier["status"], earlier["flags"]) == ("sent", [])
    at(5)
    demand.check_out(v, second["demand_id"], dict(PLACE))
    overlapping = record(second)
    assert [f["code"] for f in overlapping["flags"]] == ["overlapping_record"]
    assert overlapping["flags"][0]["details"] == {"record_id": earlier["record_id"]}
    at(26)
    demand.check_in(v, next_day["demand_id"], dict(PLACE))
    at(27, 5)
    demand.check_out(v, next_day["demand_id"], dict(PLACE))
    later = record(next_day)
    assert (later["status"], later["flags"]) == ("sent", [])

def test_a_region_sets_the_device_skew_it_tolerates(demand, clock):
    today = clock.now().astimezone(CHINA).date().isoformat()
    demand.add_evidence_policy({"person_id": "pa", "roles": ["province_admin"],
                                "scope": "130000000000"}, {
        "region_code": "130100000000", "effective_from": today,
        "values": {"max_device_skew_minutes": 120}, "reason": "石家庄：山区手机时间常不准"})
    made = published(demand, clock.now(), start_in_hours=1)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    clock.set(dt.datetime.fromisoformat(made["window_start"]))
    demand.check_in(v, made["demand_id"], {
        **PLACE, "at": (clock.now() - dt.timedelta(minutes=90)).isoformat()})
    clock.advance(minutes=60)
    demand.check_out(v, made["demand_id"], dict(PLACE))
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert record["flags"] == [] and record["status"] == "sent"


def test_elders_served_counts_each_elder_once_in_the_period(demand, clock,
                                                            identity):
    """Issue 14: 服务老人数 — distinct elders with a service recorded (and still counting) in
    the period, by service category too."""
    before = demand.demand_stats(TOWNSHIP_ADMIN)["served"]
    first_day = clock.now().astimezone(CHINA).date()
    twice, once = identity.add_elder(), identity.add_elder()
    for elder_id in (twice, twice, once):
        made, people = served(demand, clock.now(), elder_id=elder_id)
        demand.record(OPERATOR, made["demand_id"], {
            "volunteer_id": people[0]["person_id"], "minutes": 60, "confirmation": "phone"})
    after = demand.demand_stats(TOWNSHIP_ADMIN)["served"]
    assert after["elders"] - before["elders"] == 2
    category = "emotional_comfort"  # what ``served`` asks for
    assert after["by_category"][category] - before["by_category"].get(category, 0) == 2
    last_day = clock.now().astimezone(CHINA).date()
    long_ago = (first_day - dt.timedelta(days=3650)).isoformat()
    assert demand.demand_stats(TOWNSHIP_ADMIN, None, long_ago, long_ago)["served"] == \
        {"elders": 0, "by_category": {}}
    assert demand.demand_stats(TOWNSHIP_ADMIN, None, first_day.isoformat(),
                               last_day.isoformat())["served"]["elders"] >= 2
