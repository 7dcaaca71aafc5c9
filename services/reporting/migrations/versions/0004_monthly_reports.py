"""The monthly reports (月度报告) and what the commendation lists (表扬奖励) read besides the facts
and ``service_records``: the star levels volunteers reached (the ledger's
``milestone_reached``) and the evaluations with their demand (demand's
``evaluation_submitted``), one row per event, filled in the handler's transaction and by the
rebuild; the signed PDFs, one per region and month.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestones_reached",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("cumulative_minutes", sa.Integer, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("milestones_reached_by_day", "milestones_reached", ["day", "region_code"])
    op.create_table(
        "evaluation_scores",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("demand_id", sa.String(64), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("score", sa.SmallInteger, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("evaluation_scores_by_day", "evaluation_scores", ["day", "region_code"])
    op.create_index("service_records_by_demand", "service_records", ["demand_id", "volunteer_id"])
    op.create_table(
        "monthly_reports",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),  # YYYY-MM (China time)
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("content", postgresql.JSONB, nullable=False),  # the figures printed
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True)),
        sa.Column("generated_by", sa.String(64)),  # null: the 1st-of-month timer
        sa.UniqueConstraint("region_code", "month", name="monthly_reports_one_per_month"),
    )


def downgrade() -> None:
    op.drop_table("monthly_reports")
    op.drop_index("service_records_by_demand", table_name="service_records")
    op.drop_table("evaluation_scores")
    op.drop_table("milestones_reached")
