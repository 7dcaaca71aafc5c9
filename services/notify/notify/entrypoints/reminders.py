"""The reminder timer: reminders that fell due become messages."""
from __future__ import annotations

from timebank_common.service import scheduled

from ..app import reminders
from .base import NotifyEntrypoints


class ReminderEntrypoints(NotifyEntrypoints):
    @scheduled("REMINDER_POLL_SECONDS", 10)
    def send_reminders(self) -> None:
        reminders.fire_due(self.db, self.identity_service().names, self.clock)
