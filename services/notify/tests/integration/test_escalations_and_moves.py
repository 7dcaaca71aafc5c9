"""Issue 13's notices through notify's entrypoints on real PostgreSQL (a rolled-back unit of
work), without a broker: a service not recorded in time (demand's ``recording_overdue``, to
the station then the township), a person who moved (identity's ``person_moved``, to the
staff of both places) and a person who died (``person_status_changed``: nobody writes to
them any more)."""
import datetime as dt
import uuid

from sqlalchemy import text

from .conftest import REGION, assigned, credited, event, someone

TOWNSHIP = REGION[:9] + "000"
TANGSHAN = "130202001001"  # 唐山市路南区 学院南路社区


def staff_caller(person_id, role="station_operator", scope=TOWNSHIP, carrier_id=None):
    return {"person_id": person_id, "roles": [role], "scope": scope, "carrier_id": carrier_id}


def overdue(level, carrier_id, demand_id=None):
    return event("recording_overdue", {
        "demand_id": demand_id or str(uuid.uuid4()), "volunteer_id": str(uuid.uuid4()),
        "elder_id": str(uuid.uuid4()), "region_code": REGION, "carrier_id": carrier_id,
        "checked_out_at": "2030-05-01T02:00:00+00:00", "due_at": "2030-05-02T02:00:00+00:00",
        "level": level})


def inbox_of(notify, caller, kind):
    return [m for m in notify.inbox(caller, {})["items"] if m["kind"] == kind]


def test_an_unrecorded_service_is_told_to_the_station_then_the_township(notify, identity):
    carrier = str(uuid.uuid4())
    operator = identity.add_station_operator(str(uuid.uuid4()), carrier, name="刘站长")
    admin = identity.add_township_admin(str(uuid.uuid4()), TOWNSHIP, name="乡镇管理员")
    station_caller = staff_caller(operator, carrier_id=carrier)
    township_caller = staff_caller(admin, "township_admin")
    demand_id = str(uuid.uuid4())

    first = overdue("station", carrier, demand_id)
    notify.on_recording_overdue(first)
    notify.on_recording_overdue(first)  # redelivered: told once
    [told] = inbox_of(notify, station_caller, "recording_overdue")
    assert told["title"] == "服务时长超时未登记"
    assert f"需求编号 {demand_id[:8]}" in told["body"]
    assert "2030年5月1日 10:00签退" in told["body"] and "2030年5月2日 10:00前" in told["body"]
    assert told["data"]["level"] == "station" and told["data"]["demand_id"] == demand_id
    assert inbox_of(notify, township_caller, "recording_overdue") == []

    notify.on_recording_overdue(overdue("township", carrier, demand_id))
    [escalated] = inbox_of(notify, township_caller, "recording_overdue")
    assert escalated["title"] == "服务时长超时未登记（已上报）"
    assert "现上报乡镇" in escalated["body"]
    assert len(inbox_of(notify, station_caller, "recording_overdue")) == 1


def test_a_station_without_operators_has_its_township_told(notify, identity):
    admin = identity.add_township_admin(str(uuid.uuid4()), TOWNSHIP)
    notify.on_recording_overdue(overdue("station", str(uuid.uuid4())))
    [told] = inbox_of(notify, staff_caller(admin, "township_admin"), "recording_overdue")
    assert told["data"]["level"] == "station"


def moved(person_id, profiles, to_region=TANGSHAN, carrier_id=None, from_carrier_id=None):
    return event("person_moved", {
        "person_id": person_id, "from_region_code": REGION, "to_region_code": to_region,
        "profiles": profiles, "carrier_id": carrier_id, "from_carrier_id": from_carrier_id,
        "moved_by": "op-1", "moved_at": "2030-05-01T02:00:00+00:00"}, to_region)


def test_both_stations_of_an_elder_who_moved_see_a_clear_trace(notify, identity, clock):
    identity.add_region(TANGSHAN, "学院南路社区居委会")
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    old_operator = identity.add_station_operator(str(uuid.uuid4()), old)
    new_operator = identity.add_station_operator(str(uuid.uuid4()), new,
                                                 region_code=TANGSHAN)
    elder, elder_caller = someone(identity, "elder", name="王秀英", carrier_id=old,
                                  phone_only=True)
    notify.set_preferences(elder_caller, {"channels": ["call"], "quiet_hours": None})
    volunteer, _ = someone(identity, name="李明")
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(days=3)))
    notify.send_due()
    old_station = staff_caller(old_operator, carrier_id=old)
    new_station = staff_caller(new_operator, scope="130202001000", carrier_id=new)
    [owed] = notify.call_tasks(old_station, {})["items"]
    envelope = moved(elder, ["elder"], carrier_id=new, from_carrier_id=old)
    notify.on_person_moved(envelope)
    notify.on_person_moved(envelope)  # redelivered: told once

    [out] = inbox_of(notify, old_station, "person_moved")
    [came] = inbox_of(notify, new_station, "person_moved")
    for told in (out, came):
        assert "王**" in told["body"] and "王秀英" not in told["body"]
        assert f"编号 {elder[:8]}" in told["body"]
        assert "从育才社区居委会" in told["body"] and "学院南路社区居委会" in told["body"]
        assert told["data"]["person_id"] == elder
    assert out["title"] == "人员迁出" and "由迁入地工作人员负责" in out["body"]
    # the call still owed is the new station's now
    assert notify.call_tasks(old_station, {})["items"] == []
    assert [t["id"] for t in notify.call_tasks(new_station, {})["items"]] == [owed["id"]]
    assert came["title"] == "人员迁入" and "今后由您负责" in came["body"]
    assert out["data"]["side"] == "moved_out" and came["data"]["side"] == "moved_in"


