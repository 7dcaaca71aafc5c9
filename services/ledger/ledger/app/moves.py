"""A person moved within the province (identity's ``person_moved``): their personal and
grant accounts, and their grant entitlements, follow them to the new region. History stays
where it happened (each transfer keeps its accounts' regions at the time), and the move
itself is recorded with the balance it carried (``account_moves``), so the 通存通兑 report
sees the minutes that went from one city-level unit to another."""
from __future__ import annotations

import datetime as dt

from ..adapters import moves as repo


def on_person_moved(uow, moved: dict, event_id: str | None, now: dt.datetime) -> int:
    """Move the person's accounts to ``to_region_code`` (``moved``: the loaded payload);
    how many accounts moved. An account already there does not move again."""
    to_region = moved["to_region_code"]
    count = 0
    for account in repo.lock_person_accounts(uow, moved["person_id"]):
        if account.region_code != to_region:
            repo.move_account(uow, account, moved["person_id"], to_region,
                              moved.get("moved_at") or now, event_id)
            count += 1
    repo.move_entitlements(uow, moved["person_id"], to_region)
    return count
