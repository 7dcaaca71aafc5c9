"""The demand service's tables (SQLAlchemy Core), created by its migrations (0001 … 0009)."""
from sqlalchemy import (
    BigInteger,
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
    Column("funding_source", String(20)),  # chosen at submission (issuance by default)
    Column("funding_chosen_by", String(20)),  # elder | proxy | operator | api_client | null
    Column("fallback_reason", Text),  # agreed at review: issuance pays what the source lacks
    Column("funding_available_minutes", Integer),  # the chosen source's cover seen at review
    Column("funding_shortfall_minutes", Integer, nullable=False, server_default="0"),
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
    Column("check_in_device_at", DateTime(timezone=True)),  # what the app sent (evidence)
    Column("check_out_device_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", Text),
    Column("reservation_status", String(20)),
    Column("reservation_note", Text),
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
    Column("confirmation", String(10)),  # app | phone, once confirmed
    Column("note", Text),
    Column("funding_source", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("flags", JSONB, nullable=False, server_default="[]"),
    Column("status", String(30), nullable=False, server_default="sent"),
    Column("confirmed_by", String(10)),
    Column("confirmed_by_person", String(64)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("confirmation_note", Text),
    Column("review", String(10)),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("review_reason", Text),
    Column("sent_at", DateTime(timezone=True)),
    Column("voided", Boolean, nullable=False, server_default="false"),
    Column("corrected_minutes", Integer),
    Column("overdue_reported_at", DateTime(timezone=True)),
)

# every step of a record's life after recording: who, when, why (recorded, confirmed,
# released, rejected, sent, confirmation_overdue, voided, minutes_adjusted)
record_audit = Table(
    "record_audit", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("record_id", UUID(as_uuid=False), ForeignKey("service_records.record_id"),
           nullable=False, index=True),
    Column("action", String(30), nullable=False),
    Column("by", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("details", JSONB, nullable=False, server_default="{}"),
)

evidence_policies = Table(
    "evidence_policies", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("region_code", String(12), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("values", JSONB, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

evaluations = Table(
    "evaluations", metadata,
    Column("evaluation_id", UUID(as_uuid=False), primary_key=True),
    Column("assignment_id", UUID(as_uuid=False), ForeignKey("assignments.id"), nullable=False,
           unique=True),
    Column("record_id", UUID(as_uuid=False), nullable=False),
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("elder_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("score", Integer, nullable=False),
    Column("tags", JSONB, nullable=False, server_default="[]"),
    Column("comment", Text, nullable=False, server_default=""),
    Column("channel", String(10), nullable=False),
    Column("submitted_by", String(64)),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("voided", Boolean, nullable=False, server_default="false"),
)

follow_ups = Table(
    "follow_ups", metadata,
    Column("follow_up_id", UUID(as_uuid=False), primary_key=True),
    Column("kind", String(30), nullable=False),  # low_score | confirmation_overdue
    Column("evaluation_id", UUID(as_uuid=False), ForeignKey("evaluations.evaluation_id"),
           unique=True),
    Column("record_id", UUID(as_uuid=False)),
    Column("demand_id", UUID(as_uuid=False), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("elder_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("score", Integer),
    Column("status", String(10), nullable=False),  # open | closed
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(64)),
    Column("closed_at", DateTime(timezone=True)),
    Column("note", Text),
)

disputes = Table(
    "disputes", metadata,
    Column("dispute_id", UUID(as_uuid=False), primary_key=True),
    Column("subject", String(12), nullable=False),  # record | evaluation
    Column("subject_id", UUID(as_uuid=False), nullable=False),
    Column("record_id", UUID(as_uuid=False), nullable=False),
    Column("demand_id", UUID(as_uuid=False), nullable=False),
    Column("elder_id", String(64), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("opener_role", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("handler_id", String(64)),
    Column("outcome", String(20)),
    Column("minutes", Integer),
    Column("resolution_reason", Text),
    Column("resolved_by", String(64)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subject", "subject_id", name="disputes_one_per_subject"),
)

dispute_steps = Table(
    "dispute_steps", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("dispute_id", UUID(as_uuid=False), ForeignKey("disputes.dispute_id"), nullable=False,
           index=True),
    Column("step", String(12), nullable=False),  # opened | assigned | comment | resolved
    Column("by", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    Column("details", JSONB, nullable=False, server_default="{}"),
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
    Column("closed_reason", String(20)),  # reviewed | cancelled | expired
)

# a checked-out service not recorded in time, reported once per level (station, township)
recording_overdue = Table(
    "recording_overdue", metadata,
    Column("assignment_id", UUID(as_uuid=False), ForeignKey("assignments.id"),
           primary_key=True),
    Column("level", String(10), primary_key=True),  # station | township
    Column("demand_id", UUID(as_uuid=False), ForeignKey("demands.id"), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("carrier_id", String(64)),
    Column("checked_out_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("escalated_at", DateTime(timezone=True), nullable=False),
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
    Column("funding_source", String(20), nullable=False, server_default="issuance"),
    Column("funding_chosen_by", String(20)),  # as a demand's (domain/funding.py)
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
