"""The province's first administrator (首位省级管理员), made once on a new platform:

    python -m identity.commands.bootstrap_admin --phone 13900000001 --name 张三 \
        --id-number 130102198001011234 [--region-code 130000000000] [--config deploy/config/identity.yaml]

The person (a new one, or the existing person with that ID number) receives the
``province_admin`` grant over the province (scope ``130000000000``) and a login by mobile number
with a random one-time password, printed once on standard output and never logged nor stored
but as its hash. The login must change it at first use: until then the gateway refuses every
request but changing the password and logging out (403 ``password_change_required``). The
shipped division tree (province to counties) is loaded too, as the first admin needs it.

Refused (exit status 2) when a province admin already exists. ``--reset-password`` instead
gives an existing province admin (by ``--phone``) a new one-time password and ends every login
of theirs (refresh tokens, access tokens): the way back in when the first admin's password is
lost. Every run is written to the audit log (actor ``service:bootstrap_admin``) and the grant
announced with ``operator_granted``, as an admin's ``create_operator`` would.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any

from timebank_common.caller import SYSTEM_ROLE, Caller, system_caller
from timebank_common.clock import china_date, clock_from_config
from timebank_common.db import UnitOfWorkFactory, units_of_work
from timebank_common.errors import DomainError

from ..adapters import credentials, grants, login_failures, personal_data, persons
from ..adapters import refresh_tokens as tokens
from ..adapters.hashing import hash_password
from ..adapters.hebei_regions import load_hebei
from ..app import audit, registration
from ..app.revocation import revoke_tokens
from ..app.views import operator_view
from ..contracts import OPERATOR_GRANTED
from ..domain.masking import mask_phone
from ..domain.passwords import one_time_password
from ..domain.phones import is_mobile

PROVINCE = "130000000000"
ROLE = "province_admin"
REFUSED = 2  # the exit status of a refusal (as argparse's for bad arguments)

# the actor of the audit entries: the command, run by whoever operates the platform
BOOTSTRAP = Caller.from_dict({**system_caller("bootstrap_admin"), "scope": PROVINCE})
assert BOOTSTRAP.roles == (SYSTEM_ROLE,)


class Refused(Exception):
    """Why the command did nothing (Chinese, then English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh}\n{en}")
        self.zh, self.en = zh, en


def _one_time_password(person: dict[str, Any]) -> str:
    return one_time_password(phone=person.get("phone"), birth_date=person.get("birth_date"))


def create_first_admin(db: UnitOfWorkFactory, *, phone: str, name: str, id_number: str,
                       region_code: str = PROVINCE, now: dt.datetime) -> dict[str, Any]:
    """The first province admin and their one-time password (``password``, returned only)."""
    if not is_mobile(phone):
        raise Refused(f"手机号码格式不正确：{phone}", f"Not a mainland mobile number: {phone}")
    with db() as uow:
        # two runs at once: the second waits, then sees the first one's admin
        persons.lock_key(uow, "role", ROLE)
        if grants.active_holders(uow, ROLE):
            raise Refused(
                "已存在省级管理员，未做任何更改。找回密码：加 --reset-password 并给出该管理员的手机号；"
                "其他管理员请由省级管理员在平台上创建。",
                "A province admin already exists; nothing was changed. To recover their "
                "password, add --reset-password with that admin's phone number; further admins "
                "are created by a province admin on the platform.")
        load_hebei(uow)  # the shipped division tree: the province down to its counties
        registration.require_region(uow, region_code)
        resident = registration.parse_id_number(id_number, china_date(now))
        person = registration.person_for(
            uow, BOOTSTRAP, {"name": name, "phone": phone, "address": None,
                             "region_code": region_code},
            resident, "operator", lambda _uow, _person_id: False)
        grant = grants.insert_grant(uow, person["id"], ROLE, PROVINCE, None, None)
        assert grant is not None  # nobody held the role (locked above)
        password = _one_time_password(person)
        if not registration.give_login(uow, person, password, must_change_password=True):
            # the person already had a login (as a volunteer, say): the one-time password
            # replaces it, so the printed password is the one that works
            credentials.set_password_hash(uow, person["id"], hash_password(password),
                                          must_change_password=True)
            tokens.revoke_all_refresh_tokens(uow, person["id"], "password_changed")
            revoke_tokens(uow, now, person_id=person["id"], reason="password_changed")
        uow.emit(OPERATOR_GRANTED, {
            "grant_id": str(grant["id"]), "person_id": str(person["id"]), "role": ROLE,
            "scope_code": PROVINCE, "carrier_id": None, "granted_by": None}, PROVINCE)
        view = {**operator_view(grant, person), "login": "one_time_password"}
        audit.record(uow, BOOTSTRAP, "bootstrap_admin", "role_grant", grant["id"], PROVINCE,
                     after=view)
        uow.commit()
    return {**view, "password": password}


