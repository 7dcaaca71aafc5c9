"""Re-encrypt every stored personal value under the active key (after a key rotation).

    python -m timebank_common.pii add-key var/keys/pii-keys.json   # new active key, old kept
    python -m identity.commands.rotate_pii_keys [--config deploy/config/identity.yaml] [--batch 500]

Rows are taken in batches of ``--batch``, each batch in its own transaction (rows locked,
``SKIP LOCKED``), so the service keeps running meanwhile. Only values sealed under another key
than the active one are touched: running it again does nothing, and an interrupted run is
resumed by running it again. Keyed hashes do not change (the hash key is not rotated).
Once it reports nothing left, the old key may be removed from the key file.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from timebank_common.db import UnitOfWorkFactory

from ..adapters import personal_data
from ..adapters.key_rotation import TABLES, rotate_batch
from .file_import import units_of_work


def rotate(db: UnitOfWorkFactory, batch: int = 500) -> dict[str, int]:
    """Re-seal everything, each batch in its own transaction; the number of rows changed per
    table."""
    changed = {}
    for table_name in TABLES:
        changed[table_name] = 0
        while True:
            with db() as uow:
                n = rotate_batch(uow, table_name, batch)
                uow.commit()
            changed[table_name] += n
            if n < batch:
                break
    return changed


def main(argv: Sequence[str] | None = None) -> None:
    from timebank_common import config as config_mod

    parser = argparse.ArgumentParser(description="Re-encrypt personal data under the active key")
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    keys = personal_data.configure(cfg)
    with units_of_work(cfg["DATABASE_URL"]) as db:
        changed = rotate(db, args.batch)
    for table_name, n in changed.items():
        print(f"{table_name}: {n} rows re-encrypted")
    print(f"every personal value is now under key {keys.cipher.active}")


if __name__ == "__main__":
    main()
