"""Reading accounts: a person's balance, statement and volunteer summary (the person or staff
in scope), and the internal account questions (``open_account``, ``account``).

The reads take ``db().reading()`` units of work (the kit's ``UnitOfWork.reading``: one round
trip per statement instead of BEGIN, statement, ROLLBACK): the balance is the gateway's
hottest GET. Each reads what a READ COMMITTED transaction would — every statement one
consistent state; the statement's count and page are two statements, as they already were."""
from __future__ import annotations

from collections.abc import Sequence

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory

from ..adapters import accounts as repo
from ..adapters import milestones
from ..adapters.identity import IdentityClient
from ..contracts.kinds import PERSONAL
from ..domain import access
from ..domain.balances import balance_summary
from ..domain.stars import next_star, star_level


def _authorize(caller: Caller, person_id: str, held: list, identity: IdentityClient) -> None:
    """The person themself; a proxy acting for them (identity's ``may_act_for``: a verified
    relative of an elder without a phone); staff covering the person's region now — their
    accounts' (they follow the person), else identity's (a person with no ledger activity
    yet; an unknown id has none)."""
    if access.is_self(caller, person_id):
        return
    if not caller.is_staff():
        if caller.person_id and identity.may_act_for(caller.person_id, person_id):
            return
        access.authorize_account_read(caller, person_id, None)  # raises not_your_account
        return
    if held:
        region = held[0].region_code
    else:
        standing = identity.standing([person_id]).get(person_id)
        region = None if standing is None else standing["region_code"]
    access.authorize_account_read(caller, person_id, region)


def balance(db: UnitOfWorkFactory, caller: Caller, person_id: str,
            identity: IdentityClient) -> dict:
    """Earned, grant, reserved and available minutes; zeros for a person with no account."""
    with db().reading() as uow:
        held = repo.person_accounts(uow, person_id)
    _authorize(caller, person_id, held, identity)
    return balance_summary(person_id, [a.state() for a in held])


def statement(db: UnitOfWorkFactory, caller: Caller, person_id: str, query: dict,
              identity: IdentityClient) -> dict:
    """A page of the person's entries, newest first (``query``: ``StatementQuery``)."""
    with db().reading() as uow:
        held = repo.person_accounts(uow, person_id)
    _authorize(caller, person_id, held, identity)
    with db().reading() as uow:
        items, total = ([], 0) if not held else repo.statement(
            uow, [a.id for a in held], query["since"], query["until"],
            query["page"], query["page_size"], query["kind"])
    return {"items": items, "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def volunteer_summary(db: UnitOfWorkFactory, caller: Caller, person_id: str,
                      thresholds: Sequence[int], identity: IdentityClient) -> dict:
    """The balance plus cumulative service time, star level, the next star and the
    milestones reached."""
    with db().reading() as uow:
        held = repo.person_accounts(uow, person_id)
    _authorize(caller, person_id, held, identity)
    with db().reading() as uow:
        personal = [a.id for a in held if a.kind == PERSONAL]
        minutes = milestones.service_minutes(uow, personal).get(personal[0], 0) \
            if personal else 0
        upcoming = next_star(minutes, thresholds)
        if upcoming is not None:
            upcoming["hours_to_go"] = _hours(upcoming["minutes_to_go"])
        return {**balance_summary(person_id, [a.state() for a in held]),
                "service_minutes": minutes, "service_hours": _hours(minutes),
                "star_level": star_level(minutes, thresholds),
                "star_thresholds_hours": list(thresholds), "next_star": upcoming,
                "milestones": milestones.milestones_of(uow, person_id)}


# --- internal ------------------------------------------------------------------------------
def open_account(db: UnitOfWorkFactory, kind: str, region_code: str,
                 owner_person_id: str | None) -> dict:
    """The account of this kind for this person/region, opened if missing."""
    with db() as uow:
        account = repo.open_account(uow, kind, region_code, owner_person_id)
        uow.commit()
    return account.view()


def account(db: UnitOfWorkFactory, account_id: str) -> dict:
    """One account's four totals, balance and available minutes."""
    with db().reading() as uow:
        return repo.get_account(uow, account_id).view()
