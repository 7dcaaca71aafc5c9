"""Identity service: regions, carriers, persons and profiles, credentials, role grants,
refresh tokens, API clients, and the outbox/inbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _uuid(name, *args, **kw):
    return sa.Column(name, UUID(as_uuid=True), *args, **kw)


def _created():
    return sa.Column("created_at", TS, nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "regions",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(12), sa.ForeignKey("regions.code")),
        sa.CheckConstraint("code ~ '^[0-9]{12}$'", name="regions_code_12_digits"),
    )
    op.create_index("regions_by_parent", "regions", ["parent_code", "code"])
    op.create_table(
        "carriers",
        _uuid("id", primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("region_code", sa.String(12), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("phone", sa.String(20)),
    )
    op.create_index("carriers_by_region", "carriers", ["region_code"])
    op.create_table(
        "persons",
        _uuid("id", primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False, unique=True),
        sa.Column("sex", sa.String(6), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("phone", sa.String(11), unique=True),
        sa.Column("address", sa.Text),
        sa.Column("region_code", sa.String(12), nullable=False),
        _created(),
    )
    op.create_index("persons_by_region", "persons", ["region_code"])
    op.create_table(
        "elder_profiles",
        _uuid("person_id", sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("phone_only", sa.Boolean, nullable=False),
        _uuid("carrier_id", sa.ForeignKey("carriers.id")),
        sa.Column("emergency_contact_name", sa.String(100)),
        sa.Column("emergency_contact_phone", sa.String(11)),
        _uuid("registered_by"),
        _created(),
    )
    op.create_table(
        "volunteer_profiles",
        _uuid("person_id", sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("volunteer_number", sa.String(64), unique=True),
        _uuid("registered_by"),
        _created(),
    )
    op.create_table(
        "credentials",
        _uuid("person_id", sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("login_phone", sa.String(11), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "role_grants",
        _uuid("id", primary_key=True),
        _uuid("person_id", sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope_code", sa.String(12), nullable=False),
        _uuid("carrier_id", sa.ForeignKey("carriers.id")),
        _uuid("granted_by"),
        _created(),
        sa.UniqueConstraint("person_id", "role", "scope_code", name="role_grants_once"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _uuid("person_id", sa.ForeignKey("persons.id"), nullable=False),
        _created(),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
    )
    op.create_index("refresh_tokens_by_person", "refresh_tokens", ["person_id"])
    op.create_table(
        "api_clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("scope_code", sa.String(12), nullable=False),
        _created(),
    )


def downgrade() -> None:
    for table in ("api_clients", "refresh_tokens", "role_grants", "credentials",
                  "volunteer_profiles", "elder_profiles", "persons", "carriers", "regions",
                  "inbox", "outbox"):
        op.drop_table(table)
