"""demand's figures of supervision from the read model (``demand_figures``): what demand's
``demand_stats`` answers (``DemandStatsOut``) for a region and a span of China days, without
asking demand — the demands submitted in the span from each demand's progress (counts,
exact median waits, completion, funding), the rest from the facts, elders served from the
service records."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of

from ..adapters import demand_progress_repository as progress
from ..adapters import overview_queries
from ..contracts import REPORT_READERS
from ..domain.demand_progress import SUMMED, fact_sections, figures, matching_figures
from ..domain.facts import PROPOSAL_MEASURES


def demand_figures(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
                   ) -> dict[str, Any]:
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    first, last, prefix = query["from_"], query["to"], prefix_of(region)
    with db() as uow:
        groups = progress.groups(uow, prefix, first, last)
        to_publication, to_assignment = progress.waits(uow, prefix, first, last)
        funding = progress.funding(uow, prefix, first, last)
        elders, by_category = progress.served(uow, prefix, first, last)
        sums = overview_queries.sums_over(uow, prefix, first, last, SUMMED)
        outcomes = overview_queries.sums_by_category(uow, prefix, first, last,
                                                     "disputes_resolved")
    return {"region_code": region,
            "period": {"from_": first.isoformat(), "to": last.isoformat()},
            **figures(groups, to_publication, to_assignment), **fact_sections(sums, outcomes),
            "funding": funding, "served": {"elders": elders, "by_category": by_category}}


def matching_figures_of(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
                        ) -> dict[str, Any]:
    """matching's figures (``StatsOut``) of a region and span, without asking matching: the
    demands published in the span from each demand's progress (first candidates from
    matching's ``first_candidate_found``), dispatch from matching's runs and decisions."""
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    first, last, prefix = query["from_"], query["to"], prefix_of(region)
    since, until = day_bounds(first, last)
    assert since is not None and until is not None
    with db() as uow:
        published = progress.matching(uow, prefix, since, until)
        sums = overview_queries.sums_over(uow, prefix, first, last,
                                          ["dispatch_runs", *PROPOSAL_MEASURES.values()])
    return {"region_code": region, **matching_figures(published, sums)}
