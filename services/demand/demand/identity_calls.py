"""Questions to ``identity`` from intake, recording, evaluation and disputes. Each is asked
through the service's ``_ask_identity`` (``rpc_base``: ``timebank_common.remote.ask``, within
``IDENTITY_RPC_TIMEOUT_SECONDS``), so an identity queue nobody consumes never hangs a
station's request."""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.errors import Forbidden

from .domain.access import OPERATOR_ROLES


def are_direct_relatives(ask_identity, volunteer_id: str, elder_id: str) -> bool:
    """``ask_identity(method, *args)``: the service's ``_ask_identity``."""
    return bool(ask_identity("are_direct_relatives", volunteer_id, elder_id).get("related"))


def elder_side(ask_identity, caller: Caller, elder_id: str) -> str:
    """Who speaks for the elder: ``elder`` (themself, in the app), ``station`` (an operator,
    by phone; scope checked by the caller) or ``proxy`` (identity's ``may_act_for``)."""
    if caller.person_id and caller.person_id == elder_id:
        return "elder"
    if caller.has(*OPERATOR_ROLES):
        return "station"
    if caller.person_id and ask_identity("may_act_for", caller.person_id, elder_id):
        return "proxy"
    raise Forbidden("elder_or_proxy_only", "只有老人本人、其代理人或服务站点可以进行此操作",
                    "Only the elder, their proxy or the station can do this")
