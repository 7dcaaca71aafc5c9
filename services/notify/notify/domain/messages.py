"""Which person an event concerns and what values its message shows, per event type.

Each builder turns an event payload into a ``Notice``: the recipient, their role
(which picks the template), placeholder values for each locale, and the data a
client needs to link the message to its subject.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..contracts import LOCALES
from .formatting import format_date, format_minutes, format_moment, format_window, mask_name

Payload = Mapping[str, Any]
"""An event's payload (or an answer of identity) as notify reads it."""
Values = dict[str, dict[str, Any]]
"""Locale -> placeholder values of a template."""
Names = Mapping[str, str]
"""Person id -> name, as identity knows it (empty when identity did not answer)."""

HOURS_CREDITED = "hours_credited"
DEMAND_ASSIGNED = "demand_assigned"


@dataclass(frozen=True)
class Notice:
    kind: str
    person_id: str
    role: str
    values: Values
    data: dict[str, Any]


def greeting(name: str | None) -> dict[str, str]:
    """The ``{greeting}`` every template may use: "王秀英您好：" / "Hello 王秀英, " — or
    "您好：" / "Hello, " when the name is not known."""
    if name:
        return {"zh-CN": f"{name}您好：", "en": f"Hello {name}, "}
    return {"zh-CN": "您好：", "en": "Hello, "}


UNIVERSAL_PLACEHOLDERS = {"greeting"}


def with_greeting(values: Values, name: str | None) -> Values:
    hello = greeting(name)
    return {locale: {"greeting": hello[locale], **values.get(locale, {})} for locale in LOCALES}


def hours_credited(payload: Payload) -> Notice:
    """Ledger credited a person's account: tell them how much and their new balance."""
    values = {
        locale: {
            "minutes": format_minutes(payload["minutes"], locale),
            "balance": format_minutes(payload["balance_minutes"], locale),
        }
        for locale in LOCALES
    }
    data = {key: payload.get(key) for key in
            ("transfer_id", "minutes", "balance_minutes", "kind", "record_id", "demand_id")}
    return Notice(HOURS_CREDITED, str(payload["person_id"]), "volunteer", values, data)


def demand_assigned(payload: Payload) -> Notice:
    """A volunteer got a demand (claimed or assigned): confirm it with the time window."""
    values = {
        locale: {"window": format_window(payload["window_start"], payload["window_end"], locale)}
        for locale in LOCALES
    }
    data = {key: payload.get(key) for key in ("demand_id", "window_start", "window_end")}
    return Notice(DEMAND_ASSIGNED, str(payload["volunteer_id"]), "volunteer", values, data)


# --- the events added with the channels (templates: seed_templates.CHANNEL_TEMPLATES) --------
DEMAND_PUBLISHED = "demand_published"
DEMAND_CANCELLED = "demand_cancelled"
SERVICE_REMINDER = "service_reminder"
SERVICE_RECORDED = "service_recorded"
HOURS_GIVEN = "hours_given"
MILESTONE_REACHED = "milestone_reached"
CERTIFICATE_ISSUED = "certificate_issued"
REVIEW_OVERDUE = "demand_review_overdue"
DISPUTE_OPENED = "dispute_opened"
DISPUTE_RESOLVED = "dispute_resolved"
ASSIGNMENT_WITHDRAWN = "assignment_withdrawn"
ASSIGNMENT_NO_SHOW = "assignment_no_show"
QUALIFICATION_EXPIRING = "qualification_expiring"
FOLLOW_UP_OPENED = "follow_up_opened"
CONFIRMATION_OVERDUE = "record_confirmation_overdue"
VOLUNTEER_ELIGIBLE = "volunteer_eligible"
VOLUNTEER_SUSPENDED = "volunteer_suspended"
RECORDING_OVERDUE = "recording_overdue"
PERSON_MOVED = "person_moved"

