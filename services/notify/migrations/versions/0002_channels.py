"""Notify channels: who last edited a template, preferences, deliveries per channel, call tasks, durable reminders,
dispute parties, and the templates of every event notify now consumes.

Revision ID: 0002_channels
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from notify.adapters.seed_templates import CHANNEL_TEMPLATES

revision = "0002_channels"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("templates", sa.Column("updated_by", sa.String(64)))
    op.add_column("templates", sa.Column("updated_at", TS))
    op.create_table(
        "preferences",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("channels", ARRAY(sa.String(16)), nullable=False),
        sa.Column("quiet_start", sa.Time),
        sa.Column("quiet_end", sa.Time),
        sa.Column("email", sa.String(254)),
        sa.Column("locale", sa.String(10), nullable=False, server_default="zh-CN"),
        sa.Column("nearby_demands", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("region_code", sa.String(12)),
        sa.Column("updated_by", sa.String(64)),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("channels <@ ARRAY['sms','email','call']::varchar[]",
                           name="preferences_channels_known"),
    )
    op.create_index("preferences_nearby", "preferences", ["region_code"],
                    postgresql_where=sa.text("nearby_demands"))
    op.create_table(
        "deliveries",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("message_id", UUID(as_uuid=False), sa.ForeignKey("messages.id"),
                  nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("last_error", sa.Text),
        sa.Column("provider_ref", sa.Text),
        sa.Column("sent_at", TS),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("message_id", "channel", name="deliveries_once_per_channel"),
        sa.CheckConstraint("status IN ('pending','sending','sent','failed','dead','skipped')",
                           name="deliveries_status_known"),
        sa.CheckConstraint("channel IN ('sms','email','call')", name="deliveries_channel_known"),
    )
    op.create_index("deliveries_due", "deliveries", ["not_before"],
                    postgresql_where=sa.text("status IN ('pending', 'failed')"))
    op.create_index("deliveries_sending", "deliveries", ["updated_at"],
                    postgresql_where=sa.text("status = 'sending'"))
    op.create_table(
        "call_tasks",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("delivery_id", UUID(as_uuid=False), sa.ForeignKey("deliveries.id"),
                  nullable=False, unique=True),
        sa.Column("message_id", UUID(as_uuid=False), nullable=False),
        sa.Column("elder_id", sa.String(64), nullable=False),
        sa.Column("elder_name", sa.String(100), nullable=False),
        sa.Column("carrier_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12)),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("script", sa.Text, nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("outcome", sa.String(16)),
        sa.Column("note", sa.Text),
        sa.Column("attempts", JSONB, nullable=False, server_default="[]"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("closed_at", TS),
        sa.CheckConstraint("status IN ('open','done')", name="call_tasks_status_known"),
    )
    op.create_index("call_tasks_by_carrier", "call_tasks", ["carrier_id", "status", "created_at"])
    op.create_table(
        "reminders",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("demand_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("lead", sa.String(8), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="scheduled"),
        sa.Column("fired_at", TS),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("demand_id", "person_id", "volunteer_id", "lead",
                            name="reminders_once_per_lead"),
        sa.CheckConstraint("status IN ('scheduled','sent','cancelled')",
                           name="reminders_status_known"),
    )
    op.create_index("reminders_due", "reminders", ["due_at"],
                    postgresql_where=sa.text("status = 'scheduled'"))
    op.create_index("reminders_by_demand", "reminders", ["demand_id"])
    op.create_table(
        "dispute_parties",
        sa.Column("dispute_id", sa.String(64), primary_key=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "record_parties",  # from service_recorded: who a disputed record concerns
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("demand_id", sa.String(64)),
        sa.Column("volunteer_id", sa.String(64), nullable=False),
        sa.Column("elder_id", sa.String(64)),
    )
    templates = sa.table("templates", sa.column("event_type"), sa.column("role"),
                         sa.column("locale"), sa.column("title"), sa.column("body"))
    op.bulk_insert(templates, CHANNEL_TEMPLATES)


def downgrade() -> None:
    kinds = sorted({(t["event_type"], t["role"]) for t in CHANNEL_TEMPLATES})
    for kind, role in kinds:
        op.execute(sa.text("DELETE FROM templates WHERE event_type = :k AND role = :r")
                   .bindparams(k=kind, r=role))
    for table in ("record_parties", "dispute_parties", "reminders", "call_tasks", "deliveries", "preferences"):
        op.drop_table(table)
    op.drop_column("templates", "updated_at")
    op.drop_column("templates", "updated_by")
