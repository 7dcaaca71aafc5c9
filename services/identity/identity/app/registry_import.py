"""Importing the national volunteer system's registry export (全国志愿服务信息系统核验结果):
sets the registry status of the volunteer holding each number, announcing eligibility that
flips; numbers no volunteer holds and malformed rows are listed. Idempotent: a status already
recorded is left alone."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from timebank_common.db import UnitOfWorkFactory

from ..adapters import persons, volunteers
from ..domain.registry import RegistryRefusal, RegistryRow, parse_rows
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


def import_registry(db: UnitOfWorkFactory, table: Sequence[Sequence[str]], now: dt.datetime,
                    source: str = "registry export") -> RegistryReport:
    """The rows of ``table`` (CSV rows), in one transaction."""
    rows, refused = parse_rows(table)
    report = RegistryReport(refused=refused)
    with db() as uow:
        for row in rows:
            profile = volunteers.volunteer_by_number(uow, row.volunteer_number)
            if profile is None:
                report.unknown.append(row)
                continue
            person = persons.get_person(uow, profile["person_id"])
            assert person is not None
            if apply_registry_status(uow, person, profile, row.status,
                                     f"imported from {source}", None, now):
                report.updated += 1
            else:
                report.unchanged += 1
        uow.commit()
    return report
