"""The change feed of municipal systems: one handler per event the feed carries, each
declared with its producer's contract (``domain.changes.RULES`` names them), recording the
changes in the inbox's transaction (``notify.feed_<event>``); the feed's page (RPC) and its
retention (a timer).

The handlers take their events in batches (``batch_events``: up to ``FEED_BATCH`` per
transaction): every append holds the feed's lock until its commit, so one event per
transaction made the feed a queue of commits under a province's load; a batch takes the lock
and commits once."""
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
from timebank_common.batch_events import batch_event_handler, batch_once
from timebank_common.contracts import EventContract
from timebank_common.service import rpc, scheduled

from ..app import changes
from ..contracts import ChangePage, ChangesQuery
from .base import NotifyEntrypoints, defaults_of

FEED_EVENTS: tuple[EventContract, ...] = (
    DEMAND_SUBMITTED, DEMAND_PUBLISHED, DEMAND_REJECTED, DEMAND_ASSIGNED, DEMAND_STARTED,
    DEMAND_CANCELLED, ASSIGNMENT_WITHDRAWN, ASSIGNMENT_NO_SHOW, EVALUATION_SUBMITTED,
    SERVICE_RECORDED, DISPUTE_RESOLVED, HOURS_CREDITED, PERSON_REGISTERED, PERSON_MOVED,
    PERSON_STATUS_CHANGED, VOLUNTEER_ELIGIBLE, VOLUNTEER_SUSPENDED)


FEED_BATCH = 100


def _feeds(contract: EventContract):
    """The handler that adds ``contract``'s events to the feed, in order (read with its
    contract: a payload it refuses fails the batch, whose events are then retried one by one,
    and that one dead-lettered)."""

    @batch_event_handler(contract, batch_size=FEED_BATCH, max_wait=0.05)
    @batch_once(f"notify.feed_{contract.name}")
    def handler(self, uow, events) -> None:
        now = self.clock.now()
        for event in events:
            changes.record(uow, {**contract.load_event(event), "event_type": contract.name},
                           now)

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
