"""Logging in: phone + password (with lockout), refresh-token rotation, logout, password
change, client credentials, ``me``.

Each login starts a session (``session_id``, the ``sid`` claim of its access tokens, kept
by every refresh of that login), so logging out can end exactly that login.
"""
from __future__ import annotations

import datetime as dt
import uuid

from timebank_common import metrics
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, Locked, RuleViolation, Unauthenticated
from timebank_common.tokens import issue_access_token

from . import auth_repository as auth_repo
from . import proxy_repository as prepo
from . import repository as repo
from .domain import lockout
from .domain.access import caller_claims
from .domain.masking import mask_phone
from .domain.passwords import password_problems
from .revocation import revoke_tokens
from .secrets_hashing import hash_password, new_refresh_token, token_digest, verify_password
from .signing import Signer


def wrong_login() -> Unauthenticated:
    # one message for an unknown phone and a wrong password: no way to probe accounts
    return Unauthenticated("invalid_credentials", "手机号或密码错误",
                           "Wrong phone number or password")


def refresh_refused() -> Unauthenticated:
    return Unauthenticated("refresh_token_invalid", "登录已失效，请重新登录",
                           "The refresh token is not valid; please log in again")


def account_locked(state: lockout.Failures, now: dt.datetime) -> Locked:
    zh, en, details = lockout.locked_message(state, now)
    return Locked("account_locked", zh, en, details)


def weak_password(problems: list[dict], field: str) -> RuleViolation:
    return RuleViolation("weak_password", "密码不符合要求：" + "；".join(p["zh"] for p in problems),
                         "The password is not acceptable: " + "; ".join(p["en"] for p in problems),
                         {"field": field, "reasons": problems})


def check_new_password(password: str, person: dict, field: str,
                       current_password: str | None = None) -> None:
    """Refuse (422 ``weak_password``, every reason listed) a password that breaks the rules."""
    problems = password_problems(password, phone=person.get("phone"),
                                 birth_date=person.get("birth_date"),
                                 current_password=current_password)
    if problems:
        raise weak_password(problems, field)


def issue_tokens(uow, signer: Signer, person: dict, now: dt.datetime, session_id=None) -> dict:
    """A new access token and refresh token of ``session_id`` (a new session when None)."""
    session_id = session_id or uuid.uuid4()
    claims = caller_claims(person, repo.grants_of(uow, person["id"]),
                           prepo.acts_for_anyone(uow, person["id"]))
    caller = Caller.from_dict({**claims, "session_id": str(session_id)})
    refresh_token = new_refresh_token()
    repo.insert_refresh_token(uow, token_digest(refresh_token), person["id"],
                              now + dt.timedelta(seconds=signer.refresh_ttl), session_id)
    return {
        "access_token": issue_access_token(signer.private_key, caller, signer.access_ttl, now),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": signer.access_ttl,
    }


def _count_failure(uow, person_id, now: dt.datetime, policy: lockout.LockoutPolicy):
    """Record one more wrong password, committed even though the caller then raises."""
    state = auth_repo.lock_failures_row(uow, person_id)
    if lockout.is_locked(state, now):  # locked meanwhile by a concurrent attempt
        uow.commit()
        metrics.LOGIN_ATTEMPTS.labels("locked").inc()
        return account_locked(state, now)
    state = lockout.after_failure(state, now, policy)
    auth_repo.save_failures(uow, person_id, state)
    uow.commit()
    metrics.LOGIN_ATTEMPTS.labels("wrong").inc()
    return account_locked(state, now) if lockout.is_locked(state, now) else None


def authenticate(uow, signer: Signer, phone: str, password: str, now: dt.datetime,
                 policy: lockout.LockoutPolicy | None = None) -> dict:
    """Tokens of a new session. An unknown phone and a wrong password are refused alike
    (``invalid_credentials``, same time); a locked account with ``account_locked``."""
    policy = policy or lockout.LockoutPolicy()
    creds = repo.credentials_by_phone(uow, phone)
    right = verify_password(creds["password_hash"] if creds else None, password)
    if creds is None:
        metrics.LOGIN_ATTEMPTS.labels("wrong").inc()
        raise wrong_login()
    person_id = creds["person_id"]
    state = auth_repo.failures_of(uow, person_id)
    if lockout.is_locked(state, now):
        metrics.LOGIN_ATTEMPTS.labels("locked").inc()
        raise account_locked(state, now)
    if not right:
        raise _count_failure(uow, person_id, now, policy) or wrong_login()
    if state is not None:
        auth_repo.forget_failures(uow, person_id)
    metrics.LOGIN_ATTEMPTS.labels("success").inc()
    return issue_tokens(uow, signer, repo.get_person(uow, person_id), now)


