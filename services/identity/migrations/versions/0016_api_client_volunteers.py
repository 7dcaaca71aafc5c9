"""Municipal API clients: ``may_register_volunteers`` (the province's policy per client, set
by an admin; off by default). Elders a client of the city may always register.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_clients", sa.Column("may_register_volunteers", sa.Boolean,
                                           nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("api_clients", "may_register_volunteers")
