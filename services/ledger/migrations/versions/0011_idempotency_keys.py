"""Ledger: the kit's ``idempotency_keys`` table (DESIGN.md §3: every HTTP create takes an
``Idempotency-Key``; the key and the first answer are kept with the create, in this
database). See ``timebank_common.idempotency``.

Revision ID: 0011_idempotency_keys
Revises: 0010_standing_and_revocation
"""
from alembic import op

from timebank_common.idempotency import create_idempotency_table

revision = "0011_idempotency_keys"
down_revision = "0010_standing_and_revocation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
