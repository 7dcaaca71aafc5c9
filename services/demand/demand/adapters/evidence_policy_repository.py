"""SQL of the evidence thresholds: policy rows per region with an effective date, never
changed once added (the table is the audit). In a unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from timebank_common.policies import PolicyRow

from .rows import utc
from .tables import evidence_policies


def policy_rows(uow, region_code: str) -> list[PolicyRow]:
    """Every row that may apply to ``region_code`` (its province, city and county prefixes)."""
    prefixes = [region_code[:2] + "0" * 10, region_code[:4] + "0" * 8, region_code[:6] + "0" * 6]
    rows = uow.execute(select(evidence_policies).where(
        evidence_policies.c.region_code.in_(prefixes))).mappings()
    return [PolicyRow(r["region_code"], r["effective_from"], dict(r["values"]), r["id"])
            for r in rows]


def policy_history(uow, region_code: str) -> list[dict]:
    prefixes = [region_code[:2] + "0" * 10, region_code[:4] + "0" * 8, region_code[:6] + "0" * 6]
    rows = uow.execute(select(evidence_policies).where(
        evidence_policies.c.region_code.in_(prefixes)).order_by(evidence_policies.c.id)
    ).mappings()
    return [{"id": r["id"], "region_code": r["region_code"],
             "effective_from": r["effective_from"], "values": r["values"], "reason": r["reason"],
             "created_by": r["created_by"], "created_at": utc(r["created_at"])} for r in rows]


def add_policy_row(uow, region_code: str, effective_from: dt.date, values: dict, reason: str,
                   by: str | None) -> int:
    return uow.execute(evidence_policies.insert().values(
        region_code=region_code, effective_from=effective_from, values=values, reason=reason,
        created_by=by).returning(evidence_policies.c.id)).scalar_one()

