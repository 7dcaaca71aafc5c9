"""/api/v1/changes and /api/v1/webhooks (notify): what happened in a municipal system's
city, read in order with a cursor or pushed to its endpoints, signed."""
from notify.contracts import (
    CHANGE_READERS,
    ChangePage,
    ChangesQuery,
    WebhookCreated,
    WebhookDeleted,
    WebhookIn,
    WebhookList,
)

from ..routing import route


class ChangeRoutes:
    @route("GET", "/api/v1/changes",
           summary="变更流 The municipal system's city's changes (demands, service records, "
                   "credits, people) in commit order: pass next_cursor as cursor to go on; "
                   "410 cursor_expired past retention (30 days)",
           tags=["changes"], query=ChangesQuery, response=ChangePage, roles=CHANGE_READERS)
    def changes(self, request, caller, query):
        return self.notify.changes(caller, query)

    @route("GET", "/api/v1/webhooks",
           summary="回调地址 The municipal system's webhook endpoints (never their secrets)",
           tags=["changes"], response=WebhookList, roles=CHANGE_READERS)
    def webhooks(self, request, caller):
        return self.notify.webhooks(caller)

    @route("POST", "/api/v1/webhooks",
           summary="登记回调地址 Register an https endpoint: every change of the city is "
                   "POSTed to it signed (Timebank-Signature: t=<unix>,v1=<HMAC-SHA256 hex of "
                   "t.body>); the secret is shown in this answer only",
           tags=["changes"], body=WebhookIn, response=WebhookCreated, status=201,
           roles=CHANGE_READERS, idempotent=True)
    def create_webhook(self, request, caller, body, idempotency_key):
        return self.notify.create_webhook(caller, body, idempotency_key=idempotency_key)

    @route("DELETE", "/api/v1/webhooks/<webhook_id>",
           summary="删除回调地址 Stop sending to an endpoint (what it still owed is cancelled)",
           tags=["changes"], response=WebhookDeleted, roles=CHANGE_READERS)
    def delete_webhook(self, request, caller, webhook_id):
        return self.notify.delete_webhook(caller, webhook_id)