A_VOLUNTEER = {"zh-CN": "志愿者", "en": "A volunteer"}
LEAD_WORDS = {"24h": {"zh-CN": "明天", "en": "tomorrow"},
              "1h": {"zh-CN": "1小时后", "en": "in one hour"}}
DISPUTE_OUTCOMES = {
    "upheld": {"zh-CN": "维持原记录", "en": "the record stands"},
    "minutes_adjusted": {"zh-CN": "服务时长调整为 {minutes}", "en": "time adjusted to {minutes}"},
    "voided": {"zh-CN": "该服务记录作废", "en": "the record is voided"},
}
UNKNOWN_REASON = {"zh-CN": "未说明", "en": "not given"}
# Reasons demand's own rules give (not a person's words): said in words, never as the code.
CANCEL_REASONS = {
    # nobody served the demand in its window (never claimed, never reviewed, or everyone
    # withdrew): the elder must learn that nobody is coming and what to do
    "expired": {"zh-CN": "服务时段已过，未能安排到志愿者上门。如仍需要帮助，请联系服务站重新登记",
                "en": "the time passed without a volunteer being arranged. If you still need "
                      "help, please contact your service station to ask again"},
    "no_show": {"zh-CN": "志愿者未能按时到达，服务时段已过",
                "en": "the volunteer did not arrive and the time has passed"},
}


def _ref(value: object) -> str:
    """A short reference people can read out on the phone: the first 8 characters of an id."""
    return str(value or "")[:8]


def _same(person_id: object, role: str, kind: str, values: Values,
          data: dict[str, Any]) -> Notice:
    return Notice(kind, str(person_id), role, values, data)


def _window(payload: Payload) -> dict[str, str]:
    if payload.get("window_start") and payload.get("window_end"):
        return {locale: format_window(payload["window_start"], payload["window_end"], locale)
                for locale in LOCALES}
    return {"zh-CN": "原定时间", "en": "the planned time"}


def _name(names: Names, *person_ids: object) -> dict[str, str]:
    """"李明" / "李明、赵磊" (a group service) — or "志愿者" when no name is known."""
    known = [names[str(p)] for p in person_ids if p and names.get(str(p))]
    return {"zh-CN": "、".join(known) or A_VOLUNTEER["zh-CN"],
            "en": ", ".join(known) or A_VOLUNTEER["en"]}


def demand_assigned_to_elder(payload: Payload, names: Names) -> Notice:
    """The elder hears who comes and when."""
    window, who = _window(payload), _name(names, payload["volunteer_id"])
    values = {loc: {"window": window[loc], "volunteer_name": who[loc]} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "volunteer_id", "window_start", "window_end")}
    return _same(payload["elder_id"], "elder", DEMAND_ASSIGNED, values, data)


def demand_published(payload: Payload, volunteer_id: str,
                     category_names: Mapping[str, Mapping[str, str | None]],
                     place_name: str | None = None) -> Notice:
    """A volunteer who opted in to nearby demands hears of a new one in their township: where
    is the location's address or name when it has one (demand's events carry coordinates),
    else the community's name (``place_name``)."""
    window = _window(payload)
    names = category_names.get(payload.get("category") or "") or {}
    location = payload.get("location")
    if isinstance(location, dict):
        location = location.get("address") or location.get("name")
    location = location or place_name
    values = {loc: {"window": window[loc],
                    "category": names.get(loc) or payload.get("category") or "",
                    "location": location or ("见详情" if loc == "zh-CN" else "see details")}
              for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "category", "window_start", "window_end")}
    return _same(volunteer_id, "volunteer", DEMAND_PUBLISHED, values, data)


def cancel_reason(reason: str | None) -> dict[str, str]:
    """The reason a cancellation gives, per locale: demand's own codes (``expired``,
    ``no_show``) in words; a person's reason as they wrote it."""
    if not reason:
        return UNKNOWN_REASON
    return CANCEL_REASONS.get(reason) or {loc: reason for loc in LOCALES}


