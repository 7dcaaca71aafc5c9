"""Logins whose password must be changed at first use (a one-time password: the province's
first admin made by ``identity.commands.bootstrap_admin``). Such a login is allowed nothing but
changing its password and logging out (the access token's ``pwd_change`` claim, refused by the
gateway with 403 ``password_change_required``); the change clears the marker.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credentials", sa.Column("must_change_password", sa.Boolean, nullable=False,
                                           server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("credentials", "must_change_password")
