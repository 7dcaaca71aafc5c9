"""Registering interest in volunteering (我要当志愿者): a resident says so without a login, and
the station of their community follows up.

A registration names a person, their mobile and their community (a community/village of the
province); while it is open (``new`` or ``contacted``) the same mobile in the same community
answers the open registration instead of making a second one. Staff move it on:
``new`` → ``contacted`` → ``registered`` (with the new volunteer's person) or ``declined``;
``new`` may go straight to ``registered`` or ``declined``; ``registered`` and ``declined``
are final.

What the answer tells the resident — the conditions of eligibility — comes from the rules of
``eligibility`` themselves: the reasons a newcomer with nothing recorded would be refused,
worded as what is needed (``what_eligibility_needs``), with the training hours of the
community's policy.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..contracts import INTEREST_STATUSES, OPEN_INTEREST_STATUSES
from .carriers import CARRIER_LEVEL
from .eligibility import VOLUNTEER_MIN_AGE, VolunteerFacts, reason, volunteer_reasons

PROVINCE_PREFIX = "13"
FINAL = tuple(s for s in INTEREST_STATUSES if s not in OPEN_INTEREST_STATUSES)
NEXT = {"new": ("contacted", "registered", "declined"), "contacted": ("registered", "declined")}
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out by phone

_REASONS = {
    "not_in_province": ("请选择本省的社区（村）", "Choose a community of the province"),
    "not_a_community": ("请选择到社区（村）一级", "Choose a community (village)"),
    "same_status": ("登记已是该状态", "The registration already has this status"),
    "interest_closed": ("该登记已办结（已注册或已婉拒），不能再更改",
                        "This registration is closed (registered or declined)"),
    "person_required": ("标记为已注册时须指明新注册的志愿者",
                        "Marking it registered names the new volunteer"),
    "person_not_expected": ("只有标记为已注册时才指明志愿者",
                            "A volunteer is named only when marking it registered"),
}


class InterestRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def check_community(region_code: str, level: str | None) -> None:
    """A registration names a community of the province (``level``: None when unknown)."""
    if not region_code.startswith(PROVINCE_PREFIX):
        raise InterestRefused("not_in_province")
    if level != CARRIER_LEVEL:
        raise InterestRefused("not_a_community")


def check_transition(current: str, wanted: str, person_named: bool) -> None:
    """Whether a registration in ``current`` may become ``wanted``; ``registered`` names the
    volunteer, nothing else does."""
    if current in FINAL:
        raise InterestRefused("interest_closed")
    if wanted == current:
        raise InterestRefused("same_status")
    if wanted not in NEXT[current]:
        raise InterestRefused("interest_closed")
    if wanted == "registered" and not person_named:
        raise InterestRefused("person_required")
    if wanted != "registered" and person_named:
        raise InterestRefused("person_not_expected")


# what a refusal reason of ``eligibility`` asks of a newcomer, worded as a need
_NEEDED = {
    "under_age": ("年满{age}周岁", "Be at least {age} years old"),
    "no_volunteer_number": ("在全国志愿服务信息系统注册，取得志愿者编号",
                            "Register in the national volunteer system and get a volunteer number"),
    "registry_unverified": ("全国志愿服务信息系统核验注册信息",
                            "Have the registration verified by the national volunteer registry"),
    "screening_unknown": ("通过信用及违法记录审查", "Pass the credit and legal-record screening"),
    "training_short": ("完成{hours}小时培训", "Complete {hours} hours of training"),
    "no_health_declaration": ("签署健康状况自我声明", "Sign a health self-declaration"),
}


def what_eligibility_needs(required_hours: Decimal) -> list[dict[str, str]]:
    """The conditions a newcomer must meet, in eligibility's order: every reason
    ``volunteer_reasons`` gives someone with nothing recorded yet, worded as a need."""
    newcomer = VolunteerFacts(age=0, volunteer_number=None, required_hours=required_hours)
    hours = f"{Decimal(required_hours).normalize():f}"
    needs = []
    for refusal in volunteer_reasons(newcomer):
        zh, en = _NEEDED[refusal["code"]]
        needs.append(reason(refusal["code"], zh.format(age=VOLUNTEER_MIN_AGE, hours=hours),
                            en.format(age=VOLUNTEER_MIN_AGE, hours=hours)))
    return needs


def reference_number(day: dt.date, token: int) -> str:
    """A reference a resident can read out by phone: ``ZY`` + the China date + 5 characters
    of ``token`` (a random number the caller draws), e.g. ``ZY20261207-K7Q3M``."""
    chars = []
    for _ in range(5):
        token, digit = divmod(token, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return f"ZY{day:%Y%m%d}-{''.join(chars)}"
