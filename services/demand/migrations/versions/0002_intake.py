"""Demand intake: catalogue change history, demand adjustments, review escalations,
recurring demand series and their occurrences.

Revision ID: 0002_intake
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002_intake"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalogue_changes",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("code", sa.String(50), sa.ForeignKey("service_categories.code"),
                  nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB, nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("catalogue_changes_code", "catalogue_changes", ["code", "changed_at"])

    op.create_table(
        "demand_changes",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
    )
    op.create_index("demand_changes_demand", "demand_changes", ["demand_id", "changed_at"])

    op.create_table(
        "demand_escalations",
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id"),
                  primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("escalated_at", TS, nullable=False),
        sa.Column("closed_at", TS),
        sa.Column("closed_reason", sa.String(20)),
    )
    op.create_index("demand_escalations_open", "demand_escalations", ["township_code"],
                    postgresql_where=sa.text("closed_at IS NULL"))
    op.create_index("demands_submitted_created", "demands", ["created_at"],
                    postgresql_where=sa.text("status = 'submitted'"))

    op.create_table(
        "demand_series",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(50), sa.ForeignKey("service_categories.code"),
                  nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("location_lat", sa.Float),
        sa.Column("location_lng", sa.Float),
        sa.Column("frequency", sa.String(20), nullable=False),
        sa.Column("weekdays", JSONB, nullable=False, server_default="[]"),
        sa.Column("interval_days", sa.Integer, nullable=False, server_default="1"),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("time_of_day", sa.Time, nullable=False),
        sa.Column("window_minutes", sa.Integer, nullable=False),
        sa.Column("expected_minutes", sa.Integer, nullable=False),
        sa.Column("volunteers_needed", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("cancelled_by", sa.String(64)),
        sa.Column("cancelled_at", TS),
        sa.Column("cancel_reason", sa.Text),
        sa.CheckConstraint("end_date >= start_date", name="demand_series_period"),
    )
    op.create_index("demand_series_active", "demand_series", ["status", "end_date"])
    op.create_index("demand_series_region", "demand_series", ["region_code"])

    op.create_table(
        "series_occurrences",
        sa.Column("series_id", UUID(as_uuid=False), sa.ForeignKey("demand_series.id"),
                  primary_key=True),
        sa.Column("occurrence_date", sa.Date, primary_key=True),
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id")),
        sa.Column("skipped_reason", sa.String(40)),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_index("demands_submitted_created", table_name="demands")
    for table in ("series_occurrences", "demand_series", "demand_escalations",
                  "demand_changes", "catalogue_changes"):
        op.drop_table(table)
