"""Pure rules of the channels: quiet hours, retries, who can be reached how, reminders,
call outcomes, and the message builders with their seeded templates."""
import datetime as dt

import pytest

from notify.adapters.seed_templates import (
    CHANNEL_TEMPLATES,
    FOLLOW_UP_TEMPLATES,
    ISSUE13_TEMPLATES,
    TEMPLATES,
)
from notify.domain import messages
from notify.domain.call_tasks import DONE, OPEN, call_script, status_after, worth_a_call
from notify.domain.delivery import (
    DEAD,
    FAILED,
    Contact,
    RetryPolicy,
    call_instead,
    skip_reason,
)
from notify.domain.preferences import Preferences, defaults_for, in_quiet_hours, send_at
from notify.domain.reminders import is_urgent_cancellation, reminder_times
from notify.domain.templates import Template, render_message
from timebank_common.clock import CHINA as BJ


def beijing(hour, minute=0, day=1):
    return dt.datetime(2030, 5, day, hour, minute, tzinfo=BJ)


# --- quiet hours -------------------------------------------------------------------------
@pytest.mark.parametrize("moment, quiet", [
    (beijing(22, 0), True), (beijing(23, 59), True), (beijing(3, 0), True),
    (beijing(6, 59), True), (beijing(7, 0), False), (beijing(12, 0), False),
    (beijing(21, 59), False),
])
def test_elders_quiet_hours_run_over_midnight_in_beijing_time(moment, quiet):
    prefs = defaults_for("elder")
    assert in_quiet_hours(moment, prefs.quiet_start, prefs.quiet_end) is quiet


def test_a_same_day_window_and_no_window():
    assert in_quiet_hours(beijing(13, 30), dt.time(13, 0), dt.time(14, 0))
    assert not in_quiet_hours(beijing(14, 0), dt.time(13, 0), dt.time(14, 0))
    assert not in_quiet_hours(beijing(3, 0), None, None)


def test_a_message_in_quiet_hours_waits_for_their_end_unless_urgent():
    prefs = defaults_for("elder")
    late = beijing(23, 30)
    assert send_at(late, prefs, urgent=False) == beijing(7, 0, day=2)
    early = beijing(5, 0)
    assert send_at(early, prefs, urgent=False) == beijing(7, 0)
    assert send_at(late, prefs, urgent=True) == late
    assert send_at(beijing(10, 0), prefs, urgent=False) == beijing(10, 0)
    assert send_at(late, Preferences(quiet_start=None, quiet_end=None), False) == late


def test_defaults_elders_sms_and_calls_others_sms():
    assert defaults_for("elder").channels == ("sms", "call")
    assert defaults_for("volunteer").channels == ("sms",)
    assert not defaults_for("volunteer").nearby_demands


# --- retries -----------------------------------------------------------------------------
def test_backoff_doubles_up_to_a_cap_then_the_delivery_is_dead():
    policy = RetryPolicy(max_attempts=4, base_seconds=10, cap_seconds=35)
    now = beijing(12)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 35, 35]
    assert policy.after_failure(1, now) == (FAILED, now + dt.timedelta(seconds=10))
    assert policy.after_failure(3, now) == (FAILED, now + dt.timedelta(seconds=35))
    assert policy.after_failure(4, now) == (DEAD, None)


# --- who can be reached how --------------------------------------------------------------
def test_a_phone_only_elder_is_called_by_the_station_instead_of_texted():
    elder = Contact("e1", "王秀英", phone="0311-1234567", phone_only=True, carrier_id="c1")
    assert skip_reason("sms", elder, None) == "phone_only_called_instead"
    assert skip_reason("call", elder, None) is None
    no_station = Contact("e2", "李奶奶", phone_only=True)
    assert skip_reason("call", no_station, None) == "no_station"


def test_other_people_get_sms_with_a_phone_and_email_with_an_address():
    person = Contact("v1", "李明", phone="13800000000")
    assert skip_reason("sms", person, None) is None
    assert skip_reason("call", person, None) == "not_phone_only"
    assert skip_reason("email", person, None) == "no_email"
    assert skip_reason("email", person, "li@example.cn") is None
    assert skip_reason("sms", Contact("v2", "无号码"), None) == "no_phone"
    assert skip_reason("sms", None, None) == "unknown_person"


