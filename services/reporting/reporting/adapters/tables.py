"""reporting's tables (migrations create them; this is how the code names them)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

facts = sa.Table(
    "facts", metadata,
    sa.Column("region_prefix", sa.String(12), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("measure", sa.String(40), primary_key=True),
    sa.Column("category", sa.String(50), primary_key=True),
    sa.Column("funding_source", sa.String(30), primary_key=True),
    sa.Column("parent_prefix", sa.String(12), nullable=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)

service_days = sa.Table(
    "service_days", metadata,
    sa.Column("region_code", sa.String(12), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("volunteer_id", sa.String(64), primary_key=True),
)

event_archive = sa.Table(
    "event_archive", metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("event_type", sa.String(60), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("envelope", postgresql.JSONB, nullable=False),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
)
