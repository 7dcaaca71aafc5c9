"""Complete, realistic answers of the services the gateway's integration tests stand in for.

One builder per answer schema, grouped by the service that owns it; each gives every field its
contract declares (with a plausible value: a record confirmed by phone, a dispute opened by an
elder in 长安区, ...) and takes keyword overrides for the values a test asserts on::

    examples.balance(person_id=P1, earned_minutes=90)

so the test keeps its intent visible and the stand-in stays within the contract (the
``answers_as`` check of ``stand_ins.py`` and the strict gateway hold it there). Builders that
take lists (``dispute_page(items)``) build the envelope around the items they are given.
"""
from __future__ import annotations

from typing import Any

ELDER = "0b3c5a1e-0000-4000-8000-00000000e1de"
VOLUNTEER = "0b3c5a1e-0000-4000-8000-0000000001a1"
OPERATOR = "0b3c5a1e-0000-4000-8000-0000000000a0"
DEMAND = "0b3c5a1e-0000-4000-8000-00000000d001"
RECORD = "0b3c5a1e-0000-4000-8000-00000000ec01"
COMMUNITY = "130102001001"  # 长安区建北街道 — a community
CITY = "130100000000"       # 石家庄市
CARRIER = "carrier-7"
AT = "2026-11-29T10:30:00+08:00"


