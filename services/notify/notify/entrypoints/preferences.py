"""RPC: notification preferences (one's own; staff for the elders they look after)."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc

from ..app import preferences
from ..contracts import PreferencesIn, PreferencesView
from .base import NotifyEntrypoints


class PreferencesEntrypoints(NotifyEntrypoints):
    @rpc(returns=PreferencesView)
    def preferences(self, caller, person_id=None) -> dict[str, Any]:
        """A person's channels, quiet hours, e-mail, locale and nearby-demand alerts (the
        role's defaults until they set them); another person's: their station or an
        admin with them in scope."""
        return preferences.show_preferences(self.db, caller, person_id,
                                            self.identity_service())

    @rpc(args={"data": PreferencesIn}, returns=PreferencesView)
    def set_preferences(self, caller, data, person_id=None) -> dict[str, Any]:
        """Save a person's preferences (the same people as ``preferences``)."""
        return preferences.set_preferences(self.db, caller, data, person_id,
                                           self.identity_service())