def demand_cancelled(payload: Payload, person_id: str, role: str) -> Notice:
    window, reason = _window(payload), cancel_reason(payload.get("reason"))
    values = {loc: {"window": window[loc], "reason": reason[loc]} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "window_start", "reason")}
    return _same(person_id, role, DEMAND_CANCELLED, values, data)


def service_reminder(reminder: Payload, names: Names,
                     volunteer_ids: Sequence[str] = ()) -> Notice:
    """24 hours / 1 hour before a service, to the volunteer and to the elder (one reminder
    for the elder naming every volunteer still coming: ``volunteer_ids``)."""
    window = _window(reminder)
    who = _name(names, *(volunteer_ids or [reminder["volunteer_id"]]))
    values = {loc: {"window": window[loc], "lead": LEAD_WORDS[reminder["lead"]][loc],
                    "volunteer_name": who[loc]} for loc in LOCALES}
    data = {"demand_id": reminder["demand_id"], "lead": reminder["lead"],
            "window_start": reminder["window_start"], "window_end": reminder["window_end"]}
    return _same(reminder["person_id"], reminder["role"], SERVICE_REMINDER, values, data)


def service_recorded(payload: Payload) -> list[Notice]:
    values = {loc: {"minutes": format_minutes(payload["minutes"], loc)} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("record_id", "demand_id", "minutes")}
    notices = [_same(payload["volunteer_id"], "volunteer", SERVICE_RECORDED, values, data)]
    if payload.get("elder_id"):
        notices.append(_same(payload["elder_id"], "elder", SERVICE_RECORDED, values, data))
    return notices


def hours_given(payload: Payload, names: Names) -> Notice:
    """A gift tells the relative who received it; a donation thanks the donor."""
    minutes = {loc: format_minutes(payload["minutes"], loc) for loc in LOCALES}
    data = {k: payload.get(k) for k in ("transfer_id", "kind", "minutes", "from_person_id")}
    if payload["kind"] == "gift_to_relative":
        giver = names.get(str(payload["from_person_id"]))
        values = {loc: {"minutes": minutes[loc],
                        "giver_name": giver or ("您的亲属" if loc == "zh-CN" else "Your relative")}
                  for loc in LOCALES}
        return _same(payload["to_person_id"], "relative", HOURS_GIVEN, values, data)
    values = {loc: {"minutes": minutes[loc]} for loc in LOCALES}
    return _same(payload["from_person_id"], "donor", HOURS_GIVEN, values, data)


def milestone_reached(payload: Payload) -> Notice:
    values = {loc: {"level": payload["level"],
                    "cumulative": format_minutes(payload["cumulative_minutes"], loc)}
              for loc in LOCALES}
    data = {k: payload.get(k) for k in ("level", "cumulative_minutes", "transfer_id")}
    return _same(payload["person_id"], "volunteer", MILESTONE_REACHED, values, data)


def certificate_issued(payload: Payload) -> Notice:
    values = {loc: {"number": payload["number"],
                    "total": format_minutes(payload["total_minutes"], loc)} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("number", "period_from", "period_to", "total_minutes")}
    return _same(payload["person_id"], "volunteer", CERTIFICATE_ISSUED, values, data)


def review_overdue(payload: Payload, staff_id: str) -> Notice:
    submitted = _window({"window_start": payload["submitted_at"],
                         "window_end": payload["submitted_at"]})
    values = {loc: {"submitted_at": submitted[loc].split("–")[0].replace(" (Beijing time)", ""),
                    "demand_ref": _ref(payload["demand_id"])} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "submitted_at", "escalated_at", "carrier_id")}
    return _same(staff_id, "station", REVIEW_OVERDUE, values, data)


def dispute_opened(payload: Payload, staff_id: str) -> Notice:
    values = {loc: {"dispute_ref": _ref(payload["dispute_id"])} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("dispute_id", "subject", "record_id", "demand_id",
                                        "opened_by", "opener_role")}
    return _same(staff_id, "township", DISPUTE_OPENED, values, data)


