"""Identity: where an elder lives, as coordinates (for the distance between a service's
check-out and the elder's home, and for matching), corrected with the elder's address.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("elder_profiles", sa.Column("longitude", sa.Float))
    op.add_column("elder_profiles", sa.Column("latitude", sa.Float))


def downgrade() -> None:
    op.drop_column("elder_profiles", "latitude")
    op.drop_column("elder_profiles", "longitude")
