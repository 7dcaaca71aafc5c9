"""Logging in: phone + password (with lockout), refresh-token rotation, logout, password
change, client credentials, ``me``.

Each login starts a session (``session_id``, the ``sid`` claim of its access tokens, kept
by every refresh of that login), so logging out can end exactly that login.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from timebank_common import metrics
from timebank_common.caller import Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import Forbidden, Locked, RuleViolation, Unauthenticated
from timebank_common.tokens import issue_access_token

from ..adapters import api_clients, credentials, grants, login_failures, persons
from ..adapters import proxies as proxy_rows
from ..adapters import refresh_tokens as tokens
from ..adapters.hashing import hash_password, new_refresh_token, token_digest, verify_password
from ..adapters.rows import as_uuid
from ..adapters.signing import Signer
from ..domain import lockout
from ..domain.access import caller_claims
from ..domain.masking import mask_phone
from ..domain.passwords import password_problems
from ..domain.standing import may_log_in
from .revocation import revoke_tokens


def wrong_login() -> Unauthenticated:
    # one message for an unknown phone and a wrong password: no way to probe accounts
    return Unauthenticated("invalid_credentials", "手机号或密码错误",
                           "Wrong phone number or password")


def refresh_refused() -> Unauthenticated:
    return Unauthenticated("refresh_token_invalid", "登录已失效，请重新登录",
                           "The refresh token is not valid; please log in again")


def account_inactive() -> Forbidden:
    """A person who left, withdrew or died (told only after the right password)."""
    return Forbidden("account_inactive", "该账号已停用（已离开、退出或已故），请联系服务站",
                     "This account is no longer active (left, withdrew or deceased); "
                     "please contact your station")


def account_locked(state: lockout.Failures, now: dt.datetime) -> Locked:
    zh, en, details = lockout.locked_message(state, now)
    return Locked("account_locked", zh, en, details)


def weak_password(problems: list[dict[str, str]], field: str) -> RuleViolation:
    return RuleViolation("weak_password", "密码不符合要求：" + "；".join(p["zh"] for p in problems),
                         "The password is not acceptable: " + "; ".join(p["en"] for p in problems),
                         {"field": field, "reasons": problems})


def check_new_password(password: str, person: Mapping[str, Any], field: str,
                       current_password: str | None = None) -> None:
    """Refuse (422 ``weak_password``, every reason listed) a password that breaks the rules."""
    problems = password_problems(password, phone=person.get("phone"),
                                 birth_date=person.get("birth_date"),
                                 current_password=current_password)
    if problems:
        raise weak_password(problems, field)


def issue_tokens(uow: UnitOfWork, signer: Signer, person: Mapping[str, Any], now: dt.datetime,
                 session_id: Any = None, creds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A new access token and refresh token of ``session_id`` (a new session when None).
    A login whose password must still be changed (``creds``, looked up when not given) gets
    tokens marked ``pwd_change``: good for nothing but changing it and logging out."""
    session_id = session_id or uuid.uuid4()
    creds = creds if creds is not None else credentials.credentials_of(uow, person["id"])
    claims = caller_claims(person, grants.grants_of(uow, person["id"]),
                           proxy_rows.acts_for_anyone(uow, person["id"]))
    caller = Caller.from_dict({**claims, "session_id": str(session_id),
                               "password_change_required":
                                   bool(creds and creds.get("must_change_password"))})
    refresh_token = new_refresh_token()
    tokens.insert_refresh_token(uow, token_digest(refresh_token), person["id"],
                                now + dt.timedelta(seconds=signer.refresh_ttl), session_id)
    return {
        "access_token": issue_access_token(signer.private_key, caller, signer.access_ttl, now,
                                           kid=signer.key_id),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": signer.access_ttl,
    }


def _count_failure(uow: UnitOfWork, person_id: Any, now: dt.datetime,
                   policy: lockout.LockoutPolicy) -> Locked | None:
    """Record one more wrong password, committed even though the caller then raises."""
    state = login_failures.lock_failures_row(uow, person_id)
    if lockout.is_locked(state, now):  # locked meanwhile by a concurrent attempt
        uow.commit()
        metrics.LOGIN_ATTEMPTS.labels("locked").inc()
        return account_locked(state, now)
    state = lockout.after_failure(state, now, policy)
    login_failures.save_failures(uow, person_id, state)
    uow.commit()
    metrics.LOGIN_ATTEMPTS.labels("wrong").inc()
    return account_locked(state, now) if lockout.is_locked(state, now) else None


