"""Matching read model: open demands and the latest slot counts heard; outbox/inbox tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "open_demands",
        sa.Column("demand_id", sa.String(64), primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("city_unit", sa.String(12), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("expected_minutes", sa.Integer, nullable=False),
        sa.Column("open_slots", sa.Integer, nullable=False),
        sa.Column("location_lat", sa.Float),
        sa.Column("location_lng", sa.Float),
        sa.Column("published_at", TS, nullable=False),
    )
    op.create_index("open_demands_by_city", "open_demands", ["city_unit", "window_start"])
    op.create_index("open_demands_by_window", "open_demands", ["window_start"])
    op.create_table(
        "slot_counts",
        sa.Column("demand_id", sa.String(64), primary_key=True),
        sa.Column("open_slots", sa.Integer, nullable=False),
        sa.Column("as_of", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("slot_counts")
    op.drop_table("open_demands")
    op.drop_table("inbox")
    op.drop_table("outbox")
