"""Import the national volunteer system's registry export (全国志愿服务信息系统核验结果).

    python -m identity.import_registry FILE.csv [--config deploy/config/identity.yaml]

Columns ``volunteer_number,status`` (header row optional; status ``verified`` or
``rejected``; UTF-8 or GB18030). Sets the registry status of the volunteer holding each
number, emitting ``volunteer_eligible`` / ``volunteer_suspended`` when eligibility flips;
numbers no volunteer holds and malformed rows are listed. Idempotent: a status already
recorded is left alone. Exit status 1 when a row was unknown or refused.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from timebank_common.db import UnitOfWork, make_engine

from . import repository as repo
from . import volunteer_repository as vrepo
from .domain.registry import RegistryRefusal, RegistryRow, parse_rows
from .import_divisions import read_table
from .registration import today_in_china
from .volunteering import apply_registry_status


@dataclass
class RegistryReport:
    updated: int = 0
    unchanged: int = 0
    unknown: list[RegistryRow] = field(default_factory=list)
    refused: list[RegistryRefusal] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"更新 updated: {self.updated}  未变 unchanged: {self.unchanged}  "
               f"未知编号 unknown numbers: {len(self.unknown)}  拒绝 refused: {len(self.refused)}"]
        out += [f"  第{r.line}行 line {r.line}  {r.volunteer_number}  未找到持有该编号的志愿者 / "
                "no volunteer holds this number" for r in self.unknown]
        out += [f"  第{r.line}行 line {r.line}  {r.text or '-'}  {r.zh} / {r.en}"
                for r in self.refused]
        return out


def import_registry(uow, table, source: str = "registry export") -> RegistryReport:
    rows, refused = parse_rows(table)
    report = RegistryReport(refused=refused)
    today = today_in_china()
    for row in rows:
        profile = vrepo.volunteer_by_number(uow, row.volunteer_number)
        if profile is None:
            report.unknown.append(row)
            continue
        person = repo.get_person(uow, profile["person_id"])
        if apply_registry_status(uow, person, profile, row.status, f"imported from {source}",
                                 None, today):
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def import_file(database_url: str, path: Path) -> RegistryReport:
    table = read_table(path)
    engine = make_engine(database_url, pool_size=1)
    try:
        with UnitOfWork(engine) as uow:
            report = import_registry(uow, table, path.name)
            uow.commit()
    finally:
        engine.dispose()
    return report


def main(argv=None) -> int:
    from timebank_common import config as config_mod
    from timebank_common.migrations import upgrade

    parser = argparse.ArgumentParser(
        description="Import the national volunteer registry's verification results (CSV)")
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    url = config_mod.load(args.config)["DATABASE_URL"]
    upgrade("identity", url)
    report = import_file(url, args.file)
    print("\n".join(report.lines()))
    return 1 if report.unknown or report.refused else 0


if __name__ == "__main__":
    sys.exit(main())