def test_a_volunteer_who_moved_is_told_to_the_admins_of_both_townships(notify, identity):
    volunteer, volunteer_caller = someone(identity, "volunteer", name="李明")
    notify.set_preferences(volunteer_caller, {"channels": ["sms"], "nearby_demands": True})
    here = identity.add_township_admin(str(uuid.uuid4()), TOWNSHIP)
    there = identity.add_township_admin(str(uuid.uuid4()), TANGSHAN)
    notify.on_person_moved(moved(volunteer, ["volunteer"]))
    [out] = inbox_of(notify, staff_caller(here, "township_admin"), "person_moved")
    [came] = inbox_of(notify, staff_caller(there, "township_admin", scope="130202001000"),
                      "person_moved")
    assert "志愿者李*" in out["body"] and "志愿者李*" in came["body"]
    assert TANGSHAN in out["body"]  # a place identity does not name is shown by its code
    # nearby demands are the new place's now
    for region, told in ((REGION, 0), (TANGSHAN, 1)):
        notify.on_demand_published(event("demand_published", {
            "demand_id": str(uuid.uuid4()), "elder_id": str(uuid.uuid4()),
            "category": "companionship", "region_code": region,
            "window_start": "2030-05-02T01:00:00+00:00",
            "window_end": "2030-05-02T02:00:00+00:00", "expected_minutes": 60,
            "volunteers_needed": 1}, region))
        assert len(inbox_of(notify, volunteer_caller, "demand_published")) == told


def status_changed(person_id, status, previous, changed_at, profiles=("elder",)):
    return event("person_status_changed", {
        "person_id": person_id, "region_code": REGION, "profiles": list(profiles),
        "status": status, "previous_status": previous,
        "reason": None if status == "active" else "家属告知",
        "changed_by": "op-1", "changed_at": changed_at.isoformat()})


def test_a_deceased_person_gets_no_more_messages(notify, identity, clock, uow_factory):
    carrier = str(uuid.uuid4())
    volunteer, volunteer_caller = someone(identity, name="李明")
    elder, elder_caller = someone(identity, "elder", name="王秀英", phone="03111234567",
                                  phone_only=True, carrier_id=carrier)
    notify.set_preferences(elder_caller, {"channels": ["sms", "call"], "quiet_hours": None})
    operator = staff_caller(str(uuid.uuid4()), carrier_id=carrier)
    demand_id = str(uuid.uuid4())
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(days=3),
                                       demand_id=demand_id))
    notify.send_due()
    [task] = notify.call_tasks(operator, {})["items"]
    notify.on_hours_given(event("hours_given", {  # pending when the death is recorded
        "transfer_id": f"gift:{volunteer}:1", "kind": "gift_to_relative",
        "from_person_id": volunteer, "to_person_id": elder, "minutes": 60}))

    notify.on_person_status_changed(status_changed(elder, "deceased", "active", clock.now()))

    assert notify.call_tasks(operator, {})["items"] == []
    [closed] = notify.call_tasks(operator, {"status": "done"})["items"]
    assert closed["id"] == task["id"] and closed["outcome"] == "deceased"
    assert "老人已故" in closed["note"]
    with uow_factory("notify")() as uow:
        reminders = uow.execute(text("SELECT status FROM reminders WHERE person_id = :p"),
                                {"p": elder}).scalars().all()
        pending = uow.execute(text(
            "SELECT count(*) FROM deliveries WHERE person_id = :p AND status IN "
            "('pending', 'failed')"), {"p": elder}).scalar()
    assert reminders and set(reminders) == {"cancelled"} and pending == 0
    before = notify.inbox(elder_caller, {})["total"]
    notify.on_hours_credited(credited(elder))
    clock.advance(days=3)
    notify.send_reminders()
    notify.send_due()
    assert notify.inbox(elder_caller, {})["total"] == before
    assert notify.call_tasks(operator, {})["items"] == []
    # one event for both: the volunteer hears of it, the deceased elder does not
    heard = notify.inbox(volunteer_caller, {})["total"]
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(days=4),
                                       demand_id=str(uuid.uuid4())))
    assert notify.inbox(volunteer_caller, {})["total"] == heard + 1
    assert notify.inbox(elder_caller, {})["total"] == before

    # a record corrected back to active: messages reach them again
    notify.on_person_status_changed(status_changed(elder, "active", "deceased", clock.now()))
    notify.on_hours_credited(credited(elder))
    assert notify.inbox(elder_caller, {})["total"] == before + 1


def test_an_old_correction_heard_late_does_not_undo_a_death(notify, identity, clock):
    elder, elder_caller = someone(identity, "elder", name="王秀英")
    earlier = clock.now()
    notify.on_person_status_changed(status_changed(elder, "deceased", "active",
                                                   earlier + dt.timedelta(minutes=5)))
    notify.on_person_status_changed(status_changed(elder, "active", "left", earlier))
    notify.on_hours_credited(credited(elder))
    assert notify.inbox(elder_caller, {})["total"] == 0
