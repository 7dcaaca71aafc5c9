"""The demand service's tables (SQLAlchemy Core). Migrations 0001 and 0002_intake create them."""
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

service_categories = Table(
    "service_categories", metadata,
    Column("code", String(50), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("professional", Boolean, nullable=False),
    Column("qualifications", JSONB, nullable=False),
    Column("default_minutes", Integer, nullable=False),
    Column("group_allowed", Boolean, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("sort_order", Integer, nullable=False, server_default="0"),
)

demands = Table(
    "demands", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("elder_id", String(64), nullable=False),
    Column("category", String(50), ForeignKey("service_categories.code"), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("location_lat", Float),
    Column("location_lng", Float),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("expected_minutes", Integer, nullable=False),
    Column("volunteers_needed", Integer, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("submitted_by", String(64)),
    Column("funding_source", String(20)),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("reject_reason", Text),
    Column("cancelled_by", String(64)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

assignments = Table(
    "assignments", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("volunteer_region_code", String(12)),
    Column("status", String(20), nullable=False),
    Column("assigned_by", String(64)),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("checked_in_at", DateTime(timezone=True)),
    Column("check_in_lat", Float),
    Column("check_in_lng", Float),
    Column("checked_out_at", DateTime(timezone=True)),
    Column("check_out_lat", Float),
    Column("check_out_lng", Float),
    UniqueConstraint("demand_id", "volunteer_id", name="assignments_one_per_volunteer"),
)

service_records = Table(
    "service_records", metadata,
    Column("record_id", UUID(as_uuid=False), primary_key=True),
    Column("assignment_id", UUID(as_uuid=False), ForeignKey("assignments.id"), nullable=False,
           unique=True),
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("volunteer_region_code", String(12)),
    Column("elder_id", String(64), nullable=False),
    Column("category", String(50), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("confirmation", String(10), nullable=False),
    Column("note", Text),
    Column("funding_source", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("flags", JSONB, nullable=False, server_default="[]"),
)

# --- intake: catalogue history, adjustments, escalations, series (0002_intake) -----------
catalogue_changes = Table(
    "catalogue_changes", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("code", String(50), ForeignKey("service_categories.code"), nullable=False),
    Column("action", String(20), nullable=False),  # create | update | deactivate | reactivate
    Column("before", JSONB),
    Column("after", JSONB, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

demand_changes = Table(
    "demand_changes", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), nullable=False),
    Column("field", String(40), nullable=False),
    Column("before", JSONB),
    Column("after", JSONB),
    Column("reason", Text, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

demand_escalations = Table(
    "demand_escalations", metadata,
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("township_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("escalated_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_reason", String(20)),  # reviewed | cancelled
)

demand_series = Table(
    "demand_series", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("elder_id", String(64), nullable=False),
    Column("category", String(50), ForeignKey("service_categories.code"), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("location_lat", Float),
    Column("location_lng", Float),
    Column("frequency", String(20), nullable=False),
    Column("weekdays", JSONB, nullable=False, server_default="[]"),
    Column("interval_days", Integer, nullable=False, server_default="1"),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("time_of_day", Time, nullable=False),  # China time
    Column("window_minutes", Integer, nullable=False),
    Column("expected_minutes", Integer, nullable=False),
    Column("volunteers_needed", Integer, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("status", String(20), nullable=False),  # active | cancelled
    Column("created_by", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cancelled_by", String(64)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
)

series_occurrences = Table(
    "series_occurrences", metadata,
    Column("series_id", UUID(as_uuid=False), ForeignKey("demand_series.id"), primary_key=True),
    Column("occurrence_date", Date, primary_key=True),
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id")),
    Column("skipped_reason", String(40)),  # duplicate_demand: the elder already has one then
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
