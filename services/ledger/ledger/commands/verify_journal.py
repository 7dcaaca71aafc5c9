"""Walk the ledger's hash chain and name the first broken link.

    python -m ledger.commands.verify_journal [--config deploy/config/ledger.yaml] [--database-url URL]

Recomputes every link from the ``transfers`` and ``entries`` tables (the canonical form
is documented in ``ledger/domain/journal.py``). Exit status 0 when the chain is intact,
1 when it is broken or a transfer is outside it.
"""
from __future__ import annotations

import argparse
import sys

from timebank_common.db import UnitOfWork, make_engine

from ..app.verification import verify_journal


def describe(report: dict) -> list[str]:
    lines = [f"已核验 checked: {report['checked']} links"]
    broken = report["first_broken"]
    if broken:
        lines.append(f"链条断裂 chain broken at seq {broken['seq']} "
                     f"(transfer {broken['transfer_id'] or '-'}): {broken['problem']}")
        if broken["expected"] is not None:
            lines.append(f"  expected {broken['expected']}")
            lines.append(f"  found    {broken['found']}")
    for transfer_id in report["unchained_transfers"]:
        lines.append(f"未入链 transfer outside the chain: {transfer_id}")
    if report["ok"]:
        lines.append("哈希链完整 journal intact")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config/ledger.yaml")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    url = args.database_url
    if url is None:
        from timebank_common import config as config_mod  # noqa: PLC0415

        url = config_mod.load(args.config)["DATABASE_URL"]
    engine = make_engine(url, pool_size=1)
    try:
        report = verify_journal(lambda: UnitOfWork(engine))
    finally:
        engine.dispose()
    print("\n".join(describe(report)))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
