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

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from timebank_common.db import UnitOfWork, make_engine

from . import repository as repo
from .domain.divisions import HEBEI_PREFIX, ImportPlan, Refusal, plan_import, rows_of
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
    engine = make_engine(database_url, pool_size=1)
    try:
        with UnitOfWork(engine) as uow:
            load_hebei(uow)
            report = import_divisions(uow, table)
            uow.commit()
    finally:
        engine.dispose()
    return report


def main(argv=None) -> int:
    from timebank_common import config as config_mod
    from timebank_common.migrations import upgrade

    parser = argparse.ArgumentParser(
        description="Import Hebei townships and villages/communities (统计用区划代码 CSV)")
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    url = config_mod.load(args.config)["DATABASE_URL"]
    upgrade("identity", url)
    report = import_file(url, args.file)
    print("\n".join(report.lines()))
    return 1 if report.refused else 0


if __name__ == "__main__":
    sys.exit(main())
