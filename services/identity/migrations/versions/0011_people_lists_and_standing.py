"""Identity: finding people, and a person's standing.

* ``persons.status`` (``active`` | ``left`` | ``withdrew`` | ``deceased``, default
  ``active``: every existing person is active) with the reason, when and by whom it last
  changed. A non-active person cannot log in.
* ``persons_by_region_name (region_code, name, id)``: the elder and volunteer lists of a
  scope (a range on the region) in their stable order (region, name, id), so a page is read
  from the index in order instead of sorting the whole scope.
* ``persons_by_name (name, id)``: a search by name prefix (``q``) across a broad scope.

Phone and ID number are searched through their keyed hashes, already unique-indexed.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("persons", sa.Column("status", sa.String(16), nullable=False,
                                       server_default="active"))
    op.add_column("persons", sa.Column("status_reason", sa.Text))
    op.add_column("persons", sa.Column("status_changed_at", sa.DateTime(timezone=True)))
    op.add_column("persons", sa.Column("status_changed_by", UUID(as_uuid=True)))
    op.create_check_constraint(
        "persons_status", "persons",
        "status IN ('active', 'left', 'withdrew', 'deceased')")
    op.create_index("persons_by_region_name", "persons", ["region_code", "name", "id"],
                    if_not_exists=True)
    op.create_index("persons_by_name", "persons", ["name", "id"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("persons_by_name", table_name="persons", if_exists=True)
    op.drop_index("persons_by_region_name", table_name="persons", if_exists=True)
    op.drop_constraint("persons_status", "persons", type_="check")
    for column in ("status_changed_by", "status_changed_at", "status_reason", "status"):
        op.drop_column("persons", column)
