"""Steps of a demand's journey over HTTP, for ``test_demand_journey.py``: the people a journey
needs (elder, volunteers, a proxy relative), funding an elder-paid demand, and reading the
balances the journey must leave exactly right.

Everything goes through the gateway except one setup shortcut: the hours an elder *earned
years ago* (own hours) and those of a donor are put in place with the ledger's internal
``create_transfers`` RPC, as ``test_saga_chaos.py`` does.
"""
from __future__ import annotations

import datetime as dt
import uuid

from nameko.standalone.rpc import ClusterRpcProxy

from first_path import new_person_numbers, wait_for

STATION_REGION = "130102001001"  # 育才社区, the demo station's community
CITY_UNIT = "130100000000"  # 石家庄: its issuance account and donation pool pay
PASSWORD = "Journey@2026"
ELIGIBLE = {"registry_status": "verified", "screening": "clear", "health_declared": True,
            "training_hours_completed": 8}


class Staff:
    """The logins a journey needs: the station operator, a second staff member for the
    four-eyes verifications, the city admin (API clients, figures) and a municipal system."""

    def __init__(self, api, accounts):
        def login(role):
            return api.login(accounts[role]["phone"], accounts[role]["password"])

        self.operator = login("station_operator")
        self.township = login("township_admin")
        self.city = login("city_admin")
        client = api.call("POST", "/api/v1/api-clients", {
            "name": "石家庄市民政局业务系统（联调）", "scope_code": CITY_UNIT,
            "client_id": f"journey-{uuid.uuid4().hex[:8]}"}, token=self.city, expect=201).json()
        self.api_client = api.call("POST", "/api/v1/auth/token", {
            "client_id": client["client_id"], "client_secret": client["client_secret"]},
            expect=200).json()["access_token"]


def register_elder(api, staff: Staff, name: str, with_login: bool) -> dict:
    # 76 years old: below 高龄 (80), whose grant would come on top of the journey's exact figures
    id_number, phone = new_person_numbers("19500308", "female")
    body = {"name": name, "id_number": id_number, "phone": phone,
            "address": "石家庄市长安区建北街道育才街18号", "region_code": STATION_REGION,
            "phone_only": not with_login}
    if with_login:
        body["initial_password"] = PASSWORD
    elder = api.call("POST", "/api/v1/elders", body, token=staff.operator, expect=201).json()
    elder["token"] = api.login(phone, PASSWORD) if with_login else None
    return elder


def register_volunteer(api, staff: Staff, name: str, birth: str = "19920512",
                       sex: str = "male") -> dict:
    id_number, phone = new_person_numbers(birth, sex)
    volunteer = api.call("POST", "/api/v1/volunteers", {
        "name": name, "id_number": id_number, "phone": phone, "region_code": STATION_REGION,
        "volunteer_number": f"V{phone}", "initial_password": PASSWORD, **ELIGIBLE,
    }, token=staff.operator, expect=201).json()
    assert volunteer["eligible"] is True, volunteer["reasons"]
    volunteer["phone"] = phone
    volunteer["token"] = api.login(phone, PASSWORD)
    return volunteer


def make_proxy(api, staff: Staff, elder: dict) -> dict:
    """The elder's daughter: a verified direct relative whom the station sets as proxy;
    she logs in after that (her token then carries the role ``relative``)."""
    daughter = register_volunteer(api, staff, "刘晓红", birth="19750720", sex="female")
    link = api.call("POST", "/api/v1/relations", {
        "person_id": elder["person_id"], "relative_person_id": daughter["person_id"],
        "kind": "child", "evidence": "户口簿 户号 130102000777"},
        token=staff.operator, expect=201).json()
    api.call("POST", f"/api/v1/relations/{link['link_id']}/verify", {"decision": "verify"},
             token=staff.township, expect=200)
    api.call("POST", f"/api/v1/elders/{elder['person_id']}/proxies",
             {"proxy_person_id": daughter["person_id"], "note": "女儿，代为预约和确认服务"},
             token=staff.operator, expect=200)
    daughter["token"] = api.login(daughter["phone"], PASSWORD)
    return daughter


