"""Ledger queries: star-level milestones, and indexes for statements by kind, reconciliation
and statistics.

Revision ID: 0005
Revises: 0004 (the coordinator re-chains it after 0003/0004)

* ``milestones (person_id, level)`` unique: a star level is told once per person, for life
  (a reversal that drops below a threshold does not remove it, a later re-crossing is not
  told again);
* ``transfers_by_record_id``: service credits by ``reference->>'record_id'`` (reconciliation);
* ``transfers_by_created_at``: movements in a period (statistics, reconciliation).
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestones",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("cumulative_minutes", sa.BigInteger, nullable=False),
        sa.Column("transfer_id", sa.String(200), sa.ForeignKey("transfers.id"), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("clock_timestamp()")),
        sa.PrimaryKeyConstraint("person_id", "level", name="milestones_once_per_level"),
        sa.CheckConstraint("level >= 1", name="milestones_level_positive"),
    )
    op.execute("CREATE INDEX transfers_by_record_id ON transfers ((reference->>'record_id')) "
               "WHERE kind = 'service_credit'")
    op.create_index("transfers_by_created_at", "transfers", ["created_at"])


def downgrade() -> None:
    op.drop_index("transfers_by_created_at", "transfers")
    op.execute("DROP INDEX transfers_by_record_id")
    op.drop_table("milestones")
