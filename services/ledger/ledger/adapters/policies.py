"""The policies repository: regional policy rows, grant entitlements and the yearly earned
sums the cap needs. Everything runs in the caller's unit of work."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import insert_rows, one_of
from timebank_common.policies import PolicyRow

from ..domain.granting import ACTIVE
from ..domain.policy import Policy, policy_for
from .tables import grant_entitlements, policies, service_minutes_by_year


def _ancestors(region_code: str) -> list[str]:
    """The province, city and county codes whose rows may apply to ``region_code``."""
    return sorted({region_code[:2] + "0" * 10, region_code[:4] + "0" * 8,
                   region_code[:6] + "0" * 6})


def _row(r) -> PolicyRow:
    return PolicyRow(r.region_code, r.effective_from, dict(r.policy_values), int(r.id))


def rows_for(uow, region_codes: list[str]) -> list[PolicyRow]:
    codes = sorted({a for code in region_codes for a in _ancestors(code)})
    result = uow.execute(select(policies).where(policies.c.region_code.in_(codes))
                         .order_by(policies.c.id))
    return [_row(r) for r in result]


def policies_for(uow, region_codes: list[str], on_date: dt.date) -> dict[str, Policy]:
    """The policy in effect on ``on_date`` for each region (one query for all)."""
    rows = rows_for(uow, region_codes)
    return {code: policy_for(rows, code, on_date) for code in set(region_codes)}


def history(uow, region_code: str) -> list[dict]:
    """Every row that applies to the region, oldest first, with who added it and when."""
    result = uow.execute(select(policies).where(
        policies.c.region_code.in_(_ancestors(region_code))).order_by(policies.c.id))
    return [{"id": int(r.id), "region_code": r.region_code, "effective_from": r.effective_from,
             "values": dict(r.policy_values), "reason": r.reason, "created_by": r.created_by,
             "created_at": r.created_at} for r in result]


def add_row(uow, region_code: str, effective_from: dt.date, values: dict, reason: str | None,
            created_by: str | None) -> int:
    return int(uow.execute(insert(policies).values(
        region_code=region_code, effective_from=effective_from, policy_values=values,
        reason=reason, created_by=created_by).returning(policies.c.id)).scalar())


# --- grant entitlements ---------------------------------------------------------------------
def add_entitlement(uow, person_id: str, category: str, region_code: str, verified_by: str | None,
                    since: dt.datetime) -> dict:
    """Record (or renew: a revocation is lifted) the entitlement; the stored row."""
    return dict(uow.execute(insert(grant_entitlements).values(
        person_id=person_id, category=category, region_code=region_code, since=since,
        verified_by=verified_by).on_conflict_do_update(
        index_elements=["person_id", "category"],
        set_={"region_code": region_code, "revoked_at": None, "revoked_reason": None})
        .returning(*grant_entitlements.c)).one()._mapping)


def revoke_entitlement(uow, person_id: str, category: str, reason: str,
                       at: dt.datetime) -> bool:
    """Mark the category withdrawn (kept, for the period it was withdrawn in); whether the
    elder had it."""
    done = uow.execute(update(grant_entitlements).where(
        grant_entitlements.c.person_id == person_id, grant_entitlements.c.category == category,
        grant_entitlements.c.revoked_at.is_(None)).values(revoked_at=at, revoked_reason=reason))
    return bool(done.rowcount)


def set_person_status(uow, person_id: str, status: str) -> None:
    uow.execute(update(grant_entitlements).where(grant_entitlements.c.person_id == person_id)
                .values(person_status=status))


def entitlements(uow, after: tuple[str, str] | None = None, limit: int = 500) -> list[dict]:
    """Entitlements of active elders in (person, category) order, a page after ``after``
    (revoked ones included: ``domain/granting.py::still_granted`` decides)."""
    query = select(grant_entitlements).where(
        grant_entitlements.c.person_status == ACTIVE).order_by(
        grant_entitlements.c.person_id, grant_entitlements.c.category).limit(limit)
    if after is not None:
        query = query.where(func.row(grant_entitlements.c.person_id, grant_entitlements.c.category)
                            > func.row(*after))
    return [dict(r._mapping) for r in uow.execute(query)]


# --- the yearly cap ---------------------------------------------------------------------------
def earned_in_year(uow, account_ids: list[str], year: int) -> dict[str, int]:
    """Service-credit minutes deposited in these accounts in a China-time year, by account:
    the running sums ``app/posting.py`` keeps (``service_minutes_by_year``)."""
    if not account_ids:
        return {}
    rows = uow.execute(select(service_minutes_by_year.c.account_id, service_minutes_by_year.c.minutes)
                       .where(one_of(service_minutes_by_year.c.account_id, sorted(set(account_ids))),
                              service_minutes_by_year.c.year == year))
    return {str(r.account_id): int(r.minutes) for r in rows}


def add_yearly_service_minutes(uow, sums: dict[tuple[str, int], int]) -> None:
    """Add to the running sums (in account order; the accounts are locked by the caller)."""
    if not sums:
        return
    insert_rows(uow, service_minutes_by_year,
                [{"account_id": a, "year": y, "minutes": m} for (a, y), m in sorted(sums.items())],
                "ON CONFLICT (account_id, year) DO UPDATE "
                "SET minutes = service_minutes_by_year.minutes + EXCLUDED.minutes")
