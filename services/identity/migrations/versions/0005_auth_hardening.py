"""Authentication hardening: login failures (lockout), login sessions on refresh tokens,
access-token revocations.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_failed_at", TS),
        sa.Column("locked_until", TS),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    # one login session = one login and its rotated refresh tokens (NULL: issued before 0005)
    op.add_column("refresh_tokens", sa.Column("session_id", UUID(as_uuid=True)))
    # rotated | logout | password_changed | reused | logout_everywhere (NULL: before 0005 = rotated)
    op.add_column("refresh_tokens", sa.Column("revoked_reason", sa.String(32)))
    op.create_index("refresh_tokens_session", "refresh_tokens", ["session_id"])
    op.create_table(
        "token_revocations",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True)),
        sa.Column("client_id", sa.String(64)),
        sa.Column("session_id", UUID(as_uuid=True)),
        sa.Column("revoked_before", TS, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("num_nonnulls(person_id, client_id, session_id) >= 1",
                           name="token_revocations_target"),
    )
    op.create_index("token_revocations_recent", "token_revocations", ["revoked_before"])


def downgrade() -> None:
    op.drop_index("token_revocations_recent", table_name="token_revocations")
    op.drop_table("token_revocations")
    op.drop_index("refresh_tokens_session", table_name="refresh_tokens")
    op.drop_column("refresh_tokens", "revoked_reason")
    op.drop_column("refresh_tokens", "session_id")
    op.drop_table("login_failures")
