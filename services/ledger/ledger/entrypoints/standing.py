"""A person's place and standing, as identity announces them: moves (``person_moved``)."""
from __future__ import annotations

from identity.contracts import PERSON_MOVED
from timebank_common.events import event_handler, once

from ..app import moves

MOVE_CONSUMER = "ledger.follow_person_moved"


class StandingEntrypoints:
    @event_handler(PERSON_MOVED)
    @once(MOVE_CONSUMER)
    def on_person_moved(self, uow, event):
        """The person's personal and grant accounts (and grant entitlements) follow them to
        their new region; the move and the balance it carried are recorded."""
        loaded = PERSON_MOVED.load_event(event)
        moves.on_person_moved(uow, loaded["payload"], loaded.get("event_id"), self.clock.now())
