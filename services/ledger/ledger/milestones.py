"""Star-level milestones (``milestone_reached``), in the transaction of the service credits
that reach them (called by ``service_credits.credit_services``).

Once per person and level, for life: the ``milestones`` table keeps (person, level) unique.
Several credits of one person in one batch are taken in posting order, so each level is told
once, named by the credit that crossed it. A reversal that takes a person back below a
threshold removes nothing, and a later credit that crosses it again is not told again (the
certificate and the star already given stand; the star level shown by ``volunteer_summary``
is always computed from the current cumulative minutes).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import queries_repository as qrepo
from . import schemas
from .domain.stars import crossings

_REACHED = schemas.MilestoneReachedEvent()


@dataclass(frozen=True)
class NewCredit:
    person_id: str
    account_id: str
    region_code: str
    transfer_id: str
    minutes: int


def note_credits(uow, credited: list[NewCredit], thresholds: Sequence[int]) -> list[dict]:
    """Record and emit the levels these newly posted service credits reach (their entries
    are already written in ``uow``); returns the new milestones."""
    if not credited:
        return []
    now = qrepo.service_minutes(uow, list({c.account_id for c in credited}))
    by_person: dict[str, list[NewCredit]] = {}
    for credit in credited:
        by_person.setdefault(credit.person_id, []).append(credit)
    reached, regions = [], {}
    for person_id, credits in by_person.items():
        after = now.get(credits[0].account_id, 0)
        before = after - sum(c.minutes for c in credits)
        regions[person_id] = credits[0].region_code
        reached.extend({"person_id": person_id, "level": c.level,
                        "cumulative_minutes": c.cumulative_minutes,
                        "transfer_id": c.transfer_id}
                       for c in crossings(before, [(c.transfer_id, c.minutes) for c in credits],
                                          thresholds))
    new = qrepo.record_milestones(uow, reached)
    for milestone in sorted(new, key=lambda m: (m["person_id"], m["level"])):
        uow.emit("milestone_reached", _REACHED.dump(milestone), regions[milestone["person_id"]])
    return new
