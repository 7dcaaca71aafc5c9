"""Municipal API clients: two live secrets during a rotation. The secret a rotation replaced
is kept (its argon2 hash) and accepted until ``previous_secret_valid_until``
(``identity.domain.client_secrets``).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_clients", sa.Column("previous_secret_hash", sa.Text))
    op.add_column("api_clients", sa.Column("previous_secret_valid_until",
                                           sa.DateTime(timezone=True)))


def downgrade() -> None:
    # a rotation still in progress loses its previous secret: the old behaviour (no overlap)
    op.drop_column("api_clients", "previous_secret_valid_until")
    op.drop_column("api_clients", "previous_secret_hash")
