"""A service record from the station's recording to the ledger (items 6 and 7), pure.

The station records a volunteer's actual minutes. The record reaches the ledger
(``service_recorded``) only when BOTH hold:

* the elder confirmed it — in the app (the elder or their proxy: ``POST .../confirm``), or
  by phone, taken by the station at recording time (``confirmation: "phone"``, noting who
  answered and when);
* it is not held — no evidence flag, or a reviewer released it.

Statuses: ``held`` (flagged, awaiting a reviewer) → ``awaiting_confirmation`` (waiting for
the elder) → ``sent`` (given to the ledger); ``rejected`` by a reviewer: no hours, ever;
``voided`` by a dispute. A record the elder has not confirmed in the app after
``CONFIRMATION_DAYS`` is reported once as overdue (``record_confirmation_overdue``): the
station should call the elder; there are still no hours until someone confirms.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from timebank_common.errors import BadInput, Conflict, Forbidden

from ..contracts.enums import AWAITING_CONFIRMATION, CONFIRMED_BY, HELD, SENT, VOIDED
from ..contracts.enums import RECORD_REJECTED as REJECTED

NOT_COUNTED = frozenset({REJECTED, VOIDED})  # no hours, and nothing to evaluate
APP, PHONE = "app", "phone"
CONFIRMATION_DAYS = 3  # app confirmation outstanding this long: the station should call

STATUS_ZH = {HELD: "待复核", AWAITING_CONFIRMATION: "待老人确认", SENT: "已记入",
             REJECTED: "复核不通过", VOIDED: "已作废"}


def _refused(action_zh: str, action: str, status: str) -> Conflict:
    return Conflict("invalid_record_transition",
                    f"服务记录当前状态为“{STATUS_ZH[status]}”，不能{action_zh}",
                    f"Cannot {action}: the service record is {status}",
                    {"status": status, "action": action})


@dataclass
class Record:
    record_id: str
    minutes: int
    flags: list[dict[str, Any]] = field(default_factory=list)  # [{code, zh, en, details}]
    confirmation: str | None = None  # how it was confirmed: app | phone (None: not yet)
    confirmed_by: str | None = None  # elder | proxy
    confirmed_by_person: str | None = None  # who pressed confirm (app) / took the call (phone)
    confirmed_at: dt.datetime | None = None
    confirmation_note: str | None = None
    review: str | None = None  # released | rejected
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    review_reason: str | None = None
    sent_at: dt.datetime | None = None
    voided: bool = False

    @property
    def held(self) -> bool:
        return bool(self.flags) and self.review is None

    @property
    def status(self) -> str:
        if self.voided:
            return VOIDED
        if self.review == "rejected":
            return REJECTED
        if self.sent_at is not None:
            return SENT
        if self.held:
            return HELD
        return AWAITING_CONFIRMATION

    @property
    def ready_to_send(self) -> bool:
        """Confirmed, not held, not rejected or voided, not sent yet."""
        return self.status == AWAITING_CONFIRMATION and self.confirmed_at is not None

    # --- transitions ------------------------------------------------------------------
    def confirm(self, how: str, by: str, person: str | None, at: dt.datetime,
                note: str | None = None) -> bool:
        """The elder's confirmation. False for a repeat (the first one stands)."""
        if self.confirmed_at is not None:
            return False
        if self.status in (REJECTED, VOIDED):
            raise _refused("确认", "confirm", self.status)
        if how not in (APP, PHONE) or by not in CONFIRMED_BY:
            raise BadInput("invalid_confirmation", "确认方式须为 app 或 phone，确认人须为老人本人或代理人",
                           "Confirmation is app or phone, by the elder or their proxy")
        self.confirmation, self.confirmed_by, self.confirmed_by_person = how, by, person
        self.confirmed_at, self.confirmation_note = at, note
        return True

    def release(self, by: str | None, at: dt.datetime, reason: str | None,
                recorded_by: str | None = None) -> None:
        """A second look: whoever recorded the held record cannot release it themself."""
        if self.status != HELD:
            raise _refused("放行", "release", self.status)
        if recorded_by is not None and by == recorded_by:
            raise Forbidden("second_look_required", "被标记的记录须由记录人以外的工作人员复核放行",
                            "A held record is released by someone other than who recorded it")
        self.review, self.reviewed_by, self.reviewed_at = "released", by, at
        self.review_reason = (reason or "").strip() or None

    def reject(self, by: str | None, at: dt.datetime, reason: str | None) -> None:
        if self.status != HELD:
            raise _refused("驳回", "reject", self.status)
        if not (reason or "").strip():
            raise BadInput("reason_required", "驳回服务记录须说明理由",
                           "Rejecting a service record needs a reason")
        self.review, self.reviewed_by, self.reviewed_at = "rejected", by, at
        self.review_reason = (reason or "").strip()

    def mark_sent(self, at: dt.datetime) -> None:
        if not self.ready_to_send:
            raise _refused("记入时间账户", "send", self.status)
        self.sent_at = at


def confirmation_overdue(record: Record, recorded_at: dt.datetime, now: dt.datetime,
                         days: int = CONFIRMATION_DAYS) -> bool:
    """Not yet confirmed, still waiting for it, and recorded ``days`` ago or more."""
    return (record.confirmed_at is None and record.status in (HELD, AWAITING_CONFIRMATION)
            and now - recorded_at >= dt.timedelta(days=days))
