"""Demand: withdrawals, no-shows and the reservation saga's state on assignments.

Revision ID: 0003_saga
Revises: 0002_intake
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_saga"
down_revision = "0002_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("ended_at", sa.DateTime(timezone=True)))
    op.add_column("assignments", sa.Column("end_reason", sa.Text))
    op.add_column("assignments", sa.Column("reservation_status", sa.String(20)))
    op.add_column("assignments", sa.Column("reservation_note", sa.Text))
    op.create_index("demands_status_window_start", "demands", ["status", "window_start"])


def downgrade() -> None:
    op.drop_index("demands_status_window_start", "demands")
    for name in ("reservation_note", "reservation_status", "end_reason", "ended_at"):
        op.drop_column("assignments", name)
