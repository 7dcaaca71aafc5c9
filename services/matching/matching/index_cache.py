"""One in-memory volunteer index per process, kept current from the change log.

The base index is built once from every eligible volunteer with a home. Each handler that
changes a volunteer's match inputs (eligibility, qualifications, preferences, assignments,
history, ratings) writes the volunteer's id to ``volunteer_changes`` in the same transaction.
A query reads the ids changed since the base was built, ranks the base's candidates without
them, ranks those volunteers freshly loaded from the database, and merges the two lists: the
answer is the one a full reload would give. The base is rebuilt when many volunteers changed,
when the month turns (minutes served this month), or after a rebuild of the read models.
"""
from __future__ import annotations

import datetime as dt

import eventlet.semaphore

from . import volunteer_repository as vrepo
from .domain.availability import SHANGHAI
from .domain.candidates import Candidate, DemandToMatch, VolunteerIndex

REBUILD_AFTER_CHANGES = 2000


def _month(now: dt.datetime) -> str:
    return now.astimezone(SHANGHAI).strftime("%Y-%m")


def _order(c: Candidate):
    return (-round(c.score, 9), c.distance_km, c.volunteer_id)


class IndexCache:
    def __init__(self, rebuild_after: int = REBUILD_AFTER_CHANGES):
        self.base: VolunteerIndex | None = None
        self.base_seq = 0
        self.base_snapshot = ""
        self.base_month = ""
        self.rebuild_after = rebuild_after
        self._building = eventlet.semaphore.Semaphore()

    def _changes(self, uow, now: dt.datetime) -> set[str]:
        changed = (vrepo.changed_since(uow, self.base_seq, self.base_snapshot)
                   if self.base is not None else set())
        stale = (self.base is None or vrepo.EVERYONE in changed
                 or len(changed) > self.rebuild_after or _month(now) != self.base_month)
        if stale:
            with self._building:  # one build at a time; later arrivals use the new base
                changed = (vrepo.changed_since(uow, self.base_seq, self.base_snapshot)
                           if self.base is not None else set())
                if (self.base is None or vrepo.EVERYONE in changed
                        or len(changed) > self.rebuild_after or _month(now) != self.base_month):
                    seq, snap = vrepo.snapshot(uow)  # before loading: nothing falls between
                    self.base = VolunteerIndex(vrepo.all_volunteers(uow, now))
                    self.base_seq, self.base_snapshot = seq, snap
                    self.base_month = _month(now)
                    changed = vrepo.changed_since(uow, seq, snap)
        return changed - {vrepo.EVERYONE}

    def candidates(self, uow, demand: DemandToMatch, limit: int,
                   now: dt.datetime) -> list[Candidate]:
        changed = self._changes(uow, now)
        from_base = [c for c in self.base.candidates(demand, limit + len(changed))
                     if c.volunteer_id not in changed]
        fresh = VolunteerIndex(vrepo.volunteers_by_ids(uow, changed, now)).candidates(
            demand, limit) if changed else []
        return sorted(from_base + fresh, key=_order)[:limit]
