"""reporting's tables (migrations create them; this is how the code names them)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from timebank_common.jobs import job_table

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

# 志愿汇 pushes (migration 0005): one row per (record, version) to push; a correction is a new
# version of the same record, pushed again. ``pending`` rows are due at ``next_attempt_at``
# (a claimed one is pushed forward by the sending lease); ``sent`` ones are never sent again.
zyh_pushes = sa.Table(
    "zyh_pushes", metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("minutes", sa.Integer, nullable=False),  # credited minutes carried (0: a void)
    sa.Column("payload", postgresql.JSONB, nullable=False),  # as 志愿汇 reads it (mapped)
    sa.Column("status", sa.String(10), nullable=False),  # pending | sent | dead
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("last_status", sa.Integer),  # the last HTTP status (null: no answer)
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# where the scan of service_records for new versions stands (one row per scanner)
zyh_scan = sa.Table(
    "zyh_scan", metadata,
    sa.Column("name", sa.String(30), primary_key=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
)

# the national volunteer system's exports (migration 0007): one row per finished export, and
# per record and version what it delivered — the memory that makes the next export carry only
# records not delivered before or whose version changed since (a correction row).
national_exports = sa.Table(
    "national_exports", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the export job's id
    sa.Column("region_code", sa.String(12), nullable=False),
    sa.Column("from_day", sa.Date, nullable=False),
    sa.Column("to_day", sa.Date, nullable=False),
    sa.Column("full", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("corrections", sa.Integer, nullable=False),
    sa.Column("minutes", sa.BigInteger, nullable=False),  # credited minutes of its rows
)

national_deliveries = sa.Table(
    "national_deliveries", metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("minutes", sa.Integer, nullable=False),  # credited minutes as delivered
    sa.Column("export_id", sa.String(64), sa.ForeignKey("national_exports.id"), nullable=False),
    sa.Column("row_type", sa.String(10), nullable=False),  # new | correction
    sa.Column("region_code", sa.String(12), nullable=False),  # the record's (where served)
    sa.Column("day", sa.Date, nullable=False),  # the record's China day
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
)

# migration 0004: what the commendation lists read besides the facts and service_records, one
# row per consumed event (kept by the handlers and the rebuild), and the signed monthly reports
milestones_reached = sa.Table(
    "milestones_reached", metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("cumulative_minutes", sa.Integer, nullable=False),
    sa.Column("region_code", sa.String(12), nullable=False),  # the volunteer's (the envelope's)
    sa.Column("day", sa.Date, nullable=False),  # China day reached
)

evaluation_scores = sa.Table(
    "evaluation_scores", metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("demand_id", sa.String(64), nullable=False),
    sa.Column("volunteer_id", sa.String(64), nullable=False),
    sa.Column("region_code", sa.String(12), nullable=False),
    sa.Column("score", sa.SmallInteger, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
)

monthly_reports = sa.Table(
    "monthly_reports", metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("region_code", sa.String(12), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),  # YYYY-MM
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("content", postgresql.JSONB, nullable=False),
    sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.DateTime(timezone=True)),
    sa.Column("generated_by", sa.String(64)),
    sa.UniqueConstraint("region_code", "month", name="monthly_reports_one_per_month"),
)

# export jobs (migration 0003): the kit's jobs table; params {format, kind's params}, result
# {file, file_name, size_bytes, expires_at}
export_jobs = job_table(metadata, "export_jobs")

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

# migration 0008: each demand's progress from demand's events (``domain/demand_progress.py``),
# the demand figures of /api/v1/stats: merged so that the order of arrival does not matter
demand_progress = sa.Table(
    "demand_progress", metadata,
    sa.Column("demand_id", sa.String(64), primary_key=True),
    sa.Column("region_code", sa.String(12)),
    sa.Column("submitted_day", sa.Date),
    sa.Column("submitted_at", sa.DateTime(timezone=True)),
    sa.Column("category", sa.String(64)),
    sa.Column("channel", sa.String(32)),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("first_assigned_at", sa.DateTime(timezone=True)),
    sa.Column("ever_assigned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status_rank", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("cancel_reason", sa.String(64)),
    sa.Column("funding_source", sa.String(32)),  # null: the events did not say
    sa.Column("funding_chosen_by", sa.String(32)),  # "default": nobody chose
    sa.Column("fallback", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("shortfall_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_candidate_at", sa.DateTime(timezone=True)),  # matching's event
    sa.Index("demand_progress_by_region_day", "region_code", "submitted_day"),
)
