"""reporting's read model: facts per region prefix (every level) × China day × category ×
funding source × measure; the service days behind active volunteers; the archive of every
consumed event (what a rebuild replays); outbox/inbox tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "facts",
        sa.Column("region_prefix", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("funding_source", sa.String(30), nullable=False),
        sa.Column("parent_prefix", sa.String(12), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        # a region's series: its own rows over a day range
        sa.PrimaryKeyConstraint("region_prefix", "day", "measure", "category",
                                "funding_source", name="facts_pkey"),
    )
    # a breakdown: the children's rows of one parent over a day range
    op.create_index("facts_by_parent", "facts", ["parent_prefix", "day", "region_prefix"])
    op.create_table(
        "service_days",
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "day", "volunteer_id", name="service_days_pkey"),
    )
    # a volunteer's other service days near a new one (what it adds to active volunteers)
    op.create_index("service_days_by_volunteer", "service_days", ["volunteer_id", "day"])
    op.create_table(
        "event_archive",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", postgresql.JSONB, nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("event_archive_in_order", "event_archive", ["occurred_at", "event_id"])


def downgrade() -> None:
    op.drop_table("event_archive")
    op.drop_table("service_days")
    op.drop_table("facts")
    op.drop_table("inbox")
    op.drop_table("outbox")
