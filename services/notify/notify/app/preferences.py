"""Notification preferences: a person's own, or an elder's set by the staff who look after
them (the station operator of the elder's station, an admin with the elder in scope)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Unavailable

from ..adapters import preference_repository as repository
from ..adapters.identity import Identity
from ..domain import access
from ..domain.delivery import Contact
from ..domain.preferences import Preferences, check_channels, defaults_for


def show_preferences(db: UnitOfWorkFactory, caller: Caller, person_id: str | None,
                     identity: Identity) -> dict[str, Any]:
    """The person's preferences, or the defaults of their role if they never set any."""
    target, contact = _target(caller, person_id, identity)
    with db() as uow:
        prefs = repository.preferences_of(uow, target)
    elder = contact.is_elder if contact else caller.has("elder")
    return preferences_view(target, prefs, defaults_for("elder" if elder else "volunteer"))


def set_preferences(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
                    person_id: str | None, identity: Identity) -> dict[str, Any]:
    """Save the person's preferences, with their region in identity (for nearby demands;
    the caller's scope when identity does not answer)."""
    target, contact = _target(caller, person_id, identity)
    check_channels(data["channels"], data.get("email"))
    if contact is None:
        try:
            contact = identity.contacts([target]).get(target)
        except Unavailable:
            contact = None
    region = contact.region_code if contact else caller.scope
    with db() as uow:
        repository.save_preferences(uow, target, preferences_values(data, region),
                                    caller.person_id or caller.client_id)
        uow.commit()
        prefs = repository.preferences_of(uow, target)
    return preferences_view(target, prefs, None)


def _target(caller: Caller, person_id: str | None, identity: Identity
            ) -> tuple[str, Contact | None]:
    """The caller themself, or an elder the caller (staff) looks after (identity says who
    they are: without it, ``Unavailable``)."""
    own = access.own_preferences(caller, person_id)
    if own is not None:
        return own, None
    other = str(person_id)
    contact = identity.contacts([other]).get(other)
    access.check_looks_after(caller, contact)
    return other, contact


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def preferences_view(person_id: str, stored: Preferences | None,
                     default: Preferences | None) -> dict[str, Any]:
    """The answer of ``preferences`` / ``set_preferences`` (``contracts.PreferencesView``)."""
    prefs = stored or default
    assert prefs is not None  # saved just before, or the role's defaults
    quiet = ({"start": _hhmm(prefs.quiet_start), "end": _hhmm(prefs.quiet_end),
              "time_zone": "Asia/Shanghai"} if prefs.quiet_start and prefs.quiet_end else None)
    extra = prefs.extra or {}
    return {"person_id": person_id, "inbox": True, "channels": list(prefs.channels),
            "quiet_hours": quiet, "email": prefs.email,
            "locale": extra.get("locale", "zh-CN"), "nearby_demands": prefs.nearby_demands,
            "is_default": stored is None,
            "updated_at": extra["updated_at"].isoformat() if extra.get("updated_at") else None,
            "updated_by": extra.get("updated_by")}


def preferences_values(data: Mapping[str, Any], region_code: str | None) -> dict[str, Any]:
    """The table's values for what a person chose."""
    quiet = data.get("quiet_hours")
    return {
        "channels": sorted(set(data["channels"])),
        "quiet_start": dt.time.fromisoformat(quiet["start"]) if quiet else None,
        "quiet_end": dt.time.fromisoformat(quiet["end"]) if quiet else None,
        "email": data.get("email"), "locale": data["locale"],
        "nearby_demands": data["nearby_demands"], "region_code": region_code,
    }