def refresh(uow, signer: Signer, refresh_token: str, now: dt.datetime) -> dict:
    """Rotate: the presented token is revoked and a new pair of the same session issued.

    A token presented again after rotation means it leaked: every refresh token and
    access token of that person is revoked, so the thief and the owner both log in again.
    A token ended by logout or a password change is simply refused.
    """
    row = repo.take_refresh_token(uow, token_digest(refresh_token or ""))
    if row is None or row["expires_at"] <= now:
        raise refresh_refused()
    if row["revoked_at"] is not None:
        if row["revoked_reason"] in (None, "rotated"):
            repo.revoke_all_refresh_tokens(uow, row["person_id"], "reused")
            revoke_tokens(uow, now, person_id=row["person_id"], reason="refresh_token_reused")
            uow.commit()
        raise refresh_refused()
    repo.revoke_refresh_token(uow, row["token_hash"], "rotated")
    return issue_tokens(uow, signer, repo.get_person(uow, row["person_id"]), now,
                        row["session_id"])


def _person_caller(caller: Caller) -> None:
    if not caller.person_id:
        raise Forbidden("person_login_required", "此操作仅适用于个人账号",
                        "Only a person's login can do this")


def logout(uow, caller: Caller, now: dt.datetime, refresh_token: str | None = None) -> dict:
    """End the caller's session: its refresh tokens and its access tokens. Without a
    session in the token (issued before sessions existed), the refresh token names it."""
    _person_caller(caller)
    session_id = caller.session_id
    if session_id is None and refresh_token:
        row = auth_repo.refresh_token_row(uow, token_digest(refresh_token))
        if row and str(row["person_id"]) == caller.person_id:
            session_id = row["session_id"]
            if session_id is None:
                repo.revoke_refresh_token(uow, row["token_hash"], "logout")
    if session_id is None:
        return {"logged_out": True, "session_id": None}
    auth_repo.revoke_session_refresh_tokens(uow, caller.person_id, repo.as_uuid(session_id),
                                            "logout")
    revoke_tokens(uow, now, session_id=session_id, reason="logout")
    return {"logged_out": True, "session_id": str(session_id)}


def logout_everywhere(uow, caller: Caller, now: dt.datetime) -> dict:
    """End every session of the caller (all refresh and access tokens up to now)."""
    _person_caller(caller)
    ended = repo.revoke_all_refresh_tokens(uow, caller.person_id, "logout_everywhere")
    revoke_tokens(uow, now, person_id=caller.person_id, reason="logout_everywhere")
    return {"logged_out": True, "refresh_tokens_revoked": ended}


def change_password(uow, caller: Caller, current_password: str, new_password: str,
                    now: dt.datetime, policy: lockout.LockoutPolicy | None = None) -> dict:
    """Check the current password (a wrong one counts towards the lockout), apply the
    password rules, store the new hash and end every session of the person."""
    _person_caller(caller)
    policy = policy or lockout.LockoutPolicy()
    creds = repo.credentials_of(uow, repo.as_uuid(caller.person_id))
    person = repo.get_person(uow, caller.person_id)
    if creds is None or person is None:
        raise Forbidden("no_password_login", "此账号没有登录密码",
                        "This account has no password login")
    state = auth_repo.failures_of(uow, creds["person_id"])
    if lockout.is_locked(state, now):
        raise account_locked(state, now)
    if not verify_password(creds["password_hash"], current_password):
        raise _count_failure(uow, creds["person_id"], now, policy) or Forbidden(
            "current_password_wrong", "当前密码不正确", "The current password is wrong")
    check_new_password(new_password, {**person, "phone": person["phone"] or creds["login_phone"]},
                       "new_password", current_password)
    auth_repo.set_password_hash(uow, creds["person_id"], hash_password(new_password))
    if state is not None:
        auth_repo.forget_failures(uow, creds["person_id"])
    ended = repo.revoke_all_refresh_tokens(uow, creds["person_id"], "password_changed")
    revoke_tokens(uow, now, person_id=creds["person_id"], reason="password_changed")
    return {"password_changed": True, "refresh_tokens_revoked": ended}


def client_token(uow, signer: Signer, client_id: str, client_secret: str, now: dt.datetime) -> dict:
    client = repo.get_api_client(uow, client_id or "")
    if not verify_password(client["secret_hash"] if client else None, client_secret or ""):
        raise Unauthenticated("invalid_client", "客户端标识或密钥错误",
                              "Wrong client id or client secret")
    if client["revoked_at"] is not None:  # told only to who holds the secret
        raise Unauthenticated("client_revoked", "该市级系统的接入已被撤销，请联系省、市管理员",
                              "This API client has been revoked; contact the province or city admin")
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
