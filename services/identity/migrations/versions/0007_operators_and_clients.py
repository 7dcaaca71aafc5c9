"""Operators and municipal API clients: grants and clients are revoked (kept, marked), not
deleted; a client's secret can be rotated. A revoked grant no longer blocks granting the
same role and scope again (the uniqueness now holds among active grants only).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("role_grants", sa.Column("revoked_at", TS))
    op.add_column("role_grants", sa.Column("revoked_by", UUID(as_uuid=True)))
    op.add_column("role_grants", sa.Column("revoke_reason", sa.Text))
    op.drop_constraint("role_grants_once", "role_grants")
    op.create_index("role_grants_once", "role_grants", ["person_id", "role", "scope_code"],
                    unique=True, postgresql_where=sa.text("revoked_at IS NULL"))
    op.create_index("role_grants_scope", "role_grants", ["scope_code"])
    op.add_column("api_clients", sa.Column("created_by", UUID(as_uuid=True)))
    op.add_column("api_clients", sa.Column("secret_rotated_at", TS))
    op.add_column("api_clients", sa.Column("revoked_at", TS))
    op.add_column("api_clients", sa.Column("revoked_by", UUID(as_uuid=True)))
    op.add_column("api_clients", sa.Column("revoke_reason", sa.Text))


def downgrade() -> None:
    for column in ("revoke_reason", "revoked_by", "revoked_at", "secret_rotated_at", "created_by"):
        op.drop_column("api_clients", column)
    op.drop_index("role_grants_scope", "role_grants")
    op.drop_index("role_grants_once", "role_grants")
    # revoked grants have no place in the old model, and would break its uniqueness
    op.execute("DELETE FROM role_grants WHERE revoked_at IS NOT NULL")
    op.create_unique_constraint("role_grants_once", "role_grants",
                                ["person_id", "role", "scope_code"])
    for column in ("revoke_reason", "revoked_by", "revoked_at"):
        op.drop_column("role_grants", column)
