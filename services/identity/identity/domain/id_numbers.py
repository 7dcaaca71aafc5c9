"""Resident identity card numbers (公民身份号码) per GB 11643-1999.

18 characters: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit
sequence (odd = male, even = female) and a check character computed with
ISO 7064 MOD 11-2 (``0``-``9`` or ``X``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
CHECK_CHARACTERS = "10X98765432"
MALE, FEMALE = "male", "female"

_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")


class InvalidIdNumber(ValueError):
    """Why an ID number was refused, in both languages."""

    def __init__(self, reason: str, zh: str, en: str):
        super().__init__(en)
        self.reason = reason
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str
    address_code: str


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def with_check_character(first17: str) -> str:
    """The full 18-character number for 17 digits (used by demo data and tests)."""
    return first17 + check_character(first17)


def normalize(raw: str) -> str:
    return (raw or "").strip().upper()


def parse(raw: str, today: dt.date | None = None) -> ResidentId:
    """Validate an ID number and read its birth date and sex; raises ``InvalidIdNumber``."""
    number = normalize(raw)
    if len(number) != 18:
        raise InvalidIdNumber("length", "身份证号码应为18位", "A resident ID number has 18 characters")
    if not _SHAPE.fullmatch(number):
        raise InvalidIdNumber(
            "characters", "身份证号码前17位应为数字，最后一位为数字或X",
            "The first 17 characters must be digits and the last a digit or X",
        )
    try:
        birth = dt.datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        birth = None
    if birth is None or birth.year < 1900 or (today is not None and birth > today):
        raise InvalidIdNumber("birth_date", "身份证号码中的出生日期无效",
                              "The birth date inside the ID number is not a valid date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("check_character", "身份证号码校验位不正确，请核对后重新输入",
                              "The check character of the ID number is wrong; please re-check it")
    sex = MALE if int(number[16]) % 2 == 1 else FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex, address_code=number[:6])


def age_at(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on`` (a 29 February birthday counts from 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
