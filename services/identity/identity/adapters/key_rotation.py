"""SQL of re-sealing personal data under the active key (``commands.rotate_pii_keys``)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, or_, select, update

from timebank_common.idempotency import idempotency_keys_table

from . import personal_data
from .tables import import_files, metadata

KEY_COLUMNS = {"persons": ("id",), "credentials": ("person_id",),
               "elder_profiles": ("person_id",), "volunteer_profiles": ("person_id",),
               "elder_priorities": ("person_id", "category"), "relative_links": ("id",),
               "volunteer_interest": ("id",), "idempotency_keys": ("caller", "key"),
               "import_files": ("job_id",)}
# sealed with the same cipher, outside identity's own tables: the remembered answers of
# idempotent creates (a registration's answer, an API client's secret; ``service.answer_cipher``)
SEALED_ELSEWHERE: dict[str, tuple[Table, tuple[str, ...]]] = {
    "idempotency_keys": (idempotency_keys_table, ("answer",)),
    # an import's file while its job waits or runs (dropped when the job ends)
    "import_files": (import_files, ("content_enc",))}
TABLES = [*personal_data.SEALED, *SEALED_ELSEWHERE]


def _table(table_name: str) -> Table:
    if table_name in SEALED_ELSEWHERE:
        return SEALED_ELSEWHERE[table_name][0]
    return metadata.tables[table_name]


def _encrypted_columns(table_name: str) -> list[str]:
    if table_name in SEALED_ELSEWHERE:
        return list(SEALED_ELSEWHERE[table_name][1])
    return [enc for enc, _, _ in personal_data.SEALED[table_name].values()]


def rotate_batch(uow: Any, table_name: str, batch: int) -> int:
    """Re-seal up to ``batch`` rows of ``table_name`` holding a value under an old key."""
    keys = personal_data.keys()
    table = _table(table_name)
    current = f"v1:{keys.cipher.active}:%"
    columns = [table.c[c] for c in _encrypted_columns(table_name)]
    stale = or_(*[and_(c.is_not(None), c.not_like(current)) for c in columns])
    pk = [table.c[c] for c in KEY_COLUMNS[table_name]]
    rows = uow.execute(select(*pk, *columns).where(stale).order_by(*pk).limit(batch)
                       .with_for_update(skip_locked=True)).mappings().all()
    for row in rows:
        values = {c.name: keys.cipher.reencrypt(row[c.name]) for c in columns}
        uow.execute(update(table).where(*[c == row[c.name] for c in pk]).values(**values))
    return len(rows)
