"""The change log each process follows to keep its in-memory views current (``index_cache``).

Handlers write, in the same transaction as the change itself, the id of every volunteer whose
match inputs changed (``volunteer_changes``) and of every open demand that was published,
changed or closed (``demand_changes``); ``*`` means everything (a rebuild of the read models).
A reader remembers the snapshot it last read under and asks for the changes that snapshot did
not see — written by transactions that began after it, or were still running when it was
taken — so a transaction that commits late, after later ones, is still found.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, insert

from timebank_common.db import UnitOfWork

from .tables import demand_changes, volunteer_changes

EVERYONE = "*"


class Changes(NamedTuple):
    snapshot: str  # the snapshot they were read under: the next read starts from it
    volunteers: set[str]
    demands: set[str]


def note_volunteers(uow: UnitOfWork, person_ids: list[str]) -> None:
    if person_ids:
        uow.execute(insert(volunteer_changes), [{"person_id": p} for p in person_ids])


def note_demands(uow: UnitOfWork, demand_ids: list[str]) -> None:
    if demand_ids:
        uow.execute(insert(demand_changes), [{"demand_id": d} for d in demand_ids])


def note_demands_of_elder(uow: UnitOfWork, elder_id: str) -> None:
    """The elder's open demands changed (their priority)."""
    uow.execute(text("INSERT INTO demand_changes (demand_id) SELECT demand_id FROM open_demands "
                     "WHERE elder_id = :elder"), {"elder": elder_id})


def note_everything(uow: UnitOfWork) -> None:
    note_volunteers(uow, [EVERYONE])
    note_demands(uow, [EVERYONE])


def _not_seen_by(snap: str) -> dict[str, Any]:
    """The transactions a snapshot (``xmin:xmax:xip,...``) did not see: ``xid >= xmax`` or
    one of ``xip`` (running when it was taken), as plain numbers the planner can estimate."""
    _, xmax, running = snap.split(":")
    return {"xmax": int(xmax), "xip": [int(x) for x in running.split(",") if x]}


_SINCE = text(
    "SELECT pg_current_snapshot()::text AS snap, "
    "ARRAY(SELECT DISTINCT person_id FROM volunteer_changes "
    "      WHERE xid >= :xmax OR xid = ANY(:xip)) AS volunteers, "
    "ARRAY(SELECT DISTINCT demand_id FROM demand_changes "
    "      WHERE xid >= :xmax OR xid = ANY(:xip)) AS demands").bindparams(
    bindparam("xmax", type_=BigInteger), bindparam("xip", type_=ARRAY(BigInteger)))


def changes_since(uow: UnitOfWork, snap: str | None) -> Changes:
    """The changes ``snap`` did not see, read in one statement (so under exactly the snapshot
    returned with them). ``snap`` None: only the current snapshot."""
    if snap is None:
        return Changes(uow.execute(text("SELECT pg_current_snapshot()::text")).scalar_one(),
                       set(), set())
    row = uow.execute(_SINCE, _not_seen_by(snap)).one()
    return Changes(row.snap, set(row.volunteers), set(row.demands))


def prune(uow: UnitOfWork, older_than: dt.timedelta) -> None:
    """Drop rows older than ``older_than`` whose transactions every snapshot sees (a process
    that has not caught up for that long rebuilds its views instead)."""
    params = {"age": older_than}
    seen_by_all = "xid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint"
    uow.execute(text(f"DELETE FROM volunteer_changes WHERE at < now() - :age AND {seen_by_all}"),
                params)
    uow.execute(text(f"DELETE FROM demand_changes WHERE at < now() - :age AND {seen_by_all}"),
                params)
