"""Templates of demand's follow-up tasks (``follow_up_opened``, for the station) and of
unconfirmed service records (``record_confirmation_overdue``, for the elder).

Revision ID: 0003_follow_ups
Revises: 0002_channels
"""
import sqlalchemy as sa
from alembic import op

from notify.adapters.seed_templates import FOLLOW_UP_TEMPLATES

revision = "0003_follow_ups"
down_revision = "0002_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    templates = sa.table("templates", sa.column("event_type", sa.String),
                         sa.column("role", sa.String), sa.column("locale", sa.String),
                         sa.column("title", sa.Text), sa.column("body", sa.Text))
    op.bulk_insert(templates, FOLLOW_UP_TEMPLATES)


def downgrade() -> None:
    for kind, role in sorted({(t["event_type"], t["role"]) for t in FOLLOW_UP_TEMPLATES}):
        op.execute(sa.text("DELETE FROM templates WHERE event_type = :k AND role = :r")
                   .bindparams(k=kind, r=role))
