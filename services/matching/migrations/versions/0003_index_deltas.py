"""Matching: the change logs that keep each process's in-memory views current — volunteers
(``volunteer_changes``, now read by transaction id: exactly the changes a snapshot did not
see) and open demands (``demand_changes``, new) — carry the time of each change (rows older
than a day are pruned); good ratings are found by volunteer.

Revision ID: 0003_index_deltas
Revises: 0002_candidates
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_index_deltas"
down_revision = "0002_candidates"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
CURRENT_XID = sa.text("(pg_current_xact_id()::text)::bigint")


def upgrade() -> None:
    op.add_column("volunteer_changes", sa.Column("xid", sa.BigInteger))
    op.execute("UPDATE volunteer_changes SET xid = txid::bigint")
    op.alter_column("volunteer_changes", "xid", nullable=False, server_default=CURRENT_XID)
    op.drop_column("volunteer_changes", "txid")
    op.add_column("volunteer_changes", sa.Column("at", TS, nullable=False,
                                                 server_default=sa.text("now()")))
    op.create_index("volunteer_changes_by_xid", "volunteer_changes", ["xid"])
    op.create_table("demand_changes",
                    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
                    sa.Column("demand_id", sa.String(64), nullable=False),
                    sa.Column("xid", sa.BigInteger, nullable=False, server_default=CURRENT_XID),
                    sa.Column("at", TS, nullable=False, server_default=sa.text("now()")))
    op.create_index("demand_changes_by_xid", "demand_changes", ["xid"])
    op.create_index("good_ratings_by_volunteer", "good_ratings", ["volunteer_id"])


def downgrade() -> None:
    op.drop_index("good_ratings_by_volunteer", "good_ratings")
    op.drop_table("demand_changes")
    op.drop_index("volunteer_changes_by_xid", "volunteer_changes")
    op.drop_column("volunteer_changes", "at")
    op.add_column("volunteer_changes", sa.Column(
        "txid", sa.Text, nullable=False, server_default=sa.text("pg_current_xact_id()::text")))
    op.drop_column("volunteer_changes", "xid")
