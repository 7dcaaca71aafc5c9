"""Who the caller is towards a demand, asking identity where only identity knows: what they
may see (a volunteer's city, a proxy's elders) and who speaks for the elder."""
from __future__ import annotations

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.errors import Forbidden, NotFound

from ..adapters.identity import IdentityClient
from ..domain import access


def visibility(identity: IdentityClient, caller: Caller, elder_id: str | None = None
               ) -> access.Visibility:
    """What the caller sees. A proxy (role ``relative``) sees the demands of the elders they
    act for as the elder does: with ``elder_id`` (one demand's elder) identity's
    ``may_act_for`` is asked about that elder, without it (a list) identity's
    ``elders_acted_for``."""
    volunteer_region = None
    if caller.has("volunteer") and caller.person_id:
        volunteer_region = identity.check_volunteer(caller.person_id).get("region_code")
    acts_for: tuple[str, ...] = ()
    if elder_id is None:
        if access.may_be_proxy(caller):
            acts_for = tuple(identity.elders_acted_for(caller.person_id))
    elif access.may_be_proxy(caller, elder_id) and identity.may_act_for(caller.person_id,
                                                                         elder_id):
        acts_for = (elder_id,)
    return access.visibility_for(caller, volunteer_region, acts_for)


ELDER_SIDE_ROLES = ("elder", "relative", *STATION_STAFF)


def require_elder_side_role(caller: Caller) -> None:
    """Asked before the demand is looked up: a role that never speaks for an elder is
    refused the same whether the demand exists or not."""
    if not caller.has(*ELDER_SIDE_ROLES):
        raise Forbidden("elder_or_proxy_only", "只有老人本人、其代理人或服务站点可以进行此操作",
                        "Only the elder, their proxy or the station can do this")


def elder_side(identity: IdentityClient, caller: Caller, elder_id: str,
               not_found: NotFound) -> str:
    """Who speaks for the elder: ``elder`` (themself, in the app), ``station`` (an operator,
    by phone; scope checked by the caller) or ``proxy`` (identity's ``may_act_for``). Anyone
    else (another elder, a relative who does not act for this one) gets ``not_found``: the
    demand of an elder who is not theirs is not revealed."""
    require_elder_side_role(caller)
    if caller.person_id and caller.person_id == elder_id:
        return "elder"
    if caller.has(*STATION_STAFF):
        return "station"
    if caller.person_id and identity.may_act_for(caller.person_id, elder_id):
        return "proxy"
    raise not_found