# --- funding ------------------------------------------------------------------------------
def ledger_rpc(platform):
    return ClusterRpcProxy({"AMQP_URI": platform.rabbit.uri}, timeout=30)


def earned_years_ago(platform, person_id: str, minutes: int) -> None:
    """Hours a person earned earlier (a setup transfer from the city's issuance)."""
    with ledger_rpc(platform) as rpc:
        issuance = rpc.ledger.open_account("issuance", CITY_UNIT)
        personal = rpc.ledger.open_account("personal", STATION_REGION, person_id)
        [result] = rpc.ledger.create_transfers([{
            "id": f"journey-setup:{person_id}", "kind": "service_credit",
            "debit_account_id": issuance["account_id"],
            "credit_account_id": personal["account_id"], "amount_minutes": minutes}])
    assert result["status"] == "posted", result


def grant_priority(api, staff: Staff, elder: dict, category: str, minutes: int) -> None:
    """The station submits a hardship category, the township verifies it; the ledger grants
    the period's minutes into the elder's grant account (identity's event)."""
    api.call("POST", f"/api/v1/elders/{elder['person_id']}/priority",
             {"category": category, "evidence": "残疾人证 13010219500308****"},
             token=staff.operator, expect=201)
    api.call("POST", f"/api/v1/elders/{elder['person_id']}/priority/{category}/verify",
             {"decision": "verify"}, token=staff.township, expect=200)
    wait_for(lambda: balance(api, staff.operator, elder["person_id"]),
             lambda b: b["grant_minutes"] == minutes, timeout=60)


def donate(api, donor: dict, minutes: int) -> None:
    """A volunteer donates earned hours to the donation pool of their city-level unit."""
    given = api.call("POST", "/api/v1/transfers",
                     {"kind": "donation", "minutes": minutes, "note": "捐给时间银行"},
                     token=donor["token"], expect=201,
                     headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    assert given["status"] == "posted", given


# --- reading balances ---------------------------------------------------------------------
def balance(api, token, person_id) -> dict:
    shown = api.call("GET", f"/api/v1/accounts/{person_id}", token=token, expect=200).json()
    return {k: shown[k] for k in ("earned_minutes", "grant_minutes", "reserved_minutes")}


def _ledger_figures(api, staff: Staff) -> dict:
    """The ledger's figures of the city, as the city admin sees them in ``GET /api/v1/stats``."""
    def figures():
        return api.call("GET", f"/api/v1/stats?region={CITY_UNIT}", token=staff.city,
                        expect=200).json()

    return wait_for(figures, lambda s: s["ledger"] is not None, timeout=30)["ledger"]


def liability(api, staff: Staff) -> int:
    """What the city's issuance account has paid out, net (its negated balance)."""
    return next((row["liability_minutes"] for row in _ledger_figures(api, staff)["liability"]
                 if row["region_code"] == CITY_UNIT), 0)


def pool(api, staff: Staff) -> int:
    """The balance of the city's donation pool (0 before anyone donated)."""
    return next((row["balance_minutes"] for row in _ledger_figures(api, staff)["pools"]
                 if row["region_code"] == CITY_UNIT), 0)


def rounded(minutes: int, policy: dict) -> int:
    """The minutes the ledger credits for ``minutes`` recorded, per the region's policy."""
    unit, mode = policy.get("rounding_unit_minutes"), policy.get("rounding_mode")
    if not unit or unit <= 1:
        return minutes
    whole, rest = divmod(minutes, unit)
    if mode == "up" and rest:
        whole += 1
    elif mode == "nearest" and rest * 2 >= unit:
        whole += 1
    return whole * unit


def window(hours: int = 3) -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    return ((now + dt.timedelta(minutes=2)).isoformat(),
            (now + dt.timedelta(hours=hours)).isoformat())
