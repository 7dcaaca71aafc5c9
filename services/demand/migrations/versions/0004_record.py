"""Demand: evidence thresholds (policy data), held/confirmed service records with their
audit, evaluations, follow-ups, disputes and their steps.

Revision ID: 0004_record
Revises: 0003_saga
"""
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0004_record"
down_revision = "0003_saga"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ID = UUID(as_uuid=False)
# DEMO VALUES (not an official policy), as in demand/domain/evidence.py
PROVINCE_DEFAULT = {"max_check_in_distance_m": 500, "min_duration_ratio": 0.5,
                    "max_duration_ratio": 2.0, "daily_max_minutes": 480,
                    "presence_tolerance_minutes": 30}
RECORD_COLUMNS = (
    sa.Column("status", sa.String(30), nullable=False, server_default="sent"),
    sa.Column("confirmed_by", sa.String(10)),
    sa.Column("confirmed_by_person", sa.String(64)),
    sa.Column("confirmed_at", TS),
    sa.Column("confirmation_note", sa.Text),
    sa.Column("review", sa.String(10)),
    sa.Column("reviewed_by", sa.String(64)),
    sa.Column("reviewed_at", TS),
    sa.Column("review_reason", sa.Text),
    sa.Column("sent_at", TS),
    sa.Column("voided", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("corrected_minutes", sa.Integer),
    sa.Column("overdue_reported_at", TS),
)


OLD_FLAGS = {  # flags were bare codes before this revision; now {code, zh, en, details}
    "no_presence_evidence": ("没有签到/签退记录", "No check-in/check-out evidence"),
    "minutes_exceed_presence": ("记录时长超过签到至签退的时间",
                                "The recorded minutes exceed the time between check-in and"
                                " check-out"),
}


def _flags_with_text() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT record_id, flags FROM service_records "
                                "WHERE jsonb_array_length(flags) > 0")).all()
    for record_id, flags in rows:
        if not isinstance(flags[0], str):
            continue
        described = [{"code": f, "zh": OLD_FLAGS.get(f, (f, f))[0],
                      "en": OLD_FLAGS.get(f, (f, f))[1], "details": {}} for f in flags]
        bind.execute(sa.text("UPDATE service_records SET flags = CAST(:f AS jsonb) "
                             "WHERE record_id = :r"),
                     {"f": json.dumps(described, ensure_ascii=False), "r": record_id})


def upgrade() -> None:
    op.alter_column("service_records", "confirmation", nullable=True)
    for column in RECORD_COLUMNS:
        op.add_column("service_records", column)
    # records made before this revision went to the ledger when recorded
    op.execute("UPDATE service_records SET sent_at = recorded_at, confirmed_at = recorded_at,"
               " confirmed_by = 'elder'")
    _flags_with_text()
    op.create_index("service_records_status", "service_records", ["status", "recorded_at"])
    op.create_table(
        "record_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("record_id", ID, sa.ForeignKey("service_records.record_id"), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("by", sa.String(64)),
        sa.Column("at", TS, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("record_audit_record", "record_audit", ["record_id"])
    policies = op.create_table(
        "evidence_policies",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("values", JSONB, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.bulk_insert(policies, [{
        "region_code": "130000000000", "effective_from": dt.date(2020, 1, 1),
        "values": json.loads(json.dumps(PROVINCE_DEFAULT)),
        "reason": "省级默认（演示值）Province default (demo values)", "created_by": "migration"}])
    op.create_table(
        "evaluations",
        sa.Column("evaluation_id", ID, primary_key=True),
        sa.Column("assignment_id", ID, sa.ForeignKey("assignments.id"), nullable=False,
                  unique=True),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("demand_id", ID, sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("tags", JSONB, nullable=False, server_default="[]"),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("submitted_by", sa.String(64)),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("voided", sa.Boolean, nullable=False, server_default="false"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="evaluations_score"),
    )
    op.create_index("evaluations_region", "evaluations", ["region_code", "submitted_at"])
    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", ID, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("evaluation_id", ID, sa.ForeignKey("evaluations.evaluation_id"),
                  unique=True),
        sa.Column("record_id", ID),
        sa.Column("demand_id", ID, nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("score", sa.Integer),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("closed_at", TS),
        sa.Column("note", sa.Text),
    )
    op.create_index("follow_ups_region", "follow_ups", ["region_code", "status"])
    op.create_index("follow_ups_record", "follow_ups", ["record_id"])
    op.create_table(
        "disputes",
        sa.Column("dispute_id", ID, primary_key=True),
        sa.Column("subject", sa.String(12), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("demand_id", ID, nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opener_role", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("handler_id", sa.String(64)),
        sa.Column("outcome", sa.String(20)),
        sa.Column("minutes", sa.Integer),
        sa.Column("resolution_reason", sa.Text),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", TS),
        sa.Column("opened_at", TS, nullable=False),
        sa.UniqueConstraint("subject", "subject_id", name="disputes_one_per_subject"),
    )
    op.create_index("disputes_region", "disputes", ["region_code", "opened_at"])
    op.create_table(
        "dispute_steps",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("dispute_id", ID, sa.ForeignKey("disputes.dispute_id"), nullable=False),
        sa.Column("step", sa.String(12), nullable=False),
        sa.Column("by", sa.String(64)),
        sa.Column("at", TS, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("dispute_steps_dispute", "dispute_steps", ["dispute_id"])


def downgrade() -> None:
    for table in ("dispute_steps", "disputes", "follow_ups", "evaluations",
                  "evidence_policies", "record_audit"):
        op.drop_table(table)
    op.drop_index("service_records_status", "service_records")
    for column in RECORD_COLUMNS:
        op.drop_column("service_records", column.name)
    op.execute("UPDATE service_records SET confirmation = 'phone' WHERE confirmation IS NULL")
    op.alter_column("service_records", "confirmation", nullable=False)
