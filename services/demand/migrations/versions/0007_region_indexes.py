"""Demand: indexes for a supervisor's region scope where none served it.

Region scopes are written as a range (``db.within``: ``region_code >= '130102' AND
region_code < '130103'``), which a btree index leading with ``region_code`` serves (the
``LIKE '130102%'`` used before could not be, under the C.UTF-8 collation). Already served:
demands (``demands_region_status``), series (``demand_series_region``), evaluations,
follow-ups and disputes (``*_region``). Added:

* ``demands(region_code, created_at)`` — the statistics of a region and period
  (``statistics.demand_rows``): both bounds in the index, not the period checked row by row;
* ``demand_escalations(region_code, escalated_at)`` — a township's or county's escalations
  with the closed ones (``intake_repository.escalations_in``), which read the whole table
  (the open ones alone are few: ``demand_escalations_open`` holds only them);
* ``service_records(region_code, recorded_at)`` — the records of a region and period that
  the ledger's reconciliation pages through (``repository.service_record_rows``), which read
  every record (a region's queue of held records, ``recording_repository.in_status``, has
  ``service_records_status`` too: held records are few).

``IF NOT EXISTS``: on a large live database an operator may build them beforehand with
``CREATE INDEX CONCURRENTLY`` under the same names (no write lock); this revision then only
records itself.

Revision ID: 0007_region_indexes
Revises: 0006_lookup_indexes
"""
from alembic import op

revision = "0007_region_indexes"
down_revision = "0006_lookup_indexes"
branch_labels = None
depends_on = None

INDEXES = (
    ("demands_region_created", "demands", ["region_code", "created_at"]),
    ("demand_escalations_region", "demand_escalations", ["region_code", "escalated_at"]),
    ("service_records_region", "service_records", ["region_code", "recorded_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
