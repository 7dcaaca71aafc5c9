"""SQLAlchemy Core tables of the matching read model (created by migration 0001).

Nothing here is a source of truth: every row is derived from demand events.
"""
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

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
    Column("qualifications", JSONB, nullable=False, server_default="[]"),
)

# latest open-slot count heard from demand_assigned / demand_cancelled, by event time
slot_counts = Table(
    "slot_counts",
    metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("open_slots", Integer, nullable=False),
    Column("as_of", TS, nullable=False),
)

# --- volunteers (from identity events; preferences are matching's own) -----------------------
volunteers = Table(
    "volunteers",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("qualifications", JSONB, nullable=False),  # kinds verified and valid
    Column("as_of", TS, nullable=False),  # occurred_at of the eligibility event last applied
    # identity's person status is active (left, withdrew, deceased: no candidate)
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("standing_as_of", TS),  # occurred_at of the person_status_changed last applied
    Column("region_as_of", TS),  # occurred_at of the event that last set region_code
)

# where and when a volunteer can help: their own say, kept by matching (not rebuilt)
volunteer_preferences = Table(
    "volunteer_preferences",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("home_lat", Float, nullable=False),
    Column("home_lng", Float, nullable=False),
    Column("cell", BigInteger, nullable=False),  # geo.cell_of(home)
    Column("radius_km", Float, nullable=False),
    Column("availability", JSONB, nullable=False),  # [{weekday, start, end}], [] = any time
    Column("updated_at", TS, nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("volunteer_id", String(64), primary_key=True),
    Column("window_start", TS, nullable=False),
    Column("window_end", TS, nullable=False),
)

volunteer_history = Table(
    "volunteer_history",
    metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("completed", Integer, nullable=False, default=0),
    Column("no_shows", Integer, nullable=False, default=0),
    Column("rating_sum", Float, nullable=False, default=0),
    Column("rating_count", Integer, nullable=False, default=0),
)

monthly_minutes = Table(
    "monthly_minutes",
    metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM, Shanghai time
    Column("minutes", Integer, nullable=False),
)

good_ratings = Table(
    "good_ratings",
    metadata,
    Column("elder_id", String(64), primary_key=True),
    Column("volunteer_id", String(64), primary_key=True),
)

priority_elders = Table(
    "priority_elders",
    metadata,
    Column("elder_id", String(64), primary_key=True),
)

# the hardship categories identity granted or revoked per elder (the event time of the last
# word on each): an elder none of whose known categories is held is no priority elder
priority_categories = Table(
    "priority_categories",
    metadata,
    Column("elder_id", String(64), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("held", Boolean, nullable=False),
    Column("as_of", TS, nullable=False),
)

# which volunteers' match inputs changed: each process keeps one in-memory index and applies
# these as deltas (person_id "*": everything changed, e.g. a rebuild of the read models)
volunteer_changes = Table(
    "volunteer_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("person_id", String(64), nullable=False),
    # the writing transaction: a process reads exactly the changes its last snapshot did not
    # see (later transactions, and those still running then), whatever order they commit in
    Column("xid", BigInteger, nullable=False,
           server_default=text("(pg_current_xact_id()::text)::bigint")),
    Column("at", TS, nullable=False, server_default=text("now()")),  # pruned after a day
)

# which open demands were published, changed or closed (demand_id "*": all of them)
demand_changes = Table(
    "demand_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("demand_id", String(64), nullable=False),
    Column("xid", BigInteger, nullable=False,
           server_default=text("(pg_current_xact_id()::text)::bigint")),
    Column("at", TS, nullable=False, server_default=text("now()")),
)

# the qualification kinds each category needs: demand's catalogue, cached (refetched when a
# category is unknown, and at each rebuild)
category_requirements = Table(
    "category_requirements",
    metadata,
    Column("code", String(50), primary_key=True),
    Column("qualifications", JSONB, nullable=False),
)

# --- dispatch and statistics (matching's own records) ---------------------------------------
region_settings = Table(
    "region_settings",
    metadata,
    Column("region_code", String(12), primary_key=True),
    Column("auto_apply", Boolean, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", TS, nullable=False),
)

dispatch_runs = Table(
    "dispatch_runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("auto_apply", Boolean, nullable=False),
    Column("demands", Integer, nullable=False),
    Column("slots", Integer, nullable=False),
    Column("proposed", Integer, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("run_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("demand_id", String(64), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("distance_km", Float, nullable=False),
    Column("status", String(16), nullable=False),  # held, applied, rejected, failed
    Column("created_at", TS, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", TS),
    Column("error", String(64)),
)

demand_outcomes = Table(
    "demand_outcomes",
    metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("published_at", TS, nullable=False),
    Column("first_candidate_at", TS),
    Column("first_assigned_at", TS),
)
