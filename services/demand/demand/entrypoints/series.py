"""Recurring demand RPCs, and the timer that creates the occurrences due."""
from __future__ import annotations

import datetime as dt

from timebank_common.service import rpc, scheduled

from ..app.intake import series
from ..contracts import (
    SeriesCancelSchema,
    SeriesCreateSchema,
    SeriesListOut,
    SeriesListQuery,
    SeriesOut,
)
from .base import EntrypointBase, given


class SeriesEntrypoints(EntrypointBase):
    def _horizon(self) -> tuple[int, dt.timedelta]:
        return (int(self.setting("SERIES_HORIZON_DAYS", 14)),
                dt.timedelta(seconds=self.setting("SERIES_MIN_LEAD_SECONDS", 3600)))

    @rpc(args={"data": SeriesCreateSchema}, returns=SeriesOut, idempotent=True)
    def create_series(self, caller, data):
        """A recurring demand: one demand per occurrence, created on a rolling horizon
        (``SERIES_HORIZON_DAYS``, default 14) until the end date; each is reviewed like any
        demand."""
        return series.create_series(self.db, caller, data, self.clock.now(),
                                    self.identity_client, *self._horizon())

    @rpc(returns=SeriesOut)
    def get_series(self, caller, series_id):
        """A series with its occurrences: staff in scope, its elder and its creator."""
        return series.get_series(self.db, caller, series_id)

    @rpc(args={"filters": SeriesListQuery}, returns=SeriesListOut)
    def list_series(self, caller, filters=None):
        """Staff: the series of their scope; an elder: their own."""
        return series.list_series(self.db, caller, given(filters, SeriesListQuery))

    @rpc(args={"data": SeriesCancelSchema}, returns=SeriesOut)
    def cancel_series(self, caller, series_id, data):
        """Stop a series: its future occurrences nobody has taken are cancelled."""
        return series.cancel_series(self.db, caller, series_id, data, self.clock.now())

    @scheduled("SERIES_GENERATION_SECONDS", 3600)
    def generate_series_occurrences(self):
        """Every process runs this; each (series, date) is created once (primary key)."""
        series.generate_all(self.db, self.clock.now(), *self._horizon())
