"""Demand: indexes for the look-ups by a parent's id that scanned whole tables.

* ``service_records(demand_id, recorded_at)`` — a demand's records, oldest first
  (``recording_repository.of_demand``: confirm, the records list, the e2e journey);
* ``disputes(demand_id)`` — the disputes of a demand (``list_disputes`` filter);
* ``disputes(elder_id)``, ``disputes(volunteer_id)``, ``disputes(opened_by)`` — a party's
  own disputes (the three conditions are OR-ed: each needs its index for a bitmap OR);
* ``service_records(recorded_at) WHERE confirmed_at IS NULL AND overdue_reported_at IS NULL``
  — the hourly confirmation chase (``overdue_unconfirmed``) reads only the few records still
  waiting for the elder, not every record ever made.

The other look-ups by id were covered already: assignments by demand (the unique
``(demand_id, volunteer_id)``) and by volunteer (``assignments_volunteer_status``), records and
evaluations by assignment (unique), follow-ups by evaluation (unique) and by record
(``follow_ups_record``), disputes by subject (unique), audit rows and dispute steps by their
parent. Nothing looks evaluations up by record.

``IF NOT EXISTS``: on a large live database an operator may build them beforehand with
``CREATE INDEX CONCURRENTLY`` under the same names (no write lock); this revision then only
records itself.

Revision ID: 0006_lookup_indexes
Revises: 0005_evaluated
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_lookup_indexes"
down_revision = "0005_evaluated"
branch_labels = None
depends_on = None

INDEXES = (
    ("service_records_demand", "service_records", ["demand_id", "recorded_at"], None),
    ("service_records_unconfirmed", "service_records", ["recorded_at"],
     "confirmed_at IS NULL AND overdue_reported_at IS NULL"),
    ("disputes_demand", "disputes", ["demand_id"], None),
    ("disputes_elder", "disputes", ["elder_id"], None),
    ("disputes_volunteer", "disputes", ["volunteer_id"], None),
    ("disputes_opened_by", "disputes", ["opened_by"], None),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True,
                        postgresql_where=sa.text(where) if where else None)


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
