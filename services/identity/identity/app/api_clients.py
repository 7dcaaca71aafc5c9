"""Municipal API clients (市级业务系统): client-credentials accounts scoped to a city-level unit.

Created and managed by a province_admin (any city of the province) or a city_admin (their
own city), ``domain.delegation.check_client_scope``. The secret is shown once, when the
client is created or its secret rotated, and stored only as its argon2 hash. A rotation keeps
the replaced secret valid until an end the admin gives (default 7 days, at most 30), so the
municipal system can switch when it is ready; the admin may end it earlier
(``end_previous_secret``). The rules: ``domain.client_secrets``. A revoked client is kept, and
refused a token (``client_revoked``).
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, NotFound

from ..adapters import api_clients, regions
from ..adapters.hashing import hash_password, new_client_secret
from ..adapters.rows import as_uuid
from ..contracts import CLIENT_MANAGERS, CLIENT_READERS
from ..domain import client_secrets
from ..domain.client_secrets import SecretRotationRefused
from ..domain.delegation import DelegationRefused, check_client_scope, manages
from . import audit
from .operators import granter_of
from .refusals import as_error
from .revocation import revoke_tokens
from .scope import listing_prefix
from .views import api_client_view


def _authorize(caller: Caller, scope_code: str) -> None:
    caller.require(*CLIENT_MANAGERS)
    try:
        check_client_scope(granter_of(caller), scope_code)
    except DelegationRefused as exc:
        raise as_error(exc, {"scope_code": scope_code, "your_scope": caller.scope}) from None


def _client(uow: UnitOfWork, caller: Caller, client_id: Any) -> dict[str, Any]:
    """The client, locked, once the caller may manage it."""
    caller.require(*CLIENT_MANAGERS)
    client = api_clients.get_api_client(uow, str(client_id or ""), lock=True)
    if client is None:
        raise NotFound("client_not_found", "未找到该市级系统", "No such API client",
                       {"client_id": client_id})
    _authorize(caller, client["scope_code"])
    return client


def create_api_client(db: UnitOfWorkFactory, caller: Caller,
                      data: Mapping[str, Any]) -> dict[str, Any]:
    _authorize(caller, data["scope_code"])
    with db() as uow:
        if regions.get_region(uow, data["scope_code"]) is None:
            raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                           {"scope_code": ["Unknown region code / 区划代码不存在"]})
        client_id = data.get("client_id") or f"c-{secrets.token_hex(8)}"
        secret = new_client_secret()
        client = api_clients.insert_api_client(
            uow, client_id=client_id, name=data["name"], secret_hash=hash_password(secret),
            scope_code=data["scope_code"], created_by=as_uuid(caller.person_id),
            may_register_volunteers=bool(data.get("may_register_volunteers")))
        if client is None:
            raise Conflict("client_id_in_use", "该客户端标识已被使用", "This client id is taken",
                           {"client_id": ["already in use / 已被使用"]})
        audit.record(uow, caller, "create_api_client", "api_client", client_id,
                     data["scope_code"], after=api_client_view(client))
        uow.commit()
    return {**api_client_view(client), "client_secret": secret}


def list_api_clients(db: UnitOfWorkFactory, caller: Caller,
                     query: Mapping[str, Any]) -> dict[str, Any]:
    caller.require(*CLIENT_READERS)
    prefix = listing_prefix(caller, query.get("region_code"))
    with db() as uow:
        found = api_clients.api_clients_under(uow, prefix)
    items = [api_client_view(c) for c in found if manages(caller.scope, c["scope_code"])]
    return {"items": items, "total": len(items)}


def rotate_api_client_secret(db: UnitOfWorkFactory, caller: Caller, client_id: Any,
                             data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A new secret (shown once); the one it replaces stays valid until
    ``data["previous_secret_valid_until"]`` (default: 7 days)."""
    with db() as uow:
        client = _client(uow, caller, client_id)
        if client["revoked_at"] is not None:
            raise Conflict("client_revoked", "该市级系统的接入已被撤销",
                           "This API client has been revoked",
                           {"client_id": client["client_id"]})
        secret = new_client_secret()
        try:
            rotated = client_secrets.rotate(api_clients.secrets_of(client), hash_password(secret),
                                            now, data.get("previous_secret_valid_until"))
        except SecretRotationRefused as exc:
            raise as_error(exc, _rotation_details(client)) from None
        client = api_clients.set_api_client_secrets(uow, client["client_id"], rotated, now)
        audit.record(uow, caller, "rotate_api_client_secret", "api_client",
                     client["client_id"], client["scope_code"], after=api_client_view(client))
        uow.commit()
    return {**api_client_view(client), "client_secret": secret}


def end_previous_secret(db: UnitOfWorkFactory, caller: Caller, client_id: Any,
                        now: dt.datetime) -> dict[str, Any]:
    """The secret the last rotation replaced stops working now (before its end)."""
    with db() as uow:
        client = _client(uow, caller, client_id)
        before = api_client_view(client)
        try:
            ended = client_secrets.end_previous(api_clients.secrets_of(client), now)
        except SecretRotationRefused as exc:
            raise as_error(exc, _rotation_details(client)) from None
        client = api_clients.set_api_client_secrets(uow, client["client_id"], ended)
        audit.record(uow, caller, "end_previous_api_client_secret", "api_client",
                     client["client_id"], client["scope_code"], before=before,
                     after=api_client_view(client))
        uow.commit()
    return api_client_view(client)


def _rotation_details(client: Mapping[str, Any]) -> dict[str, Any]:
    view = api_client_view(dict(client))
    return {"client_id": view["client_id"],
            "previous_secret_valid_until": view["previous_secret_valid_until"]}


def update_api_client(db: UnitOfWorkFactory, caller: Caller, client_id: Any,
                      data: Mapping[str, Any]) -> dict[str, Any]:
    """Set what the province's policy allows this client (``may_register_volunteers``);
    audited with before and after."""
    with db() as uow:
        client = _client(uow, caller, client_id)
        before = api_client_view(client)
        client = api_clients.set_api_client_flags(
            uow, client["client_id"], may_register_volunteers=data["may_register_volunteers"])
        audit.record(uow, caller, "update_api_client", "api_client", client["client_id"],
                     client["scope_code"], before=before, after=api_client_view(client))
        uow.commit()
    return api_client_view(client)


def revoke_api_client(db: UnitOfWorkFactory, caller: Caller, client_id: Any, reason: str,
                      now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        client = _client(uow, caller, client_id)
        if client["revoked_at"] is not None:
            raise Conflict("already_revoked", "该市级系统的接入已被撤销",
                           "This API client is already revoked",
                           {"client_id": client["client_id"]})
        before = api_client_view(client)
        client = api_clients.revoke_api_client(uow, client["client_id"],
                                               as_uuid(caller.person_id), reason)
        # its access tokens already issued: the gateway refuses them from now on
        revoke_tokens(uow, now, client_id=client["client_id"], reason="client_revoked")
        audit.record(uow, caller, "revoke_api_client", "api_client", client["client_id"],
                     client["scope_code"], before=before, after=api_client_view(client))
        uow.commit()
    return api_client_view(client)
