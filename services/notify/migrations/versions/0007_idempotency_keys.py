"""Notify: the kit's ``idempotency_keys`` table (DESIGN.md §3: every HTTP create takes an
``Idempotency-Key``; here the webhook endpoints a municipal system registers). See
``timebank_common.idempotency``.

Revision ID: 0007_idempotency_keys
Revises: 0006_change_feed
"""
from alembic import op

from timebank_common.idempotency import create_idempotency_table

revision = "0007_idempotency_keys"
down_revision = "0006_change_feed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
