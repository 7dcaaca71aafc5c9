"""SQLAlchemy Core tables of the notify database (created by migration 0001)."""
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

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
