"""The change feed of municipal systems (``changes``, ``change_feed_state``) and their signed
webhooks (``webhook_endpoints``, ``webhook_deliveries``).

Revision ID: 0006_change_feed
Revises: 0005_issue13
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0006_change_feed"
down_revision = "0005_issue13"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("sequence", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("payload", JSONB, nullable=False, server_default="{}"),
        sa.Column("recorded_at", TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("event_id", "region_code", name="changes_once_per_event_and_place"),
    )
    op.create_index("changes_by_region", "changes", ["region_code", "sequence"])
    op.create_table(
        "change_feed_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pruned_through", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute("INSERT INTO change_feed_state (id, pruned_through) VALUES (1, 0)")
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("scope_code", sa.String(12), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("webhook_endpoints_by_scope", "webhook_endpoints", ["scope_code"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("endpoint_id", UUID(as_uuid=False), sa.ForeignKey("webhook_endpoints.id"),
                  nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", TS, nullable=False),
        sa.Column("claimed_at", TS),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", TS),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("endpoint_id", "sequence", name="webhook_deliveries_once_per_change"),
    )
    op.create_index("webhook_deliveries_due", "webhook_deliveries", ["status", "not_before"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_table("change_feed_state")
    op.drop_table("changes")
