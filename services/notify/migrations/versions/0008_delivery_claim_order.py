"""Notify: the due deliveries' index in the order a sender claims them (urgent first, then the
oldest due): ``claim_due_deliveries`` reads the first rows it may lock straight off the index
instead of reading every due row and sorting them — with a backlog (a provider down for an
hour, retries piling up) each claim sorted the whole backlog.

Revision ID: 0008_delivery_claim_order
Revises: 0007_idempotency_keys
"""
from alembic import op
from sqlalchemy import text

revision = "0008_delivery_claim_order"
down_revision = "0007_idempotency_keys"
branch_labels = None
depends_on = None

DUE = text("status IN ('pending', 'failed')")


def upgrade() -> None:
    op.drop_index("deliveries_due", table_name="deliveries")
    op.create_index("deliveries_due", "deliveries", [text("urgent DESC"), "not_before"],
                    postgresql_where=DUE)


def downgrade() -> None:
    op.drop_index("deliveries_due", table_name="deliveries")
    op.create_index("deliveries_due", "deliveries", ["not_before"], postgresql_where=DUE)