# --- reminders ---------------------------------------------------------------------------
def test_reminders_24_and_1_hour_ahead_only_those_still_to_come():
    start = beijing(9, 0, day=3)
    assert reminder_times(start, beijing(8, 0, day=1)) == {
        "24h": beijing(9, 0, day=2), "1h": beijing(8, 0, day=3)}
    assert reminder_times(start, beijing(12, 0, day=2)) == {"1h": beijing(8, 0, day=3)}
    assert reminder_times(start, beijing(8, 30, day=3)) == {}


def test_a_cancellation_within_two_hours_is_urgent():
    start = beijing(9, 0)
    assert is_urgent_cancellation(start, beijing(7, 30))
    assert is_urgent_cancellation(start, beijing(7, 0))
    assert not is_urgent_cancellation(start, beijing(6, 59))


def test_a_cancellation_after_the_window_is_not_urgent():
    """A demand expired unserved (or cancelled by its last no-show) once its window is over:
    nobody is on the way, so it waits for the end of quiet hours like any other message."""
    start, end = beijing(21, 0), beijing(22, 0)
    assert is_urgent_cancellation(start, beijing(21, 30), window_end=end)  # under way
    assert not is_urgent_cancellation(start, beijing(22, 0), window_end=end)
    assert not is_urgent_cancellation(start, beijing(23, 5), window_end=end)
    assert is_urgent_cancellation(start, beijing(23, 5))  # without its end: as before


# --- call tasks --------------------------------------------------------------------------
def test_reached_and_wrong_number_close_a_call_task_the_others_keep_it_open():
    assert status_after("reached") == DONE
    assert status_after("wrong_number") == DONE
    assert status_after("no_answer") == OPEN
    assert status_after("callback") == OPEN
    with pytest.raises(ValueError):
        status_after("hung_up")


def test_the_call_script_says_whom_to_call_and_what_to_say():
    assert call_script("王秀英", "明天9:00，志愿者李明将上门", "13800000000") == \
        "请致电王秀英（13800000000）：明天9:00，志愿者李明将上门"


def test_a_station_calls_about_what_changes_the_elders_day_only():
    assert worth_a_call("demand_assigned", {})
    assert worth_a_call("demand_cancelled", {})
    assert worth_a_call("service_reminder", {"lead": "24h"})
    assert not worth_a_call("service_reminder", {"lead": "1h"})
    assert not worth_a_call("service_recorded", {})
    assert not worth_a_call("hours_credited", {})


# --- messages and their templates --------------------------------------------------------------
def _render(notice, name=None):
    rows = [t for t in TEMPLATES + CHANNEL_TEMPLATES + FOLLOW_UP_TEMPLATES + ISSUE13_TEMPLATES
            if t["event_type"] == notice.kind and t["role"] == notice.role]
    return render_message([Template(**r) for r in rows],
                          messages.with_greeting(notice.values, name))


ASSIGNED = {"demand_id": "d-1", "volunteer_id": "v-1", "elder_id": "e-1",
            "window_start": "2030-05-02T01:00:00+00:00",
            "window_end": "2030-05-02T02:00:00+00:00"}


