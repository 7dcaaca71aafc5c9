"""志愿汇 pushes: ``zyh_pushes`` (one row per record version to push, its attempts and
outcome), ``zyh_scan`` (the high-water mark of the scan of ``service_records``), and the
index that scan reads ``service_records`` by.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zyh_pushes",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("payload", postgresql.JSONB, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("last_status", sa.Integer),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name="zyh_pushes_status"),
    )
    op.create_index("zyh_pushes_due", "zyh_pushes", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("zyh_pushes_dead", "zyh_pushes", ["created_at", "record_id"],
                    postgresql_where=sa.text("status = 'dead'"))
    op.create_index("zyh_pushes_sent_at", "zyh_pushes", ["sent_at"],
                    postgresql_where=sa.text("status = 'sent'"))
    op.create_table(
        "zyh_scan",
        sa.Column("name", sa.String(30), primary_key=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
    )
    op.create_index("service_records_by_update", "service_records", ["updated_at", "record_id"])


def downgrade() -> None:
    op.drop_index("service_records_by_update", table_name="service_records")
    op.drop_table("zyh_scan")
    op.drop_table("zyh_pushes")