def dispute_resolved(payload: Payload, party_id: str) -> Notice:
    outcome = DISPUTE_OUTCOMES.get(payload["outcome"])
    values = {}
    for loc in LOCALES:
        text = outcome[loc] if outcome else payload["outcome"]
        if payload.get("minutes") is not None:
            text = text.format(minutes=format_minutes(payload["minutes"], loc))
        values[loc] = {"dispute_ref": _ref(payload["dispute_id"]), "outcome": text}
    data = {k: payload.get(k) for k in ("dispute_id", "record_id", "demand_id", "outcome",
                                        "minutes")}
    return _same(party_id, "party", DISPUTE_RESOLVED, values, data)


def assignment_withdrawn(payload: Payload, elder_id: str | None,
                         window: Payload | None) -> list[Notice]:
    shown = _window(window or {})
    data = {k: payload.get(k) for k in ("demand_id", "volunteer_id", "reason", "open_slots")}
    notices = [_same(payload["volunteer_id"], "volunteer", ASSIGNMENT_WITHDRAWN,
                     {loc: {"demand_ref": _ref(payload["demand_id"])} for loc in LOCALES}, data)]
    if elder_id:
        notices.append(_same(elder_id, "elder", ASSIGNMENT_WITHDRAWN,
                             {loc: {"window": shown[loc]} for loc in LOCALES}, data))
    return notices


def assignment_no_show(payload: Payload, window: Payload | None) -> list[Notice]:
    start = {"window_start": payload["window_start"],
             "window_end": (window or {}).get("window_end") or payload["window_start"]}
    shown = _window(start)
    values = {loc: {"window": shown[loc]} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "volunteer_id", "elder_id", "window_start")}
    notices = [_same(payload["volunteer_id"], "volunteer", ASSIGNMENT_NO_SHOW, values, data)]
    if payload.get("elder_id"):
        notices.append(_same(payload["elder_id"], "elder", ASSIGNMENT_NO_SHOW, values, data))
    return notices


def qualification_expiring(item: Payload) -> Notice:
    """``item`` from identity's ``qualifications_expiring``: the kind's name is identity's
    (``kind_name {zh, en}``), the code when an older identity does not send it."""
    names = item.get("kind_name") or {}
    until = dt.date.fromisoformat(item["valid_until"])
    values = {"zh-CN": {"kind": names.get("zh") or item["kind"],
                        "valid_until": f"{until.year}年{until.month}月{until.day}日"},
              "en": {"kind": names.get("en") or item["kind"],
                     "valid_until": f"{until.day} {until:%b} {until.year}"}}
    data = {k: item.get(k) for k in ("qualification_id", "kind", "valid_until")}
    return _same(item["person_id"], "volunteer", QUALIFICATION_EXPIRING, values, data)


def volunteer_eligible(payload: Payload) -> Notice:
    return _same(payload["person_id"], "volunteer", VOLUNTEER_ELIGIBLE,
                 {loc: {} for loc in LOCALES}, {"region_code": payload.get("region_code")})


def volunteer_suspended(payload: Payload) -> Notice:
    """The reasons in words (identity's ``reason_texts``); the codes when an event has none."""
    reasons = payload.get("reasons") or []
    texts = payload.get("reason_texts") or [{"code": c, "zh": c, "en": c} for c in reasons]
    values = {"zh-CN": {"reasons": "；".join(t["zh"] for t in texts) or "未说明"},
              "en": {"reasons": "; ".join(t["en"] for t in texts) or "no reason given"}}
    return _same(payload["person_id"], "volunteer", VOLUNTEER_SUSPENDED, values,
                 {"reasons": reasons})


FOLLOW_UP_TASKS = {
    "low_score": {"zh-CN": "一次服务的评价为{score}分，请回访老人了解情况",
                  "en": "A service was rated {score} out of 5: please call the elder to hear "
                        "what went wrong"},
    "confirmation_overdue": {"zh-CN": "一条服务记录迟迟未经老人确认，请致电老人确认服务",
                             "en": "A service record still waits for the elder's "
                                   "confirmation: please call the elder to confirm it"},
}


