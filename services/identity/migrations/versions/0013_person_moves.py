"""Identity: moves within the province (``person_moves``).

One row per move: from and to region (community level) and station, who moved the person,
when and why. Both sides read it (``list_moves``: moves into or out of a scope), served by
``person_moves_from`` and ``person_moves_to`` (region, then time); a person's history by
``person_moves_person``.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_moves",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("from_region_code", sa.String(12), nullable=False),
        sa.Column("to_region_code", sa.String(12), nullable=False),
        sa.Column("from_carrier_id", UUID(as_uuid=True)),
        sa.Column("to_carrier_id", UUID(as_uuid=True)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("moved_by", UUID(as_uuid=True)),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("from_region_code <> to_region_code", name="person_moves_somewhere"),
    )
    op.create_index("person_moves_from", "person_moves", ["from_region_code", "moved_at"])
    op.create_index("person_moves_to", "person_moves", ["to_region_code", "moved_at"])
    op.create_index("person_moves_person", "person_moves", ["person_id", "moved_at"])


def downgrade() -> None:
    op.drop_table("person_moves")