def _person(uow: UnitOfWork, person_id: Any) -> dict[str, Any]:
    person = persons.get_person(uow, person_id)
    assert person is not None, "a login always belongs to a person"
    return person


def authenticate(db: UnitOfWorkFactory, signer: Signer, phone: str, password: str,
                 now: dt.datetime, policy: lockout.LockoutPolicy | None = None) -> dict[str, Any]:
    """Tokens of a new session. An unknown phone and a wrong password are refused alike
    (``invalid_credentials``, same time); a locked account with ``account_locked``."""
    policy = policy or lockout.LockoutPolicy()
    with db() as uow:
        creds = credentials.credentials_by_phone(uow, phone)
        right = verify_password(creds["password_hash"] if creds else None, password)
        if creds is None:
            metrics.LOGIN_ATTEMPTS.labels("wrong").inc()
            raise wrong_login()
        person_id = creds["person_id"]
        state = login_failures.failures_of(uow, person_id)
        if state is not None and lockout.is_locked(state, now):
            metrics.LOGIN_ATTEMPTS.labels("locked").inc()
            raise account_locked(state, now)
        if not right:
            raise _count_failure(uow, person_id, now, policy) or wrong_login()
        if state is not None:
            login_failures.forget_failures(uow, person_id)
        person = _person(uow, person_id)
        if not may_log_in(person.get("status")):
            metrics.LOGIN_ATTEMPTS.labels("inactive").inc()
            raise account_inactive()
        metrics.LOGIN_ATTEMPTS.labels("success").inc()
        issued = issue_tokens(uow, signer, person, now, creds=creds)
        uow.commit()
    return issued


def refresh(db: UnitOfWorkFactory, signer: Signer, refresh_token: str,
            now: dt.datetime) -> dict[str, Any]:
    """Rotate: the presented token is revoked and a new pair of the same session issued.

    A token presented again after rotation means it leaked: every refresh token and
    access token of that person is revoked, so the thief and the owner both log in again.
    A token ended by logout or a password change is simply refused.
    """
    with db() as uow:
        row = tokens.take_refresh_token(uow, token_digest(refresh_token or ""))
        if row is None or row["expires_at"] <= now:
            raise refresh_refused()
        if row["revoked_at"] is not None:
            if row["revoked_reason"] in (None, "rotated"):
                tokens.revoke_all_refresh_tokens(uow, row["person_id"], "reused")
                revoke_tokens(uow, now, person_id=row["person_id"], reason="refresh_token_reused")
                uow.commit()
            raise refresh_refused()
        person = _person(uow, row["person_id"])
        if not may_log_in(person.get("status")):
            raise refresh_refused()
        tokens.revoke_refresh_token(uow, row["token_hash"], "rotated")
        issued = issue_tokens(uow, signer, person, now, row["session_id"])
        uow.commit()
    return issued


def _person_caller(caller: Caller) -> str:
    if not caller.person_id:
        raise Forbidden("person_login_required", "此操作仅适用于个人账号",
                        "Only a person's login can do this")
    return caller.person_id


def logout(db: UnitOfWorkFactory, caller: Caller, now: dt.datetime,
           refresh_token: str | None = None) -> dict[str, Any]:
    """End the caller's session: its refresh tokens and its access tokens. Without a
    session in the token (issued before sessions existed), the refresh token names it."""
    person_id = _person_caller(caller)
    session_id: Any = caller.session_id
    with db() as uow:
        if session_id is None and refresh_token:
            row = tokens.refresh_token_row(uow, token_digest(refresh_token))
            if row and str(row["person_id"]) == person_id:
                session_id = row["session_id"]
                if session_id is None:
                    tokens.revoke_refresh_token(uow, row["token_hash"], "logout")
        if session_id is None:
            uow.commit()
            return {"logged_out": True, "session_id": None}
        tokens.revoke_session_refresh_tokens(uow, person_id, as_uuid(session_id), "logout")
        revoke_tokens(uow, now, session_id=session_id, reason="logout")
        uow.commit()
    return {"logged_out": True, "session_id": str(session_id)}


