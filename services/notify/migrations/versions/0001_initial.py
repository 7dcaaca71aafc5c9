"""Notify service: message templates (seeded), the inbox, and the outbox/inbox tables.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from notify.adapters.seed_templates import TEMPLATES
from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables(op)
    templates = op.create_table(
        "templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("event_type", "role", "locale", name="templates_one_per_locale"),
        sa.CheckConstraint("locale IN ('zh-CN', 'en')", name="templates_locale_known"),
    )
    op.bulk_insert(templates, TEMPLATES)
    op.create_table(
        "messages",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("title_zh", sa.Text, nullable=False),
        sa.Column("body_zh", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False),
        sa.Column("body_en", sa.Text, nullable=False),
        sa.Column("data", JSONB, nullable=False, server_default="{}"),
        sa.Column("source_event_id", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("read_at", TS),
        sa.UniqueConstraint("person_id", "source_event_id", "kind",
                            name="messages_once_per_event"),
    )
    op.create_index("messages_by_person", "messages", ["person_id", sa.text("created_at DESC")])
    op.create_index("messages_unread", "messages", ["person_id"],
                    postgresql_where=sa.text("read_at IS NULL"))


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_table("templates")
    op.drop_table("inbox")
    op.drop_table("outbox")
