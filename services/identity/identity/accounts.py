"""Logging in: phone + password, refresh-token rotation, client credentials, ``me``."""
from __future__ import annotations

import datetime as dt

from timebank_common.auth import Caller, issue_access_token
from timebank_common.errors import Unauthenticated

from . import proxy_repository as prepo
from . import repository as repo
from .domain.access import caller_claims
from .domain.masking import mask_phone
from .secrets_hashing import new_refresh_token, token_digest, verify_password
from .signing import Signer


def wrong_login() -> Unauthenticated:
    # one message for an unknown phone and a wrong password: no way to probe accounts
    return Unauthenticated("invalid_credentials", "手机号或密码错误",
                           "Wrong phone number or password")


def refresh_refused() -> Unauthenticated:
    return Unauthenticated("refresh_token_invalid", "登录已失效，请重新登录",
                           "The refresh token is not valid; please log in again")


def issue_tokens(uow, signer: Signer, person: dict, now: dt.datetime) -> dict:
    caller = Caller.from_dict(caller_claims(person, repo.grants_of(uow, person["id"]),
                                            prepo.acts_for_anyone(uow, person["id"])))
    refresh_token = new_refresh_token()
    repo.insert_refresh_token(uow, token_digest(refresh_token), person["id"],
                              now + dt.timedelta(seconds=signer.refresh_ttl))
    return {
        "access_token": issue_access_token(signer.private_key, caller, signer.access_ttl, now),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": signer.access_ttl,
    }


def authenticate(uow, signer: Signer, phone: str, password: str, now: dt.datetime) -> dict:
    creds = repo.credentials_by_phone(uow, phone)
    if not verify_password(creds["password_hash"] if creds else None, password):
        raise wrong_login()
    return issue_tokens(uow, signer, repo.get_person(uow, creds["person_id"]), now)


def refresh(uow, signer: Signer, refresh_token: str, now: dt.datetime) -> dict:
    """Rotate: the presented token is revoked and a new pair issued.

    A token presented again after rotation means it leaked: every refresh token
    of that person is revoked, so the thief and the owner both log in again.
    """
    row = repo.take_refresh_token(uow, token_digest(refresh_token or ""))
    if row is None or row["expires_at"] <= now:
        raise refresh_refused()
    if row["revoked_at"] is not None:
        repo.revoke_all_refresh_tokens(uow, row["person_id"])
        uow.commit()
        raise refresh_refused()
    repo.revoke_refresh_token(uow, row["token_hash"])
    return issue_tokens(uow, signer, repo.get_person(uow, row["person_id"]), now)


def client_token(uow, signer: Signer, client_id: str, client_secret: str, now: dt.datetime) -> dict:
    client = repo.get_api_client(uow, client_id or "")
    if not verify_password(client["secret_hash"] if client else None, client_secret or ""):
        raise Unauthenticated("invalid_client", "客户端标识或密钥错误",
                              "Wrong client id or client secret")
    caller = Caller(person_id=None, roles=("api_client",), scope=client["scope_code"],
                    client_id=client["client_id"], name=client["name"])
    return {
        "access_token": issue_access_token(signer.private_key, caller, signer.access_ttl, now),
        "token_type": "Bearer",
        "expires_in": signer.access_ttl,
    }


def me(uow, caller: Caller) -> dict:
    person = repo.get_person(uow, caller.person_id) if caller.person_id else None
    if caller.person_id and person is None:
        raise Unauthenticated("person_unknown", "账号不存在，请重新登录",
                              "This account no longer exists; please log in again")
    return {
        "person_id": caller.person_id,
        "name": person["name"] if person else caller.name,
        "roles": list(caller.roles),
        "scope": caller.scope,
        "carrier_id": caller.carrier_id,
        "phone_masked": mask_phone(person["phone"]) if person else None,
    }
