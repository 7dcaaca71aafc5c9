"""Matching: volunteers and their preferences, assignments, history, priority elders;
dispatch runs, proposals, region settings; the catalogue's
qualification requirements; demand outcomes for statistics.

Revision ID: 0002_candidates
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002_candidates"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ID = sa.String(64)


def upgrade() -> None:
    op.add_column("open_demands", sa.Column("qualifications", JSONB, nullable=False,
                                            server_default="[]"))
    op.create_table("volunteers",
                    sa.Column("person_id", ID, primary_key=True),
                    sa.Column("region_code", sa.String(12), nullable=False),
                    sa.Column("eligible", sa.Boolean, nullable=False),
                    sa.Column("qualifications", JSONB, nullable=False),
                    sa.Column("as_of", TS, nullable=False))
    op.create_table("volunteer_preferences",
                    sa.Column("person_id", ID, primary_key=True),
                    sa.Column("home_lat", sa.Float, nullable=False),
                    sa.Column("home_lng", sa.Float, nullable=False),
                    sa.Column("cell", sa.BigInteger, nullable=False),
                    sa.Column("radius_km", sa.Float, nullable=False),
                    sa.Column("availability", JSONB, nullable=False),
                    sa.Column("updated_at", TS, nullable=False))
    op.create_index("volunteer_preferences_by_cell", "volunteer_preferences", ["cell"])
    op.create_table("assignments",
                    sa.Column("demand_id", ID, primary_key=True),
                    sa.Column("volunteer_id", ID, primary_key=True),
                    sa.Column("window_start", TS, nullable=False),
                    sa.Column("window_end", TS, nullable=False))
    op.create_index("assignments_by_volunteer", "assignments", ["volunteer_id"])
    op.create_table("volunteer_history",
                    sa.Column("volunteer_id", ID, primary_key=True),
                    sa.Column("completed", sa.Integer, nullable=False),
                    sa.Column("no_shows", sa.Integer, nullable=False),
                    sa.Column("rating_sum", sa.Float, nullable=False),
                    sa.Column("rating_count", sa.Integer, nullable=False))
    op.create_table("monthly_minutes",
                    sa.Column("volunteer_id", ID, primary_key=True),
                    sa.Column("month", sa.String(7), primary_key=True),
                    sa.Column("minutes", sa.Integer, nullable=False))
    op.create_table("good_ratings",
                    sa.Column("elder_id", ID, primary_key=True),
                    sa.Column("volunteer_id", ID, primary_key=True))
    op.create_table("priority_elders", sa.Column("elder_id", ID, primary_key=True))
    op.create_table("volunteer_changes",
                    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
                    sa.Column("person_id", ID, nullable=False),
                    sa.Column("txid", sa.Text, nullable=False,
                              server_default=sa.text("pg_current_xact_id()::text")))
    op.create_table("category_requirements",
                    sa.Column("code", sa.String(50), primary_key=True),
                    sa.Column("qualifications", JSONB, nullable=False))
    op.create_table("region_settings",
                    sa.Column("region_code", sa.String(12), primary_key=True),
                    sa.Column("auto_apply", sa.Boolean, nullable=False),
                    sa.Column("updated_by", ID, nullable=False),
                    sa.Column("updated_at", TS, nullable=False))
    op.create_table("dispatch_runs",
                    sa.Column("run_id", ID, primary_key=True),
                    sa.Column("region_code", sa.String(12), nullable=False),
                    sa.Column("requested_by", ID, nullable=False),
                    sa.Column("started_at", TS, nullable=False),
                    sa.Column("auto_apply", sa.Boolean, nullable=False),
                    sa.Column("demands", sa.Integer, nullable=False),
                    sa.Column("slots", sa.Integer, nullable=False),
                    sa.Column("proposed", sa.Integer, nullable=False))
    op.create_table("proposals",
                    sa.Column("proposal_id", ID, primary_key=True),
                    sa.Column("run_id", ID, nullable=False),
                    sa.Column("region_code", sa.String(12), nullable=False),
                    sa.Column("demand_id", ID, nullable=False),
                    sa.Column("volunteer_id", ID, nullable=False),
                    sa.Column("distance_km", sa.Float, nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("created_at", TS, nullable=False),
                    sa.Column("decided_by", ID),
                    sa.Column("decided_at", TS),
                    sa.Column("error", sa.String(64)))
    op.create_index("proposals_by_region_status", "proposals", ["region_code", "status"])
    op.create_table("demand_outcomes",
                    sa.Column("demand_id", ID, primary_key=True),
                    sa.Column("region_code", sa.String(12), nullable=False),
                    sa.Column("published_at", TS, nullable=False),
                    sa.Column("first_candidate_at", TS),
                    sa.Column("first_assigned_at", TS))
    op.create_index("demand_outcomes_by_region", "demand_outcomes",
                    ["region_code", "published_at"])


def downgrade() -> None:
    for table in ("demand_outcomes", "proposals", "dispatch_runs", "region_settings",
                  "category_requirements", "volunteer_changes", "priority_elders", "good_ratings", "monthly_minutes", "volunteer_history",
                  "assignments", "volunteer_preferences", "volunteers"):
        op.drop_table(table)
    op.drop_column("open_demands", "qualifications")
