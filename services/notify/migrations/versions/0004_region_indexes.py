"""Notify: an index for the call tasks of a region.

Region scopes are written as a range (``db.within``: ``region_code >= '130102' AND
region_code < '130103'``), which a btree index leading with ``region_code`` serves (the
``LIKE '130102%'`` used before could not be, under the C.UTF-8 collation). Already served:
the volunteers who want nearby demands (``preferences_nearby``), a station's own call tasks
(``call_tasks_by_carrier``). Added:

* ``call_tasks(region_code, status, created_at)`` — the call tasks of a township's or
  county's stations for their supervisors (``repository.call_tasks_page``), which read every
  call task of the province.

``IF NOT EXISTS``: on a large live database an operator may build it beforehand with
``CREATE INDEX CONCURRENTLY`` under the same name (no write lock); this revision then only
records itself.

Revision ID: 0004_region_indexes
Revises: 0003_follow_ups
"""
from alembic import op

revision = "0004_region_indexes"
down_revision = "0003_follow_ups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("call_tasks_by_region", "call_tasks", ["region_code", "status", "created_at"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("call_tasks_by_region", table_name="call_tasks", if_exists=True)
