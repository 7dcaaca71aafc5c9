"""Import the national volunteer system's registry export (全国志愿服务信息系统核验结果).

    python -m identity.commands.import_registry FILE [--config deploy/config/identity.yaml]
        [--region 130000000000]

Columns ``volunteer_number,status`` (志愿者编号,状态; header row optional; status verified /
已认证 or rejected / 未通过); CSV in UTF-8 or GB18030, or XLSX. Runs as an import job of kind
``registry_status`` (``identity.app.imports``, the same code as ``POST /api/v1/people/imports``),
printing its progress: sets the registry status of the volunteer holding each number,
emitting ``volunteer_eligible`` / ``volunteer_suspended`` when eligibility flips; numbers no
volunteer holds and malformed rows are refused with their line. Idempotent. Exit status 1
when a row was refused or the file was.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from timebank_common.clock import Clock

from .file_import import JobReport, add_scope_argument, file_command, run_file_import


def import_file(database_url: str, path: Path, args=None, clock: Clock | None = None) -> JobReport:
    scope = getattr(args, "region", None) or "130000000000"
    return run_file_import(database_url, path, "registry_status", scope, clock)


def main(argv: Sequence[str] | None = None) -> int:
    return file_command("Import the national volunteer registry's verification results "
                        "(CSV or XLSX)", import_file, lambda report: report.failed, argv,
                        add_scope_argument)


if __name__ == "__main__":
    sys.exit(main())
