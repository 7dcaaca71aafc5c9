"""Matching: a volunteer's standing and moves in the read model of volunteers — ``active``
(identity's person status is ``active``: only then a candidate, in feeds and dispatch),
``standing_as_of`` (the ``person_status_changed`` last applied) and ``region_as_of`` (the
event that last set ``region_code``: a move, or an eligibility event), so events applied out
of order leave the latest standing and region.

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


def downgrade() -> None:
    for column in ("region_as_of", "standing_as_of", "active"):
        op.drop_column("volunteers", column)
