"""Ledger: an index for the accounts of a region, for the supervisors' statistics.

Region scopes are written as a range (``db.within``: ``region_code >= '130102' AND
region_code < '130103'``), which a btree index leading with ``region_code`` serves (the
``LIKE '130102%'`` used before could not be, under the C.UTF-8 collation). Already served:
the issuance accounts and donation pools of a region (``accounts_one_per_region``, kind then
region). Added:

* ``accounts(region_code, id)`` — every account of a region (personal ones included), which
  ``queries_repository.flows`` reads once to keep the period's transfers touching the region
  (before: every account read, twice, to join each transfer of the period to both sides).
  Balances are not in the index, so posting's updates of an account stay HOT updates.

``IF NOT EXISTS``: on a large live database an operator may build it beforehand with
``CREATE INDEX CONCURRENTLY`` under the same name (no write lock); this revision then only
records itself.

Revision ID: 0008_region_indexes
Revises: 0007_reservations
"""
from alembic import op

revision = "0008_region_indexes"
down_revision = "0007_reservations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("accounts_by_region", "accounts", ["region_code", "id"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("accounts_by_region", table_name="accounts", if_exists=True)
