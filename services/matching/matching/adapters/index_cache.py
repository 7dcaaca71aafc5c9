"""The in-memory views of one process — every eligible volunteer with a home
(``VolunteerIndex``) and every open demand with a place (``OpenDemandIndex``) — kept current by
deltas from the change log (``change_log``).

Every handler that changes a volunteer's match inputs (eligibility, qualifications, home,
radius, hours, assignments, history, ratings) or an open demand (published, slots changed,
closed, its elder made a priority elder) writes the id to the change log in the same
transaction. A process remembers the database snapshot its views reflect. To catch up it reads,
in one statement, a new snapshot and the ids whose changes the old one did not see (a late
commit is not missed), loads just those volunteers and demands, and applies them:
``update`` for those still eligible with a home (still open with a place), ``remove`` for the
others. The month turning is a delta too (minutes served start again).

Every query catches up first, so it sees every change committed before it began, whichever
process handled the change; a follower green thread also catches up every
``INDEX_FOLLOW_SECONDS`` (1 s), so an idle process never has much to apply.

Full builds (everything loaded from the read models): at start-up, after
``rebuild_read_models`` (change ``*``: that view only), when more than
``REBUILD_AFTER_CHANGES`` ids changed at once (loading everyone is then cheaper), and when the
process has not caught up for longer than half the time the change log is kept
(``CHANGE_LOG_KEPT``).

The views change only while a catch-up holds the lock; queries (candidates, a feed, a
dispatch) run on them without yielding to another green thread, so each sees one state.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import NamedTuple

import eventlet
import eventlet.semaphore
from prometheus_client import Counter

from timebank_common.db import UnitOfWork
from timebank_common.metrics import MeasuredGauge

from ..domain.open_demand_index import OpenDemandIndex
from ..domain.volunteer_index import VolunteerIndex
from . import change_log, match_inputs
from .service_history import minutes_of_month, month_of

log = logging.getLogger("matching.index")

REBUILD_AFTER_CHANGES = 50_000
CHANGE_LOG_KEPT = dt.timedelta(days=1)
STALE_AFTER_SECONDS = CHANGE_LOG_KEPT.total_seconds() / 2
FOLLOW_SECONDS = 1.0

INDEX_SIZE = MeasuredGauge("timebank_matching_index_volunteers",
                           "Volunteers in this process's index (absent until it is built)")
OPEN_DEMANDS = MeasuredGauge("timebank_matching_index_open_demands",
                             "Open demands in this process's view (absent until it is built)")
INDEX_BUILDS = Counter("timebank_matching_index_builds_total",
                       "Full builds of this process's volunteer index")
INDEX_DELTAS = Counter("timebank_matching_index_deltas_total",
                       "Volunteers and demands changed in this process's views by a delta")


class Views(NamedTuple):
    volunteers: VolunteerIndex
    demands: OpenDemandIndex


class IndexCache:
    """The views of one process and what they reflect (see the module's docstring)."""

    def __init__(self, rebuild_after: int = REBUILD_AFTER_CHANGES):
        self.volunteers: VolunteerIndex | None = None
        self.demands: OpenDemandIndex | None = None
        self.snapshot: str | None = None
        self.month = ""
        self.caught_up_at = 0.0
        self.builds = 0  # of the volunteer index
        self.deltas = 0
        self.rebuild_after = rebuild_after
        self._lock = eventlet.semaphore.Semaphore()
        self._first_noted: set[str] = set()

    def first_candidate_noted(self, demand_id: str) -> bool:
        """Whether this process already recorded the time of the demand's first candidate
        (then later asks skip the write)."""
        return demand_id in self._first_noted

    def remember_first_candidate(self, demand_id: str) -> None:
        if len(self._first_noted) > 200_000:
            self._first_noted.clear()
        self._first_noted.add(demand_id)

    def current(self, uow: UnitOfWork, now: dt.datetime) -> Views:
        """The views with every change committed before this call applied."""
        with self._lock:  # one catch-up at a time; a later caller then finds little to do
            self._catch_up(uow, now, everything=(
                self.volunteers is None
                or time.monotonic() - self.caught_up_at > STALE_AFTER_SECONDS))
            assert self.volunteers is not None and self.demands is not None  # caught up
            return Views(self.volunteers, self.demands)

    def _catch_up(self, uow: UnitOfWork, now: dt.datetime, everything: bool) -> None:
        # the snapshot is read first: whatever is loaded after it reflects it or more, and the
        # next catch-up applies again (harmlessly) what committed in between
        changes = change_log.changes_since(uow, None if everything else self.snapshot)
        started = time.monotonic()
        if (everything or change_log.EVERYONE in changes.volunteers
                or len(changes.volunteers) > self.rebuild_after):
            self.volunteers = VolunteerIndex.from_pages(  # other green threads run between
                match_inputs.all_volunteers(uow, now), between=lambda: eventlet.sleep(0))
            self.month = month_of(now)
            self.builds += 1
            INDEX_BUILDS.inc()
            log.info("volunteer index built: %d volunteers in %.1f s", len(self.volunteers),
                     time.monotonic() - started)
        elif changes.volunteers:
            assert self.volunteers is not None  # built before
            found = match_inputs.volunteers_by_ids(uow, changes.volunteers, now)
            self.volunteers.update(found)
            self.volunteers.remove(changes.volunteers - {v.person_id for v in found})
            self._applied(len(changes.volunteers))
        if (everything or change_log.EVERYONE in changes.demands
                or len(changes.demands) > self.rebuild_after):
            self.demands = OpenDemandIndex(match_inputs.open_demands_to_match(uow))
        elif changes.demands:
            assert self.demands is not None  # built before
            open_now = match_inputs.open_demands_to_match(uow, changes.demands)
            self.demands.update(open_now)
            self.demands.remove(changes.demands - {d.demand_id for d in open_now})
            self._applied(len(changes.demands))
        assert self.volunteers is not None and self.demands is not None  # built or kept
        if month_of(now) != self.month:
            self.volunteers.new_month(minutes_of_month(uow, now))
            self.month = month_of(now)
        self.snapshot = changes.snapshot
        self.caught_up_at = time.monotonic()
        INDEX_SIZE.set(len(self.volunteers))
        OPEN_DEMANDS.set(len(self.demands))

    def _applied(self, count: int) -> None:
        self.deltas += count
        INDEX_DELTAS.inc(count)
