"""demand's figures of supervision from the read model (``demand_figures``): counts by status,
category and channel, the waits with exact medians, and completion of a region's demands
submitted in a span of China days — what demand's ``demand_stats`` answers in its
``demands``, ``timing`` and ``completion`` sections, without asking demand."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.regions import prefix_of

from ..adapters import demand_progress_repository
from ..contracts import REPORT_READERS
from ..domain.demand_progress import figures


def demand_figures(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
                   ) -> dict[str, Any]:
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    first, last, prefix = query["from_"], query["to"], prefix_of(region)
    with db() as uow:
        groups = demand_progress_repository.groups(uow, prefix, first, last)
        to_publication, to_assignment = demand_progress_repository.waits(uow, prefix, first,
                                                                         last)
    return {"region_code": region, "from_": first, "to": last,
            **figures(groups, to_publication, to_assignment)}
