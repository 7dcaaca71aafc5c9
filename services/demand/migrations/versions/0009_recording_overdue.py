"""Demand: services checked out and not recorded in time (及时), reported once per level.

``recording_overdue`` has one row per (assignment, level): ``station`` when the record is
``record_within_hours`` late, ``township`` when ``township_record_within_hours`` late (policy
values beside the evidence thresholds). The primary key makes a second process's insert a
no-op, so each level is announced once. ``(region_code, escalated_at)`` serves the statistics.

Revision ID: 0009_recording_overdue
Revises: 0008_device_time
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0009_recording_overdue"
down_revision = "0008_device_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_overdue",
        sa.Column("assignment_id", UUID(as_uuid=False), sa.ForeignKey("assignments.id"),
                  primary_key=True),
        sa.Column("level", sa.String(10), primary_key=True),
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id"),
                  nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("recording_overdue_region", "recording_overdue",
                    ["region_code", "escalated_at"])
    # the sweep's candidates: services checked out and waiting for their record
    op.create_index("assignments_awaiting_record", "assignments", ["checked_out_at"],
                    postgresql_where=sa.text("status = 'awaiting_record'"))


def downgrade() -> None:
    op.drop_index("assignments_awaiting_record", table_name="assignments")
    op.drop_index("recording_overdue_region", table_name="recording_overdue")
    op.drop_table("recording_overdue")
