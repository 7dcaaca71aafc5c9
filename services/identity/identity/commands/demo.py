"""Demo data: Hebei's division tree to county level, one township, one community and its
station, demo logins.

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
from typing import Any

from timebank_common.db import UnitOfWork, make_engine

from ..adapters import api_clients, carriers, credentials, grants, personal_data, persons
from ..adapters import volunteers as vrepo
from ..adapters.hashing import hash_password
from ..adapters.hebei_regions import load_hebei
from ..adapters.regions import load_regions
from ..contracts import PERSON_REGISTERED, VOLUNTEER_ELIGIBLE
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

# the shipped tree (regions_data) ends at county level; the demo adds its station's places
DEMO_REGIONS = [
    {"code": JIANBEI, "name": "建北街道", "level": "township", "parent_code": CHANG_AN},
    {"code": YUCAI, "name": "育才社区居委会", "level": "community", "parent_code": JIANBEI},
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
DEMO_VOLUNTEER_NUMBER = "V1301020001"
# the demo volunteer is eligible: verified in the national registry, screened, healthy, trained
DEMO_VOLUNTEER_FACTS = {"registry_status": "verified", "registry_note": "demo",
                        "screening": "clear", "screening_note": "demo",
                        "health_declared_at": dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
                        "health_note": "demo"}
DEMO_TRAINING_HOURS = 8

DEMO_ACCOUNTS = [
    {"role": role, "name": name, "phone": phone, "password": DEMO_PASSWORD}
    for role, name, phone, *_ in _PEOPLE
]
DEMO_API_CLIENT = {"client_id": "sjz-civil-affairs", "client_secret": "demo-secret-2026",
                   "name": "石家庄市民政局业务系统", "scope": SHIJIAZHUANG}


def demo_id_number(birth: str, sequence: str) -> str:
    """A valid ID number registered in 长安区 (address code 130102): born ``birth``
    (YYYYMMDD), with the 3-digit ``sequence`` (odd: male)."""
    return with_check_character(f"130102{birth}{sequence}")


def _load_person(uow: UnitOfWork, role: str, name: str, phone: str, birth: str, sequence: str,
                 region: str, scope: str) -> tuple[dict[str, Any], bool]:
    resident = parse(demo_id_number(birth, sequence))
    person = persons.find_person_by_id_number(uow, resident.number)
    created = person is None
    if person is None:
        person = persons.insert_person(uow, name=name, id_number=resident.number,
                                       sex=resident.sex, birth_date=resident.birth_date,
                                       phone=phone, address="石家庄市长安区建北街道育才街",
                                       region_code=region)
    if credentials.credentials_of(uow, person["id"]) is None:
        credentials.insert_credentials(uow, person["id"], phone, hash_password(DEMO_PASSWORD))
    carrier = STATION_ID if role == "station_operator" else None
    grants.add_grant(uow, person["id"], role, scope, carrier_id=carrier)
    return person, created


def _load_profiles(uow: UnitOfWork, role: str, person: dict[str, Any]) -> None:
    region = person["region_code"]
    if role == "volunteer" and vrepo.get_volunteer_profile(uow, person["id"]) is None:
        vrepo.insert_volunteer_profile(uow, person_id=person["id"],
                                       volunteer_number=DEMO_VOLUNTEER_NUMBER,
                                       **DEMO_VOLUNTEER_FACTS)
        _train(uow, person)
        uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": "volunteer",
                                     "region_code": region}, region)
        uow.emit(VOLUNTEER_ELIGIBLE, {"person_id": str(person["id"]), "region_code": region},
                 region)
    elif role == "volunteer":
        _top_up_volunteer(uow, person)
    if role == "elder" and persons.get_elder_profile(uow, person["id"]) is None:
        persons.insert_elder_profile(uow, person_id=person["id"], phone_only=False,
                                     carrier_id=STATION_ID, emergency_contact_name="王志刚",
                                     emergency_contact_phone="13800000009")
        uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": "elder",
                                     "region_code": region}, region)


def _train(uow: UnitOfWork, person: dict[str, Any]) -> None:
    """The demo volunteer's induction: enough hours for the province's demo threshold."""
    if not vrepo.has_trainings(uow, person["id"]):
        vrepo.insert_training(uow, person_id=person["id"], course="平台入门培训 platform induction",
                              organiser=STATION_NAME, date=dt.date(2026, 1, 10),
                              hours=DEMO_TRAINING_HOURS)


def _top_up_volunteer(uow: UnitOfWork, person: dict[str, Any]) -> None:
    """A demo volunteer loaded before eligibility facts existed is brought up to eligible."""
    profile = vrepo.get_volunteer_profile(uow, person["id"])
    assert profile is not None
    if (profile["registry_status"], profile["screening"]) != ("verified", "clear") or \
            profile["health_declared_at"] is None:
        vrepo.update_volunteer_profile(uow, person["id"], **DEMO_VOLUNTEER_FACTS)
    _train(uow, person)


def load_demo(database_url: str) -> dict[str, Any]:
    """Load (or top up) the demo data; returns ``{"carrier_id", "persons": {role: person_id}}``."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with UnitOfWork(engine) as uow:
            load_hebei(uow)
            load_regions(uow, DEMO_REGIONS)
            carriers.ensure_carrier(uow, id=STATION_ID, name=STATION_NAME, kind=STATION_KIND,
                                    region_code=YUCAI, address="石家庄市长安区建北街道育才街88号",
                                    longitude=114.5412, latitude=38.0587,
                                    contact_name="周晓燕", contact_phone="0311-00000000")
            person_ids = {}
            for role, name, phone, birth, sequence, region, scope in _PEOPLE:
                person, _ = _load_person(uow, role, name, phone, birth, sequence, region, scope)
                _load_profiles(uow, role, person)
                person_ids[role] = str(person["id"])
            client = DEMO_API_CLIENT
            if api_clients.get_api_client(uow, client["client_id"]) is None:
                api_clients.ensure_api_client(uow, client["client_id"], client["name"],
                                              hash_password(client["client_secret"]),
                                              client["scope"])
            uow.commit()
    finally:
        engine.dispose()
    return {"carrier_id": str(STATION_ID), "persons": person_ids}


def print_logins() -> None:
    print("演示账号 Demo logins (password / 密码: %s)" % DEMO_PASSWORD)
    print(f"  {'role':<18}{'name':<8}phone")
    for account in DEMO_ACCOUNTS:
        print(f"  {account['role']:<18}{account['name']:<8}{account['phone']}")
    print(f"  api_client        {DEMO_API_CLIENT['client_id']} / {DEMO_API_CLIENT['client_secret']}"
          f"  scope {DEMO_API_CLIENT['scope']}")


def main(argv: Sequence[str] | None = None) -> None:
    from timebank_common import config as config_mod
    from timebank_common.migrations import upgrade

    parser = argparse.ArgumentParser(description="Load the identity demo data (idempotent)")
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    upgrade("identity", url, cfg)
    personal_data.configure(cfg)  # the key file the service uses
    started = dt.datetime.now()
    load_demo(url)
    print(f"identity: demo data loaded in {(dt.datetime.now() - started).total_seconds():.1f}s")
    print_logins()


if __name__ == "__main__":
    main()
