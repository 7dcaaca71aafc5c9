"""Demand: the device's check-in/out times, kept as evidence beside the server's.

From this revision ``assignments.checked_in_at`` / ``checked_out_at`` are the server's clock at
the check-in/out; the time the volunteer's app sent is ``check_in_device_at`` /
``check_out_device_at`` (null when the app sent none; null for rows checked in before this
revision, whose ``checked_*_at`` are what the app sent then).

Revision ID: 0008_device_time
Revises: 0007_region_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_device_time"
down_revision = "0007_region_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("check_in_device_at", sa.DateTime(timezone=True)))
    op.add_column("assignments", sa.Column("check_out_device_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("assignments", "check_out_device_at")
    op.drop_column("assignments", "check_in_device_at")
