"""Service-record certificates (服务记录证明, DESIGN.md §6): content, number, canonical form.

Pure: no I/O. The ledger signs the canonical form (``canonical_bytes``) with Ed25519
(``ledger/adapters/certificate_keys.py``) and anyone can check it at the gateway. Dates on a
certificate are China's (``timebank_common.clock.CHINA``).

Certificate number: ``HB-<city 4 digits>-<yyyymmdd>-<6 random symbols><check symbol>``,
e.g. ``HB-1301-20261129-7K3QXM5``.

- ``HB`` is the platform (Hebei, 河北), ``1301`` the first four digits of the volunteer's
  region code (the city), ``20261129`` the issue date (China time).
- The last group is Crockford base32 (digits and capitals without I, L, O, U), so it can be
  read out over the phone without "O or zero?" questions; on input ``O`` is read as ``0``
  and ``I``/``L`` as ``1``, lower case and spaces are accepted.
- The check symbol is Luhn mod 32 over every symbol of the number (city, date and random
  part): any single mistyped symbol is caught, and so is every swap of two neighbours
  except ``0``<->``Z``. 30 random bits per city and day make a guessed number useless.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from timebank_common.documents import ALPHABET as ALPHABET
from timebank_common.documents import canonical_json, random_symbols
from timebank_common.documents import check_symbol as check_symbol
from timebank_common.documents import mask_name as mask_name  # the verification page's
from timebank_common.documents import read_as_typed as _read_as_typed
from timebank_common.errors import BadInput

from .display import minutes_display

PLATFORM = "HB"
ISSUER_ORGANISATION = "河北省时间银行 Hebei Time Bank"
PLATFORM_STATION = "时间银行 Time Bank"  # the issuer when identity names no station or region
RANDOM_LENGTH = 6
CANONICAL_VERSION = 1
SIGNING_CONTEXT = b"timebank-certificate-v1\n"  # the signature cannot be reused for other data

NUMBER_PATTERN = re.compile(
    rf"^{PLATFORM}-(\d{{4}})-(\d{{8}})-([{ALPHABET}]{{{RANDOM_LENGTH + 1}}})$")


# --- certificate number ------------------------------------------------------------------
def _payload(city: str, date: str, random_part: str) -> str:
    return city + date + random_part


def make_number(region_code: str, issued_on: dt.date, random_value: int) -> str:
    """The number for a volunteer of ``region_code`` issued on ``issued_on``;
    ``random_value`` is 30 random bits (the caller draws them: this module does no I/O)."""
    random_part = random_symbols(random_value, RANDOM_LENGTH)
    city, date = region_code[:4], issued_on.strftime("%Y%m%d")
    return (f"{PLATFORM}-{city}-{date}-{random_part}"
            f"{check_symbol(_payload(city, date, random_part))}")


def normalize_number(text: str) -> str:
    """A number as typed or read out (lower case, spaces, O for 0) in its printed form.

    Raises ``BadInput`` when it is not shaped like a certificate number or its check
    symbol does not match (a typo): such a number cannot belong to any certificate.
    """
    raw = re.sub(r"\s+", "", str(text or "")).upper()
    parts = raw.split("-")
    if len(parts) == 4:
        parts[3] = _read_as_typed(parts[3])
    number = "-".join(parts)
    match = NUMBER_PATTERN.match(number)
    if not match:
        raise BadInput("certificate_number_malformed", "证明编号格式不正确",
                       "This is not a certificate number (expected HB-1301-20261129-7K3QXM5)",
                       {"number": text})
    city, date, tail = match.groups()
    if check_symbol(_payload(city, date, tail[:-1])) != tail[-1]:
        raise BadInput("certificate_number_mistyped", "证明编号校验位不符，请核对是否输错",
                       "The certificate number's check symbol does not match: please check for a typo",
                       {"number": text})
    return number


# --- content ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceLine:
    """One credited service: what the certificate lists in its table."""

    date: str  # ISO date (China time) the service was credited
    category: str  # catalogue code
    category_zh: str
    category_en: str
    minutes: int
    station: str | None = None
    transfer_id: str = ""


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate states; exactly what is signed (personal data masked)."""

    number: str
    person_id: str
    volunteer_name: str
    id_number_masked: str | None
    volunteer_number: str | None
    period_from: str  # ISO dates, both inclusive
    period_to: str
    lines: tuple[ServiceLine, ...]
    issuer_station: str
    issuer_organisation: str
    issued_on: str  # ISO date
    region_code: str
    transfer_ids: tuple[str, ...] = field(default=())

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def total_display(self) -> str:
        return minutes_display(self.total_minutes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lines"] = [asdict(line) for line in self.lines]
        data["transfer_ids"] = list(self.transfer_ids)
        data["total_minutes"] = self.total_minutes
        data["version"] = CANONICAL_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertificateContent:
        """Read stored content back (``total_minutes`` and ``version`` are derived). The
        signature is checked over the stored dict itself (``canonical_bytes``), so an edit
        of any stored field, the total included, is caught before this is trusted."""
        fields_ = {k: v for k, v in data.items() if k not in ("total_minutes", "version")}
        fields_["lines"] = tuple(ServiceLine(**line) for line in data.get("lines") or ())
        fields_["transfer_ids"] = tuple(data.get("transfer_ids") or ())
        return cls(**fields_)


def build_content(*, number: str, person: dict[str, Any], period_from: dt.date, period_to: dt.date,
                  lines: list[ServiceLine], issuer_station: str, issuer_organisation: str,
                  issued_on: dt.date) -> CertificateContent:
    """The certificate for ``person`` (identity's masked view) over the given service lines."""
    ordered = tuple(sorted(lines, key=lambda line: (line.date, line.transfer_id)))
    return CertificateContent(
        number=number, person_id=person["person_id"], volunteer_name=person["name"],
        id_number_masked=person.get("id_number_masked"),
        volunteer_number=person.get("volunteer_number"),
        period_from=period_from.isoformat(), period_to=period_to.isoformat(), lines=ordered,
        issuer_station=issuer_station, issuer_organisation=issuer_organisation,
        issued_on=issued_on.isoformat(), region_code=person["region_code"],
        transfer_ids=tuple(line.transfer_id for line in ordered))


def canonical_bytes(content: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: a fixed prefix, then JSON with sorted keys,
    no spaces, UTF-8 (not escaped). The same content always gives the same bytes."""
    return canonical_json(SIGNING_CONTEXT, content)


def signed_bytes(content: CertificateContent) -> bytes:
    return canonical_bytes(content.to_dict())


def code_as_name(code: str) -> tuple[str, str]:
    """A category's names when demand's catalogue does not name it (or does not answer):
    the code stands for both."""
    return code, code


def issuer_station(region_name: str) -> str:
    """The issuer named after the volunteer's region, when the volunteer issues their own."""
    return f"{region_name}时间银行 · {PLATFORM_STATION}"


def download_path(number: str) -> str:
    return f"/api/v1/certificates/{number}"


def verify_url(public_base_url: str, number: str) -> str:
    """The public verification address (printed and in the QR code)."""
    return f"{public_base_url.rstrip('/')}/api/v1/certificates/{number}/verify"


# --- what the public verification page shows ------------------------------------------
def check_period(period_from: dt.date, period_to: dt.date, today: dt.date) -> None:
    if period_from > period_to:
        raise BadInput("period_invalid", "开始日期须不晚于结束日期",
                       "The period must start on or before its end",
                       {"from": period_from.isoformat(), "to": period_to.isoformat()})
    if period_from > today:
        raise BadInput("period_in_future", "证明期间不能从未来开始",
                       "The period cannot start in the future", {"from": period_from.isoformat()})
