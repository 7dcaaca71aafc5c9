"""Demo data: Hebei's division tree to county level; in 石家庄 one township, one community
and its station with one login per role; in 唐山 a community, its station, a station
operator, an eligible volunteer and a relative (so 通存通兑 can be seen across two cities).
The demo relative is a verified direct relative (child) and proxy of the demo elder; the
唐山 relative is the demo volunteer's verified parent (a gift crosses cities).

    python -m identity.commands.demo [--config deploy/config/identity.yaml]

Idempotent: running it twice changes nothing the second time. Tests call
``load_demo(database_url)`` to get a station operator and the other accounts, and
``demo_id_number(birth, sequence)`` for valid ID numbers of their own.
"""
from __future__ import annotations

import argparse
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from timebank_common.db import UnitOfWork, make_engine

from ..adapters import api_clients, carriers, credentials, grants, personal_data, persons
from ..adapters import proxies as proxy_rows
from ..adapters import relatives as relative_rows
from ..adapters import volunteers as vrepo
from ..adapters.hashing import hash_password
from ..adapters.hebei_regions import load_hebei
from ..adapters.regions import load_regions
from ..contracts import (
    ELDER_PROXY_SET,
    PERSON_REGISTERED,
    RELATIVES_LINKED,
    VOLUNTEER_ELIGIBLE,
)
from ..domain.id_numbers import parse, with_check_character

DEMO_PASSWORD = "Demo@2026"
PROVINCE = "130000000000"
SHIJIAZHUANG = "130100000000"
CHANG_AN = "130102000000"
JIANBEI = "130102001000"
YUCAI = "130102001001"
STATION_ID = uuid.uuid5(uuid.NAMESPACE_URL, "timebank:demo:carrier:yucai")
STATION_NAME = "长安区建北街道育才社区养老服务站"

STATION_KIND = "social_work_station"  # 社会工作服务站

TANGSHAN = "130200000000"
LUBEI = "130203000000"
QIAOTUN = "130203001000"
QIAOTUN_COMMUNITY = "130203001001"
TANGSHAN_STATION_ID = uuid.uuid5(uuid.NAMESPACE_URL, "timebank:demo:carrier:qiaotun")
TANGSHAN_STATION_NAME = "路北区乔屯街道乔屯社区养老服务站"

# the shipped tree (regions_data) ends at county level; the demo adds its stations' places
DEMO_REGIONS = [
    {"code": JIANBEI, "name": "建北街道", "level": "township", "parent_code": CHANG_AN},
    {"code": YUCAI, "name": "育才社区居委会", "level": "community", "parent_code": JIANBEI},
    {"code": QIAOTUN, "name": "乔屯街道", "level": "township", "parent_code": LUBEI},
    {"code": QIAOTUN_COMMUNITY, "name": "乔屯社区居委会", "level": "community",
     "parent_code": QIAOTUN},
]

# role, name, phone, birth date (YYYYMMDD), sequence (odd = male), home region, grant scope
_PEOPLE = [
    ("province_admin", "赵建国", "13800000001", "19750315", "011", "130100000000", PROVINCE),
    ("city_admin", "钱丽华", "13800000002", "19800622", "022", "130102000000", SHIJIAZHUANG),
    ("county_admin", "孙志强", "13800000003", "19821109", "031", "130102000000", CHANG_AN),
    ("township_admin", "李秀梅", "13800000004", "19850407", "042", JIANBEI, JIANBEI),
    ("station_operator", "周晓燕", "13800000005", "19900918", "052", YUCAI, JIANBEI),
    ("auditor", "吴振华", "13800000006", "19780201", "061", "130100000000", PROVINCE),
    ("volunteer", "郑浩然", "13800000007", "19910512", "071", YUCAI, YUCAI),
    ("elder", "王桂兰", "13800000008", "19480308", "082", YUCAI, YUCAI),
    ("relative", "王志刚", "13800000009", "19760720", "091", YUCAI, YUCAI),
]
# 唐山: role, name, phone, birth date, sequence, home region, grant scope (ID numbers of 路北区)
_TANGSHAN_PEOPLE = [
    ("station_operator", "唐丽娜", "13800000010", "19880816", "102", QIAOTUN_COMMUNITY, QIAOTUN),
    ("volunteer", "冯海涛", "13800000011", "19930321", "111", QIAOTUN_COMMUNITY,
     QIAOTUN_COMMUNITY),
    ("relative", "郑秀英", "13800000012", "19650912", "122", QIAOTUN_COMMUNITY,
     QIAOTUN_COMMUNITY),
]
DEMO_VOLUNTEER_NUMBER = "V1301020001"
TANGSHAN_VOLUNTEER_NUMBER = "V1302030001"
# the demo volunteer is eligible: verified in the national registry, screened, healthy, trained
DEMO_VOLUNTEER_FACTS = {"registry_status": "verified", "registry_note": "demo",
                        "screening": "clear", "screening_note": "demo",
                        "health_declared_at": dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
                        "health_note": "demo"}
DEMO_TRAINING_HOURS = 8