def follow_up_opened(payload: Payload, staff_id: str) -> Notice:
    """The station's staff hear of a follow-up task demand opened for them."""
    task = FOLLOW_UP_TASKS.get(payload["kind"]) or {
        "zh-CN": f"新的回访任务（{payload['kind']}）", "en": f"New follow-up ({payload['kind']})"}
    score = payload.get("score")
    values = {loc: {"task": task[loc].replace("{score}", str(score if score is not None else "")),
                    "score": "" if score is None else str(score),
                    "demand_ref": _ref(payload.get("demand_id"))} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("follow_up_id", "kind", "demand_id", "record_id",
                                        "evaluation_id", "score", "carrier_id")}
    return _same(staff_id, "station", FOLLOW_UP_OPENED, values, data)


def confirmation_overdue(payload: Payload, names: Names) -> Notice:
    """The elder is asked (a phone-only elder: called by the station) to confirm a record."""
    who = _name(names, payload.get("volunteer_id"))
    minutes = payload.get("minutes")
    values = {loc: {"volunteer_name": who[loc],
                    "recorded_on": format_date(payload["recorded_at"], loc),
                    "minutes": (format_minutes(minutes, loc) if minutes is not None
                                else ("时长见记录" if loc == "zh-CN" else "see the record"))}
              for loc in LOCALES}
    data = {k: payload.get(k) for k in ("record_id", "demand_id", "volunteer_id", "minutes",
                                        "recorded_at")}
    return _same(payload["elder_id"], "elder", CONFIRMATION_OVERDUE, values, data)


# --- issue 13: timeliness of recording, and people who move ---------------------------------
A_PERSON = {"zh-CN": "一位人员", "en": "A person"}
PROFILE_WORDS = {"elder": {"zh-CN": "老年人", "en": "elder"},
                 "volunteer": {"zh-CN": "志愿者", "en": "volunteer"}}


def recording_overdue(payload: Payload, staff_id: str) -> Notice:
    """A checked-out service is not recorded in time: the station's operators first (role
    ``station``), then the township's admins (role ``township``)."""
    values = {loc: {"demand_ref": _ref(payload["demand_id"]),
                    "checked_out_at": format_moment(payload["checked_out_at"], loc),
                    "due_at": format_moment(payload["due_at"], loc)} for loc in LOCALES}
    data = {k: payload.get(k) for k in ("demand_id", "volunteer_id", "elder_id", "carrier_id",
                                        "region_code", "checked_out_at", "due_at", "level")}
    role = "township" if payload["level"] == "township" else "station"
    return _same(staff_id, role, RECORDING_OVERDUE, values, data)


def person_moved(payload: Payload, staff_id: str, side: str, name: str | None,
                 places: Mapping[str, str]) -> Notice:
    """The staff of the place a person left (``moved_out``) or came to (``moved_in``): who
    (the name masked, a reference), what profile, from where to where."""
    masked = mask_name(name)
    profiles = [p for p in ("elder", "volunteer") if p in payload["profiles"]]
    values = {}
    for loc in LOCALES:
        who = "、".join(PROFILE_WORDS[p][loc] for p in profiles) if loc == "zh-CN" \
            else " and ".join(PROFILE_WORDS[p][loc] for p in profiles)
        values[loc] = {
            "person": masked or A_PERSON[loc], "person_ref": _ref(payload["person_id"]),
            "profile": who or A_PERSON[loc],
            "from_place": places.get(payload["from_region_code"], payload["from_region_code"]),
            "to_place": places.get(payload["to_region_code"], payload["to_region_code"]),
            "moved_on": format_date(payload["moved_at"], loc)}
    data = {"person_id": payload["person_id"], "person_masked": masked, "side": side,
            **{k: payload.get(k) for k in ("from_region_code", "to_region_code", "profiles",
                                           "from_carrier_id", "carrier_id", "moved_at")}}
    return _same(staff_id, side, PERSON_MOVED, values, data)
