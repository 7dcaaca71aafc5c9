"""identity's ``person_status_changed`` and ``person_moved``: a person who leaves the platform
no longer holds demands or assignments not yet started; a move leaves a trace on the elder's
open demands (``app/standing.py``). Each event handled once (inbox)."""
from __future__ import annotations

from identity.contracts import PERSON_MOVED, PERSON_STATUS_CHANGED
from timebank_common.events import event_handler, once

from ..app import standing
from .base import EntrypointBase


class StandingEntrypoints(EntrypointBase):
    @event_handler(PERSON_STATUS_CHANGED)
    @once("demand.person_status_changed")
    def on_person_status_changed(self, uow, event):
        standing.on_status_changed(uow, PERSON_STATUS_CHANGED.load_event(event)["payload"],
                                   self.clock.now())

    @event_handler(PERSON_MOVED)
    @once("demand.person_moved")
    def on_person_moved(self, uow, event):
        standing.on_moved(uow, PERSON_MOVED.load_event(event)["payload"], self.clock.now())
