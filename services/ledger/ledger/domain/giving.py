"""Gifts to a direct relative and donations to a pool (DESIGN.md §6): the rules a caller
notices, kept apart from I/O.

* A gift goes from the giver's **earned** hours (personal account) to a verified direct
  relative's personal account; grant hours are never giftable.
* A donation goes from the donor's personal account to the donation pool of the donor's
  city-level unit (``city_unit_of`` of their account's region): one pool per city-level
  unit, the same unit whose issuance account pays services there.
* Both take a caller-chosen ``Idempotency-Key``; the transfer id is derived from the
  giver and the key, so a retry answers ``exists`` with the first result.
"""
from __future__ import annotations

import hashlib

from timebank_common.errors import BadInput, RuleViolation

from ..contracts.kinds import GIFT_TO_RELATIVE, MAX_TRANSFER_ID_LENGTH
from .display import minutes_en, minutes_zh

MAX_KEY_LENGTH = 100


def giving_id(kind: str, giver_id: str, idempotency_key: str) -> str:
    """``gift:<giver>:<key>`` / ``donation:<giver>:<key>`` (hashed when too long)."""
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise BadInput("idempotency_key_invalid", "须提供 1 到 100 个字符的 Idempotency-Key",
                       "An Idempotency-Key of 1 to 100 characters is required")
    prefix = "gift" if kind == GIFT_TO_RELATIVE else "donation"
    candidate = f"{prefix}:{giver_id}:{idempotency_key}"
    if len(candidate) <= MAX_TRANSFER_ID_LENGTH:
        return candidate
    return f"{prefix}:{hashlib.sha256(candidate.encode()).hexdigest()}"


def check_gift(giver_id: str, to_person_id: str | None, related: bool) -> None:
    if not to_person_id:
        raise BadInput("to_person_id_missing", "请指明受赠的亲属", "Whom is the gift for? to_person_id is missing")
    if to_person_id == giver_id:
        raise RuleViolation("gift_to_self", "不能赠送给自己", "You cannot give hours to yourself")
    if not related:
        raise RuleViolation("not_direct_relatives",
                            "只能赠送给经核实的直系亲属",
                            "Hours can only be given to a verified direct relative",
                            {"to_person_id": to_person_id})


def check_funds(earned_available: int, grant_available: int, minutes: int) -> None:
    """Refuse a gift or donation the earned hours cannot cover, saying so when the grant
    hours would have covered it (they are not giftable)."""
    if earned_available >= minutes:
        return
    if earned_available + grant_available >= minutes:
        raise RuleViolation(
            "grant_hours_not_giftable",
            f"政府补贴时长不能赠送或捐赠；可赠送的自有时长为 {minutes_zh(max(earned_available, 0))}",
            f"Grant hours cannot be given away; you have {minutes_en(max(earned_available, 0))}"
            " of earned hours",
            {"earned_available_minutes": earned_available, "amount_minutes": minutes})
    raise RuleViolation(
        "insufficient_balance",
        f"余额不足：可用 {minutes_zh(max(earned_available, 0))}，需要 {minutes_zh(minutes)}",
        f"Insufficient balance: {minutes_en(max(earned_available, 0))} available,"
        f" {minutes_en(minutes)} needed",
        {"earned_available_minutes": earned_available, "amount_minutes": minutes})