def reset_admin_password(db: UnitOfWorkFactory, *, phone: str,
                         now: dt.datetime) -> dict[str, Any]:
    """A new one-time password for the province admin whose login is ``phone``; every login
    of theirs ends (refresh tokens and access tokens)."""
    with db() as uow:
        creds = credentials.credentials_by_phone(uow, phone)
        if creds is None or creds["person_id"] not in grants.active_holders(uow, ROLE):
            raise Refused(f"手机号 {phone} 不是省级管理员的登录账号，未做任何更改。",
                          f"{phone} is not the login of a province admin; nothing was changed.")
        person_id = creds["person_id"]
        person = persons.get_person(uow, person_id)
        assert person is not None
        password = _one_time_password({**person, "phone": person["phone"] or phone})
        credentials.set_password_hash(uow, person_id, hash_password(password),
                                      must_change_password=True)
        login_failures.forget_failures(uow, person_id)  # a locked account opens again
        ended = tokens.revoke_all_refresh_tokens(uow, person_id, "password_changed")
        revoke_tokens(uow, now, person_id=person_id, reason="password_changed")
        view = {"person_id": str(person_id), "name": person["name"],
                "phone_masked": mask_phone(phone), "role": ROLE, "scope_code": PROVINCE,
                "login": "one_time_password", "refresh_tokens_revoked": ended}
        audit.record(uow, BOOTSTRAP, "bootstrap_admin_reset_password", "person", person_id,
                     PROVINCE, after=view)
        uow.commit()
    return {**view, "password": password}


def _print_password(headline: str, answer: dict[str, Any]) -> None:
    """The one place the password is shown: standard output, once (never a log)."""
    print(headline)
    print(f"  姓名 name: {answer['name']}   手机 phone: {answer['phone_masked']}   "
          f"角色 role: {ROLE} ({PROVINCE})")
    print(f"  一次性密码 one-time password: {answer['password']}")
    print("  首次登录后须立即修改此密码（POST /api/v1/auth/password），之前其他操作一律被拒绝；"
          "此密码只显示这一次，不会记录在任何日志中。")
    print("  It must be changed at first login (POST /api/v1/auth/password); until then every "
          "other request is refused. It is shown only this once and is not logged anywhere.")


def main(argv: Sequence[str] | None = None) -> int:
    from timebank_common import config as config_mod
    from timebank_common.migrations import require_head

    parser = argparse.ArgumentParser(
        description="创建首位省级管理员并打印一次性密码 Create the province's first admin and "
                    "print a one-time password")
    parser.add_argument("--phone", required=True, help="登录手机号 the login's mobile number")
    parser.add_argument("--name", help="姓名 name (required to create)")
    parser.add_argument("--id-number", help="居民身份证号码 ID number (required to create)")
    parser.add_argument("--region-code", default=PROVINCE,
                        help="居住地区划代码 home region (default: the province)")
    parser.add_argument("--reset-password", action="store_true",
                        help="为该手机号的省级管理员重置一次性密码 give the province admin with this "
                             "phone a new one-time password")
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    if not args.reset_password and not (args.name and args.id_number):
        parser.error("创建时须给出 --name 和 --id-number / --name and --id-number are required "
                     "to create the admin")
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    require_head("identity", url)  # migrated by the owner role, not by this command
    personal_data.configure(cfg)  # the key file the service uses
    now = clock_from_config(cfg).now()  # the platform's (CLOCK_FILE), as the service
    try:
        with units_of_work(url) as db:
            if args.reset_password:
                answer = reset_admin_password(db, phone=args.phone, now=now)
                _print_password("省级管理员密码已重置，其所有登录已结束 Province admin's password "
                                "reset; every login of theirs has ended", answer)
            else:
                answer = create_first_admin(db, phone=args.phone, name=args.name,
                                            id_number=args.id_number,
                                            region_code=args.region_code, now=now)
                _print_password("省级管理员已创建 Province admin created", answer)
    except Refused as exc:
        print(f"拒绝 refused: {exc.zh}\n{exc.en}", file=sys.stderr)
        return REFUSED
    except DomainError as exc:  # the ID number, the phone's holder... as the API would refuse
        print(f"拒绝 refused ({exc.code}): {exc.zh}\n{exc.en}"
              + (f"\n{exc.details}" if exc.details else ""), file=sys.stderr)
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
