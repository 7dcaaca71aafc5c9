"""The service records read model: one row per demand service record, joined from demand's
``service_recorded`` and the ledger's ``hours_credited`` / ``credit_corrected`` (whichever
arrives first creates the row), what the exports, the national system and 志愿汇 read.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_records",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("demand_id", sa.String(64)),
        sa.Column("volunteer_id", sa.String(64)),
        sa.Column("elder_id", sa.String(64)),
        sa.Column("region_code", sa.String(12)),
        sa.Column("volunteer_region_code", sa.String(12)),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("category", sa.String(50)),
        sa.Column("funding_source", sa.String(30)),
        sa.Column("recorded_minutes", sa.Integer),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("recorded_at", sa.DateTime(timezone=True)),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("day", sa.Date),
        sa.Column("credited_minutes", sa.Integer),
        sa.Column("transfer_id", sa.String(64)),
        sa.Column("credited_at", sa.DateTime(timezone=True)),
        sa.Column("corrected_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("service_records_by_day", "service_records", ["day", "region_code"])
    op.create_index("service_records_by_volunteer", "service_records", ["volunteer_id"])


def downgrade() -> None:
    op.drop_table("service_records")
