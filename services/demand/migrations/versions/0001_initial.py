"""Demand service: catalogue (seeded from demand/adapters/catalogue.yaml), demands, assignments,
service records, and the outbox/inbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from demand.adapters.catalogue_seed import load_seed
from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables(op)
    categories = op.create_table(
        "service_categories",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("professional", sa.Boolean, nullable=False),
        sa.Column("qualifications", JSONB, nullable=False),
        sa.Column("default_minutes", sa.Integer, nullable=False),
        sa.Column("group_allowed", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
    )
    op.bulk_insert(categories, load_seed())

    op.create_table(
        "demands",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(50), sa.ForeignKey("service_categories.code"),
                  nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("location_lat", sa.Float),
        sa.Column("location_lng", sa.Float),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("expected_minutes", sa.Integer, nullable=False),
        sa.Column("volunteers_needed", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("submitted_by", sa.String(64)),
        sa.Column("funding_source", sa.String(20)),
        sa.Column("reviewed_by", sa.String(64)),
        sa.Column("reviewed_at", TS),
        sa.Column("reject_reason", sa.Text),
        sa.Column("cancelled_by", sa.String(64)),
        sa.Column("cancelled_at", TS),
        sa.Column("cancel_reason", sa.Text),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("window_end > window_start", name="demands_window_order"),
        sa.CheckConstraint("volunteers_needed BETWEEN 1 AND 50", name="demands_slots"),
    )
    op.create_index("demands_region_status", "demands", ["region_code", "status"])
    op.create_index("demands_elder_category", "demands", ["elder_id", "category"])

    op.create_table(
        "assignments",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("volunteer_region_code", sa.String(12)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assigned_by", sa.String(64)),
        sa.Column("assigned_at", TS, nullable=False),
        sa.Column("checked_in_at", TS),
        sa.Column("check_in_lat", sa.Float),
        sa.Column("check_in_lng", sa.Float),
        sa.Column("checked_out_at", TS),
        sa.Column("check_out_lat", sa.Float),
        sa.Column("check_out_lng", sa.Float),
        sa.UniqueConstraint("demand_id", "volunteer_id", name="assignments_one_per_volunteer"),
    )
    op.create_index("assignments_volunteer_status", "assignments", ["volunteer_id", "status"])

    op.create_table(
        "service_records",
        sa.Column("record_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("assignment_id", UUID(as_uuid=False), sa.ForeignKey("assignments.id"),
                  nullable=False, unique=True),
        sa.Column("demand_id", UUID(as_uuid=False), sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("volunteer_region_code", sa.String(12)),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("confirmation", sa.String(10), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("funding_source", sa.String(20), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("carrier_id", sa.String(64)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("flags", JSONB, nullable=False, server_default="[]"),
        sa.CheckConstraint("minutes BETWEEN 1 AND 720", name="service_records_minutes"),
    )
    op.create_index("service_records_volunteer", "service_records", ["volunteer_id"])


def downgrade() -> None:
    for table in ("service_records", "assignments", "demands", "service_categories",
                  "inbox", "outbox"):
        op.drop_table(table)
