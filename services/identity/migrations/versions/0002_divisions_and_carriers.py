"""Coordinates of regions; service carriers (服务载体) with kind codes, location and contact.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# the kinds of identity.domain.carriers at the time of this revision
KINDS = ("volunteer_service_org", "social_work_org", "elderly_care_institution",
         "social_work_station", "civilisation_practice_centre", "lei_feng_station",
         "cuncaoxin_station")


def upgrade() -> None:
    op.add_column("regions", sa.Column("longitude", sa.Float))
    op.add_column("regions", sa.Column("latitude", sa.Float))
    op.alter_column("carriers", "phone", new_column_name="contact_phone")
    op.add_column("carriers", sa.Column("longitude", sa.Float))
    op.add_column("carriers", sa.Column("latitude", sa.Float))
    op.add_column("carriers", sa.Column("contact_name", sa.String(100)))
    op.add_column("carriers", sa.Column("registered_by", UUID(as_uuid=True)))
    op.add_column("carriers", sa.Column("created_at", sa.DateTime(timezone=True),
                                        nullable=False, server_default=sa.func.now()))
    # before 0002 the only kind in use was the demo's station; anything else becomes one too
    known = ", ".join(f"'{kind}'" for kind in KINDS)
    op.execute(f"UPDATE carriers SET kind = 'social_work_station' WHERE kind NOT IN ({known})")
    op.create_unique_constraint("carriers_name_in_region", "carriers", ["region_code", "name"])


def downgrade() -> None:
    op.drop_constraint("carriers_name_in_region", "carriers")
    for column in ("created_at", "registered_by", "contact_name", "latitude", "longitude"):
        op.drop_column("carriers", column)
    op.alter_column("carriers", "contact_phone", new_column_name="phone")
    op.drop_column("regions", "latitude")
    op.drop_column("regions", "longitude")
