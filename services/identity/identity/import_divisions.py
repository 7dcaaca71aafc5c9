"""Import Hebei's townships (乡镇/街道) and villages/communities (村/社区) from the official
statistical division-code list (统计用区划代码) as CSV.

    python -m identity.import_divisions FILE.csv [--config deploy/config/identity.yaml]

Columns: code, name, with an optional header row (``code,name`` or ``统计用区划代码,名称``);
an urban-rural classification column (城乡分类代码) is ignored. UTF-8 (GB18030 is accepted
too). Province, city and county rows are skipped (the shipped tree has them and is loaded
first); rows outside Hebei, with a malformed code or an unknown parent are refused and
listed, the rest is imported. Idempotent. Exit status 1 when a row was refused.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from . import repository as repo
from .domain.divisions import HEBEI_PREFIX, ImportPlan, Refusal, plan_import, rows_of
from .file_import import file_command, in_one_transaction
from .regions_data import load_hebei


@dataclass
class ImportReport:
    imported: int
    skipped: int
    refused: list[Refusal]

    def lines(self) -> list[str]:
        out = [f"导入 imported: {self.imported}  跳过 skipped (province/city/county): {self.skipped}"
               f"  拒绝 refused: {len(self.refused)}"]
        out += [f"  第{r.line}行 line {r.line}  {r.code or '-'}  {r.zh} / {r.en}"
                for r in self.refused]
        return out


def read_table(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text, newline="")))


def import_divisions(uow, table) -> ImportReport:
    """Import the township and village/community rows of ``table`` (CSV rows) in ``uow``."""
    plan: ImportPlan = plan_import(rows_of(table), repo.region_codes(uow, HEBEI_PREFIX))
    repo.load_regions(uow, [d.as_row() for d in plan.accepted])
    return ImportReport(len(plan.accepted), len(plan.skipped), plan.refused)


def import_file(database_url: str, path: Path) -> ImportReport:
    table = read_table(path)

    def work(uow):
        load_hebei(uow)  # the counties the imported townships hang from
        return import_divisions(uow, table)

    return in_one_transaction(database_url, work)


def main(argv=None) -> int:
    return file_command("Import Hebei townships and villages/communities (统计用区划代码 CSV)",
                        import_file, lambda report: report.refused, argv)


if __name__ == "__main__":
    sys.exit(main())
