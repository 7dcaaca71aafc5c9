"""Reconciliation of interchange (issue 16 item 8): per region and period, what each channel
delivered (the national export, 志愿汇) against what the ledger credited, record by record.

The ledger side of a region and span of China days: the credits (net of reversals) of the
records served there (reporting's ``service_records``) and of the credits the region's
issuance posted in the span whose record the read model places nowhere else; a record a
channel delivered for the span is looked up in the ledger too. The comparison is
``domain/reconciliation.py`` (pure).

A channel is any object with ``name`` and ``delivered(uow, region_code, first, last)`` →
(record_id, minutes of its last delivery) for the records served in the region on those days.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.regions import in_scope

from ..adapters import national_repository, zyh_repository
from ..adapters.ledger import LedgerCredits
from ..contracts import MAX_DIFFERENCES, RECONCILIATION_READERS
from ..domain import reconciliation as rules


class Channel(Protocol):
    name: str

    def delivered(self, uow: Any, region_code: str, first: dt.date, last: dt.date
                  ) -> Iterator[tuple[str, int]]: ...


class ZyhChannel:
    """志愿汇: the last version of each record it accepted (``zyh_pushes``)."""

    name = "zyh"

    def delivered(self, uow: Any, region_code: str, first: dt.date, last: dt.date
                  ) -> Iterator[tuple[str, int]]:
        return zyh_repository.delivered(uow, region_code, first, last)


class NationalChannel:
    """The national volunteer system: the last version of each record an export delivered
    (``national_deliveries``)."""

    name = "national"

    def delivered(self, uow: Any, region_code: str, first: dt.date, last: dt.date
                  ) -> Iterator[tuple[str, int]]:
        return national_repository.delivered(uow, region_code, first, last)


def channels() -> list[Channel]:
    """The channels reconciled: the national system's exports and 志愿汇's pushes."""
    return [NationalChannel(), ZyhChannel()]


def reconcile(db: UnitOfWorkFactory, ledger: LedgerCredits, caller: Caller,
              query: Mapping[str, Any], with_channels: Sequence[Channel] | None = None
              ) -> dict[str, Any]:
    caller.require(*RECONCILIATION_READERS)
    region, first, last = query["region_code"], query["from_"], query["to"]
    caller.require_scope(region)
    used = list(channels() if with_channels is None else with_channels)
    with db() as uow:
        served = zyh_repository.records_in(uow, region, first, last)
        delivered = {c.name: dict(c.delivered(uow, region, first, last)) for c in used}
    posted = ledger.in_period(region, first, last)
    with db() as uow:
        placed = zyh_repository.records_in(uow, region, first, last,
                                           record_ids=sorted(set(posted) - set(served)))
    elsewhere = {rid for rid, (code, day) in placed.items()
                 if not (code and in_scope(region, code) and day and first <= day <= last)}
    wanted = set(served) | {rid for d in delivered.values() for rid in d}
    credited = ledger.of_records(wanted - set(posted)) if wanted - set(posted) else {}
    credited.update({rid: m for rid, m in posted.items() if rid not in elsewhere})
    answer = []
    for channel in used:
        sent = delivered[channel.name]
        found = rules.differences(credited, sent)
        answer.append({"channel": channel.name, "delivered": rules.totals(sent),
                       "ledger": rules.totals(credited), "ok": not found,
                       "difference_count": len(found),
                       "differences": [vars(d) for d in found[:MAX_DIFFERENCES]]})
    return {"region_code": region, "from_": first, "to": last,
            "ledger": rules.totals(credited), "channels": answer}
