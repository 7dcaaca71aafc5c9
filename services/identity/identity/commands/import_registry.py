"""Import the national volunteer system's registry export (全国志愿服务信息系统核验结果).

    python -m identity.commands.import_registry FILE.csv [--config deploy/config/identity.yaml]

Columns ``volunteer_number,status`` (header row optional; status ``verified`` or
``rejected``; UTF-8 or GB18030). Sets the registry status of the volunteer holding each
number, emitting ``volunteer_eligible`` / ``volunteer_suspended`` when eligibility flips;
numbers no volunteer holds and malformed rows are listed. Idempotent: a status already
recorded is left alone. Exit status 1 when a row was unknown or refused.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from timebank_common.clock import Clock, SystemClock

from ..app.registry_import import RegistryReport, import_registry
from .file_import import file_command, read_table, units_of_work


def import_file(database_url: str, path: Path, clock: Clock | None = None) -> RegistryReport:
    table = read_table(path)
    with units_of_work(database_url) as db:
        return import_registry(db, table, (clock or SystemClock()).now(), path.name)


def main(argv: Sequence[str] | None = None) -> int:
    return file_command("Import the national volunteer registry's verification results (CSV)",
                        import_file, lambda report: report.unknown or report.refused, argv)


if __name__ == "__main__":
    sys.exit(main())
