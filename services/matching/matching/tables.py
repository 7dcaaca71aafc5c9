"""SQLAlchemy Core tables of the matching read model (created by migration 0001).

Nothing here is a source of truth: every row is derived from demand events.
"""
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table

metadata = MetaData()
TS = DateTime(timezone=True)

open_demands = Table(
    "open_demands",
    metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("city_unit", String(12), nullable=False),  # regions.city_unit_of(region_code)
    Column("category", String(50), nullable=False),
    Column("elder_id", String(64), nullable=False),
    Column("window_start", TS, nullable=False),
    Column("window_end", TS, nullable=False),
    Column("expected_minutes", Integer, nullable=False),
    Column("open_slots", Integer, nullable=False),
    Column("location_lat", Float),
    Column("location_lng", Float),
    Column("published_at", TS, nullable=False),
)

# latest open-slot count heard from demand_assigned / demand_cancelled, by event time
slot_counts = Table(
    "slot_counts",
    metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("open_slots", Integer, nullable=False),
    Column("as_of", TS, nullable=False),
)
