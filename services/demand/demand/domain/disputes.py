"""Disputes (item 9), pure: who may open and handle them, the state machine, outcomes.

``open`` ──take──> ``in_review`` ──resolve──> ``resolved`` (``open`` may also be resolved
directly). Opened by the elder, the volunteer or the station about a service record or an
evaluation, with a reason; handled by the township: staff whose scope covers the demand at
township level or above. Outcomes: ``upheld`` (it stands), ``minutes_adjusted`` (records
only: the corrected minutes, fewer than recorded — more time is a new record) or
``voided`` (a record: no hours; an evaluation: no longer counted). One dispute per record
or evaluation: a resolution is final at this level.
"""
from __future__ import annotations

from dataclasses import dataclass

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.errors import BadInput, Conflict, Forbidden
from timebank_common.regions import COMMUNITY, level_of

from ..contracts.enums import IN_REVIEW, MINUTES_ADJUSTED, OPEN, OUTCOMES, RESOLVED

STEPS = ("opened", "assigned", "comment", "resolved")
STATUS_ZH = {OPEN: "待处理", IN_REVIEW: "处理中", RESOLVED: "已裁决"}


@dataclass(frozen=True)
class Parties:
    elder_id: str
    volunteer_id: str
    region_code: str


def opener_role(caller: Caller, parties: Parties) -> str:
    """``elder``, ``volunteer`` or ``station``; anyone else is refused."""
    if caller.person_id and caller.person_id == parties.elder_id:
        return "elder"
    if caller.person_id and caller.person_id == parties.volunteer_id:
        return "volunteer"
    if caller.has(*STATION_STAFF) and caller.covers(parties.region_code):
        return "station"
    raise Forbidden("not_a_party", "只有老人、服务志愿者或所属站点可以就此提出争议",
                    "Only the elder, the volunteer or the station can dispute this")


def require_handler(caller: Caller, region_code: str) -> None:
    """Township level or above, scope covering the demand."""
    caller.require(*STATION_STAFF)
    if not caller.scope or level_of(caller.scope) == COMMUNITY:
        raise Forbidden("township_level_required", "争议由乡镇（街道）及以上工作人员处理",
                        "Disputes are handled by township-level staff or above",
                        {"scope": caller.scope})
    caller.require_scope(region_code)


def require_disinterested(handler: str | None, opened_by: str | None,
                          parties: tuple[str, ...]) -> None:
    """Four eyes: nobody resolves a dispute they opened or are a party to (its elder or
    volunteer). The station that recorded the service may still resolve it: at a township
    that is often the only handler, and the outcome is kept with every step."""
    if handler is not None and (handler == opened_by or handler in parties):
        raise Forbidden("own_dispute", "不能裁决自己提出或自己是当事人的争议，须由其他工作人员裁决",
                        "You cannot resolve a dispute you opened or are a party to: another "
                        "staff member resolves it")


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("reason_required", "请说明理由", "A reason is required")
    return reason


def check_outcome(subject: str, outcome: str, minutes: int | None,
                  recorded_minutes: int | None) -> int | None:
    """The corrected minutes for ``minutes_adjusted`` (else None), or refuse."""
    if outcome not in OUTCOMES:
        raise BadInput("invalid_outcome", "裁决结果须为 upheld、minutes_adjusted 或 voided",
                       "The outcome must be upheld, minutes_adjusted or voided")
    if outcome != MINUTES_ADJUSTED:
        return None
    if subject != "record":
        raise BadInput("adjustment_needs_record", "只有服务记录的争议可以调整时长",
                       "Only a dispute about a service record can adjust minutes")
    if minutes is None or minutes < 0 or (recorded_minutes is not None
                                          and minutes >= recorded_minutes):
        raise BadInput("adjusted_minutes_invalid",
                       "调整后的时长须为 0 至少于原记录时长的分钟数（增加时长须新建服务记录）",
                       "The corrected minutes must be at least 0 and fewer than recorded"
                       " (more time is a new record)",
                       {"recorded_minutes": recorded_minutes, "minutes": minutes})
    return minutes


def require_status(status: str, allowed: tuple[str, ...], action: str, action_zh: str) -> None:
    if status not in allowed:
        raise Conflict("invalid_dispute_transition",
                       f"争议当前状态为“{STATUS_ZH[status]}”，不能{action_zh}",
                       f"Cannot {action}: the dispute is {status}",
                       {"status": status, "action": action})


def take(status: str) -> str:
    require_status(status, (OPEN, IN_REVIEW), "take", "受理")
    return IN_REVIEW


def resolve(status: str) -> str:
    require_status(status, (OPEN, IN_REVIEW), "resolve", "裁决")
    return RESOLVED


def comment(status: str) -> None:
    require_status(status, (OPEN, IN_REVIEW), "comment", "补充说明")
