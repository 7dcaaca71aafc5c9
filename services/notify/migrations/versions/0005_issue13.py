"""Templates of a service not recorded in time (``recording_overdue``: to the station, then
the township) and of a person who moved (``person_moved``: to the staff of the place left,
``moved_out``, and of the place come to, ``moved_in``); ``deceased_people``: whom notify no
longer writes to (identity's ``person_status_changed``).

Revision ID: 0005_issue13
Revises: 0004_region_indexes
"""
import sqlalchemy as sa
from alembic import op

from notify.adapters.seed_templates import ISSUE13_TEMPLATES

revision = "0005_issue13"
down_revision = "0004_region_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    templates = sa.table("templates", sa.column("event_type", sa.String),
                         sa.column("role", sa.String), sa.column("locale", sa.String),
                         sa.column("title", sa.Text), sa.column("body", sa.Text))
    op.bulk_insert(templates, ISSUE13_TEMPLATES)
    op.create_table("deceased_people",
                    sa.Column("person_id", sa.String(64), primary_key=True),
                    sa.Column("as_of", sa.DateTime(timezone=True), nullable=False))


def downgrade() -> None:
    op.drop_table("deceased_people")
    for kind, role in sorted({(t["event_type"], t["role"]) for t in ISSUE13_TEMPLATES}):
        op.execute(sa.text("DELETE FROM templates WHERE event_type = :k AND role = :r")
                   .bindparams(k=kind, r=role))
