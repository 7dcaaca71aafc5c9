"""Each demand's progress as demand's events tell it (submitted, published, first assigned,
how far it got, why it was cancelled): the demand figures of ``/api/v1/stats`` (counts by
status, category and channel, exact median waits, completion) from the read model.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demand_progress",
        sa.Column("demand_id", sa.String(64), primary_key=True),
        sa.Column("region_code", sa.String(12)),
        sa.Column("submitted_day", sa.Date),  # China day of submitted_at
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("category", sa.String(64)),
        sa.Column("channel", sa.String(32)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("first_assigned_at", sa.DateTime(timezone=True)),
        sa.Column("ever_assigned", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status_rank", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("cancel_reason", sa.String(64)),
        sa.Column("funding_source", sa.String(32)),  # null: the events did not say
        sa.Column("funding_chosen_by", sa.String(32)),  # "default": nobody chose
        sa.Column("fallback", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("shortfall_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_candidate_at", sa.DateTime(timezone=True)),  # matching's event
    )
    op.create_index("demand_progress_by_region_day", "demand_progress",
                    ["region_code", "submitted_day"])


def downgrade() -> None:
    op.drop_table("demand_progress")
