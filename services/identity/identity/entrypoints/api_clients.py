"""Municipal API clients (市级业务系统): created, listed, rotated and revoked by province and
city admins."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc

from ..app import api_clients
from ..contracts import (
    REASON,
    ApiClientList,
    ApiClientListSchema,
    ApiClientOut,
    ApiClientWithSecret,
    CreateApiClientSchema,
    RotateApiClientSchema,
    UpdateApiClientSchema,
)
from .arguments import or_defaults


class ApiClientEntrypoints:
    @rpc(args={"data": CreateApiClientSchema}, returns=ApiClientWithSecret, idempotent=True)
    def create_api_client(self, caller, data):
        """A client scoped to a city-level unit; its secret is in this answer only."""
        return api_clients.create_api_client(self.db, caller, data)

    @rpc(args={"query": ApiClientListSchema}, returns=ApiClientList)
    def list_api_clients(self, caller, query=None):
        """The clients in the caller's scope (province and city admins, auditors)."""
        return api_clients.list_api_clients(self.db, caller,
                                            or_defaults(query, ApiClientListSchema))

    @rpc(args={"data": RotateApiClientSchema}, returns=ApiClientWithSecret)
    def rotate_api_client_secret(self, caller, client_id, data=None):
        """A new secret (in this answer only); the old one stays valid until
        ``previous_secret_valid_until`` (default 7 days, at most 30), then stops working."""
        return api_clients.rotate_api_client_secret(
            self.db, caller, client_id, or_defaults(data, RotateApiClientSchema),
            self.clock.now())

    @rpc(returns=ApiClientOut)
    def end_previous_api_client_secret(self, caller, client_id):
        """The secret the last rotation replaced stops working now, before its end."""
        return api_clients.end_previous_secret(self.db, caller, client_id, self.clock.now())

    @rpc(args={"data": UpdateApiClientSchema}, returns=ApiClientOut)
    def update_api_client(self, caller, client_id, data):
        """Whether the client may register volunteers (the province's policy per client)."""
        return api_clients.update_api_client(self.db, caller, client_id, data)

    @rpc(args={"reason": fields.Str(required=True, validate=REASON)}, returns=ApiClientOut)
    def revoke_api_client(self, caller, client_id, reason):
        """No more tokens for the client; those issued are refused by the gateway."""
        return api_clients.revoke_api_client(self.db, caller, client_id, reason,
                                             self.clock.now())