def test_every_builder_renders_with_its_seeded_templates():
    notices = [
        messages.demand_assigned_to_elder(ASSIGNED, {"v-1": "李明"}),
        messages.demand_published({**ASSIGNED, "category": "companionship",
                                   "location": {"address": "幸福小区3号楼"}}, "v-2",
                                  {"companionship": {"zh-CN": "陪伴聊天", "en": "Companionship"}}),
        messages.demand_cancelled({**ASSIGNED, "reason": None}, "v-1", "volunteer"),
        messages.demand_cancelled({"demand_id": "d-1"}, "e-1", "elder"),
        messages.service_reminder({**ASSIGNED, "person_id": "e-1", "role": "elder",
                                   "lead": "24h"}, {"v-1": "李明"}),
        messages.service_reminder({**ASSIGNED, "person_id": "v-1", "role": "volunteer",
                                   "lead": "1h"}, {}),
        *messages.service_recorded({"record_id": "r", "volunteer_id": "v-1", "elder_id": "e-1",
                                    "minutes": 90}),
        messages.hours_given({"transfer_id": "t", "kind": "gift_to_relative",
                              "from_person_id": "p-1", "to_person_id": "p-2",
                              "minutes": 120}, {"p-1": "张伟"}),
        messages.hours_given({"transfer_id": "t", "kind": "donation", "from_person_id": "p-1",
                              "minutes": 60}, {}),
        messages.milestone_reached({"person_id": "v-1", "level": 2,
                                    "cumulative_minutes": 6000}),
        messages.certificate_issued({"person_id": "v-1", "number": "HB2030-000001",
                                     "total_minutes": 600}),
        messages.review_overdue({"demand_id": "d-123456789", "submitted_at":
                                 "2030-05-01T00:00:00+00:00"}, "s-1"),
        messages.dispute_opened({"dispute_id": "x-1", "opener_role": "elder"}, "t-1"),
        messages.dispute_resolved({"dispute_id": "x-1", "outcome": "minutes_adjusted",
                                   "minutes": 45}, "e-1"),
        *messages.assignment_withdrawn({"demand_id": "d-1", "volunteer_id": "v-1"}, "e-1",
                                       ASSIGNED),
        *messages.assignment_no_show({"demand_id": "d-1", "volunteer_id": "v-1",
                                      "elder_id": "e-1",
                                      "window_start": ASSIGNED["window_start"]}, None),
        messages.qualification_expiring({"qualification_id": "q", "person_id": "v-1",
                                         "kind": "elderly_care_worker",
                                         "kind_name": {"zh": "养老护理员",
                                                       "en": "Elderly care worker"},
                                         "valid_until": "2030-06-01"}),
        messages.volunteer_eligible({"person_id": "v-1"}),
        messages.volunteer_suspended({"person_id": "v-1", "reasons": ["training_incomplete"]}),
        messages.follow_up_opened({"follow_up_id": "f-1", "kind": "low_score", "score": 2,
                                   "demand_id": "d-123456789", "region_code": "1"}, "s-1"),
        messages.confirmation_overdue({"record_id": "r", "elder_id": "e-1", "volunteer_id": "v-1",
                                       "minutes": 75,
                                       "recorded_at": "2030-05-01T17:00:00+00:00"},
                                      {"v-1": "李明"}),
        *(messages.recording_overdue({"demand_id": "d-123456789", "volunteer_id": "v-1",
                                      "elder_id": "e-1", "region_code": "130102001001",
                                      "carrier_id": "c-1",
                                      "checked_out_at": "2030-05-01T02:00:00+00:00",
                                      "due_at": "2030-05-02T02:00:00+00:00", "level": level},
                                     "s-1") for level in ("station", "township")),
        *(messages.person_moved({"person_id": "p-123456789", "profiles": ["elder"],
                                 "from_region_code": "130102001001",
                                 "to_region_code": "130202001001", "carrier_id": None,
                                 "moved_at": "2030-05-01T02:00:00+00:00"}, "s-1", side,
                                "王秀英", {"130102001001": "育才社区居委会"})
          for side in ("moved_out", "moved_in")),
    ]
    rendered = {(n.kind, n.role): _render(n) for n in notices}
    assert rendered[("recording_overdue", "station")].body_en.startswith(
        "A service (ref. d-123456) was checked out on 1 May 2030, 10:00 (Beijing time)")
    assert rendered[("person_moved", "moved_in")].body_zh.startswith(
        "老年人王**（编号 p-123456）已于2030年5月1日从育才社区居委会迁入130202001001")
    assert rendered[("demand_assigned", "elder")].body_zh == \
        "您好：李明将于2030年5月2日 09:00–10:00（北京时间）上门为您服务。"
    assert "陪伴聊天" in rendered[("demand_published", "volunteer")].body_zh
    assert "幸福小区3号楼" in rendered[("demand_published", "volunteer")].body_zh
    coordinates = messages.demand_published({**ASSIGNED, "category": "x", "location": {
        "lat": 38.0, "lng": 114.5}}, "v-2", {}, "育才社区居委会")
    assert "地点：育才社区居委会。" in _render(coordinates).body_zh
    assert "地点：见详情。" in _render(messages.demand_published(
        {**ASSIGNED, "category": "x", "location": None}, "v-2", {})).body_zh
    assert rendered[("service_reminder", "elder")].body_zh.startswith("您好：明天（2030年5月2日 09:00")
    assert "张伟赠送给您 2小时" in rendered[("hours_given", "relative")].body_zh
    assert "服务时长调整为 45分" in rendered[("dispute_resolved", "party")].body_zh
    assert "养老护理员资质将于2030年6月1日到期" in \
        rendered[("qualification_expiring", "volunteer")].body_zh
    assert rendered[("follow_up_opened", "station")].body_zh == \
        "一次服务的评价为2分，请回访老人了解情况（需求编号 d-123456）。请在“回访任务”中处理。"
    assert "李明为您提供的服务（1小时15分，2030年5月2日记录）尚待您确认" in \
        rendered[("record_confirmation_overdue", "elder")].body_zh  # the Beijing date
    assert "(1 h 15 min, recorded on 2 May 2030)" in \
        rendered[("record_confirmation_overdue", "elder")].body_en
    assert "d-123456" in rendered[("demand_review_overdue", "station")].body_zh
    assert all(r.title_en and r.body_en for r in rendered.values())


