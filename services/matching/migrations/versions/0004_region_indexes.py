"""Matching: indexes for the region-scoped reads none served.

Region scopes are written as a range (``db.within``: ``region_code >= '130102' AND
region_code < '130103'``), which a btree index leading with ``region_code`` serves (the
``LIKE '130102%'`` used before could not be, under the C.UTF-8 collation). Already served:
proposals (``proposals_by_region_status``) and demand outcomes
(``demand_outcomes_by_region``). Added:

* ``open_demands(region_code, window_start)`` — a dispatch run's demands of its region still
  ahead (``volunteer_repository.demands_to_dispatch``) and a staff caller's feed within their
  scope (``repository.feed_candidates``), which read every open demand of the province;
* ``dispatch_runs(region_code, started_at)`` — the runs of a region and period in the
  matching statistics (``dispatch_repository.stats``), a table that only grows.

``IF NOT EXISTS``: on a large live database an operator may build them beforehand with
``CREATE INDEX CONCURRENTLY`` under the same names (no write lock); this revision then only
records itself.

Revision ID: 0004_region_indexes
Revises: 0003_index_deltas
"""
from alembic import op

revision = "0004_region_indexes"
down_revision = "0003_index_deltas"
branch_labels = None
depends_on = None

INDEXES = (
    ("open_demands_by_region", "open_demands", ["region_code", "window_start"]),
    ("dispatch_runs_by_region", "dispatch_runs", ["region_code", "started_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
