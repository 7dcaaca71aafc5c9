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

# one row per demand service record (migration 0002): demand's fields from service_recorded,
# the ledger's from hours_credited / credit_corrected; whichever arrives first creates the row.
# ``version`` goes up whenever a field an export carries changes (a correction is then a new
# row of the next export, never a silent edit of a delivered one).
service_records = sa.Table(
    "service_records", metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("demand_id", sa.String(64)),
    sa.Column("volunteer_id", sa.String(64)),
    sa.Column("elder_id", sa.String(64)),
    sa.Column("region_code", sa.String(12)),  # where the service was (the envelope's region)
    sa.Column("volunteer_region_code", sa.String(12)),
    sa.Column("carrier_id", sa.String(64)),  # the recording station
    sa.Column("category", sa.String(50)),
    sa.Column("funding_source", sa.String(30)),
    sa.Column("recorded_minutes", sa.Integer),
    sa.Column("started_at", sa.DateTime(timezone=True)),  # first check-in
    sa.Column("ended_at", sa.DateTime(timezone=True)),  # check-out
    sa.Column("recorded_at", sa.DateTime(timezone=True)),
    sa.Column("recorded_by", sa.String(64)),  # the operator (null: an API client)
    sa.Column("day", sa.Date),  # China day of service_recorded's occurred_at (as the facts)
    sa.Column("credited_minutes", sa.Integer),  # null until credited; after corrections
    sa.Column("transfer_id", sa.String(64)),  # the credit's transfer
    sa.Column("credited_at", sa.DateTime(timezone=True)),
    sa.Column("corrected_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
)

# migration 0006: the elder service days behind ``elders_served`` (a row per region level;
# ``prev_day``: the elder's previous service day under the same prefix), how many of a
# region's have each (day, prev_day) — what the queries sum — and the hardship categories each
# elder holds (granted − withdrawn)
elder_service_days = sa.Table(
    "elder_service_days", metadata,
    sa.Column("region_prefix", sa.String(12), primary_key=True),
    sa.Column("elder_id", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("prev_day", sa.Date),
    sa.Column("parent_prefix", sa.String(12), nullable=False),
)

elder_day_counts = sa.Table(
    "elder_day_counts", metadata,
    sa.Column("region_prefix", sa.String(12), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("prev_day", sa.Date, primary_key=True),  # NONE_BEFORE: no earlier service day
    sa.Column("parent_prefix", sa.String(12), nullable=False),
    sa.Column("elders", sa.Integer, nullable=False),
)

elder_priorities = sa.Table(
    "elder_priorities", metadata,
    sa.Column("elder_id", sa.String(64), primary_key=True),
    sa.Column("category", sa.String(40), primary_key=True),
    sa.Column("held", sa.Integer, nullable=False),
)
