"""A person's standing (identity's ``person_status_changed``): what happens to their hours.

* ``deceased``: the person's personal and grant accounts are **frozen** (``accounts.frozen_at``):
  no gift, donation, reservation or spending from them (a service the elder chose to pay from
  them is paid by issuance, ``fallback: source_frozen``); credits still land. What happens to
  the hours is the region's policy value ``deceased_hours`` (``domain/policy.py``; data with an
  effective date): ``frozen`` (the default) keeps them in the frozen accounts; ``to_pool``
  moves what they hold to the donation pool of the person's city-level unit (a ``donation``
  transfer ``deceased:<person>:<kind>``, reference ``reason: deceased_hours_to_pool``). Hours
  are never deleted.
* ``left`` / ``withdrew``: the account is kept as it is (hours are for life).
* Grants are paid only while the elder is ``active`` (``domain/granting.py``).
* Back to ``active`` (a correction): the accounts are unfrozen; hours moved to the pool stay
  there (a transfer is never undone but by a reversal an admin approves).
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import update

from timebank_common.clock import china_date
from timebank_common.regions import city_unit_of

from ..adapters import accounts as repo
from ..adapters import policies
from ..adapters.moves import lock_person_accounts
from ..adapters.tables import accounts
from ..contracts.kinds import DONATION, DONATION_POOL, POST
from ..domain.policy import TO_POOL
from ..domain.transfers import TransferRequest, derived_id
from . import posting

log = logging.getLogger("timebank.ledger")
DECEASED, ACTIVE = "deceased", "active"


def on_person_status_changed(uow, changed: dict, now: dt.datetime) -> None:
    person_id, status = changed["person_id"], changed["status"]
    policies.set_person_status(uow, person_id, status)
    held = lock_person_accounts(uow, person_id)
    if status == DECEASED:
        _set_frozen(uow, [a.id for a in held if not a.frozen], now)
        if held and policies.policies_for(uow, [held[0].region_code], china_date(now))[
                held[0].region_code].deceased_hours == TO_POOL:
            _to_pool(uow, person_id, held, now)
    elif status == ACTIVE:
        _set_frozen(uow, [a.id for a in held if a.frozen], None)


def _set_frozen(uow, account_ids: list[str], at: dt.datetime | None) -> None:
    if account_ids:
        uow.execute(update(accounts).where(accounts.c.id.in_(account_ids))
                    .values(frozen_at=at))


def _to_pool(uow, person_id: str, held: list, now: dt.datetime) -> None:
    unit = city_unit_of(held[0].region_code)
    pool = repo.open_accounts(uow, [(DONATION_POOL, unit, None)])[(DONATION_POOL, unit)]
    requests = [TransferRequest(
        transfer_id=derived_id("deceased", f"{person_id}:{a.kind}"), action=POST, kind=DONATION,
        debit_account_id=a.id, credit_account_id=pool.id,
        amount_minutes=a.balance_minutes - a.debits_pending,
        reference={"reason": "deceased_hours_to_pool", "person_id": person_id,
                   "pool_region_code": unit})
        for a in held if a.balance_minutes - a.debits_pending > 0]
    for outcome in posting.create_transfers(uow, requests, now) if requests else []:
        if outcome.error is not None and outcome.error.code != "transfer_id_reused":
            outcome.raise_failure()
