"""/api/v1/inbox (notify)."""
from ..routing import route
from ..schemas import InboxQuery


class InboxRoutes:
    @route("GET", "/api/v1/inbox", summary="我的消息 My notifications", tags=["notify"], query=InboxQuery)
    def inbox(self, request, caller, query):
        return self.notify.inbox(caller, query)

    @route("POST", "/api/v1/inbox/<message_id>/read", summary="标为已读 Mark as read", tags=["notify"])
    def mark_read(self, request, caller, message_id):
        return self.notify.mark_read(caller, message_id)
