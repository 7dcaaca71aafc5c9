"""Who may see a person's personal data unmasked (full ID number, phone, address, emergency
contact). Everyone else sees the masked forms (``masking``); every unmasked read is audited.

* the person themself;
* a station operator, for an elder of their own station (they call the elder and the
  emergency contact);
* an administrator (township to province) with the person's region in scope (disputes,
  corrections).

Auditors and municipal systems (API clients) never: they audit and count, masked data is enough.
"""
from __future__ import annotations

from collections.abc import Iterable

from timebank_common.caller import ADMIN_ROLES


def may_unmask(roles: Iterable[str], is_self: bool, in_scope: bool,
               elder_of_own_station: bool) -> bool:
    roles = tuple(roles)
    if is_self:
        return True
    if any(r in ADMIN_ROLES for r in roles) and in_scope:
        return True
    return "station_operator" in roles and in_scope and elder_of_own_station
