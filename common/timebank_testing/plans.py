"""Query-plan checks: EXPLAIN what a repository sends, and find the index ranges in it."""
from __future__ import annotations

import re


class ExplainingUow:
    """Stands in for a unit of work in plan tests: EXPLAINs every statement it is given
    (``plans``, one text per statement), then runs it."""

    def __init__(self, connection):
        self.connection = connection
        self.plans: list[str] = []

    def execute(self, statement, params=None):
        compiled = statement.compile(dialect=self.connection.dialect,
                                     compile_kwargs={"render_postcompile": True})
        values = {**compiled.params, **(params or {})}  # a prebuilt statement's bindparams
        rows = self.connection.exec_driver_sql(f"EXPLAIN {compiled.string}", values)
        self.plans.append("\n".join(r[0] for r in rows))
        return self.connection.execute(statement, params)


_INDEX_NODE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)")


def index_conditions(plan: str) -> list[tuple[str, str]]:
    """(index, its ``Index Cond``) of each index scan in an EXPLAIN text."""
    found, current = [], None
    for line in plan.splitlines():
        node = _INDEX_NODE.search(line)
        if node:
            current = node.group(1)
        elif "->" in line:
            current = None
        elif current and "Index Cond:" in line:
            found.append((current, line.split("Index Cond:", 1)[1].strip()))
    return found


def range_indexes(plans: list[str] | str, column: str = "region_code") -> set[str]:
    """Indexes with a range on ``column`` (``column >= …``, as ``db.within`` writes a
    region prefix) in their ``Index Cond``, in any of ``plans``: the index serves the filter,
    not a whole-index scan applying it to each row. The range bounds the scan only when the
    index leads with ``column`` (or with columns the condition fixes by equality, then it):
    a test names the index it expects, one of that shape."""
    bounded = re.compile(rf"\b{re.escape(column)}\)?(?:::\w+)?\)? >= ")
    return {index for plan in ([plans] if isinstance(plans, str) else plans)
            for index, condition in index_conditions(plan) if bounded.search(condition)}
