"""Import Hebei's townships (乡镇/街道) and villages/communities (村/社区) from the official
statistical division-code list (统计用区划代码) as CSV.

    python -m identity.commands.import_divisions FILE.csv [--config deploy/config/identity.yaml]

Columns: code, name, with an optional header row (``code,name`` or ``统计用区划代码,名称``);
an urban-rural classification column (城乡分类代码) is ignored. UTF-8 (GB18030 is accepted
too). Province, city and county rows are skipped (the shipped tree has them and is loaded
first); rows outside Hebei, with a malformed code or an unknown parent are refused and
listed, the rest is imported. Idempotent. Exit status 1 when a row was refused.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..app.divisions import ImportReport, import_divisions
from .file_import import file_command, read_table, units_of_work


def import_file(database_url: str, path: Path) -> ImportReport:
    table = read_table(path)
    with units_of_work(database_url) as db:
        return import_divisions(db, table)


def main(argv: Sequence[str] | None = None) -> int:
    return file_command("Import Hebei townships and villages/communities (统计用区划代码 CSV)",
                        import_file, lambda report: report.refused, argv)


if __name__ == "__main__":
    sys.exit(main())
