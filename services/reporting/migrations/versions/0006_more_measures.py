"""The measures that needed new events: the elder service days behind ``elders_served``
(distinct elders served in any span, at every region level) and the hardship categories each
elder holds (granted minus withdrawn, from identity's events).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elder_service_days",
        sa.Column("region_prefix", sa.String(12), nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        # the elder's previous service day in the same region prefix (null: none before):
        # an elder is served in [a, b] exactly once as a row with day in [a, b] and
        # prev_day before a (or null), so a span is counted without DISTINCT
        sa.Column("prev_day", sa.Date),
        sa.Column("parent_prefix", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("region_prefix", "elder_id", "day",
                                name="elder_service_days_pkey"),
    )
    # a region's span, read from the index alone
    op.execute("CREATE INDEX elder_service_days_by_day ON elder_service_days "
               "(region_prefix, day) INCLUDE (prev_day, elder_id)")
    # a breakdown: the children of one parent over a span
    op.execute("CREATE INDEX elder_service_days_by_parent ON elder_service_days "
               "(parent_prefix, day) INCLUDE (prev_day, region_prefix)")
    op.create_table(
        "elder_priorities",
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("held", sa.Integer, nullable=False),  # granted − withdrawn (> 0: held)
        sa.PrimaryKeyConstraint("elder_id", "category", name="elder_priorities_pkey"),
    )


def downgrade() -> None:
    op.drop_table("elder_priorities")
    op.drop_table("elder_service_days")
