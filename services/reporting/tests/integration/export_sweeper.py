"""A separate reporting process that sweeps export folders (used by the tests).

    python export_sweeper.py DATABASE_URL START_AT SPACING FOLDER...

Sweeps the k-th folder once the machine's clock reads ``START_AT + k * SPACING`` (seconds
since the epoch), so that two of these processes sweep each folder at the same moment, as two
reporting processes' timers would; prints how many files it deleted in each folder. A file it
could not handle ends it with the error (exit 1).
"""
from __future__ import annotations

import datetime as dt
import sys
import time

from reporting.app import exports
from timebank_common.db import units_of_work


def main(url: str, start_at: float, spacing: float, folders: list[str]) -> list[int]:
    deleted = []
    with units_of_work(url) as db:
        for k, folder in enumerate(folders):
            settings = exports.Settings.of({"EXPORTS": {"dir": folder, "lease_seconds": 60}})
            while time.time() < start_at + k * spacing:  # the other sweeper's moment too
                time.sleep(0.001)
            deleted.append(exports.sweep(db, settings, dt.datetime.now(dt.UTC)))
    return deleted


if __name__ == "__main__":
    print(" ".join(map(str, main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]),
                                 sys.argv[4:]))))
