"""Who is calling: the ``Caller`` every RPC receives, and the role sets callers need.

The gateway verifies the access token and passes a ``caller`` dict (person id, roles,
scope, carrier) as the first RPC argument; each service turns it into a ``Caller`` and
enforces role and region scope itself (DESIGN.md §4). Pure: no token handling here
(``tokens.py`` signs and verifies).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import Forbidden, Unauthenticated
from .regions import in_scope

ADMIN_ROLES = ("province_admin", "city_admin", "county_admin", "township_admin")
"""Administrators of a region, from the province down to a township."""

STATION_STAFF = ("station_operator", *ADMIN_ROLES)
"""Who runs a station's day: its operators and the administrators above them (registers
people, reviews and assigns demands, records service time)."""

STAFF_ROLES = (*ADMIN_ROLES, "station_operator", "auditor")
"""Every staff role, the read-only auditor included."""

SYSTEM_ROLE = "system"
"""The role of a service asking another on its own behalf (a ``system_caller``): never granted
to a person or an API client, so no access token carries it, and no API client id contains
the ``service:`` prefix (``[a-z0-9-]``)."""
SERVICE_PREFIX = "service:"


def system_caller(service: str) -> dict[str, Any]:
    """The caller a service passes when it asks another service for itself (not on behalf of
    a person), e.g. reporting reading the people of a national export from identity: the
    answering service checks it with ``Caller.require_service`` and names it in its audit log
    (``client_id`` ``service:<name>``)."""
    return {"person_id": None, "roles": [SYSTEM_ROLE], "scope": None,
            "client_id": f"{SERVICE_PREFIX}{service}", "name": service}


PASSWORD_CHANGE_PATH = "/api/v1/auth/password"


def password_change_required() -> Forbidden:
    """The answer to a login with a one-time password (``Caller.password_change_required``,
    the access token's ``pwd_change`` claim) asking for anything but changing that password
    or logging out: the gateway refuses it before any RPC."""
    return Forbidden("password_change_required",
                     "请先修改初始密码（一次性密码），然后用新密码重新登录",
                     "Change your one-time password first, then log in again with the new one",
                     {"change_password": f"POST {PASSWORD_CHANGE_PATH}"})


@dataclass(frozen=True)
class Caller:
    person_id: str | None
    roles: tuple[str, ...] = field(default_factory=tuple)
    scope: str | None = None  # 12-digit region code the caller may act in
    carrier_id: str | None = None
    client_id: str | None = None
    name: str | None = None
    session_id: str | None = None  # one login (and its refreshes); logout ends it
    # a one-time password not yet changed (the token's ``pwd_change`` claim): the gateway
    # allows nothing but changing it and logging out (403 ``password_change_required``)
    password_change_required: bool = False

    @classmethod
    def from_dict(cls, data: Caller | dict[str, Any] | None) -> Caller:
        if isinstance(data, Caller):
            return data
        if not data:
            raise Unauthenticated("login_required", "请先登录", "Please log in first")
        return cls(
            person_id=data.get("person_id"),
            roles=tuple(data.get("roles") or ()),
            scope=data.get("scope"),
            carrier_id=data.get("carrier_id"),
            client_id=data.get("client_id"),
            name=data.get("name"),
            session_id=data.get("session_id"),
            password_change_required=bool(data.get("password_change_required", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The caller as a dict; ``password_change_required`` only when set (every other
        caller's dict is as it always was)."""
        data = asdict(self)
        data["roles"] = list(self.roles)
        if not self.password_change_required:
            del data["password_change_required"]
        return data

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def is_staff(self) -> bool:
        return self.has(*STAFF_ROLES)

    def covers(self, region_code: str | None) -> bool:
        return in_scope(self.scope, region_code)

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden(
                "role_required",
                "您的角色无权进行此操作",
                "Your role does not allow this action",
                {"required_any_of": list(roles)},
            )

    def is_service(self, *services: str) -> bool:
        """A ``system_caller`` of one of ``services``."""
        return (SYSTEM_ROLE in self.roles and self.person_id is None
                and self.client_id in {f"{SERVICE_PREFIX}{name}" for name in services})

    def require_service(self, *services: str) -> None:
        """Only the system caller of one of ``services`` (403 ``service_only`` otherwise)."""
        if not self.is_service(*services):
            raise Forbidden(
                "service_only",
                "仅限平台内部服务调用",
                "Only the platform's own services may ask this",
                {"services": list(services)},
            )

    def require_scope(self, region_code: str | None) -> None:
        if not self.covers(region_code):
            raise Forbidden(
                "out_of_scope",
                "该记录不在您的管辖范围内",
                "This record is outside your region",
                {"region_code": region_code, "scope": self.scope},
            )
