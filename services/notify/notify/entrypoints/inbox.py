"""RPC: a person's inbox and read marks."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc

from ..app import inbox
from ..contracts import InboxPage, InboxQuery, MessageView
from .base import NotifyEntrypoints, defaults_of


class InboxEntrypoints(NotifyEntrypoints):
    @rpc(args={"query": InboxQuery}, returns=InboxPage)
    def inbox(self, caller, query=None) -> dict[str, Any]:
        """The caller's own messages, newest first, with how each went out."""
        page = inbox.list_inbox(self.db, caller, query or defaults_of(InboxQuery))
        view = MessageView()
        return {**page, "items": [view.dump(item) for item in page["items"]]}

    @rpc(returns=MessageView)
    def mark_read(self, caller, message_id) -> dict[str, Any]:
        """Mark one of the caller's messages read (idempotent)."""
        return MessageView().dump(inbox.mark_read(self.db, caller, message_id))
