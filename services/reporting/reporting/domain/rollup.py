"""Roll-ups by region prefix and management unit (DESIGN.md §4, ``regions.unit_chain``): a
fact of a community counts in its township (9 digits), county (6), city-level unit (4, or 6
for 辛集 and 定州, which the province supervises beside the cities) and province (2) too. The
read model keeps a row per level, so a province's year is read from its own rows, never
summed from 2,000 townships at query time."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from timebank_common.regions import prefix_of, unit_chain

from .facts import Delta

LEVEL_PREFIXES = (2, 4, 6, 9, 12)
_CHILD = {2: 4, 4: 6, 6: 9, 9: 12}


def prefixes(region_code: str) -> list[tuple[str, str]]:
    """(prefix, parent prefix) of each level the code lies in, by management unit; the
    province's parent is ''."""
    out, parent = [], ""
    for prefix in unit_chain(region_code):
        out.append((prefix, parent))
        parent = prefix
    return out


def child_length(region_code: str) -> int | None:
    """How long the prefixes one level below a region are (None below a community)."""
    return _CHILD.get(len(prefix_of(region_code)))


Key = tuple[str, str, object, str, str, str]


def rolled_up(deltas: Iterable[Delta]) -> dict[Key, int]:
    """Deltas summed per (prefix, parent, day, category, funding source, measure), every level."""
    totals: dict[Key, int] = defaultdict(int)
    for delta in deltas:
        for prefix, parent in prefixes(delta.region_code):
            totals[(prefix, parent, delta.day, delta.category, delta.funding_source,
                    delta.measure)] += delta.value
    return dict(totals)
