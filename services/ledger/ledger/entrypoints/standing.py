"""A person's place and standing, as identity announces them: moves (``person_moved``) and
status changes (``person_status_changed``)."""
from __future__ import annotations

from identity.contracts import PERSON_MOVED, PERSON_STATUS_CHANGED
from timebank_common.events import event_handler, once

from ..app import moves, standing

MOVE_CONSUMER = "ledger.follow_person_moved"
STATUS_CONSUMER = "ledger.follow_person_status"


class StandingEntrypoints:
    @event_handler(PERSON_MOVED)
    @once(MOVE_CONSUMER)
    def on_person_moved(self, uow, event):
        """The person's personal and grant accounts (and grant entitlements) follow them to
        their new region; the move and the balance it carried are recorded."""
        loaded = PERSON_MOVED.load_event(event)
        moves.on_person_moved(uow, loaded["payload"], loaded.get("event_id"), self.clock.now())

    @event_handler(PERSON_STATUS_CHANGED)
    @once(STATUS_CONSUMER)
    def on_person_status_changed(self, uow, event):
        """deceased: the accounts are frozen and the hours follow the region's
        ``deceased_hours`` policy (frozen, or to the pool); left/withdrew: kept; grants only
        while active; back to active: unfrozen."""
        standing.on_person_status_changed(
            uow, PERSON_STATUS_CHANGED.load_event(event)["payload"], self.clock.now())