def _with(answer: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = set(overrides) - set(answer)
    if unknown:  # a typo would otherwise add a field the contract refuses, far from here
        raise TypeError(f"no such field in this answer: {sorted(unknown)}")
    return {**answer, **overrides}


def page(items: list[dict[str, Any]], *, page: int = 1, page_size: int = 20,
         total: int | None = None) -> dict[str, Any]:
    """The page envelope every service answers lists with."""
    return {"items": items, "total": len(items) if total is None else total, "page": page,
            "page_size": page_size}


# --- demand ------------------------------------------------------------------------------------
def category(**overrides: Any) -> dict[str, Any]:
    """``CategoryOut``: a catalogue entry anyone may serve."""
    return _with({"code": "emotional_comfort", "name_zh": "精神慰藉",
                  "name_en": "Emotional comfort", "professional": False, "qualifications": [],
                  "default_minutes": 60, "group_allowed": False}, overrides)


def assignment(**overrides: Any) -> dict[str, Any]:
    """``AssignmentOut``: a volunteer assigned by the station, not yet checked in."""
    return _with({
        "assignment_id": "0b3c5a1e-0000-4000-8000-00000000a551", "volunteer_id": VOLUNTEER,
        "status": "assigned", "assigned_at": "2026-11-28T16:00:00+08:00",
        "assigned_by": OPERATOR, "checked_in_at": None, "check_in_location": None,
        "checked_out_at": None, "check_out_location": None, "check_in_device_at": None,
        "check_out_device_at": None, "ended_at": None, "end_reason": None,
        "reservation_status": "reserved", "reservation_note": None,
    }, overrides)


def demand(**overrides: Any) -> dict[str, Any]:
    """``DemandOut``: an approved one-volunteer visit, assigned (``assignments`` given)."""
    return _with({
        "demand_id": DEMAND, "elder_id": ELDER, "category": "emotional_comfort",
        "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号",
        "location": {"lat": 38.05, "lng": 114.52},
        "window_start": "2026-11-29T09:00:00+08:00", "window_end": "2026-11-29T11:00:00+08:00",
        "expected_minutes": 60, "volunteers_needed": 1, "open_slots": 0, "channel": "phone",
        "status": "assigned", "region_code": COMMUNITY, "carrier_id": CARRIER,
        "submitted_by": OPERATOR, "funding_source": "own_hours", "funding_chosen_by": "elder",
        "fallback_reason": None, "funding_available_minutes": 600,
        "funding_shortfall_minutes": 0, "reviewed_by": OPERATOR,
        "reviewed_at": "2026-11-27T15:00:00+08:00", "reject_reason": None,
        "cancel_reason": None, "cancelled_at": None, "created_at": "2026-11-27T14:00:00+08:00",
        "assignments": [assignment()],
    }, overrides)


def record(**overrides: Any) -> dict[str, Any]:
    """``RecordOut``: a 60-minute companionship visit, confirmed by the elder on the phone and
    sent to the ledger."""
    return _with({
        "record_id": RECORD, "demand_id": DEMAND, "volunteer_id": VOLUNTEER,
        "volunteer_region_code": COMMUNITY, "elder_id": ELDER, "category": "emotional_comfort",
        "minutes": 60, "confirmation": "phone", "note": None, "funding_source": "own_hours",
        "region_code": COMMUNITY, "carrier_id": CARRIER, "recorded_by": OPERATOR,
        "recorded_at": "2026-11-29T10:00:00+08:00", "flags": [], "status": "sent",
        "confirmed_by": "elder", "confirmed_by_person": ELDER, "confirmed_at": AT,
        "confirmation_note": None, "review": None, "reviewed_by": None, "reviewed_at": None,
        "review_reason": None, "sent_at": AT, "corrected_minutes": None,
    }, overrides)


def group_failure(volunteer_id: str) -> dict[str, Any]:
    """``GroupFailureOut``: a volunteer of a group activity who had claimed nothing."""
    return {"volunteer_id": volunteer_id,
            "error": {"error": "not_assigned", "details": None,
                      "message": {"zh": "您不是该需求的服务志愿者",
                                  "en": "You are not assigned to this demand"}}}


def evaluation(**overrides: Any) -> dict[str, Any]:
    """``EvaluationOut``: the elder's five stars in the app; the demand becomes evaluated."""
    return _with({
        "evaluation_id": "0b3c5a1e-0000-4000-8000-0000000e7a01", "demand_id": DEMAND,
        "record_id": RECORD, "volunteer_id": VOLUNTEER, "elder_id": ELDER,
        "region_code": COMMUNITY, "score": 5, "tags": [], "comment": "", "channel": "app",
        "submitted_by": ELDER, "submitted_at": AT, "voided": False, "follow_up_id": None,
        "demand_status": "evaluated",
    }, overrides)


def dispute_step(**overrides: Any) -> dict[str, Any]:
    """``DisputeStepOut``: the opening step."""
    return _with({"step": "opened", "by": ELDER, "at": AT, "note": "只服务了半小时",
                  "details": {}}, overrides)


def dispute(**overrides: Any) -> dict[str, Any]:
    """``DisputeOut``: an elder disputes a record; nobody has taken it yet."""
    return _with({
        "dispute_id": "0b3c5a1e-0000-4000-8000-0000000d1501", "subject": "record",
        "subject_id": RECORD, "record_id": RECORD, "demand_id": DEMAND, "elder_id": ELDER,
        "volunteer_id": VOLUNTEER, "region_code": COMMUNITY, "opened_by": ELDER,
        "opener_role": "elder", "reason": "只服务了半小时", "status": "open", "handler_id": None,
        "outcome": None, "minutes": None, "resolution_reason": None, "resolved_by": None,
        "resolved_at": None, "opened_at": AT, "steps": [dispute_step()],
    }, overrides)


def evidence_policy_row(**overrides: Any) -> dict[str, Any]:
    """``EvidencePolicyRowOut``: the province's row every region starts from."""
    return _with({
        "id": 1, "region_code": "130000000000", "effective_from": "2026-01-01",
        "values": {"daily_max_minutes": 480}, "reason": "全省默认 Province default",
        "created_by": "pa-1", "created_at": "2025-12-20T09:00:00+08:00",
    }, overrides)


def evidence_policy(**overrides: Any) -> dict[str, Any]:
    """``EvidencePolicyOut``: the thresholds in effect in a community today."""
    return _with({"region_code": COMMUNITY, "on_date": "2026-11-29",
                  "values": {"daily_max_minutes": 480}, "rows": [evidence_policy_row()]},
                 overrides)


# --- ledger ------------------------------------------------------------------------------------
def balance(**overrides: Any) -> dict[str, Any]:
    """``BalanceOut``: a volunteer's earned hours, nothing reserved."""
    return _with({"person_id": VOLUNTEER, "earned_minutes": 90, "grant_minutes": 0,
                  "reserved_minutes": 0, "available_minutes": 90}, overrides)


def certificate_verification(**overrides: Any) -> dict[str, Any]:
    """``CertificateVerification``: a genuine certificate and what it certifies."""
    return _with({
        "genuine": True, "number": "HB-1301-20261129-7K3QXM5", "reason": None,
        "message": {"zh": "证明真实有效", "en": "The certificate is genuine"},
        "volunteer_name": "李*", "period_from": "2026-01-01", "period_to": "2026-11-28",
        "total_minutes": 1290, "total_display": "21小时30分钟", "services": 17,
        "issued_on": "2026-11-29", "issued_at": AT, "issuer_station": "建北街道志愿服务站",
        "issuer_organisation": "石家庄市长安区民政局", "key_id": "ledger-2026-1",
    }, overrides)


def ledger_stats(**overrides: Any) -> dict[str, Any]:
    """``LedgerStatsOut``: a county's month, one city-level unit's liability and pool."""
    figures = {"deposited_minutes": 150, "spent_minutes": 120, "gifted_minutes": 0,
               "donated_minutes": 30, "granted_minutes": 60, "allocated_minutes": 0,
               "reversed_minutes": 0}
    return _with({
        "region_code": "130102000000", **figures,
        "period": {"from": "2026-11-01", "to": "2026-11-30"},
        "liability": [{"region_code": CITY, "liability_minutes": 150}],
        "liability_minutes": 150,
        "pools": [{"region_code": CITY, "balance_minutes": 30}], "pool_minutes": 30,
        "fallbacks": [], "fallback_count": 0, "fallback_minutes": 0,
        "children": [{"region_code": "130102001000", "name": "建北街道", **figures}],
    }, overrides)


def _holdings(personal: int, grant: int = 0, donation_pool: int = 0) -> dict[str, int]:
    return {"personal": personal, "grant": grant, "donation_pool": donation_pool}


def interchange_unit(**overrides: Any) -> dict[str, Any]:
    """``InterchangeUnitOut``: a unit whose identity holds
    (opening_held + issued + inflow - outflow = held)."""
    return _with({
        "unit_code": CITY, "issued_minutes": 120, "inflow_minutes": 0, "outflow_minutes": 30,
        "opening_held_minutes": 600, "held_minutes": 690, "held_by_kind": _holdings(690),
        "earned_minutes": 120, "granted_minutes": 0, "spent_minutes": 0,
        "spent_by_source": _holdings(0), "reconciles": True,
    }, overrides)


def interchange_totals(units: list[dict[str, Any]]) -> dict[str, Any]:
    """``InterchangeTotalsOut``: the units summed."""
    keys = ("issued_minutes", "inflow_minutes", "outflow_minutes", "opening_held_minutes",
            "held_minutes", "earned_minutes", "granted_minutes", "spent_minutes")
    return {**{k: sum(u[k] for u in units) for k in keys}, "earned_granted_reconciles": None}


def interchange(**overrides: Any) -> dict[str, Any]:
    """``InterchangeOut``: one unit shown, 30 minutes moved to 唐山市."""
    units = overrides.get("units", [interchange_unit()])
    return _with({
        "period": {"from": "2026-11-01", "to": "2026-11-30"}, "units": units,
        "pairs": [{"from_unit": CITY, "to_unit": "130200000000", "minutes": 30,
                   "by_kind": {"move": 30}}],
        "totals": interchange_totals(units), "complete": False, "reconciles": True,
    }, overrides)


# --- notify ------------------------------------------------------------------------------------
def call_task(**overrides: Any) -> dict[str, Any]:
    """``CallTaskView``: a call the station owes an elder without a smartphone."""
    return _with({
        "id": "0b3c5a1e-0000-4000-8000-00000000ca11", "elder_id": ELDER, "elder_name": "王秀英",
        "carrier_id": CARRIER, "region_code": COMMUNITY, "kind": "record_confirmation_overdue",
        "script": "王奶奶您好，请确认李明昨天陪您聊天一小时。", "urgent": False, "status": "open",
        "outcome": None, "note": None, "attempts": [], "message_id": "m-1",
        "created_at": "2026-11-29T09:00:00+08:00", "closed_at": None,
    }, overrides)


def preferences(**overrides: Any) -> dict[str, Any]:
    """``PreferencesView``: saved preferences (inbox always on)."""
    return _with({
        "person_id": ELDER, "channels": ["sms"], "inbox": True,
        "quiet_hours": {"start": "21:00", "end": "08:00", "time_zone": "Asia/Shanghai"},
        "email": None, "locale": "zh-CN", "nearby_demands": False, "is_default": False,
        "updated_at": AT, "updated_by": OPERATOR,
    }, overrides)
