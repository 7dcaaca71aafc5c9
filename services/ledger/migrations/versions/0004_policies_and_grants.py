"""Regional policies as data (effective dates, who/when) and priority elders' grant
entitlements; the province default is seeded (demo values, ledger/domain/policy.py).

Revision ID: 0004
Revises: 0003 (the coordinator re-chains it after the certificates' 0003)
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from ledger.domain.policy import DEFAULT_EFFECTIVE_FROM, PROVINCE_CODE, PROVINCE_DEFAULT

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    policies = op.create_table(
        "policies",  # append-only: a row is never changed; a new row with a later date wins
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("policy_values", JSONB, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
    )
    op.create_index("policies_region_date", "policies", ["region_code", "effective_from"])
    op.execute("CREATE TRIGGER policies_immutable BEFORE UPDATE OR DELETE ON policies "
               "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
    op.bulk_insert(policies, [{
        "region_code": PROVINCE_CODE, "effective_from": DEFAULT_EFFECTIVE_FROM,
        "policy_values": PROVINCE_DEFAULT, "reason": "province default (demo values)",
        "created_by": "migration-0004", "created_at": dt.datetime.now(dt.UTC)}])
    op.create_table(
        "grant_entitlements",  # fed by identity's elder_priority_granted
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.Column("verified_by", sa.String(64)),
    )


def downgrade() -> None:
    op.drop_table("grant_entitlements")
    op.execute("DROP TRIGGER policies_immutable ON policies")
    op.drop_table("policies")