def logout_everywhere(db: UnitOfWorkFactory, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """End every session of the caller (all refresh and access tokens up to now)."""
    person_id = _person_caller(caller)
    with db() as uow:
        ended = tokens.revoke_all_refresh_tokens(uow, person_id, "logout_everywhere")
        revoke_tokens(uow, now, person_id=person_id, reason="logout_everywhere")
        uow.commit()
    return {"logged_out": True, "refresh_tokens_revoked": ended}


def change_password(db: UnitOfWorkFactory, caller: Caller, current_password: str,
                    new_password: str, now: dt.datetime,
                    policy: lockout.LockoutPolicy | None = None) -> dict[str, Any]:
    """Check the current password (a wrong one counts towards the lockout), apply the
    password rules, store the new hash and end every session of the person. A one-time
    password (``must_change_password``) is thereby changed: the person logs in again with
    the new one and may do everything their roles allow."""
    person_id = _person_caller(caller)
    policy = policy or lockout.LockoutPolicy()
    with db() as uow:
        creds = credentials.credentials_of(uow, as_uuid(person_id))
        person = persons.get_person(uow, person_id)
        if creds is None or person is None:
            raise Forbidden("no_password_login", "此账号没有登录密码",
                            "This account has no password login")
        state = login_failures.failures_of(uow, creds["person_id"])
        if state is not None and lockout.is_locked(state, now):
            raise account_locked(state, now)
        if not verify_password(creds["password_hash"], current_password):
            raise _count_failure(uow, creds["person_id"], now, policy) or Forbidden(
                "current_password_wrong", "当前密码不正确", "The current password is wrong")
        check_new_password(new_password,
                           {**person, "phone": person["phone"] or creds["login_phone"]},
                           "new_password", current_password)
        credentials.set_password_hash(uow, creds["person_id"], hash_password(new_password))
        if state is not None:
            login_failures.forget_failures(uow, creds["person_id"])
        ended = tokens.revoke_all_refresh_tokens(uow, creds["person_id"], "password_changed")
        revoke_tokens(uow, now, person_id=creds["person_id"], reason="password_changed")
        uow.commit()
    return {"password_changed": True, "refresh_tokens_revoked": ended}


def client_token(db: UnitOfWorkFactory, signer: Signer, client_id: str, client_secret: str,
                 now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        client = api_clients.get_api_client(uow, client_id or "")
    # the current secret, and during a rotation the previous one until its end
    hashes = api_clients.secrets_of(client).accepted_hashes(now) if client else [None]
    if not any(verify_password(h, client_secret or "") for h in hashes):
        raise Unauthenticated("invalid_client", "客户端标识或密钥错误",
                              "Wrong client id or client secret")
    assert client is not None  # verify_password refuses a missing hash
    if client["revoked_at"] is not None:  # told only to who holds the secret
        raise Unauthenticated("client_revoked", "该市级系统的接入已被撤销，请联系省、市管理员",
                              "This API client has been revoked; contact the province or city admin")
    caller = Caller(person_id=None, roles=("api_client",), scope=client["scope_code"],
                    client_id=client["client_id"], name=client["name"])
    return {
        "access_token": issue_access_token(signer.private_key, caller, signer.access_ttl, now,
                                           kid=signer.key_id),
        "token_type": "Bearer",
        "expires_in": signer.access_ttl,
    }


def me(db: UnitOfWorkFactory, caller: Caller) -> dict[str, Any]:
    with db() as uow:
        person = persons.get_person(uow, caller.person_id) if caller.person_id else None
    if caller.person_id and person is None:
        raise Unauthenticated("person_unknown", "账号不存在，请重新登录",
                              "This account no longer exists; please log in again")
    return {
        "person_id": caller.person_id,
        "client_id": caller.client_id,
        "name": person["name"] if person else caller.name,
        "roles": list(caller.roles),
        "scope": caller.scope,
        "carrier_id": caller.carrier_id,
        "phone_masked": mask_phone(person["phone"]) if person else None,
    }
