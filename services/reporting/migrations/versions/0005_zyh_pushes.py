"""Reserved for the 志愿汇 pushes and the interchange reconciliation (filled in by the change that builds it).

Revision ID: 0005
Revises: 0004
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
