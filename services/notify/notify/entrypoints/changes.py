"""The change feed of municipal systems: one handler per event the feed carries, each
declared with its producer's contract (``domain.changes.RULES`` names them), recording the
changes in the inbox's transaction (``notify.feed_<event>``); the feed's page (RPC) and its
retention (a timer)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from demand.contracts import (
    ASSIGNMENT_NO_SHOW,
    ASSIGNMENT_WITHDRAWN,
    DEMAND_ASSIGNED,
    DEMAND_CANCELLED,
    DEMAND_PUBLISHED,
    DEMAND_REJECTED,
    DEMAND_STARTED,
    DEMAND_SUBMITTED,
    DISPUTE_RESOLVED,
    EVALUATION_SUBMITTED,
    SERVICE_RECORDED,
)
from identity.contracts import (
    PERSON_MOVED,
    PERSON_REGISTERED,
    PERSON_STATUS_CHANGED,
    VOLUNTEER_ELIGIBLE,
    VOLUNTEER_SUSPENDED,
)
from ledger.contracts import HOURS_CREDITED
from timebank_common.contracts import EventContract
from timebank_common.events import event_handler, once
from timebank_common.service import rpc, scheduled

from ..app import changes
from ..contracts import ChangePage, ChangesQuery
from .base import NotifyEntrypoints, defaults_of

FEED_EVENTS: tuple[EventContract, ...] = (
    DEMAND_SUBMITTED, DEMAND_PUBLISHED, DEMAND_REJECTED, DEMAND_ASSIGNED, DEMAND_STARTED,
    DEMAND_CANCELLED, ASSIGNMENT_WITHDRAWN, ASSIGNMENT_NO_SHOW, EVALUATION_SUBMITTED,
    SERVICE_RECORDED, DISPUTE_RESOLVED, HOURS_CREDITED, PERSON_REGISTERED, PERSON_MOVED,
    PERSON_STATUS_CHANGED, VOLUNTEER_ELIGIBLE, VOLUNTEER_SUSPENDED)


def _feeds(contract: EventContract):
    """The handler that adds ``contract``'s events to the feed (read with its contract: a
    payload it refuses fails the handler, retried then dead-lettered)."""

    @event_handler(contract)
    @once(f"notify.feed_{contract.name}")
    def handler(self, uow, event) -> None:
        envelope = {**contract.load_event(event), "event_type": contract.name}
        changes.record(uow, envelope, self.clock.now())

    handler.__name__ = handler.__qualname__ = f"feed_{contract.name}"
    return handler


class ChangeFeedEntrypoints(NotifyEntrypoints):
    feed_demand_submitted = _feeds(DEMAND_SUBMITTED)
    feed_demand_published = _feeds(DEMAND_PUBLISHED)
    feed_demand_rejected = _feeds(DEMAND_REJECTED)
    feed_demand_assigned = _feeds(DEMAND_ASSIGNED)
    feed_demand_started = _feeds(DEMAND_STARTED)
    feed_demand_cancelled = _feeds(DEMAND_CANCELLED)
    feed_assignment_withdrawn = _feeds(ASSIGNMENT_WITHDRAWN)
    feed_assignment_no_show = _feeds(ASSIGNMENT_NO_SHOW)
    feed_evaluation_submitted = _feeds(EVALUATION_SUBMITTED)
    feed_service_recorded = _feeds(SERVICE_RECORDED)
    feed_dispute_resolved = _feeds(DISPUTE_RESOLVED)
    feed_hours_credited = _feeds(HOURS_CREDITED)
    feed_person_registered = _feeds(PERSON_REGISTERED)
    feed_person_moved = _feeds(PERSON_MOVED)
    feed_person_status_changed = _feeds(PERSON_STATUS_CHANGED)
    feed_volunteer_eligible = _feeds(VOLUNTEER_ELIGIBLE)
    feed_volunteer_suspended = _feeds(VOLUNTEER_SUSPENDED)

    @rpc(args={"query": ChangesQuery}, returns=ChangePage)
    def changes(self, caller, query=None) -> dict[str, Any]:
        """The changes of the calling municipal system's city after ``cursor``, in commit
        order (400 ``invalid_cursor``, 410 ``cursor_expired`` past retention)."""
        return ChangePage().dump(changes.read(self.db, caller, query or defaults_of(ChangesQuery)))

    @scheduled("CHANGE_PRUNE_SECONDS", 3600)
    def prune_changes(self) -> None:
        """Changes older than ``CHANGES.retention_days`` (default 30) are forgotten."""
        days = float((self.config.get("CHANGES") or {}).get("retention_days", 30))
        changes.prune(self.db, self.clock.now(), dt.timedelta(days=days))
