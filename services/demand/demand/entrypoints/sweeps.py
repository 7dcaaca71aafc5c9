"""The no-show, expiry and recording-timeliness sweeps: internal RPCs, and the timers every
demand process runs."""
from __future__ import annotations

import datetime as dt

from marshmallow import fields

from timebank_common.service import rpc, scheduled

from ..app import sweeps
from ..app.recording import timeliness
from .base import EntrypointBase


class SweepEntrypoints(EntrypointBase):
    def _grace(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.setting("NO_SHOW_GRACE_SECONDS", 1800))

    @rpc(returns=fields.Integer(), internal=True)
    def mark_no_shows(self):
        """Mark the assignments nobody checked in for by the window start plus
        ``NO_SHOW_GRACE_SECONDS`` (default 1800); also on a timer. How many demands were
        looked at."""
        return sweeps.mark_no_shows(self.db, self.clock.now(), self._grace())

    @scheduled("NO_SHOW_SWEEP_SECONDS", 60)
    def sweep_no_shows(self):
        """Every demand process runs it: the demand rows are taken FOR UPDATE SKIP LOCKED and
        re-checked under the lock, so each no-show is marked (and announced) once."""
        while sweeps.mark_no_shows(self.db, self.clock.now(),
                                   self._grace()) >= sweeps.NO_SHOW_BATCH:
            pass

    @rpc(returns=fields.Integer(), internal=True)
    def expire_unserved(self):
        """Cancel, with reason ``expired``, each demand still ``submitted`` or ``published``
        whose window has ended with nobody serving it; also on a timer
        (``EXPIRY_SWEEP_SECONDS``). How many demands were looked at."""
        return sweeps.expire_unserved(self.db, self.clock.now())

    @scheduled("EXPIRY_SWEEP_SECONDS", 60)
    def sweep_expired(self):
        """Every demand process runs it: each demand is expired (and announced) once."""
        while sweeps.expire_unserved(self.db, self.clock.now()) >= sweeps.EXPIRY_BATCH:
            pass

    @rpc(returns=fields.Integer(), internal=True)
    def report_unrecorded(self):
        """Report each service checked out and not recorded in time (``recording_overdue``:
        to the station after the region's ``record_within_hours``, to the township after
        ``township_record_within_hours``; each level once); also on a timer
        (``RECORDING_OVERDUE_CHECK_SECONDS``, default 300). How many reports were made."""
        return len(timeliness.report_unrecorded(self.db, self.clock.now()))

    @scheduled("RECORDING_OVERDUE_CHECK_SECONDS", 300)
    def sweep_unrecorded(self):
        """Every demand process runs it: each level is reported once per service."""
        timeliness.report_unrecorded(self.db, self.clock.now())
