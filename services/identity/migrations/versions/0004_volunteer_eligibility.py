"""Volunteer eligibility facts (registry, screening, health, background tags), trainings,
training policies (with the province's demo default) and qualifications.

Revision ID: 0004
Revises: 0003
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    add = op.add_column
    add("volunteer_profiles", sa.Column("registry_status", sa.String(16), nullable=False,
                                        server_default="unverified"))
    add("volunteer_profiles", sa.Column("registry_note", sa.Text))
    add("volunteer_profiles", sa.Column("registry_set_by", UUID(as_uuid=True)))
    add("volunteer_profiles", sa.Column("registry_set_at", TS))
    add("volunteer_profiles", sa.Column("screening", sa.String(16), nullable=False,
                                        server_default="unknown"))
    add("volunteer_profiles", sa.Column("screening_note", sa.Text))
    add("volunteer_profiles", sa.Column("screening_set_by", UUID(as_uuid=True)))
    add("volunteer_profiles", sa.Column("screening_set_at", TS))
    add("volunteer_profiles", sa.Column("health_declared_at", TS))
    add("volunteer_profiles", sa.Column("health_note", sa.Text))
    add("volunteer_profiles", sa.Column("health_declared_by", UUID(as_uuid=True)))
    add("volunteer_profiles", sa.Column("background_tags", ARRAY(sa.String(32)), nullable=False,
                                        server_default="{}"))
    op.create_check_constraint("volunteer_profiles_registry", "volunteer_profiles",
                               "registry_status IN ('unverified', 'verified', 'rejected')")
    op.create_check_constraint("volunteer_profiles_screening", "volunteer_profiles",
                               "screening IN ('clear', 'flagged', 'unknown')")
    op.create_table(
        "trainings",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("organiser", sa.String(200), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("hours", sa.Numeric(5, 1), nullable=False),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        sa.Column("recorded_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("hours > 0", name="trainings_hours_positive"),
    )
    op.create_index("trainings_person", "trainings", ["person_id"])
    policies = op.create_table(
        "training_policies",
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("min_hours", sa.Numeric(5, 1), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("region_code", "effective_from"),
    )
    # demo default, to be replaced by the province's published figure
    op.bulk_insert(policies, [{"region_code": "130000000000", "min_hours": 8,
                               "effective_from": dt.date(2026, 1, 1),
                               "note": "demo default: 8 hours province-wide"}])
    op.create_table(
        "qualifications",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_by", UUID(as_uuid=True)),
        sa.Column("submitted_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("verified_by", UUID(as_uuid=True)),
        sa.Column("verified_at", TS),
        sa.Column("reason", sa.Text),
        sa.Column("expired_at", TS),
        sa.CheckConstraint("status IN ('pending', 'verified', 'rejected')",
                           name="qualifications_status"),
    )
    op.create_index("qualifications_person", "qualifications", ["person_id"])


def downgrade() -> None:
    op.drop_table("qualifications")
    op.drop_table("training_policies")
    op.drop_table("trainings")
    op.drop_constraint("volunteer_profiles_screening", "volunteer_profiles")
    op.drop_constraint("volunteer_profiles_registry", "volunteer_profiles")
    for column in ("background_tags", "health_declared_by", "health_note", "health_declared_at",
                   "screening_set_at", "screening_set_by", "screening_note", "screening",
                   "registry_set_at", "registry_set_by", "registry_note", "registry_status"):
        op.drop_column("volunteer_profiles", column)
