"""The shapes identity returns over RPC: masked unless ``unmasked_fields`` is added (only
after ``domain.disclosure`` allowed it and the read was audited); times and dates as ISO
strings."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.carriers import kind_names as carrier_kind_names
from ..domain.id_numbers import age_at
from ..domain.masking import mask_id_number, mask_phone
from ..domain.priority import category_names, priority_categories
from ..domain.qualifications import is_valid
from ..domain.qualifications import kind_names as qualification_kind_names
from ..domain.relatives import kind_names, kind_seen_from, other_person


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
        "status": person.get("status") or "active",
    }


def unmasked_fields(person: dict, elder_profile: dict | None = None) -> dict:
    """The full personal data behind the masked forms (for an elder: the emergency contact)."""
    fields = {"id_number": person["id_number"], "phone": person["phone"],
              "address": person.get("address")}
    if elder_profile is not None:
        fields.update(emergency_contact_name=elder_profile.get("emergency_contact_name"),
                      emergency_contact_phone=elder_profile.get("emergency_contact_phone"))
    return fields


def person_view(person: dict, today, profiles: list[str],
                volunteer_number: str | None = None) -> dict:
    """``volunteer_number``: the national volunteer-system number of a volunteer (printed on
    their service-record certificates; not personal data to mask)."""
    return {
        **_masked_person(person, today),
        "profiles": profiles,
        "volunteer_number": volunteer_number,
        "created_at": person["created_at"].isoformat() if person.get("created_at") else None,
    }


def elder_view(person: dict, profile: dict, today, verified_categories=(),
               proxies=()) -> dict:
    """``priority_categories``: the verified hardship categories, plus advanced_age at 80+;
    ``proxies``: the persons who may act for the elder (``proxy_view``)."""
    return {
        **_masked_person(person, today),
        "phone_only": profile["phone_only"],
        "emergency_contact_phone_masked": mask_phone(profile.get("emergency_contact_phone")),
        "carrier_id": _str(profile["carrier_id"]),
        "priority_categories": priority_categories(
            list(verified_categories), age_at(person["birth_date"], today)),
        "proxies": list(proxies),
        "longitude": profile.get("longitude"),
        "latitude": profile.get("latitude"),
        "moves": [],  # filled in by the reads (``app.moves.history_of``)
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


def listed_elder_view(row: dict, today) -> dict:
    """An elder in a list (masked): the person, their standing and station."""
    return {**_masked_person(row, today), "phone_only": row["phone_only"],
            "carrier_id": _str(row["carrier_id"])}


def listed_volunteer_view(row: dict, today) -> dict:
    """A volunteer in a list (masked): eligibility as last announced."""
    return {**_masked_person(row, today), "volunteer_number": row["volunteer_number"],
            "eligible": bool(row["announced_eligible"])}


def move_view(row: dict, prefix: str | None = None) -> dict:
    """A move (``person_moves`` row, with the person's name and ID number when listed);
    ``direction`` as seen from the region ``prefix`` (None: the person's own history)."""
    came = prefix is not None and row["to_region_code"].startswith(prefix)
    went = prefix is not None and row["from_region_code"].startswith(prefix)
    return {"move_id": str(row["id"]), "person_id": str(row["person_id"]),
            "name": row.get("name"), "id_number_masked": mask_id_number(row.get("id_number")),
            "from_region_code": row["from_region_code"], "to_region_code": row["to_region_code"],
            "from_carrier_id": _str(row["from_carrier_id"]),
            "to_carrier_id": _str(row["to_carrier_id"]), "reason": row["reason"],
            "moved_by": _str(row["moved_by"]), "moved_at": row["moved_at"].isoformat(),
            "direction": None if prefix is None else "within" if came and went
            else "in" if came else "out"}


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


def operator_view(grant: dict, person: dict) -> dict:
    """A staff grant and who holds it (masked)."""
    return {
        "grant_id": str(grant["id"]),
        "person_id": str(grant["person_id"]),
        "name": person["name"],
        "region_code": person["region_code"],
        "phone_masked": mask_phone(person["phone"]),
        "id_number_masked": mask_id_number(person["id_number"]),
        "role": grant["role"],
        "scope_code": grant["scope_code"],
        "carrier_id": _str(grant["carrier_id"]),
        "granted_by": _str(grant["granted_by"]),
        "granted_at": _iso(grant.get("created_at")),
    }


def qualification_view(row: dict, today) -> dict:
    return {"qualification_id": str(row["id"]), "person_id": str(row["person_id"]),
            "kind": row["kind"], "kind_name": qualification_kind_names(row["kind"]),
            "number": row["number"], "issuer": row["issuer"],
            "valid_until": row["valid_until"].isoformat(), "status": row["status"],
            "valid": is_valid(row["status"], row["valid_until"], today),
            "submitted_by": _str(row["submitted_by"]), "submitted_at": _iso(row["submitted_at"]),
            "verified_by": _str(row["verified_by"]), "verified_at": _iso(row["verified_at"]),
            "reason": row["reason"], "expired_at": _iso(row["expired_at"])}


def eligibility_view(person: Mapping[str, Any], profile: Mapping[str, Any],
                     assessment: Mapping[str, Any]) -> dict[str, Any]:
    """A volunteer's recorded facts and ``assessment`` (``volunteering.assess``)."""
    return {"person_id": str(person["id"]), "region_code": person["region_code"], **assessment,
            "volunteer_number": profile["volunteer_number"],
            "registry_status": profile["registry_status"], "screening": profile["screening"],
            "health_declared": profile["health_declared_at"] is not None,
            "background_tags": list(profile["background_tags"] or [])}


def revocation_view(row: dict) -> dict:
    return {
        "person_id": str(row["person_id"]) if row["person_id"] else None,
        "client_id": row["client_id"],
        "session_id": str(row["session_id"]) if row["session_id"] else None,
        "revoked_before": row["revoked_before"].isoformat(),
        "reason": row["reason"],
    }


def api_client_view(client: dict) -> dict:
    """A municipal system's account: never its secret, nor the secret's hash."""
    return {
        "client_id": client["client_id"],
        "name": client["name"],
        "scope_code": client["scope_code"],
        "status": "revoked" if client.get("revoked_at") else "active",
        "created_at": _iso(client.get("created_at")),
        "created_by": _str(client.get("created_by")),
        "secret_rotated_at": _iso(client.get("secret_rotated_at")),
        "previous_secret_valid_until": _iso(client.get("previous_secret_valid_until")),
        "revoked_at": _iso(client.get("revoked_at")),
        "revoked_by": _str(client.get("revoked_by")),
        "revoke_reason": client.get("revoke_reason"),
        "may_register_volunteers": bool(client.get("may_register_volunteers")),
    }
