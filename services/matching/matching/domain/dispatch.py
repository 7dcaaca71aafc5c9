"""Batch dispatch: which volunteer takes which open slot, for many demands at once.

Objective: the most priority-weighted matches, then the least total distance. Each match of a
slot of demand d by a volunteer at distance x km is worth ``weight(d) * MATCH_VALUE - x``; with
MATCH_VALUE far above any distance, weighted matches come first and distance breaks ties.

Solved as a minimum-weight bipartite matching (SciPy's LAPJVsp,
``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) between slots and volunteer nodes:
- each slot is linked to the ``k`` nearest volunteers who satisfy every hard rule, and to its own
  "unmatched" node, so a full matching always exists and leaving a slot open costs its value;
- overlapping assignments: demands whose windows overlap, directly or through a chain, form one
  time group; each volunteer has one node per time group, so they get at most one slot of a
  group. Demands of different groups never overlap, so a volunteer may take several of them.
  This never breaks the rule; what it loses — two non-overlapping demands chained through a
  third — is won back by further rounds: the slots still open are matched again, with every
  volunteer's first-round assignments counted as busy (``ROUNDS``). ``exact_dispatch`` (an
  integer programme) measures the gap on small instances: tests and tests/perf.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .candidates import DemandToMatch, overlaps
from .scoring import demand_weight
from .volunteer_index import BusyPeriods, FloatArray, IntArray, VolunteerIndex

Edges = list[tuple[IntArray, FloatArray, float]]

MATCH_VALUE = 1000.0
NEAREST_PER_SLOT = 30
ROUNDS = 3
UNMATCHED_COST = 10 * MATCH_VALUE  # above any match's value, so every cost stays positive


@dataclass(frozen=True)
class Proposal:
    demand_id: str
    volunteer_id: str
    distance_km: float
    value: float


def weight_of(demand: DemandToMatch, now: dt.datetime) -> float:
    waited = (now - demand.published_at).total_seconds() / 86400 if demand.published_at else 0.0
    return demand_weight(demand.priority_elder, waited)


def time_groups(demands: list[DemandToMatch]) -> list[int]:
    """Group number of each demand: connected components of window overlap."""
    order = sorted(range(len(demands)), key=lambda i: demands[i].window_start)
    group, current = [0] * len(demands), -1
    group_end: dt.datetime | None = None
    for i in order:
        d = demands[i]
        if group_end is None or d.window_start >= group_end:
            current += 1
            group_end = d.window_end
        else:
            group_end = max(group_end, d.window_end)
        group[i] = current
    return group


def _edges(demands: list[DemandToMatch], index: VolunteerIndex, now: dt.datetime, k: int,
           also_busy: BusyPeriods) -> Edges:
    """Per demand: (volunteer rows, distances, value of one match) of its k nearest candidates."""
    out: Edges = []
    for d in demands:
        rows, dist = index.nearest_eligible(d, k, also_busy)
        out.append((rows, dist, weight_of(d, now) * MATCH_VALUE))
    return out


def plan_dispatch(demands: list[DemandToMatch], index: VolunteerIndex, now: dt.datetime,
                  k: int = NEAREST_PER_SLOT, rounds: int = ROUNDS) -> list[Proposal]:
    """Proposals (one per matched slot) maximising priority-weighted matches, then closeness."""
    proposals: list[Proposal] = []
    busy: list[tuple[int, dt.datetime, dt.datetime]] = []
    taken: dict[str, set[str]] = {}
    windows = {d.demand_id: (d.window_start, d.window_end) for d in demands}
    for _ in range(rounds):
        still_open = [replace(d, open_slots=d.open_slots - len(taken.get(d.demand_id, ())))
                      for d in demands]
        found = _one_round(still_open, index, now, k, BusyPeriods.of(busy))
        if not found:
            break
        for p in found:
            proposals.append(p)
            taken.setdefault(p.demand_id, set()).add(p.volunteer_id)
            busy.append((index.row(p.volunteer_id), *windows[p.demand_id]))
    return proposals


def _one_round(demands: list[DemandToMatch], index: VolunteerIndex, now: dt.datetime, k: int,
               also_busy: BusyPeriods) -> list[Proposal]:
    demands = [d for d in demands if d.open_slots > 0]
    if not demands:
        return []
    groups = time_groups(demands)
    edges = _edges(demands, index, now, k, also_busy)
    slot_rows: list[int] = []
    node_cols: list[int] = []
    costs: list[float] = []
    slot_demand: list[tuple[int, float]] = []
    nodes: dict[tuple[int, int], int] = {}
    slot = 0
    for di, (d, (rows, dist, value)) in enumerate(zip(demands, edges, strict=True)):
        for _ in range(d.open_slots):
            for r, x in zip(rows.tolist(), dist.tolist(), strict=True):
                node = nodes.setdefault((r, groups[di]), len(nodes))
                slot_rows.append(slot)
                node_cols.append(node)
                costs.append(UNMATCHED_COST - (value - x))
            slot_demand.append((di, value))
            slot += 1
    n_slots, n_nodes = slot, len(nodes)
    # each slot's own "unmatched" node costs the full offset: matching saves (value - distance)
    slot_rows += list(range(n_slots))
    node_cols += list(range(n_nodes, n_nodes + n_slots))
    costs += [UNMATCHED_COST] * n_slots
    graph = csr_array(coo_array((np.array(costs), (np.array(slot_rows), np.array(node_cols))),
                                shape=(n_slots, n_nodes + n_slots)))
    _, match = min_weight_full_bipartite_matching(graph)
    by_node = {node: key[0] for key, node in nodes.items()}
    proposals: list[Proposal] = []
    for s in range(n_slots):
        node = int(match[s])
        if node >= n_nodes:
            continue
        di, value = slot_demand[s]
        rows, dist, _ = edges[di]
        r = by_node[node]
        x = float(dist[np.nonzero(rows == r)[0][0]])
        proposals.append(Proposal(demands[di].demand_id, index.ids[r], round(x, 3),
                                  round(value - x, 3)))
    return proposals


def objective(proposals: list[Proposal]) -> float:
    return sum(p.value for p in proposals)


def exact_dispatch(demands: list[DemandToMatch], index: VolunteerIndex,
                   now: dt.datetime) -> float:
    """The exact optimum (objective value) as an integer programme, for small instances:
    every eligible pair, a volunteer at most once per demand and never in two overlapping
    demands (one constraint per volunteer and pair of overlapping demands)."""
    pairs: list[tuple[int, int]] = []
    values: list[float] = []
    for di, d in enumerate(demands):
        rows, dist = index.eligible(d)
        value = weight_of(d, now) * MATCH_VALUE
        for r, x in zip(rows.tolist(), dist.tolist(), strict=True):
            pairs.append((di, r))
            values.append(value - x)
    if not pairs:
        return 0.0
    n = len(pairs)
    rows_a: list[int] = []
    cols_a: list[int] = []
    ub: list[int] = []
    line = 0
    for di, d in enumerate(demands):  # slots of a demand
        members = [i for i, (dj, _) in enumerate(pairs) if dj == di]
        rows_a += [line] * len(members)
        cols_a += members
        ub.append(d.open_slots)
        line += 1
    by_volunteer: dict[int, list[int]] = {}
    for i, (_, r) in enumerate(pairs):
        by_volunteer.setdefault(r, []).append(i)
    for members in by_volunteer.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos:]:
                da, db = demands[pairs[a][0]], demands[pairs[b][0]]
                if a != b and overlaps(da.window_start, da.window_end, db.window_start,
                                       db.window_end):
                    rows_a += [line, line]
                    cols_a += [a, b]
                    ub.append(1)
                    line += 1
    matrix = coo_array((np.ones(len(rows_a)), (rows_a, cols_a)), shape=(line, n))
    result = milp(-np.array(values), constraints=LinearConstraint(matrix, 0, np.array(ub)),
                  integrality=np.ones(n), bounds=(0, 1))
    return float(-result.fun)
