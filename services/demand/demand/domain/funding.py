"""The elder's choice of payer (谁来支付时长): chosen at submission, by the elder in the app,
their proxy relative, staff on the phone or at the station on the elder's behalf, or a
municipal system; ``issuance`` (the city's public hours) when nobody chooses. The station
does not pick the payer at review: it sees the shortfall of the chosen source and, when the
source cannot cover the demand, approves only with an explicit ``fallback_reason`` (the
city's issuance account then pays what is missing)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.errors import BadInput, RuleViolation

from ..contracts.enums import DEFAULT_FUNDING, FUNDING_SOURCES

# the sources whose cover the elder's balance decides (the pool's is the ledger's to judge)
BALANCE_OF = {"own_hours": "earned_minutes", "grant": "grant_minutes"}


def chosen_by(caller: Caller, channel: str, acts_for: bool) -> str:
    """Who made the choice, derived from the caller's role (shown in the demand)."""
    if channel == "app":
        return "proxy" if acts_for else "elder"
    if caller.has(*STATION_STAFF):
        return "operator"
    return "api_client" if caller.has("api_client") else "operator"


def choice(funding_source: str | None, caller: Caller, channel: str, acts_for: bool
           ) -> tuple[str, str | None]:
    """(source, chosen_by): the default and nobody when none was chosen."""
    if funding_source is None:
        return DEFAULT_FUNDING, None
    if funding_source not in FUNDING_SOURCES:  # the schema refuses it first
        raise BadInput("funding_source_invalid", "时长来源无效", "Unknown funding source",
                       {"allowed": list(FUNDING_SOURCES)})
    return funding_source, chosen_by(caller, channel, acts_for)


def refuse_choice_at_review(funding_source: str | None) -> None:
    if funding_source is not None:
        raise BadInput(
            "funding_chosen_at_submission",
            "时长来源由老人（或其代理人、代老人来电登记的站点人员）在提交需求时选择，审核时不能更改",
            "The funding source is chosen when the demand is submitted (by the elder, their"
            " proxy, or the operator on the elder's behalf); review does not change it",
            {"field": "funding_source"})


def needs_balance(funding_source: str | None) -> bool:
    return funding_source in BALANCE_OF


def available_from(funding_source: str, balance: Mapping[str, Any] | None) -> int:
    """What the elder's chosen source can pay now: that account's minutes, never more than
    the elder's available minutes (reservations held count); 0 when unknown."""
    if balance is None:
        return 0
    held = int(balance.get(BALANCE_OF[funding_source]) or 0)
    return max(0, min(held, int(balance.get("available_minutes") or 0)))


def shortfall(funding_source: str, needed: int, available: int | None) -> int:
    if not needs_balance(funding_source) or available is None:
        return 0
    return max(0, needed - available)


def require_fallback_reason(funding_source: str, needed: int, available: int, missing: int,
                            reason: str | None) -> str | None:
    """The reason agreed for a fallback to issuance; refused when a shortfall has none.
    None when nothing is missing (no fallback is agreed)."""
    if missing == 0:
        return None
    if not (reason or "").strip():
        raise RuleViolation(
            "funding_shortfall",
            f"老人选择的时长来源（{funding_source}）可用 {available} 分钟，本需求需 {needed} 分钟，"
            f"缺 {missing} 分钟：如同意由公共时长（issuance）补足，请填写 fallback_reason",
            f"The elder's chosen source ({funding_source}) has {available} minutes available;"
            f" the demand needs {needed} ({missing} missing). To let the city's issuance"
            " account pay what is missing, approve with a fallback_reason",
            {"funding_source": funding_source, "needed_minutes": needed,
             "available_minutes": available, "shortfall_minutes": missing})
    return (reason or "").strip()