DEMO_ACCOUNTS = [
    {"role": role, "name": name, "phone": phone, "password": DEMO_PASSWORD, "city": "石家庄"}
    for role, name, phone, *_ in _PEOPLE
]
"""One login per role, in 石家庄 (tests pick a role's login here)."""
TANGSHAN_ACCOUNTS = [
    {"role": role, "name": name, "phone": phone, "password": DEMO_PASSWORD, "city": "唐山"}
    for role, name, phone, *_ in _TANGSHAN_PEOPLE
]
"""The 唐山 logins: a station operator, an eligible volunteer, a relative."""
DEMO_LOGINS = [*DEMO_ACCOUNTS, *TANGSHAN_ACCOUNTS]
"""Every demo login, as printed."""
DEMO_API_CLIENT = {"client_id": "sjz-civil-affairs", "client_secret": "demo-secret-2026",
                   "name": "石家庄市民政局业务系统", "scope": SHIJIAZHUANG}


def demo_id_number(birth: str, sequence: str) -> str:
    """A valid ID number registered in 长安区 (address code 130102): born ``birth``
    (YYYYMMDD), with the 3-digit ``sequence`` (odd: male)."""
    return with_check_character(f"130102{birth}{sequence}")


@dataclass(frozen=True)
class _Place:
    """Where a group of demo people lives: their station, address and ID-number area."""
    station_id: uuid.UUID
    station_name: str
    address: str
    address_code: str
    volunteer_number: str


SHIJIAZHUANG_PLACE = _Place(STATION_ID, STATION_NAME, "石家庄市长安区建北街道育才街", "130102",
                            DEMO_VOLUNTEER_NUMBER)
TANGSHAN_PLACE = _Place(TANGSHAN_STATION_ID, TANGSHAN_STATION_NAME, "唐山市路北区乔屯街道乔屯里",
                        "130203", TANGSHAN_VOLUNTEER_NUMBER)


def _load_person(uow: UnitOfWork, place: _Place, role: str, name: str, phone: str, birth: str,
                 sequence: str, region: str, scope: str) -> tuple[dict[str, Any], bool]:
    resident = parse(with_check_character(f"{place.address_code}{birth}{sequence}"))
    person = persons.find_person_by_id_number(uow, resident.number)
    created = person is None
    if person is None:
        person = persons.insert_person(uow, name=name, id_number=resident.number,
                                       sex=resident.sex, birth_date=resident.birth_date,
                                       phone=phone, address=place.address, region_code=region)
    if credentials.credentials_of(uow, person["id"]) is None:
        credentials.insert_credentials(uow, person["id"], phone, hash_password(DEMO_PASSWORD))
    carrier = place.station_id if role == "station_operator" else None
    grants.add_grant(uow, person["id"], role, scope, carrier_id=carrier)
    return person, created


def _load_profiles(uow: UnitOfWork, place: _Place, role: str, person: dict[str, Any]) -> None:
    region = person["region_code"]
    if role == "volunteer" and vrepo.get_volunteer_profile(uow, person["id"]) is None:
        vrepo.insert_volunteer_profile(uow, person_id=person["id"],
                                       volunteer_number=place.volunteer_number,
                                       announced_eligible=True, **DEMO_VOLUNTEER_FACTS)
        _train(uow, person, place)
        uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": "volunteer",
                                     "region_code": region}, region)
        uow.emit(VOLUNTEER_ELIGIBLE, {"person_id": str(person["id"]), "region_code": region},
                 region)
    elif role == "volunteer":
        _top_up_volunteer(uow, person, place)
    if role == "elder" and persons.get_elder_profile(uow, person["id"]) is None:
        persons.insert_elder_profile(uow, person_id=person["id"], phone_only=False,
                                     carrier_id=STATION_ID, emergency_contact_name="王志刚",
                                     emergency_contact_phone="13800000009")
        uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": "elder",
                                     "region_code": region}, region)


def _train(uow: UnitOfWork, person: dict[str, Any], place: _Place) -> None:
    """A demo volunteer's induction: enough hours for the province's demo threshold."""
    if not vrepo.has_trainings(uow, person["id"]):
        vrepo.insert_training(uow, person_id=person["id"], course="平台入门培训 platform induction",
                              organiser=place.station_name, date=dt.date(2026, 1, 10),
                              hours=DEMO_TRAINING_HOURS)


def _top_up_volunteer(uow: UnitOfWork, person: dict[str, Any], place: _Place) -> None:
    """A demo volunteer loaded before eligibility facts existed is brought up to eligible."""
    profile = vrepo.get_volunteer_profile(uow, person["id"])
    assert profile is not None
    if (profile["registry_status"], profile["screening"]) != ("verified", "clear") or \
            profile["health_declared_at"] is None:
        vrepo.update_volunteer_profile(uow, person["id"], **DEMO_VOLUNTEER_FACTS)
    _train(uow, person, place)


