"""The demand lifecycle (DESIGN.md §5) as a pure state machine.

A demand moves ``submitted -> published | rejected``; claims and assignments add
volunteers (one ``Assignment`` each) until every slot is taken (``assigned``);
each volunteer's assignment then moves ``assigned -> in_service -> awaiting_record
-> recorded``. The demand's own status follows its assignments:

* ``published`` while slots remain and nobody has started;
* ``assigned`` when every slot is taken and nobody has started;
* ``in_service`` once someone checked in and not everyone has checked out;
* ``awaiting_record`` when everyone checked out and some are not yet recorded;
* ``recorded`` when every assignment is recorded;
* ``evaluated`` once the elder's side (the elder in the app, their proxy, or the station by
  phone) has evaluated every recorded volunteer whose record still counts (not rejected or
  voided: those cannot be evaluated), and at least one volunteer (``follow_evaluations``). A
  group demand thus waits for an evaluation of each volunteer; a demand whose every record was
  rejected or voided before anyone evaluated it stays ``recorded``. ``evaluated`` is final for
  the demand: disputes about its records or evaluations have their own state
  (``domain/disputes.py``) and leave it as it is.

``cancel`` is allowed from ``submitted``, ``published`` and ``assigned``.

A volunteer may ``withdraw`` before the window starts (with a reason); a volunteer who
has not checked in by the window start plus a grace period is a ``no_show``. Both end
the assignment (it is kept, for the volunteer's reliability). What becomes of its slot
depends on whether the service is under way:

* nobody on the demand has checked in yet: the slot reopens, the demand goes back to
  ``published`` and someone else may take it (a withdrawal before the start; a no-show with
  nobody else left while the window lasts, for the station to send someone);
* someone has checked in (the service is under way — at the latest once the window has
  started and the no-shows are marked): the slot is NOT reopened. The demand takes no more
  claims from then on, and completes (``awaiting_record``, ``recorded``, ``evaluated``) with
  the volunteers who served. ``open_slots`` is 0 whenever the demand does not take claims
  (any status but ``published``), so no demand shows a slot nobody can claim.

A no-show found once the window is over, with no other volunteer left on the demand,
cancels the demand (reason ``no_show``) so the station sees that the elder was not served,
instead of leaving a stale demand open.

**Expiry.** A demand nobody serves must not stay open after its window: one still
``published`` once the window has ended with no volunteer on it (never claimed, or reopened
after withdrawals or no-shows with nobody left), or still ``submitted`` (never reviewed), is
cancelled with reason ``expired`` (``expire``; no status of its own: DESIGN.md §5 has
``cancelled`` for a demand that ends unserved, and the reason tells why). A ``published`` demand
that still has volunteers on it is not expired: they are no-shows first, and the last no-show
after the window cancels it with reason ``no_show``. So each unserved demand is closed once,
by one of the two rules.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

from ..contracts.enums import (
    ASSIGNED,
    AWAITING_RECORD,
    CANCELLED,
    DEFAULT_FUNDING,
    EVALUATED,
    EXPIRED_REASON,
    IN_SERVICE,
    NO_SHOW,
    NO_SHOW_REASON,
    PUBLISHED,
    RECORDED,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
)
from . import funding

Location = dict[str, float]  # {lat, lng}

CANCELLABLE = frozenset({SUBMITTED, PUBLISHED, ASSIGNED})
ACTIVE_ASSIGNMENT = frozenset({ASSIGNED, IN_SERVICE})  # what blocks an overlapping claim
ENDED_ASSIGNMENT = frozenset({WITHDRAWN, NO_SHOW})  # kept for reliability, slot reopened
EXPIRABLE = frozenset({SUBMITTED, PUBLISHED})  # nobody serving: closed once the window ends

STATUS_ZH = {
    SUBMITTED: "待审核", PUBLISHED: "已发布", REJECTED: "已驳回", ASSIGNED: "已派单",
    IN_SERVICE: "服务中", AWAITING_RECORD: "待记录", RECORDED: "已记录", EVALUATED: "已评价",
    CANCELLED: "已取消", WITHDRAWN: "已退出", NO_SHOW: "未到场",
}
ACTION_ZH = {
    "review": "审核", "adjust": "调整", "claim": "认领或指派", "check_in": "签到",
    "check_out": "签退", "record": "记录服务时长", "cancel": "取消", "withdraw": "退出",
    "no_show": "记为未到场", "expire": "作过期处理",
}


def invalid_transition(action: str, status: str, subject: str = "demand") -> Conflict:
    who_zh = "需求" if subject == "demand" else "该志愿者的派单"
    return Conflict(
        "invalid_transition",
        f"{who_zh}当前状态为“{STATUS_ZH[status]}”，不能{ACTION_ZH[action]}",
        f"Cannot {action.replace('_', '-')}: the {subject} is {status}",
        {"status": status, "action": action, "subject": subject},
    )


@dataclass
class Assignment:
    volunteer_id: str
    volunteer_region_code: str | None
    assigned_by: str | None
    assigned_at: dt.datetime
    status: str = ASSIGNED
    checked_in_at: dt.datetime | None = None
    check_in_location: Location | None = None
    checked_out_at: dt.datetime | None = None
    check_out_location: Location | None = None
    # the times the volunteer's device sent (extra evidence; the times above are the server's)
    check_in_device_at: dt.datetime | None = None
    check_out_device_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None  # withdrawn or no-show
    end_reason: str | None = None
    reservation_status: str | None = None  # see domain/payments.py
    reservation_note: str | None = None
    id: str | None = None  # set by the repository

    @property
    def live(self) -> bool:
        """Holds a slot (not withdrawn, not a no-show)."""
        return self.status not in ENDED_ASSIGNMENT


@dataclass
class Demand:
    id: str
    elder_id: str
    category: str
    region_code: str
    window_start: dt.datetime
    window_end: dt.datetime
    expected_minutes: int
    volunteers_needed: int
    channel: str
    description: str = ""
    address: str = ""
    location: Location | None = None
    carrier_id: str | None = None
    submitted_by: str | None = None
    created_at: dt.datetime | None = None
    status: str = SUBMITTED
    funding_source: str = DEFAULT_FUNDING  # chosen at submission (domain/funding.py)
    funding_chosen_by: str | None = None  # elder | proxy | operator | api_client; None: default
    fallback_reason: str | None = None  # agreed at review: issuance pays what the source lacks
    funding_available_minutes: int | None = None  # the source's cover seen at review
    funding_shortfall_minutes: int = 0
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    reject_reason: str | None = None
    cancelled_by: str | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = None
    assignments: list[Assignment] = field(default_factory=list)

    # --- questions -------------------------------------------------------
    @property
    def open_slots(self) -> int:
        """Slots a volunteer can still claim: only while the demand takes claims
        (``published``). Once the service is under way a slot given back (withdrawn, no-show)
        is not reopened, so an ``in_service``, ``recorded`` or ``evaluated`` demand has none
        even with fewer volunteers than it asked for."""
        return self._unfilled if self.status == PUBLISHED else 0

    @property
    def _unfilled(self) -> int:
        return max(self.volunteers_needed - len(self.live_assignments()), 0)

    @property
    def under_way(self) -> bool:
        """Someone on the demand has checked in: it takes no more volunteers."""
        return any(a.checked_in_at is not None for a in self.live_assignments())

    def live_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.live]

    def assignment_of(self, volunteer_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.volunteer_id == volunteer_id), None)

    def volunteer_ids(self) -> list[str]:
        return [a.volunteer_id for a in self.live_assignments()]

    # --- transitions -----------------------------------------------------
    def review(self, decision: str, by: str | None, now: dt.datetime,
               reason: str | None = None) -> None:
        """Approve (publish) or reject with a reason. The payer was chosen at submission;
        an approval checks its cover first (``settle_funding``)."""
        if self.status != SUBMITTED:
            raise invalid_transition("review", self.status)
        self.require_another_reviewer(by)
        if decision == "approve":
            self.status = PUBLISHED
        elif decision == "reject":
            if not (reason or "").strip():
                raise BadInput("reason_required", "驳回需求时须说明理由",
                               "Rejecting a demand needs a reason")
            self.reject_reason = (reason or "").strip()
            self.status = REJECTED
        else:
            raise BadInput("invalid_decision", "审核结论只能是 approve 或 reject",
                           "The decision must be approve or reject")
        self.reviewed_by, self.reviewed_at = by, now

    def require_another_reviewer(self, reviewer: str | None) -> None:
        """Four eyes: nobody reviews a demand they asked for — as the elder, or as whoever
        submitted it in the app (the elder's proxy). Staff who typed in a request an elder
        made by phone or at the station did not ask for it, and may review it."""
        if reviewer is not None and (reviewer == self.elder_id or (
                reviewer == self.submitted_by and self.channel == "app")):
            raise Forbidden("own_demand_review", "不能审核自己提出的需求，须由其他工作人员审核",
                            "You cannot review a demand you asked for: another staff member "
                            "reviews it")

    @property
    def minutes_needed(self) -> int:
        return self.expected_minutes * self.volunteers_needed

    def settle_funding(self, available: int | None, fallback_reason: str | None) -> None:
        """At approval: what the chosen source can pay (``available``: None when the source's
        cover is not the elder's balance) against ``expected_minutes × volunteers_needed``;
        a shortfall needs the station's explicit ``fallback_reason`` (422 without)."""
        if self.status != SUBMITTED:
            raise invalid_transition("review", self.status)
        missing = funding.shortfall(self.funding_source, self.minutes_needed, available)
        self.fallback_reason = funding.require_fallback_reason(
            self.funding_source, self.minutes_needed, available or 0, missing, fallback_reason)
        self.funding_available_minutes = available
        self.funding_shortfall_minutes = missing

    def require_claimable(self) -> None:
        if self.status != PUBLISHED or self.open_slots == 0:
            raise invalid_transition("claim", self.status)

    def assign(self, volunteer_id: str, volunteer_region_code: str | None, by: str | None,
               now: dt.datetime) -> Assignment | None:
        """Give ``volunteer_id`` a slot. None when they already hold one (a repeat)."""
        held = self.assignment_of(volunteer_id)
        if held is not None:
            if not held.live:
                raise Conflict("assignment_ended",
                               "该志愿者已退出或未到场，不能再次承接此需求",
                               "This volunteer withdrew from or missed this demand and cannot"
                               " take it again", {"volunteer_id": volunteer_id,
                                                  "status": held.status})
            return None
        self.require_claimable()
        assignment = Assignment(volunteer_id, volunteer_region_code, by, now)
        self.assignments.append(assignment)
        self._follow_assignments()
        return assignment

    def check_in(self, volunteer_id: str, now: dt.datetime, device_at: dt.datetime | None = None,
                 location: Location | None = None) -> bool:
        """Start the service for this volunteer at ``now`` (the server's clock, never the
        device's: ``device_at``, the time the app sent, is kept as evidence only). False when
        already started (a repeat)."""
        assignment = self._held_by(volunteer_id)
        if assignment.status in (IN_SERVICE, AWAITING_RECORD, RECORDED):
            return False
        if assignment.status != ASSIGNED:
            raise invalid_transition("check_in", assignment.status, "assignment")
        if self.status not in (PUBLISHED, ASSIGNED, IN_SERVICE):
            raise invalid_transition("check_in", self.status)
        assignment.status = IN_SERVICE
        assignment.checked_in_at, assignment.check_in_location = now, location
        assignment.check_in_device_at = device_at
        self._follow_assignments()
        return True

    def check_out(self, volunteer_id: str, now: dt.datetime,
                  device_at: dt.datetime | None = None, location: Location | None = None
                  ) -> bool:
        """End the service for this volunteer at ``now`` (the server's clock; ``device_at``
        kept as evidence). False when already ended (a repeat)."""
        assignment = self._held_by(volunteer_id)
        if assignment.status in (AWAITING_RECORD, RECORDED):
            return False
        if assignment.status != IN_SERVICE or self.status != IN_SERVICE:
            raise invalid_transition("check_out", assignment.status, "assignment")
        checked_in_at = assignment.checked_in_at
        if checked_in_at is not None and now < checked_in_at:  # only if our clock went back
            raise BadInput("check_out_before_check_in", "签退时间必须晚于签到时间",
                           "The check-out time must be after the check-in time",
                           {"checked_in_at": checked_in_at.isoformat()})
        assignment.status = AWAITING_RECORD
        assignment.checked_out_at, assignment.check_out_location = now, location
        assignment.check_out_device_at = device_at
        self._follow_assignments()
        return True

    def mark_recorded(self, volunteer_id: str) -> Assignment:
        assignment = self.assignment_of(volunteer_id)
        if assignment is None:
            raise not_assigned(volunteer_id)
        if assignment.status != AWAITING_RECORD:
            raise invalid_transition("record", assignment.status, "assignment")
        assignment.status = RECORDED
        self._follow_assignments()
        return assignment

    def follow_evaluations(self, evaluated: Collection[str],
                           not_counted: Collection[str] = ()) -> bool:
        """``recorded -> evaluated`` once the elder's side has evaluated every recorded
        volunteer whose record counts, and at least one volunteer. ``evaluated``: volunteer
        ids with an evaluation (voided ones too: it is given once); ``not_counted``: those
        whose record was rejected or voided (nothing to evaluate). True when the demand
        moved; any other status is left as it is (``evaluated`` is never left)."""
        if self.status != RECORDED:
            return False
        served = {a.volunteer_id for a in self.live_assignments()}
        evaluated = set(evaluated)
        if not served & evaluated or not served - set(not_counted) <= evaluated:
            return False
        self.status = EVALUATED
        return True

    def cancel(self, by: str | None, now: dt.datetime, reason: str) -> None:
        if self.status not in CANCELLABLE:
            raise invalid_transition("cancel", self.status)
        self.status = CANCELLED
        self.cancelled_by, self.cancelled_at, self.cancel_reason = by, now, reason

    def withdraw(self, volunteer_id: str, reason: str, now: dt.datetime) -> Assignment:
        """The volunteer gives the slot back before the window starts (a reason is kept)."""
        assignment = self._held_by(volunteer_id)
        if assignment.status != ASSIGNED:
            raise invalid_transition("withdraw", assignment.status, "assignment")
        if self.status not in (PUBLISHED, ASSIGNED, IN_SERVICE):
            raise invalid_transition("withdraw", self.status)
        if not (reason or "").strip():
            raise BadInput("reason_required", "退出须说明理由", "Withdrawing needs a reason")
        if now >= self.window_start:
            raise Conflict("window_started", "服务时间已开始，不能退出，请联系服务站",
                           "The service window has started: withdrawing is no longer"
                           " possible, please call the station",
                           {"window_start": self.window_start.isoformat()})
        self._end(assignment, WITHDRAWN, (reason or "").strip(), now)
        return assignment

    def drop_volunteer(self, volunteer_id: str, reason: str, now: dt.datetime
                       ) -> Assignment | None:
        """The volunteer no longer serves on the platform (left, withdrew, died): an
        assignment not yet started ends as ``withdrawn`` with ``reason`` whatever the time
        (the slot reopens while nobody has started, as for any withdrawal). None when the
        volunteer holds no assignment here that has not started."""
        assignment = self.assignment_of(volunteer_id)
        if assignment is None or assignment.status != ASSIGNED:
            return None
        self._end(assignment, WITHDRAWN, reason, now)
        return assignment

    def no_show_due(self, now: dt.datetime, grace: dt.timedelta) -> list[Assignment]:
        """Assignments nobody checked in for by the window start plus ``grace``."""
        if self.status not in (PUBLISHED, ASSIGNED, IN_SERVICE) or now < self.window_start + grace:
            return []
        return [a for a in self.assignments if a.status == ASSIGNED]

    def mark_no_show(self, volunteer_id: str, now: dt.datetime,
                     grace: dt.timedelta) -> Assignment:
        assignment = self.assignment_of(volunteer_id)
        if assignment is None:
            raise not_assigned(volunteer_id)
        if assignment not in self.no_show_due(now, grace):
            raise invalid_transition("no_show", assignment.status, "assignment")
        self._end(assignment, NO_SHOW, NO_SHOW_REASON, now)
        if now >= self.window_end and not self.live_assignments():
            self.status = CANCELLED
            self.cancelled_by, self.cancelled_at, self.cancel_reason = None, now, NO_SHOW_REASON
        return assignment

    def expiry_due(self, now: dt.datetime) -> bool:
        """The window has ended and nobody serves the demand: it is still ``submitted``
        (never reviewed) or ``published`` with no volunteer on it (never claimed, or every
        volunteer withdrew or did not show up). A volunteer still on a ``published`` demand
        is left to the no-show rule (``mark_no_show`` cancels it with reason ``no_show``)."""
        return (self.status in EXPIRABLE and now >= self.window_end
                and not self.live_assignments())

    def expire(self, now: dt.datetime) -> None:
        """Close a demand nobody served in its window: ``cancelled`` with reason ``expired``
        (by nobody: the platform's sweep). Refused unless ``expiry_due``."""
        if not self.expiry_due(now):
            raise invalid_transition("expire", self.status)
        self.status = CANCELLED
        self.cancelled_by, self.cancelled_at, self.cancel_reason = None, now, EXPIRED_REASON

    # --- internals -------------------------------------------------------
    def _end(self, assignment: Assignment, status: str, reason: str, now: dt.datetime) -> None:
        assignment.status, assignment.end_reason, assignment.ended_at = status, reason, now
        self._follow_assignments()

    def _held_by(self, volunteer_id: str) -> Assignment:
        assignment = self.assignment_of(volunteer_id)
        if assignment is None:
            raise Forbidden("not_assigned", "您不是该需求的服务志愿者",
                            "You are not assigned to this demand", {"demand_id": self.id})
        return assignment

    def _follow_assignments(self) -> None:
        if self.status in (SUBMITTED, REJECTED, CANCELLED, EVALUATED):
            return
        statuses = {a.status for a in self.live_assignments()}
        if not self.under_way:  # nobody started: a slot given back reopens
            self.status = ASSIGNED if self._unfilled == 0 else PUBLISHED
        elif statuses == {RECORDED}:
            self.status = RECORDED
        elif statuses <= {AWAITING_RECORD, RECORDED}:
            self.status = AWAITING_RECORD
        else:
            self.status = IN_SERVICE


def not_assigned(volunteer_id: str) -> NotFound:
    return NotFound("assignment_not_found", "该志愿者未承接此需求",
                    "This volunteer holds no assignment on this demand",
                    {"volunteer_id": volunteer_id})
