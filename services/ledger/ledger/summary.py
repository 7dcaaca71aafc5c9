"""A volunteer's summary: the balance plus cumulative service time, star level, the next
star and the milestones reached (``volunteer_summary``)."""
from __future__ import annotations

from collections.abc import Sequence

from timebank_common.caller import Caller

from . import queries_repository as qrepo
from . import repository as repo
from .domain import access
from .domain.balances import balance_summary
from .domain.kinds import PERSONAL
from .domain.stars import next_star, star_level


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def volunteer_summary(uow, caller: Caller, person_id: str, thresholds: Sequence[int]) -> dict:
    held = repo.person_accounts(uow, person_id)
    access.authorize_account_read(caller, person_id, [a.region_code for a in held])
    personal = [a.id for a in held if a.kind == PERSONAL]
    minutes = qrepo.service_minutes(uow, personal).get(personal[0], 0) if personal else 0
    upcoming = next_star(minutes, thresholds)
    if upcoming is not None:
        upcoming["hours_to_go"] = _hours(upcoming["minutes_to_go"])
    return {**balance_summary(person_id, [a.state() for a in held]),
            "service_minutes": minutes, "service_hours": _hours(minutes),
            "star_level": star_level(minutes, thresholds),
            "star_thresholds_hours": list(thresholds), "next_star": upcoming,
            "milestones": qrepo.milestones_of(uow, person_id)}
