"""Import the national volunteer system's registry export (全国志愿服务信息系统核验结果).

    python -m identity.import_registry FILE.csv [--config deploy/config/identity.yaml]

Columns ``volunteer_number,status`` (header row optional; status ``verified`` or
``rejected``; UTF-8 or GB18030). Sets the registry status of the volunteer holding each
number, emitting ``volunteer_eligible`` / ``volunteer_suspended`` when eligibility flips;
numbers no volunteer holds and malformed rows are listed. Idempotent: a status already
recorded is left alone. Exit status 1 when a row was unknown or refused.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import repository as repo
from . import volunteer_repository as vrepo
from .domain.registry import RegistryRefusal, RegistryRow, parse_rows
from .file_import import file_command, in_one_transaction
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
    return in_one_transaction(database_url, lambda uow: import_registry(uow, table, path.name))


def main(argv=None) -> int:
    return file_command("Import the national volunteer registry's verification results (CSV)",
                        import_file, lambda report: report.unknown or report.refused, argv)


if __name__ == "__main__":
    sys.exit(main())
