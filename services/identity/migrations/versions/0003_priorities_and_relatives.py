"""Priority elders' hardship categories (elder_priorities) and direct relatives (relative_links).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ('pending', 'verified', 'rejected')"


def upgrade() -> None:
    op.create_table(
        "elder_priorities",
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_by", UUID(as_uuid=True)),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("verified_by", UUID(as_uuid=True)),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text),
        sa.PrimaryKeyConstraint("person_id", "category"),
        sa.CheckConstraint(STATUS_CHECK, name="elder_priorities_status"),
        sa.CheckConstraint("category <> 'advanced_age'", name="elder_priorities_not_derived"),
    )
    op.create_table(
        "relative_links",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("relative_person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_by", UUID(as_uuid=True)),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("verified_by", UUID(as_uuid=True)),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text),
        sa.CheckConstraint(STATUS_CHECK, name="relative_links_status"),
        sa.CheckConstraint("person_id <> relative_person_id", name="relative_links_not_self"),
    )
    op.create_index("relative_links_person", "relative_links", ["person_id"])
    op.create_index("relative_links_relative", "relative_links", ["relative_person_id"])


def downgrade() -> None:
    op.drop_table("relative_links")
    op.drop_table("elder_priorities")
