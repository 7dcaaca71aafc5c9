"""Star-level milestones (``milestone_reached``), in the transaction of the service credits
that reach them (called by ``crediting.credit_services``).

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

from ..adapters import milestones as repo
from ..contracts.events import MILESTONE_REACHED
from ..domain.stars import crossings, star_level


@dataclass(frozen=True)
class NewCredit:
    person_id: str
    account_id: str
    region_code: str
    transfer_id: str
    minutes: int


def _worth_checking(uow, credited: list[NewCredit], thresholds: Sequence[int]
                    ) -> dict[str, list[NewCredit]]:
    """The credits of the persons who may have reached a new level. Cheap first: an account's
    ``credits_posted`` bounds its service minutes, so a person whose bound is below the next
    level they have not reached yet is skipped without summing their history (the common
    case: most credits reach nothing)."""
    if not credited:
        return {}
    bounds = repo.credits_posted(uow, list({c.account_id for c in credited}))
    by_person: dict[str, list[NewCredit]] = {}
    for credit in credited:
        if star_level(bounds.get(credit.account_id, 0), thresholds) >= 1:
            by_person.setdefault(credit.person_id, []).append(credit)
    if not by_person:
        return {}
    reached = repo.levels_reached(uow, list(by_person))
    return {person: credits for person, credits in by_person.items()
            if star_level(bounds[credits[0].account_id], thresholds) > reached.get(person, 0)}


def note_credits(uow, credited: list[NewCredit], thresholds: Sequence[int]) -> list[dict]:
    """Record and emit the levels these newly posted service credits reach (their entries
    are already written in ``uow``); returns the new milestones."""
    by_person = _worth_checking(uow, credited, thresholds)
    if not by_person:
        return []
    now = repo.service_minutes(uow, [c[0].account_id for c in by_person.values()])
    reached: list[dict] = []
    regions: dict[str, str] = {}
    for person_id, credits in by_person.items():
        after = now.get(credits[0].account_id, 0)
        before = after - sum(c.minutes for c in credits)
        regions[person_id] = credits[0].region_code
        reached.extend({"person_id": person_id, "level": c.level,
                        "cumulative_minutes": c.cumulative_minutes,
                        "transfer_id": c.transfer_id}
                       for c in crossings(before, [(c.transfer_id, c.minutes) for c in credits],
                                          thresholds))
    new = repo.record_milestones(uow, reached)
    for milestone in sorted(new, key=lambda m: (m["person_id"], m["level"])):
        uow.emit(MILESTONE_REACHED, milestone, regions[milestone["person_id"]])
    return new
