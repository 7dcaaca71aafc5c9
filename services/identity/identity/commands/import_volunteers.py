"""Import the national volunteer system's export of registered volunteers (志愿者名册).

    python -m identity.commands.import_volunteers FILE [--config deploy/config/identity.yaml]
        [--region 130000000000]

Headers in Chinese or English, any order: 志愿者编号, 姓名, 证件类型, 证件号码, 手机号码,
注册时间, 所属区划代码, 状态, 地址 (``identity.domain.imports``); CSV in UTF-8 (BOM or not) or
GB18030, or XLSX. Runs as an import job of kind ``volunteer_registrations``
(``identity.app.imports``, the same code as ``POST /api/v1/people/imports``), printing its
progress: a new volunteer is registered in the row's region (without a login), an existing
one (same ID number) gets the national number and registry status. Idempotent. Exit status 1
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
    return run_file_import(database_url, path, "volunteer_registrations", scope, clock)


def main(argv: Sequence[str] | None = None) -> int:
    return file_command("Import the national volunteer system's export of registered "
                        "volunteers (CSV or XLSX)", import_file, lambda report: report.failed,
                        argv, add_scope_argument)


if __name__ == "__main__":
    sys.exit(main())