def test_demands_own_cancellation_reasons_are_said_in_words():
    """``expired`` (nobody served the demand in its window) and ``no_show`` come from
    demand's rules, not from a person: the elder reads what happened and what to do, never
    the code; a person's reason is shown as written."""
    expired = _render(messages.demand_cancelled({**ASSIGNED, "reason": "expired"}, "e-1",
                                                "elder"), "王秀英")
    assert expired.body_zh == ("王秀英您好：您2030年5月2日 09:00–10:00的服务已取消。原因：服务时段已过，"
                               "未能安排到志愿者上门。如仍需要帮助，请联系服务站重新登记")
    assert "without a volunteer being arranged" in expired.body_en
    assert "expired" not in expired.body_zh + expired.body_en
    no_show = _render(messages.demand_cancelled({**ASSIGNED, "reason": "no_show"}, "e-1",
                                                "elder"))
    assert "志愿者未能按时到达" in no_show.body_zh and "no_show" not in no_show.body_zh
    written = _render(messages.demand_cancelled({**ASSIGNED, "reason": "老人住院"}, "v-1",
                                                "volunteer"))
    assert written.body_zh.endswith("原因：老人住院") and written.body_en.endswith("老人住院")


def test_a_volunteer_without_a_known_name_is_a_volunteer():
    notice = messages.demand_assigned_to_elder(ASSIGNED, {})
    assert _render(notice).body_zh.startswith("您好：志愿者将于")
    assert _render(notice).body_en.startswith("Hello, A volunteer will come")


def test_the_elder_is_greeted_by_name():
    notice = messages.demand_assigned_to_elder(ASSIGNED, {"v-1": "李明"})
    assert _render(notice, "王秀英").body_zh.startswith("王秀英您好：李明将于")
    assert _render(notice, "王秀英").body_en.startswith("Hello 王秀英, 李明 will come")


def test_the_elders_reminder_of_a_group_service_names_every_volunteer_coming():
    reminder = {**ASSIGNED, "person_id": "e-1", "role": "elder", "lead": "24h"}
    notice = messages.service_reminder(reminder, {"v-1": "李明", "v-2": "赵磊"}, ["v-1", "v-2"])
    assert _render(notice).body_zh.endswith("李明、赵磊将上门为您服务。")
    assert "李明, 赵磊 will come" in _render(notice).body_en


def test_suspension_reasons_are_told_in_words_codes_only_as_a_last_resort():
    worded = messages.volunteer_suspended({"person_id": "v-1", "reasons": ["screening_flagged"],
                                           "reason_texts": [{"code": "screening_flagged",
                                                             "zh": "信用或违法记录审查未通过",
                                                             "en": "The screening found a record"}]})
    assert worded.values["zh-CN"]["reasons"] == "信用或违法记录审查未通过"
    assert worded.values["en"]["reasons"] == "The screening found a record"
    bare = messages.volunteer_suspended({"person_id": "v-1", "reasons": ["x_code"]})
    assert bare.values["zh-CN"]["reasons"] == "x_code"


def test_a_phone_only_elder_on_default_preferences_is_called_instead_of_texted():
    elder = Contact("e-1", "王秀英", "03111234567", phone_only=True, carrier_id="c-1",
                    is_elder=True)
    assert call_instead("sms", elder, False, "hours_given", {})
    assert call_instead("sms", elder, False, "service_reminder", {"lead": "24h"})
    assert not call_instead("sms", elder, False, "service_reminder", {"lead": "1h"})
    assert not call_instead("sms", elder, False, "service_recorded", {})  # not worth a call
    assert not call_instead("sms", elder, True, "hours_given", {})  # they chose their channels
    assert not call_instead("email", elder, False, "hours_given", {})
    texting = Contact("e-2", "李桂芳", "13900000000", is_elder=True, carrier_id="c-1")
    assert not call_instead("sms", texting, False, "hours_given", {})
    no_station = Contact("e-3", "赵秀兰", "03110000000", phone_only=True, is_elder=True)
    assert not call_instead("sms", no_station, False, "hours_given", {})
