"""The last eligibility announced for each volunteer, and the day it was last reassessed:
``volunteer_eligible`` / ``volunteer_suspended`` are emitted when the computed eligibility
differs from the announced one, also when only time changed it (the daily sweep).

Existing volunteers start as "not announced eligible": the first sweep announces the
eligible ones once more (consumers treat ``volunteer_eligible`` as an upsert).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("volunteer_profiles", sa.Column("announced_eligible", sa.Boolean,
                                                  nullable=False, server_default="false"))
    op.add_column("volunteer_profiles", sa.Column("eligibility_checked_on", sa.Date))


def downgrade() -> None:
    op.drop_column("volunteer_profiles", "eligibility_checked_on")
    op.drop_column("volunteer_profiles", "announced_eligible")
