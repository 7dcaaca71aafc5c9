"""How far behind the read model is: the newest event applied, and now minus its
occurred_at (also the ``timebank_reporting_lag_seconds`` gauge)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..adapters import fact_repository
from ..adapters.metrics import LAG_SECONDS


def freshness(uow, now: dt.datetime) -> dict[str, Any]:
    newest = fact_repository.newest_applied(uow)
    lag = max(0.0, (now - newest).total_seconds()) if newest else None
    if lag is not None:
        LAG_SECONDS.set(lag)
    return {"as_of": newest, "lag_seconds": lag}
