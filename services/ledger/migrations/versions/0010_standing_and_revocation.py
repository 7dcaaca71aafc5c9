"""Ledger: grants that end, and accounts of a person who died (issue 13).

* ``grant_entitlements.revoked_at`` / ``revoked_reason`` (identity's ``elder_priority_revoked``:
  no grant after the period it was revoked in) and ``person_status`` (identity's
  ``person_status_changed``: grants are paid only while the elder is ``active``).
* ``accounts.frozen_at``: a deceased person's personal and grant accounts are frozen (no gift,
  donation or spending from them; credits still land). Set back to null when identity
  corrects the status to ``active``.

Revision ID: 0010_standing_and_revocation
Revises: 0009_regions_where_it_happened
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_standing_and_revocation"
down_revision = "0009_regions_where_it_happened"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("grant_entitlements", sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.add_column("grant_entitlements", sa.Column("revoked_reason", sa.Text))
    op.add_column("grant_entitlements", sa.Column("person_status", sa.String(20),
                                                  nullable=False, server_default="active"))
    op.add_column("accounts", sa.Column("frozen_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("accounts", "frozen_at")
    for column in ("person_status", "revoked_reason", "revoked_at"):
        op.drop_column("grant_entitlements", column)
