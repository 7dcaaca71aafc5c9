"""The yearly cap's running sum: service-credit minutes per account and China-time year.

Revision ID: 0006
Revises: 0005

``posting.create_transfers`` adds every posted service credit to its credited account's row
in the same transaction (the account is locked), so the cap reads one row per volunteer
instead of summing their entries: the sum would scan more history every year, and on a
database whose statistics are stale (autovacuum off) its plan degrades to a full scan.
The upgrade fills the table from the entries already posted.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_minutes_by_year",
        sa.Column("account_id", sa.dialects.postgresql.UUID(as_uuid=False),
                  sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("minutes", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "year", name="service_minutes_by_year_pkey"),
    )
    op.execute("""
        INSERT INTO service_minutes_by_year (account_id, year, minutes)
        SELECT e.account_id,
               extract(year FROM t.created_at AT TIME ZONE 'Asia/Shanghai')::int,
               sum(e.amount_minutes)
        FROM entries e JOIN transfers t ON t.id = e.transfer_id
        WHERE t.kind = 'service_credit' AND e.account_id = t.credit_account_id
        GROUP BY 1, 2
    """)


def downgrade() -> None:
    op.drop_table("service_minutes_by_year")
