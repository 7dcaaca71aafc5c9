"""Registering and reading service carriers (服务载体), within the caller's scope.

Each function runs inside the caller's unit of work; the entrypoint commits.
"""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, Caller
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from . import audit
from . import repository as repo
from .domain.carriers import CARRIER_LEVEL
from .schemas import CarrierRegisteredPayload
from .views import carrier_view

REGISTRARS = ADMIN_ROLES  # a station operator runs a carrier, it does not register them
READERS = STAFF_ROLES


def _require_community(uow, code: str) -> None:
    region = repo.get_region(uow, code)
    if region is None:
        raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                       {"region_code": ["Unknown region code / 区划代码不存在"]})
    if region["level"] != CARRIER_LEVEL:
        raise BadInput("carrier_region_not_community", "服务载体须登记在社区（村）一级",
                       "A carrier is registered at community (village) level",
                       {"region_code": [f"level is {region['level']} / 该区划不是社区（村）"]})


def register_carrier(uow, caller: Caller, data: dict) -> dict:
    caller.require(*REGISTRARS)
    caller.require_scope(data["region_code"])
    _require_community(uow, data["region_code"])
    repo.lock_key(uow, "carrier", f"{data['region_code']}:{data['name']}")
    existing = repo.find_carrier(uow, data["region_code"], data["name"])
    if existing is not None:
        raise Conflict("carrier_exists", "该社区已登记同名服务载体",
                       "A carrier with this name is already registered in this community",
                       {"carrier_id": str(existing["id"])})
    carrier = repo.insert_carrier(
        uow, name=data["name"], kind=data["kind"], region_code=data["region_code"],
        address=data["address"], longitude=data.get("longitude"), latitude=data.get("latitude"),
        contact_name=data["contact_name"], contact_phone=data["contact_phone"],
        registered_by=repo.as_uuid(caller.person_id),
    )
    payload = CarrierRegisteredPayload().dump({"carrier_id": str(carrier["id"]),
                                               "kind": carrier["kind"],
                                               "region_code": carrier["region_code"]})
    uow.emit("carrier_registered", payload, carrier["region_code"])
    view = carrier_view(carrier)
    audit.record(uow, caller, "register_carrier", "carrier", carrier["id"],
                 carrier["region_code"], after=view)
    return view


def listing_prefix(caller: Caller, region_code: str | None) -> str:
    """The region prefix to list: the filter's, narrowed to the caller's scope."""
    own = prefix_of(caller.scope) if caller.scope else None
    wanted = prefix_of(region_code) if region_code else own
    if own and wanted.startswith(own):
        return wanted
    if own and own.startswith(wanted):  # a filter broader than the scope: the scope is seen
        return own
    raise Forbidden("out_of_scope", "该区域不在您的管辖范围内", "This region is outside your scope",
                    {"region_code": region_code, "scope": caller.scope})


def list_carriers(uow, caller: Caller, query: dict) -> dict:
    caller.require(*READERS)
    prefix = listing_prefix(caller, query.get("region_code"))
    rows, total = repo.carrier_page(uow, prefix, query.get("kind"), query["page"],
                                    query["page_size"])
    return {"items": [carrier_view(r) for r in rows], "total": total,
            "page": query["page"], "page_size": query["page_size"]}


def get_carrier(uow, caller: Caller, carrier_id) -> dict:
    caller.require(*READERS)
    carrier = repo.get_carrier(uow, carrier_id)
    if carrier is None:
        raise NotFound("carrier_not_found", "服务载体不存在", "No such carrier",
                       {"carrier_id": carrier_id})
    caller.require_scope(carrier["region_code"])
    return carrier_view(carrier)
