"""The shipped Hebei division tree (``data/hebei_regions.csv``, see ``data/README.md``)."""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from .regions import load_regions

HEBEI_REGIONS_CSV = Path(__file__).resolve().parent / "data" / "hebei_regions.csv"


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def hebei_regions() -> tuple[dict[str, Any], ...]:
    """The province, its 14 city-level units and its counties, as region rows."""
    with HEBEI_REGIONS_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(
            {"code": row["code"], "name": row["name"], "level": row["level"],
             "parent_code": row["parent_code"] or None,
             "longitude": _number(row["longitude"]), "latitude": _number(row["latitude"])}
            for row in csv.DictReader(f)
        )


def load_hebei(uow_or_connection: Any) -> int:
    """Upsert the shipped tree (idempotent); returns the number of rows."""
    return load_regions(uow_or_connection, hebei_regions())
