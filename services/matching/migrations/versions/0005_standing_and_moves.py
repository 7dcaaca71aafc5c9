"""Matching: a volunteer's standing and moves in the read model of volunteers — ``active``
(identity's person status is ``active``: only then a candidate, in feeds and dispatch),
``standing_as_of`` (the ``person_status_changed`` last applied) and ``region_as_of`` (the
event that last set ``region_code``: a move, or an eligibility event), so events applied out
of order leave the latest standing and region; ``priority_categories``: which hardship
categories each priority elder holds (granted, or revoked: an elder none of whose known
categories is held any more is no priority elder).

Revision ID: 0005_standing_and_moves
Revises: 0004_region_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_standing_and_moves"
down_revision = "0004_region_indexes"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("volunteers", sa.Column("active", sa.Boolean, nullable=False,
                                          server_default=sa.true()))
    op.add_column("volunteers", sa.Column("standing_as_of", TS))
    op.add_column("volunteers", sa.Column("region_as_of", TS))
    op.create_table("priority_categories",
                    sa.Column("elder_id", sa.String(64), primary_key=True),
                    sa.Column("category", sa.String(40), primary_key=True),
                    sa.Column("held", sa.Boolean, nullable=False),
                    sa.Column("as_of", TS, nullable=False))


def downgrade() -> None:
    op.drop_table("priority_categories")
    for column in ("region_as_of", "standing_as_of", "active"):
        op.drop_column("volunteers", column)
