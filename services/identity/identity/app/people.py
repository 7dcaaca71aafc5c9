"""Finding people: the elders and volunteers of the caller's scope, searched and paged.

Callers: staff (admins, station operators, auditors) and municipal systems, within their
scope (``PERSON_READERS``); a ``region`` filter outside the scope is refused (403). Phone and
ID number are matched through their keyed hashes: no table is decrypted to search, only the
page shown is opened to be masked. ``status`` defaults to ``active``; ``all`` lists everyone.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory

from ..adapters import persons
from ..contracts import ADVANCED_AGE, PERSON_READERS
from ..domain import id_numbers
from ..domain.priority import born_by_for_advanced_age
from .scope import listing_prefix
from .views import listed_elder_view, listed_volunteer_view


def _filters(query: Mapping[str, Any]) -> dict[str, Any]:
    filters = dict(query)
    if filters.get("id_number"):
        filters["id_number"] = id_numbers.normalize(filters["id_number"])
    return filters


def _paged(items: list[dict[str, Any]], total: int, query: Mapping[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def list_elders(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
                now: dt.datetime) -> dict[str, Any]:
    caller.require(*PERSON_READERS)
    prefix = listing_prefix(caller, query.get("region"))
    today = china_date(now)
    by_age = (born_by_for_advanced_age(today) if query.get("category") == ADVANCED_AGE
              else None)
    with db() as uow:
        rows, total = persons.elder_page(uow, prefix, _filters(query), by_age, query["page"],
                                         query["page_size"])
    return _paged([listed_elder_view(r, today) for r in rows], total, query)


def list_volunteers(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
                    now: dt.datetime) -> dict[str, Any]:
    caller.require(*PERSON_READERS)
    prefix = listing_prefix(caller, query.get("region"))
    today = china_date(now)
    with db() as uow:
        rows, total = persons.volunteer_page(uow, prefix, _filters(query), query["page"],
                                             query["page_size"])
    return _paged([listed_volunteer_view(r, today) for r in rows], total, query)
