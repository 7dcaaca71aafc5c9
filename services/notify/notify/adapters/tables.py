"""SQLAlchemy Core tables of the notify database (migrations 0001-0006)."""
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData()

templates = Table(
    "templates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("role", String(50), nullable=False),
    Column("locale", String(10), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_by", String(64)),
    Column("updated_at", DateTime(timezone=True)),
    UniqueConstraint("event_type", "role", "locale", name="templates_one_per_locale"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("data", JSONB, nullable=False, server_default="{}"),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    UniqueConstraint("person_id", "source_event_id", "kind", name="messages_once_per_event"),
)

TS = DateTime(timezone=True)

preferences = Table(
    "preferences",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("channels", ARRAY(String(16)), nullable=False),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    Column("email", String(254)),
    Column("locale", String(10), nullable=False, server_default="zh-CN"),
    Column("nearby_demands", Boolean, nullable=False, server_default="false"),
    Column("region_code", String(12)),
    Column("updated_by", String(64)),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("message_id", UUID(as_uuid=False), ForeignKey("messages.id"), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("urgent", Boolean, nullable=False, server_default="false"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", TS, nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("provider_ref", Text),
    Column("sent_at", TS),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
    UniqueConstraint("message_id", "channel", name="deliveries_once_per_channel"),
)

call_tasks = Table(
    "call_tasks",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("delivery_id", UUID(as_uuid=False), ForeignKey("deliveries.id"), nullable=False,
           unique=True),
    Column("message_id", UUID(as_uuid=False), nullable=False),
    Column("elder_id", String(64), nullable=False),
    Column("elder_name", String(100), nullable=False),
    Column("carrier_id", String(64), nullable=False),
    Column("region_code", String(12)),
    Column("kind", String(100), nullable=False),
    Column("script", Text, nullable=False),
    Column("urgent", Boolean, nullable=False, server_default="false"),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("outcome", String(16)),
    Column("note", Text),
    Column("attempts", JSONB, nullable=False, server_default="[]"),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("closed_at", TS),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("demand_id", String(64), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("lead", String(8), nullable=False),
    Column("due_at", TS, nullable=False),
    Column("window_start", TS, nullable=False),
    Column("window_end", TS, nullable=False),
    Column("status", String(16), nullable=False, server_default="scheduled"),
    Column("fired_at", TS),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    UniqueConstraint("demand_id", "person_id", "volunteer_id", "lead",
                     name="reminders_once_per_lead"),
)

dispute_parties = Table(
    "dispute_parties",
    metadata,
    Column("dispute_id", String(64), primary_key=True),
    Column("opened_by", String(64), nullable=False),
)

record_parties = Table(
    "record_parties",
    metadata,
    Column("record_id", String(64), primary_key=True),
    Column("demand_id", String(64)),
    Column("volunteer_id", String(64), nullable=False),
    Column("elder_id", String(64)),
)

# people identity recorded as deceased (person_status_changed): no message is written to them;
# a status back to active (a record corrected) removes the row, if it is the latest word
deceased_people = Table(
    "deceased_people",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("as_of", TS, nullable=False),
)

# the change feed of municipal systems (migration 0006): one row per change per city, its
# sequence taken under a lock held to commit, so sequences are visible in commit order
changes = Table(
    "changes",
    metadata,
    Column("sequence", BigInteger, Identity(always=True), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("occurred_at", TS, nullable=False),
    Column("payload", JSONB, nullable=False, server_default="{}"),
    Column("recorded_at", TS, nullable=False, server_default=func.now()),
    UniqueConstraint("event_id", "region_code", name="changes_once_per_event_and_place"),
    Index("changes_by_region", "region_code", "sequence"),
)

# one row: changes up to this sequence were pruned (a cursor before it is 410 cursor_expired)
change_feed_state = Table(
    "change_feed_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pruned_through", BigInteger, nullable=False, server_default="0"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("scope_code", String(12), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("deleted_at", TS),
    Index("webhook_endpoints_by_scope", "scope_code"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("endpoint_id", UUID(as_uuid=False), ForeignKey("webhook_endpoints.id"),
           nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", TS, nullable=False),
    Column("claimed_at", TS),
    Column("last_error", Text),
    Column("delivered_at", TS),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("endpoint_id", "sequence", name="webhook_deliveries_once_per_change"),
    Index("webhook_deliveries_due", "status", "not_before"),
)
