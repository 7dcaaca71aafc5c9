"""Identity: interest in volunteering (我要当志愿者), registered without a login.

``volunteer_interest``: name, mobile (sealed in ``phone_enc``, found by its keyed hash
``phone_hash`` like every phone), community, optional skills and notes, and the station's
follow-up: ``status`` new → contacted → registered (with the volunteer's ``person_id``) or
declined, who changed it and a note. ``volunteer_interest_open`` keeps one open registration
per mobile and community (a second submission answers the first); the station lists its
region's registrations newest first by ``volunteer_interest_by_region``.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volunteer_interest",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone_enc", sa.Text, nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("skills", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("status_note", sa.Text),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id")),
        sa.Column("status_changed_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('new', 'contacted', 'registered', 'declined')",
                           name="volunteer_interest_status"),
        sa.CheckConstraint("(status = 'registered') = (person_id IS NOT NULL)",
                           name="volunteer_interest_registered_person"),
    )
    op.create_index("volunteer_interest_open", "volunteer_interest",
                    ["phone_hash", "region_code"], unique=True,
                    postgresql_where=sa.text("status IN ('new', 'contacted')"))
    op.create_index("volunteer_interest_by_region", "volunteer_interest",
                    ["region_code", "created_at"])


def downgrade() -> None:
    op.drop_table("volunteer_interest")
