"""Identity: an index for the one region-scoped listing none served.

Region scopes are written as a range (``db.within``: ``region_code >= '130102' AND
region_code < '130103'``), which a btree index leading with the region column serves (the
``LIKE '130102%'`` used before could not be, under the C.UTF-8 collation). Already served:
persons (``persons_by_region``: elders, volunteers, statistics), carriers
(``carriers_by_region``), grants (``role_grants_scope``), the audit log
(``audit_log_region_at``), regions (primary key), training policies (primary key). Added:

* ``api_clients(scope_code)`` — the municipal systems of a region (``api_clients_under``):
  a small table, but the listing should not depend on that.

``IF NOT EXISTS``: on a live database an operator may build it beforehand with
``CREATE INDEX CONCURRENTLY`` under the same name; this revision then only records itself.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("api_clients_scope", "api_clients", ["scope_code"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("api_clients_scope", table_name="api_clients", if_exists=True)
