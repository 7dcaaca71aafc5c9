"""Ledger: tombstones of closed service reservations (the saga with demand).

Revision ID: 0007_reservations
Revises: 0006

A ``reservation_released`` or a recorded service handled before its ``reservation_requested``
(separate queues: order is not guaranteed) leaves a row here, so the late request creates
no reservation.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_reservations"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reservation_closures",
        sa.Column("reservation_id", sa.String(200), primary_key=True),
        sa.Column("reason", sa.String(50), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("reservation_closures")
