"""Importing townships (乡镇/街道) and villages/communities (村/社区) from the official
statistical division-code list (统计用区划代码): rows whose parent is known (stored or in the
list) are imported, the rest refused with their line numbers. Idempotent."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from timebank_common.db import UnitOfWorkFactory

from ..adapters.hebei_regions import load_hebei
from ..adapters.regions import load_regions, region_codes
from ..domain.divisions import HEBEI_PREFIX, ImportPlan, Refusal, plan_import, rows_of


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


def import_divisions(db: UnitOfWorkFactory, table: Sequence[Sequence[str]]) -> ImportReport:
    """Import the township and village/community rows of ``table`` (CSV rows) in one
    transaction, after the shipped tree (the counties they hang from)."""
    with db() as uow:
        load_hebei(uow)
        plan: ImportPlan = plan_import(rows_of(table), region_codes(uow, HEBEI_PREFIX))
        load_regions(uow, [d.as_row() for d in plan.accepted])
        uow.commit()
    return ImportReport(len(plan.accepted), len(plan.skipped), plan.refused)
