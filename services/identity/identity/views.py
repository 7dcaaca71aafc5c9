"""The shapes identity returns over RPC: always masked, times and dates as ISO strings."""
from __future__ import annotations

from .domain.carriers import kind_names as carrier_kind_names
from .domain.id_numbers import age_at
from .domain.masking import mask_id_number, mask_phone
from .domain.priority import category_names, priority_categories
from .domain.relatives import kind_names, kind_seen_from, other_person


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


def elder_view(person: dict, profile: dict, today, verified_categories=(),
               proxies=()) -> dict:
    """``priority_categories``: the verified hardship categories, plus advanced_age at 80+;
    ``proxies``: the persons who may act for the elder (``proxy_view``)."""
    return {
        **_masked_person(person, today),
        "phone_only": profile["phone_only"],
        "carrier_id": _str(profile["carrier_id"]),
        "priority_categories": priority_categories(
            list(verified_categories), age_at(person["birth_date"], today)),
        "proxies": list(proxies),
    }


def proxy_view(row: dict, kind: str | None) -> dict:
    """A proxy of an elder: ``kind`` is what the proxy is to the elder."""
    return {"person_id": str(row["proxy_person_id"]), "name": row["name"], "kind": kind,
            "kind_name": kind_names(kind) if kind else None, "note": row["note"],
            "set_by": _str(row["set_by"]), "set_at": row["set_at"].isoformat()}


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
        "kind_name": carrier_kind_names(carrier["kind"]),
        "region_code": carrier["region_code"],
        "address": carrier["address"],
        "longitude": carrier["longitude"],
        "latitude": carrier["latitude"],
        "contact_name": carrier["contact_name"],
        "contact_phone": carrier["contact_phone"],
        "created_at": carrier["created_at"].isoformat() if carrier.get("created_at") else None,
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def _review_fields(row: dict) -> dict:
    return {"evidence": row["evidence"], "status": row["status"],
            "submitted_by": _str(row["submitted_by"]), "submitted_at": _iso(row["submitted_at"]),
            "verified_by": _str(row["verified_by"]), "verified_at": _iso(row["verified_at"]),
            "reason": row["reason"]}


def priority_view(row: dict) -> dict:
    """A hardship category record (for staff: the evidence is shown)."""
    return {"person_id": str(row["person_id"]), "category": row["category"],
            "category_name": category_names(row["category"]), **_review_fields(row)}


def link_view(link: dict, viewer_id, relative_name: str | None) -> dict:
    """A relative link as seen from ``viewer_id``: ``kind`` is what the relative is to them."""
    kind = kind_seen_from(link, viewer_id)
    return {"link_id": str(link["id"]), "person_id": str(viewer_id),
            "relative_person_id": other_person(link, viewer_id), "relative_name": relative_name,
            "kind": kind, "kind_name": kind_names(kind), **_review_fields(link)}
