"""/api/v1/operators (staff grants, delegation only downward) and /api/v1/api-clients
(municipal systems) — identity."""
from identity.contracts import (
    CLIENT_MANAGERS,
    CLIENT_READERS,
    SUPERVISORS,
    ApiClientList,
    ApiClientListSchema,
    ApiClientOut,
    ApiClientWithSecret,
    CreateApiClientSchema,
    CreateOperatorSchema,
    OperatorCreated,
    OperatorListSchema,
    OperatorPage,
    OperatorRevoked,
    RevokeSchema,
    RotateApiClientSchema,
    UpdateApiClientSchema,
)
from timebank_common.caller import ADMIN_ROLES

from ..routing import route


class OperatorRoutes:
    @route("GET", "/api/v1/operators", summary="工作人员 Staff grants in your scope (admins, auditors)",
           tags=["operators"], query=OperatorListSchema, roles=SUPERVISORS,
           scoped=["region_code"],
           response=OperatorPage)
    def list_operators(self, request, caller, query):
        return self.identity.list_operators(caller, query)

    @route("POST", "/api/v1/operators",
           summary="设立工作人员 Grant a staff role below your own, inside your scope (admins)",
           tags=["operators"], body=CreateOperatorSchema, status=201, roles=ADMIN_ROLES,
           response=OperatorCreated, idempotent=True)
    def create_operator(self, request, caller, body, idempotency_key):
        return self.identity.create_operator(caller, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/operators/grants/<grant_id>/revoke",
           summary="撤销授权 Revoke a staff grant (an admin who could have granted it)",
           tags=["operators"], body=RevokeSchema, roles=ADMIN_ROLES,
           response=OperatorRevoked)
    def revoke_operator_grant(self, request, caller, grant_id, body):
        return self.identity.revoke_operator_grant(caller, grant_id, body["reason"])

    @route("GET", "/api/v1/api-clients",
           summary="市级系统 Municipal API clients in your scope (province/city admins, auditors)",
           tags=["api-clients"], query=ApiClientListSchema, roles=CLIENT_READERS,
           response=ApiClientList)
    def list_api_clients(self, request, caller, query):
        return self.identity.list_api_clients(caller, query)

    @route("POST", "/api/v1/api-clients",
           summary="接入市级系统 Create a municipal API client; its secret is shown only now",
           tags=["api-clients"], body=CreateApiClientSchema, status=201, roles=CLIENT_MANAGERS,
           scoped=["scope_code"], idempotent=True, response=ApiClientWithSecret)
    def create_api_client(self, request, caller, body, idempotency_key):
        return self.identity.create_api_client(caller, body, idempotency_key=idempotency_key)

    @route("PATCH", "/api/v1/api-clients/<client_id>",
           summary="市级系统权限 Set whether a municipal system may register volunteers "
                   "(the province's policy per client; elders it always may); audited",
           tags=["api-clients"], body=UpdateApiClientSchema, response=ApiClientOut,
           roles=CLIENT_MANAGERS)
    def update_api_client(self, request, caller, client_id, body):
        return self.identity.update_api_client(caller, client_id, body)

    @route("POST", "/api/v1/api-clients/<client_id>/rotate",
           summary="更换密钥 Rotate the secret: a new one (shown only now); the old one stays "
                   "valid until previous_secret_valid_until (default 7 days, at most 30)",
           tags=["api-clients"], body=RotateApiClientSchema, roles=CLIENT_MANAGERS,
           response=ApiClientWithSecret)
    def rotate_api_client_secret(self, request, caller, client_id, body):
        return self.identity.rotate_api_client_secret(caller, client_id, body)

    @route("POST", "/api/v1/api-clients/<client_id>/end-previous-secret",
           summary="停用旧密钥 End the secret the last rotation replaced, now (before its end)",
           tags=["api-clients"], roles=CLIENT_MANAGERS, response=ApiClientOut)
    def end_previous_api_client_secret(self, request, caller, client_id):
        return self.identity.end_previous_api_client_secret(caller, client_id)

    @route("POST", "/api/v1/api-clients/<client_id>/revoke",
           summary="撤销市级系统 Revoke a municipal API client: no more tokens",
           tags=["api-clients"], body=RevokeSchema, roles=CLIENT_MANAGERS,
           response=ApiClientOut)
    def revoke_api_client(self, request, caller, client_id, body):
        return self.identity.revoke_api_client(caller, client_id, body["reason"])
