"""The measures that needed new events: the elder service days behind ``elders_served``
(distinct elders served in any span, at every region level), their counts by (day, previous
day) the queries read, and the hardship categories each elder holds (granted minus withdrawn,
from identity's events).

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
    # how many elder service days of a region have each (day, previous day): the elders
    # served in [a, b] are the sum over day in [a, b] and prev_day before a — a few thousand
    # rows for a province year however many elders (prev_day NONE_BEFORE: no earlier day)
    op.create_table(
        "elder_day_counts",
        sa.Column("region_prefix", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("prev_day", sa.Date, nullable=False),
        sa.Column("parent_prefix", sa.String(12), nullable=False),
        sa.Column("elders", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("region_prefix", "day", "prev_day",
                                name="elder_day_counts_pkey"),
    )
    # a breakdown: the children of one parent over a span
    op.create_index("elder_day_counts_by_parent", "elder_day_counts",
                    ["parent_prefix", "day", "region_prefix"])
    op.create_table(
        "elder_priorities",
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("held", sa.Integer, nullable=False),  # granted − withdrawn (> 0: held)
        sa.PrimaryKeyConstraint("elder_id", "category", name="elder_priorities_pkey"),
    )


def downgrade() -> None:
    op.drop_table("elder_priorities")
    op.drop_table("elder_day_counts")
    op.drop_table("elder_service_days")
