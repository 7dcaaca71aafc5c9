"""Volunteers' matching preferences: home, service radius, weekly hours."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import preferences
from ..contracts import PreferencesOut, PreferencesSchema
from .dependencies import Dependencies


class Preferences(Dependencies):
    @rpc(args={"data": PreferencesSchema}, returns=PreferencesOut)
    def set_preferences(self, caller: Caller, volunteer_id: str, data: dict[str, Any]
                        ) -> dict[str, Any]:
        """Set where and when a volunteer helps: the volunteer, or station staff whose scope
        covers the volunteer (404 ``volunteer_not_found`` for one outside it, as for an id
        nobody has)."""
        saved = preferences.set_preferences(self.db, self.identity_client(), caller,
                                            volunteer_id, data, self.clock.now())
        dumped: dict[str, Any] = PreferencesOut().dump(saved)
        return dumped

    @rpc(returns=PreferencesOut)
    def get_preferences(self, caller: Caller, volunteer_id: str) -> dict[str, Any]:
        """Where and when a volunteer helps: the volunteer, or staff whose scope covers the
        volunteer (404 ``volunteer_not_found`` otherwise, as for an id nobody has); 404
        ``preferences_not_set``."""
        dumped: dict[str, Any] = PreferencesOut().dump(preferences.get_preferences(
            self.db, self.identity_client(), caller, volunteer_id))
        return dumped
