"""Registering and reading service carriers (服务载体), within the caller's scope."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, NotFound

from ..adapters import carriers, persons, regions
from ..adapters.rows import as_uuid
from ..contracts import CARRIER_REGISTERED
from ..domain.carriers import CARRIER_LEVEL
from . import audit
from .scope import listing_prefix
from .views import carrier_view


def _require_community(uow: UnitOfWork, code: str) -> None:
    region = regions.get_region(uow, code)
    if region is None:
        raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                       {"region_code": ["Unknown region code / 区划代码不存在"]})
    if region["level"] != CARRIER_LEVEL:
        raise BadInput("carrier_region_not_community", "服务载体须登记在社区（村）一级",
                       "A carrier is registered at community (village) level",
                       {"region_code": [f"level is {region['level']} / 该区划不是社区（村）"]})


def register_carrier(db: UnitOfWorkFactory, caller: Caller,
                     data: Mapping[str, Any]) -> dict[str, Any]:
    """By admins in scope: a station operator runs a carrier, it does not register them."""
    caller.require(*ADMIN_ROLES)
    caller.require_scope(data["region_code"])
    with db() as uow:
        _require_community(uow, data["region_code"])
        persons.lock_key(uow, "carrier", f"{data['region_code']}:{data['name']}")
        existing = carriers.find_carrier(uow, data["region_code"], data["name"])
        if existing is not None:
            raise Conflict("carrier_exists", "该社区已登记同名服务载体",
                           "A carrier with this name is already registered in this community",
                           {"carrier_id": str(existing["id"])})
        carrier = carriers.insert_carrier(
            uow, name=data["name"], kind=data["kind"], region_code=data["region_code"],
            address=data["address"], longitude=data.get("longitude"),
            latitude=data.get("latitude"), contact_name=data["contact_name"],
            contact_phone=data["contact_phone"], registered_by=as_uuid(caller.person_id),
        )
        uow.emit(CARRIER_REGISTERED, {"carrier_id": str(carrier["id"]), "kind": carrier["kind"],
                                      "region_code": carrier["region_code"]},
                 carrier["region_code"])
        view = carrier_view(carrier)
        audit.record(uow, caller, "register_carrier", "carrier", carrier["id"],
                     carrier["region_code"], after=view)
        uow.commit()
    return view


def list_carriers(db: UnitOfWorkFactory, caller: Caller,
                  query: Mapping[str, Any]) -> dict[str, Any]:
    caller.require(*STAFF_ROLES)
    prefix = listing_prefix(caller, query.get("region_code"))
    with db() as uow:
        rows, total = carriers.carrier_page(uow, prefix, query.get("kind"), query["page"],
                                            query["page_size"])
    return {"items": [carrier_view(r) for r in rows], "total": total,
            "page": query["page"], "page_size": query["page_size"]}


def get_carrier(db: UnitOfWorkFactory, caller: Caller, carrier_id: Any) -> dict[str, Any]:
    caller.require(*STAFF_ROLES)
    with db() as uow:
        carrier = carriers.get_carrier(uow, carrier_id)
    if carrier is None:
        raise NotFound("carrier_not_found", "服务载体不存在", "No such carrier",
                       {"carrier_id": carrier_id})
    caller.require_scope(carrier["region_code"])
    return carrier_view(carrier)
