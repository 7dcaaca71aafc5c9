"""The shapes identity returns over RPC: always masked, times and dates as ISO strings."""
from __future__ import annotations

from .domain.carriers import kind_names
from .domain.id_numbers import age_at
from .domain.masking import mask_id_number, mask_phone


def _str(value):
    return str(value) if value is not None else None


def _masked_person(person: dict, today) -> dict:
    """What every view of a person shows: identity fields, masked."""
    return {
        "person_id": str(person["id"]),
        "name": person["name"],
        "sex": person["sex"],
        "birth_date": person["birth_date"].isoformat(),
        "age": age_at(person["birth_date"], today),
        "region_code": person["region_code"],
        "phone_masked": mask_phone(person["phone"]),
        "id_number_masked": mask_id_number(person["id_number"]),
    }


def person_view(person: dict, today, profiles: list[str]) -> dict:
    return {
        **_masked_person(person, today),
        "profiles": profiles,
        "created_at": person["created_at"].isoformat() if person.get("created_at") else None,
    }


def elder_view(person: dict, profile: dict, today) -> dict:
    return {
        **_masked_person(person, today),
        "phone_only": profile["phone_only"],
        "carrier_id": _str(profile["carrier_id"]),
    }


def volunteer_view(person: dict, profile: dict, today, reasons: list[dict]) -> dict:
    return {
        **_masked_person(person, today),
        "volunteer_number": profile["volunteer_number"],
        "eligible": not reasons,
        "reasons": reasons,
    }


def region_view(region: dict) -> dict:
    return {"code": region["code"], "name": region["name"], "level": region["level"],
            "parent_code": region["parent_code"], "longitude": region.get("longitude"),
            "latitude": region.get("latitude")}


def carrier_view(carrier: dict) -> dict:
    """A carrier for staff: its contact line is shown, it is how the station is reached."""
    return {
        "carrier_id": str(carrier["id"]),
        "name": carrier["name"],
        "kind": carrier["kind"],
        "kind_name": kind_names(carrier["kind"]),
        "region_code": carrier["region_code"],
        "address": carrier["address"],
        "longitude": carrier["longitude"],
        "latitude": carrier["latitude"],
        "contact_name": carrier["contact_name"],
        "contact_phone": carrier["contact_phone"],
        "created_at": carrier["created_at"].isoformat() if carrier.get("created_at") else None,
    }
