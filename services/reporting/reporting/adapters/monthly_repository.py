"""The signed monthly reports in SQL: one per (region, month), a PDF each."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from .tables import monthly_reports

META = [c for c in monthly_reports.c if c.name != "pdf"]


def try_lock(uow, region_code: str, month: str) -> bool:
    """Whether this transaction may make (region, month)'s report: another process making it
    holds the lock until its commit."""
    return bool(uow.execute(sa.text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"),
                            {"k": f"reporting.monthly:{region_code}:{month}"}).scalar())


def add(uow, row: Mapping[str, Any]) -> bool:
    """Store a report; False when (region, month) has one already (it is kept)."""
    stored = uow.execute(insert(monthly_reports).values(**row)
                         .on_conflict_do_nothing(constraint="monthly_reports_one_per_month")
                         .returning(monthly_reports.c.number)).scalar()
    return stored is not None


def of_month(uow, region_code: str, month: str) -> dict[str, Any] | None:
    row = uow.execute(sa.select(*META).where(monthly_reports.c.region_code == region_code,
                                             monthly_reports.c.month == month)).mappings().first()
    return dict(row) if row else None


def months_made(uow, month: str) -> set[str]:
    """The regions with a report of ``month``."""
    return set(uow.execute(sa.select(monthly_reports.c.region_code)
                           .where(monthly_reports.c.month == month)).scalars())


def by_number(uow, number: str, with_pdf: bool = False) -> dict[str, Any] | None:
    columns = list(monthly_reports.c) if with_pdf else META
    row = uow.execute(sa.select(*columns).where(monthly_reports.c.number == number)
                      ).mappings().first()
    return dict(row) if row else None
