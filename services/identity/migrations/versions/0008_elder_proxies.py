"""Elders' proxies (代理人): verified direct relatives who may act for an elder; and the
volunteers' last service (a read model fed by demand's service_recorded, for statistics).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elder_proxies",
        sa.Column("elder_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("proxy_person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("set_by", UUID(as_uuid=True)),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("elder_id", "proxy_person_id"),
        sa.CheckConstraint("elder_id <> proxy_person_id", name="elder_proxies_not_self"),
    )
    op.create_index("elder_proxies_by_proxy", "elder_proxies", ["proxy_person_id"])
    op.create_table(
        "volunteer_activity",
        sa.Column("person_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("last_served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("services", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("volunteer_activity")
    op.drop_index("elder_proxies_by_proxy", table_name="elder_proxies")
    op.drop_table("elder_proxies")