def _verified_relatives(uow: UnitOfWork, person: dict[str, Any], relative_id: Any, kind: str,
                        evidence: str, submitted_by: Any, verified_by: Any) -> None:
    """``relative_id`` is ``person``'s ``kind``, verified (announced once, when created)."""
    if relative_rows.open_link_between(uow, person["id"], relative_id) is not None:
        return
    link = relative_rows.insert_relative_link(
        uow, person_id=person["id"], relative_person_id=relative_id, kind=kind,
        evidence=evidence, status="verified", submitted_by=submitted_by,
        verified_by=verified_by, verified_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC))
    uow.emit(RELATIVES_LINKED, {"link_id": str(link["id"]), "person_id": str(person["id"]),
                                "relative_person_id": str(relative_id), "kind": kind,
                                "region_code": person["region_code"]}, person["region_code"])


def _demo_family(uow: UnitOfWork, people: dict[str, dict[str, Any]],
                 tangshan: dict[str, dict[str, Any]]) -> None:
    """The demo relative is the demo elder's child and proxy; the 唐山 relative is the demo
    volunteer's parent (submitted by the station operator, verified by the township admin)."""
    elder, relative = people["elder"], people["relative"]
    operator, township = people["station_operator"]["id"], people["township_admin"]["id"]
    _verified_relatives(uow, elder, relative["id"], "child", "户口簿 户号 130102000888（演示）",
                        operator, township)
    _verified_relatives(uow, people["volunteer"], tangshan["relative"]["id"], "parent",
                        "户口簿 户号 130203000111（演示）", operator, township)
    if not proxy_rows.is_proxy(uow, elder["id"], relative["id"]):
        proxy_rows.save_proxy(uow, elder["id"], relative["id"], "演示：女儿代为操作", operator)
        uow.emit(ELDER_PROXY_SET, {"elder_id": str(elder["id"]),
                                   "proxy_person_id": str(relative["id"]), "kind": "child",
                                   "region_code": elder["region_code"],
                                   "set_by": str(operator)}, elder["region_code"])


def _load_people(uow: UnitOfWork, place: _Place,
                 rows: Sequence[tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    people = {}
    for role, name, phone, birth, sequence, region, scope in rows:
        person, _ = _load_person(uow, place, role, name, phone, birth, sequence, region, scope)
        _load_profiles(uow, place, role, person)
        people[role] = person
    return people


def load_demo(database_url: str) -> dict[str, Any]:
    """Load (or top up) the demo data; returns ``{"carrier_id", "persons": {role: person_id},
    "tangshan": {"carrier_id", "persons": {role: person_id}}}``."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with UnitOfWork(engine) as uow:
            load_hebei(uow)
            load_regions(uow, DEMO_REGIONS)
            carriers.ensure_carrier(uow, id=STATION_ID, name=STATION_NAME, kind=STATION_KIND,
                                    region_code=YUCAI, address="石家庄市长安区建北街道育才街88号",
                                    longitude=114.5412, latitude=38.0587,
                                    contact_name="周晓燕", contact_phone="0311-00000000")
            carriers.ensure_carrier(uow, id=TANGSHAN_STATION_ID, name=TANGSHAN_STATION_NAME,
                                    kind=STATION_KIND, region_code=QIAOTUN_COMMUNITY,
                                    address="唐山市路北区乔屯街道乔屯里12号",
                                    longitude=118.2003, latitude=39.6301,
                                    contact_name="唐丽娜", contact_phone="0315-00000000")
            people = _load_people(uow, SHIJIAZHUANG_PLACE, _PEOPLE)
            tangshan = _load_people(uow, TANGSHAN_PLACE, _TANGSHAN_PEOPLE)
            _demo_family(uow, people, tangshan)
            person_ids = {role: str(p["id"]) for role, p in people.items()}
            client = DEMO_API_CLIENT
            if api_clients.get_api_client(uow, client["client_id"]) is None:
                api_clients.ensure_api_client(uow, client["client_id"], client["name"],
                                              hash_password(client["client_secret"]),
                                              client["scope"])
            uow.commit()
    finally:
        engine.dispose()
    return {"carrier_id": str(STATION_ID), "persons": person_ids,
            "tangshan": {"carrier_id": str(TANGSHAN_STATION_ID),
                         "persons": {role: str(p["id"]) for role, p in tangshan.items()}}}


def print_logins() -> None:
    print("演示账号 Demo logins (password / 密码: %s)" % DEMO_PASSWORD)
    print(f"  {'role':<18}{'name':<8}{'city':<6}phone")
    for account in DEMO_LOGINS:
        print(f"  {account['role']:<18}{account['name']:<8}{account['city']:<6}{account['phone']}")
    print(f"  api_client        {DEMO_API_CLIENT['client_id']} / {DEMO_API_CLIENT['client_secret']}"
          f"  scope {DEMO_API_CLIENT['scope']}")


def main(argv: Sequence[str] | None = None) -> None:
    from timebank_common import config as config_mod
    from timebank_common.migrations import require_head

    parser = argparse.ArgumentParser(description="Load the identity demo data (idempotent)")
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    require_head("identity", url)  # migrated by the owner role, not by this command
    personal_data.configure(cfg)  # the key file the service uses
    started = dt.datetime.now()
    load_demo(url)
    print(f"identity: demo data loaded in {(dt.datetime.now() - started).total_seconds():.1f}s")
    print_logins()


if __name__ == "__main__":
    main()
