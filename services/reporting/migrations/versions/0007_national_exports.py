"""The national volunteer system's exports (全国志愿服务信息系统) and what each delivered: the
memory that makes the next export of a region and period carry only what is new or corrected.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_exports",
        sa.Column("id", sa.String(64), primary_key=True),  # the export job's id
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("from_day", sa.Date, nullable=False),
        sa.Column("to_day", sa.Date, nullable=False),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("corrections", sa.Integer, nullable=False),
        sa.Column("minutes", sa.BigInteger, nullable=False),
    )
    op.create_index("national_exports_by_region", "national_exports",
                    ["region_code", "created_at"])
    op.create_table(
        "national_deliveries",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("export_id", sa.String(64), sa.ForeignKey("national_exports.id"),
                  nullable=False),
        sa.Column("row_type", sa.String(10), nullable=False),  # new | correction
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("national_deliveries_by_day", "national_deliveries",
                    ["day", "region_code"])
    op.create_index("national_deliveries_by_export", "national_deliveries", ["export_id"])


def downgrade() -> None:
    op.drop_table("national_deliveries")
    op.drop_table("national_exports")
