"""Moving a demand to ``evaluated`` (DESIGN.md §5), in the caller's unit of work, on a demand
read with its row locked. The rule is ``Demand.follow_evaluations`` (domain/lifecycle.py);
this asks it after every step that can complete it:

* an evaluation (``evaluation.evaluate``);
* a record that stops counting: rejected at its second look (``recording/review.py``) or
  voided by a dispute (``disputes.resolve_dispute``);
* a group demand whose last unfinished volunteer withdrew or did not show up
  (``assignment.withdraw``, ``sweeps``): the others, recorded, may all be evaluated already.

Recording itself never completes it (the volunteer just recorded has no evaluation yet)."""
from __future__ import annotations

from ..adapters import demand_repository as repo
from ..adapters import evaluation_repository as evaluations
from ..contracts import RECORDED
from ..domain.lifecycle import Demand
from ..domain.recording import NOT_COUNTED


def follow_evaluations(uow, demand: Demand) -> bool:
    """Save the demand as ``evaluated`` when its evaluations now cover every recorded
    volunteer whose record counts; True when it moved."""
    if demand.status != RECORDED:
        return False
    cover = evaluations.evaluation_cover(uow, [a.id for a in demand.live_assignments()])
    evaluated = {volunteer for volunteer, _, given in cover if given}
    not_counted = {volunteer for volunteer, status, _ in cover if status in NOT_COUNTED}
    if not demand.follow_evaluations(evaluated, not_counted):
        return False
    repo.save_demand(uow, demand)
    return True
