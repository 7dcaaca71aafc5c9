"""Re-encrypt every stored personal value under the active key (after a key rotation).

    python -m timebank_common.pii add-key var/keys/pii-keys.json   # new active key, old kept
    python -m identity.rotate_pii_keys [--config deploy/config/identity.yaml] [--batch 500]

Rows are taken in batches of ``--batch``, each batch in its own transaction (rows locked,
``SKIP LOCKED``), so the service keeps running meanwhile. Only values sealed under another key
than the active one are touched: running it again does nothing, and an interrupted run is
resumed by running it again. Keyed hashes do not change (the hash key is not rotated).
Once it reports nothing left, the old key may be removed from the key file.
"""
from __future__ import annotations

import argparse

from sqlalchemy import and_, or_, select, update

from timebank_common.db import UnitOfWork, make_engine

from . import personal_data
from .tables import metadata

KEY_COLUMNS = {"persons": ("id",), "credentials": ("person_id",),
               "elder_profiles": ("person_id",), "volunteer_profiles": ("person_id",),
               "elder_priorities": ("person_id", "category"), "relative_links": ("id",)}


def _encrypted_columns(table_name: str) -> list[str]:
    return [enc for enc, _, _ in personal_data.SEALED[table_name].values()]


def rotate_batch(uow, table_name: str, batch: int) -> int:
    """Re-seal up to ``batch`` rows of ``table_name`` holding a value under an old key."""
    keys = personal_data.keys()
    table = metadata.tables[table_name]
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


def rotate(engine, batch: int = 500) -> dict[str, int]:
    """Re-seal everything; the number of rows changed per table."""
    changed = {}
    for table_name in personal_data.SEALED:
        changed[table_name] = 0
        while True:
            with UnitOfWork(engine) as uow:
                n = rotate_batch(uow, table_name, batch)
                uow.commit()
            changed[table_name] += n
            if n < batch:
                break
    return changed


def main(argv=None) -> None:
    from timebank_common import config as config_mod

    parser = argparse.ArgumentParser(description="Re-encrypt personal data under the active key")
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    keys = personal_data.configure(cfg)
    engine = make_engine(cfg["DATABASE_URL"], pool_size=1)
    try:
        changed = rotate(engine, args.batch)
    finally:
        engine.dispose()
    for table_name, n in changed.items():
        print(f"{table_name}: {n} rows re-encrypted")
    print(f"every personal value is now under key {keys.cipher.active}")


if __name__ == "__main__":
    main()
