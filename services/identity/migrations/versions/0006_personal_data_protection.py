"""Personal data encrypted at rest; ID numbers and phones found by a keyed hash; audit log.

Each sealed column ``x`` becomes ``x_enc`` (AES-256-GCM, ``v1:<kid>:<base64>``), and ID
numbers and phones also get ``x_hash`` (HMAC-SHA256, unique), then the plaintext column is
dropped. Existing rows are converted here, in Python, with the same key file the service
uses: ``PII_KEYS_FILE`` of the service configuration (passed by ``timebank_common.migrations``
and the runner), else the environment variable, else ``var/keys/pii-keys.json``. A database
without personal rows (a new one) needs no key file to migrate.

The table/column list below is a frozen copy of ``identity.personal_data.SEALED`` as of this
revision (a migration must not change when the code does).

Revision ID: 0006
Revises: 0005
"""
import os

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# table -> (key columns, [(plaintext column, its old type, encrypted column, hash column,
#                          hash purpose, not null)])
SEALED = {
    "persons": (("id",), [
        ("id_number", sa.String(18), "id_number_enc", "id_number_hash", "id_number", True),
        ("phone", sa.String(11), "phone_enc", "phone_hash", "phone", False),
        ("address", sa.Text(), "address_enc", None, None, False),
    ]),
    "credentials": (("person_id",), [
        ("login_phone", sa.String(11), "login_phone_enc", "login_phone_hash", "phone", True),
    ]),
    "elder_profiles": (("person_id",), [
        ("emergency_contact_name", sa.String(100), "emergency_contact_name_enc", None, None, False),
        ("emergency_contact_phone", sa.String(11), "emergency_contact_phone_enc", None, None,
         False),
    ]),
    "volunteer_profiles": (("person_id",), [
        ("health_note", sa.Text(), "health_note_enc", None, None, False),
    ]),
    "elder_priorities": (("person_id", "category"), [
        ("evidence", sa.Text(), "evidence_enc", None, None, True),
    ]),
    "relative_links": (("id",), [
        ("evidence", sa.Text(), "evidence_enc", None, None, True),
    ]),
}
# unique hash columns (and the plaintext unique constraints they replace, PostgreSQL's names)
UNIQUE = [("persons", "id_number_hash", "id_number"), ("persons", "phone_hash", "phone"),
          ("credentials", "login_phone_hash", "login_phone")]
BATCH = 500


def _keys():
    from timebank_common.pii import load_key_file

    settings = context.config.attributes.get("service_config") or {}
    path = (settings.get("PII_KEYS_FILE") or os.environ.get("PII_KEYS_FILE")
            or "var/keys/pii-keys.json")
    return load_key_file(path)


def _convert(table: str, read: list[str], write) -> None:
    """``write(keys, row) -> new column values`` for every row of ``table``, in batches."""
    conn = op.get_bind()
    pk, _ = SEALED[table]
    if not conn.execute(sa.text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar():
        return
    keys = _keys()
    cols = ", ".join((*pk, *read))
    order = ", ".join(pk)
    last = None
    while True:
        where = ""
        params = {}
        if last is not None:
            where = f"WHERE ({order}) > ({', '.join(':k' + str(i) for i in range(len(pk)))})"
            params = {f"k{i}": v for i, v in enumerate(last)}
        rows = conn.execute(sa.text(f"SELECT {cols} FROM {table} {where} ORDER BY {order} "
                                    f"LIMIT {BATCH}"), params).mappings().all()
        if not rows:
            return
        for row in rows:
            values = write(keys, row)
            sets = ", ".join(f"{c} = :v_{c}" for c in values)
            match = " AND ".join(f"{c} = :p_{c}" for c in pk)
            conn.execute(sa.text(f"UPDATE {table} SET {sets} WHERE {match}"),
                         {**{f"v_{c}": v for c, v in values.items()},
                          **{f"p_{c}": row[c] for c in pk}})
        last = tuple(rows[-1][c] for c in pk)


def upgrade() -> None:
    for table, (_, fields) in SEALED.items():
        for _, _, enc, hashed, _, _ in fields:
            op.add_column(table, sa.Column(enc, sa.Text))
            if hashed:
                op.add_column(table, sa.Column(hashed, sa.String(64)))

    for table, (_, fields) in SEALED.items():
        def seal(keys, row, fields=fields):
            out = {}
            for plain, _, enc, hashed, purpose, _ in fields:
                out[enc] = keys.cipher.encrypt(row[plain])
                if hashed:
                    out[hashed] = keys.hasher.digest(purpose, row[plain])
            return out
        _convert(table, [f[0] for f in fields], seal)

    for table, (_, fields) in SEALED.items():
        for plain, _, enc, hashed, _, not_null in fields:
            if not_null:
                op.alter_column(table, enc, nullable=False)
                if hashed:
                    op.alter_column(table, hashed, nullable=False)
            op.drop_column(table, plain)
    for table, hashed, _ in UNIQUE:
        op.create_unique_constraint(f"{table}_{hashed}_key", table, [hashed])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("actor_person_id", UUID(as_uuid=True)),
        sa.Column("actor_client_id", sa.String(64)),
        sa.Column("actor_roles", ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64)),
        sa.Column("region_code", sa.String(12)),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
        sa.Column("correlation_id", sa.String(64)),
    )
    op.create_index("audit_log_region_at", "audit_log", ["region_code", "at"])
    op.create_index("audit_log_target", "audit_log", ["target_type", "target_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    for table, (_, fields) in SEALED.items():
        for plain, old_type, _, _, _, _ in fields:
            op.add_column(table, sa.Column(plain, old_type))

    for table, (_, fields) in SEALED.items():
        def unseal(keys, row, fields=fields):
            return {plain: keys.cipher.decrypt(row[enc]) for plain, _, enc, _, _, _ in fields}
        _convert(table, [f[2] for f in fields], unseal)

    for table, hashed, plain in UNIQUE:
        op.drop_constraint(f"{table}_{hashed}_key", table, type_="unique")
        op.create_unique_constraint(f"{table}_{plain}_key", table, [plain])
    for table, (_, fields) in SEALED.items():
        for plain, _, enc, hashed, _, not_null in fields:
            if not_null:
                op.alter_column(table, plain, nullable=False)
            op.drop_column(table, enc)
            if hashed:
                op.drop_column(table, hashed)
