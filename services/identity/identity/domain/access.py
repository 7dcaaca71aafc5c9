"""What an access token says about a person: roles and the scope they act in."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from timebank_common.regions import prefix_of

from ..contracts import PROXY_ROLE


def broadest_scope(grants: Sequence[Mapping[str, Any]], own_region: str | None) -> str | None:
    """The scope of the grant covering the most ground; a person's own region without grants."""
    scopes = [str(g["scope_code"]) for g in grants if g.get("scope_code")]
    if not scopes:
        return own_region
    return min(scopes, key=lambda code: (len(prefix_of(code)), code))


def caller_claims(person: Mapping[str, Any], grants: Sequence[Mapping[str, Any]],
                  acts_for_elders: bool = False) -> dict[str, Any]:
    """The ``Caller`` fields for a logged-in person (``timebank_common.caller.Caller``).

    ``acts_for_elders``: the person is some elder's proxy, which gives them the role
    ``relative`` (not stored as a grant, so removing the last proxy takes it away); their
    scope stays the one their grants give."""
    roles = sorted({g["role"] for g in grants} | ({PROXY_ROLE} if acts_for_elders else set()))
    carrier = next((g["carrier_id"] for g in grants
                    if g["role"] == "station_operator" and g.get("carrier_id")), None)
    return {
        "person_id": str(person["id"]),
        "roles": roles,
        "scope": broadest_scope(grants, person.get("region_code")),
        "carrier_id": str(carrier) if carrier else None,
        "client_id": None,
        "name": person.get("name"),
    }
