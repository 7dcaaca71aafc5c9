"""Who may submit, review, record and see which demands (DESIGN.md §4)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.errors import Forbidden
from timebank_common.regions import city_unit_of, prefix_of

from ..contracts.enums import PUBLISHED
from .lifecycle import Demand

READ_ALL_ROLES = (*STATION_STAFF, "auditor", "api_client")
PROXY_ROLE = "relative"  # identity gives it to a person who is some elder's proxy


def authorize_submit(caller: Caller, channel: str, elder_id: str,
                     acts_for_elder: bool = False) -> None:
    """``app``: the elder themself, or their proxy relative (``acts_for_elder``: identity's
    ``may_act_for``); other channels: operators (``api`` also api clients)."""
    if channel == "app":
        if caller.person_id != elder_id and not acts_for_elder:
            raise Forbidden("elder_only", "通过 App 只能为本人或您代办的老人提交需求",
                            "In the app you can only submit for yourself or an elder you act for")
        return
    allowed = STATION_STAFF + (("api_client",) if channel == "api" else ())
    caller.require(*allowed)


def authorize_for_elder(caller: Caller, elder_id: str, elder_region_code: str,
                        acts_for_elder: bool = False) -> None:
    """Staff act only for elders in their scope; an elder acts for themself, a proxy for
    the elder they act for."""
    if caller.person_id == elder_id or acts_for_elder:
        return
    caller.require_scope(elder_region_code)


def may_be_proxy(caller: Caller, elder_id: str | None = None) -> bool:
    """Whether to ask identity before showing an elder's demands to the caller (``may_act_for``
    about ``elder_id``; without one, ``elders_acted_for`` for a list): only a proxy (role
    ``relative``) other than the elder can be one."""
    return caller.has(PROXY_ROLE) and bool(caller.person_id) and caller.person_id != elder_id


def volunteer_city_prefix(region_code: str | None) -> str | None:
    """The region prefix of the city-level unit a volunteer lives in."""
    return prefix_of(city_unit_of(region_code)) if region_code else None


@dataclass(frozen=True)
class Visibility:
    """What a caller may see; any one true clause is enough."""

    region_prefix: str | None = None  # staff: demands in their scope
    elder_id: str | None = None  # elder: their own
    volunteer_id: str | None = None  # volunteer: those assigned to them
    published_prefix: str | None = None  # volunteer: published ones in their city
    acts_for: frozenset[str] = frozenset()  # proxy: the elders they act for, as the elder

    def own_only(self) -> Visibility:
        """The caller's own demands only (``mine``): as the elder or their proxy, or assigned
        as a volunteer; not what they see as staff or could claim."""
        return replace(self, region_prefix=None, published_prefix=None)

    def speaks_for_elder(self, demand: Demand) -> bool:
        """The elder themself, or their proxy: sees the demand and all its records."""
        return bool(self.elder_id and demand.elder_id == self.elder_id) or \
            demand.elder_id in self.acts_for

    def allows(self, demand: Demand) -> bool:
        if self.region_prefix is not None and demand.region_code.startswith(self.region_prefix):
            return True
        if self.speaks_for_elder(demand):
            return True
        if self.volunteer_id and demand.assignment_of(self.volunteer_id) is not None:
            return True
        return bool(self.published_prefix and demand.status == PUBLISHED
                    and demand.region_code.startswith(self.published_prefix))

    def sees_address(self, demand: Demand) -> bool:
        """A volunteer not (yet) serving the elder sees only a masked address."""
        if self.region_prefix is not None and demand.region_code.startswith(self.region_prefix):
            return True
        if self.speaks_for_elder(demand):
            return True
        return bool(self.volunteer_id and demand.assignment_of(self.volunteer_id) is not None)


def visibility_for(caller: Caller, volunteer_region_code: str | None = None,
                   acts_for: tuple[str, ...] = ()) -> Visibility:
    """Build the caller's visibility; refuse callers whose role may see no demand at all.
    ``acts_for``: the elders identity says the caller is a proxy of (``may_act_for`` about one
    demand's elder, ``elders_acted_for`` for a list)."""
    region_prefix = None
    if caller.has(*READ_ALL_ROLES) and caller.scope:
        region_prefix = prefix_of(caller.scope)
    volunteer = caller.person_id if caller.has("volunteer") else None
    visibility = Visibility(
        region_prefix=region_prefix,
        elder_id=caller.person_id if caller.has("elder") else None,
        volunteer_id=volunteer,
        published_prefix=volunteer_city_prefix(volunteer_region_code) if volunteer else None,
        acts_for=frozenset(acts_for),
    )
    # a proxy who acts for nobody any more sees nothing (an empty list), not a refusal
    if not any((visibility.region_prefix, visibility.elder_id, visibility.volunteer_id,
                visibility.acts_for)) and not caller.has(PROXY_ROLE):
        raise Forbidden("role_required", "您的角色无权查看需求",
                        "Your role does not allow viewing demands")
    return visibility


def mask_address(address: str) -> str:
    """Keep the district-level start of an address, hide the rest."""
    if not address:
        return address
    keep = max(len(address) // 3, 1)
    return address[:keep] + "****"
