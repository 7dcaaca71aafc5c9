"""One stand-in for the identity service, built on identity's contracts, for the tests of the
services that ask identity (demand, ledger, matching, notify, the gateway).

    fake = IdentityFake()
    elder = fake.add_elder(region_code="130102001001", carrier_id="carrier-7")
    volunteer = fake.add_volunteer(qualifications=["nurse"])
    daughter = fake.add_person(name="张丽")
    fake.add_proxy(daughter, elder)          # a verified relative who acts for the elder

    # an application test: pass ``fake`` where the service passes its identity proxy
    remote.ask(config, fake, "identity", "get_elder", caller, elder)
    # a container test: a nameko service named "identity" answering from the same data
    start_module_service(fake.service_class(), service_config(None))
    # a timeout test: no answer until ``fake.speak()`` (or the container stops)
    fake.silent("contact_details")

Each RPC takes identity's arguments (bound to identity's signature; those identity declares
are loaded with identity's schemas, so a bad one is refused as identity refuses it), and each
answer is checked with ``conforms`` against the answer identity declares for that RPC
(``identity.service.IdentityService``): a fake answer identity could not give raises
``ContractBroken``, so the fake cannot drift from identity.

By default (``known_only=False``) an id nobody registered is answered as identity would
answer for a person registered with the defaults: an eligible volunteer, an elder of
``elder_region`` without a station, a station named ``育才社区服务站``; nobody is related to
anybody and nobody acts for an elder unless registered so. ``known_only=True`` answers
unknown ids as identity does (404). The reads by lists of ids (``contact_details``,
``person_names``, ``person_standing``) answer for registered people only, as identity answers
for known ids only. ``move`` and ``set_status`` change where a person belongs and their
standing, as identity's ``move_person`` and status changes do.
"""
from __future__ import annotations

import datetime as dt
import inspect
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from identity.contracts import (
    ADVANCED_AGE,
    CARRIER_KINDS,
    HARDSHIP_CATEGORIES,
    QUALIFICATION_KINDS,
    RELATION_INVERSES,
    RELATION_KINDS,
)
from timebank_common.caller import Caller
from timebank_common.clock import Clock, SystemClock, china_date
from timebank_common.contracts import RpcDeclaration, conforms
from timebank_common.errors import DomainError, NotFound
from timebank_common.regions import prefix_of

DEFAULT_REGION = "130102001001"  # 育才社区, 长安区, 石家庄
DEFAULT_VOLUNTEER_REGION = "130102002003"
DEFAULT_CARRIER_NAME = "育才社区服务站"
SILENCE_SECONDS = 30.0  # a silent fake answers at the latest after this (or at speak())

RPCS = ("check_volunteer", "get_person", "get_elder", "may_act_for", "elders_acted_for",
        "are_direct_relatives", "contact_details", "person_names", "place_names", "person_standing",
        "station_staff",
        "qualifications_expiring", "priority_elders", "get_carrier", "get_region",
        "list_regions", "matching_volunteers", "identity_stats", "active_revocations")
"""The RPCs other services ask identity, which the fake answers."""


@dataclass
class FakePerson:
    person_id: str
    name: str
    region_code: str
    birth_date: dt.date
    sex: str = "female"
    phone: str | None = None
    address: str | None = None
    elder: bool = False
    phone_only: bool = False
    carrier_id: str | None = None
    hardship: list[str] = field(default_factory=list)  # verified categories
    volunteer: bool = False
    volunteer_number: str | None = None
    eligible: bool = True
    reasons: list[dict[str, str]] = field(default_factory=list)
    status: str = "active"  # identity's PERSON_STATUSES

    @property
    def id_number(self) -> str:
        """A made-up resident ID number (only its masked form and, when unmasked, itself are
        ever shown)."""
        return f"130102{self.birth_date:%Y%m%d}{_digits(self.person_id, 3)}X"


NOT_ACTIVE = {"code": "not_active", "zh": "此人已不在册（已离开、退出或已故）",
              "en": "This person is no longer active (left, withdrew or deceased)"}


def _digits(text: str, count: int) -> str:
    return f"{zlib.crc32(text.encode()) % 10**count:0{count}d}"


def _years_before(day: dt.date, years: int) -> dt.date:
    """The day ``years`` before ``day``, the day before it (so the age is ``years``)."""
    try:
        return day.replace(year=day.year - years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class FakeQualification:
    qualification_id: str
    person_id: str
    kind: str
    valid_until: dt.date
    verified: bool = True


def _identity_declarations() -> dict[str, tuple[inspect.Signature, RpcDeclaration]]:
    from identity.service import IdentityService  # noqa: PLC0415 — the service, for its declarations

    found = {}
    for name in RPCS:
        method = getattr(IdentityService, name)
        found[name] = (inspect.signature(method), method.rpc_declaration)
    return found


class IdentityFake:
    """See the module's docstring."""

    def __init__(self, *, known_only: bool = False, clock: Clock | None = None,
                 elder_region: str = DEFAULT_REGION,
                 volunteer_region: str = DEFAULT_VOLUNTEER_REGION) -> None:
        self.known_only = known_only
        self.clock = clock or SystemClock()
        self.elder_region, self.volunteer_region = elder_region, volunteer_region
        self.people: dict[str, FakePerson] = {}
        self.unknown_ids: set[str] = set()
        self.relatives: dict[frozenset[str], tuple[str, str, str]] = {}  # pair -> (a, b, kind)
        self.proxies: dict[str, set[str]] = {}  # elder id -> proxy ids
        self.operators: dict[str, set[str]] = {}  # carrier id -> station operator ids
        self.township_admins: dict[str, set[str]] = {}  # township code -> admin ids
        self.carriers: dict[str, dict[str, Any]] = {}
        self.regions: dict[str, dict[str, Any]] = {}
        self.qualifications: list[FakeQualification] = []
        self.revocations: list[dict[str, Any]] = []
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._refusals: dict[str, list[tuple[DomainError, Callable[..., bool] | None]]] = {}
        self._silent: set[str] | None = None
        self._silent_when: Callable[..., bool] | None = None
        self._released: Any = None
        self._declarations = _identity_declarations()

    # -- what a test registers ---------------------------------------------------------------
    def add_person(self, person_id: str | None = None, *, name: str = "张丽",
                   region_code: str | None = None, age: int = 45,
                   birth_date: dt.date | None = None, **facts: Any) -> str:
        """A person (no profile unless ``elder=True`` / ``volunteer=True``); their id."""
        person_id = person_id or str(uuid.uuid4())
        born = birth_date or _years_before(self.today(), age)
        self.people[person_id] = FakePerson(person_id, name, region_code or self.elder_region,
                                            born, **facts)
        self.unknown_ids.discard(person_id)
        return person_id

    def add_elder(self, person_id: str | None = None, *, name: str = "张大爷",
                  region_code: str | None = None, age: int = 78, carrier_id: str | None = None,
                  phone_only: bool = False, phone: str | None = None,
                  hardship: Iterable[str] = (), **facts: Any) -> str:
        """An elder (``hardship``: verified hardship categories); their id."""
        return self.add_person(person_id, name=name, region_code=region_code or self.elder_region,
                               age=age, elder=True, carrier_id=carrier_id, phone_only=phone_only,
                               phone=phone, hardship=list(hardship), **facts)

    def add_volunteer(self, person_id: str | None = None, *, name: str = "志愿者",
                      region_code: str | None = None, age: int = 35, eligible: bool = True,
                      reasons: Iterable[str | dict[str, str]] = (),
                      qualifications: Iterable[str] = (), volunteer_number: str | None = None,
                      **facts: Any) -> str:
        """A volunteer, eligible unless ``eligible=False`` (``reasons``: codes, or
        ``{code, zh, en}``); ``qualifications``: kinds verified and valid; their id."""
        found = [r if isinstance(r, dict) else {"code": r, "zh": r, "en": r} for r in reasons]
        if not eligible and not found:
            found = [{"code": "training_short", "zh": "培训学时不足", "en": "Not enough training"}]
        person_id = person_id or str(uuid.uuid4())
        self.add_person(person_id, name=name, region_code=region_code or self.volunteer_region,
                        age=age, volunteer=True, eligible=eligible and not found, reasons=found,
                        volunteer_number=volunteer_number or f"V{_digits(person_id, 10)}",
                        **facts)
        for kind in qualifications:
            self.add_qualification(person_id, kind)
        return person_id

    def add_qualification(self, person_id: str, kind: str, valid_until: dt.date | None = None,
                          verified: bool = True) -> str:
        if kind not in QUALIFICATION_KINDS:
            raise ValueError(f"identity knows no qualification kind {kind!r}")
        qualification_id = str(uuid.uuid4())
        until = valid_until or self.today() + dt.timedelta(days=3650)
        self.qualifications.append(FakeQualification(qualification_id, person_id, kind, until,
                                                     verified))
        return qualification_id

    def add_relatives(self, person_id: str, relative_id: str, kind: str = "child") -> None:
        """A verified link: ``relative_id`` is ``person_id``'s ``kind``."""
        if kind not in RELATION_KINDS:
            raise ValueError(f"identity knows no relation kind {kind!r}")
        self.relatives[frozenset((person_id, relative_id))] = (person_id, relative_id, kind)

    def add_proxy(self, proxy_id: str, elder_id: str, kind: str = "child") -> None:
        """``proxy_id`` acts for the elder: a verified relative (``kind``: what the proxy is
        to the elder) named the elder's proxy."""
        if frozenset((elder_id, proxy_id)) not in self.relatives:
            self.add_relatives(elder_id, proxy_id, kind)
        self.proxies.setdefault(elder_id, set()).add(proxy_id)

    def remove_proxy(self, proxy_id: str, elder_id: str) -> None:
        """``proxy_id`` no longer acts for the elder (identity's ``remove_elder_proxy``: the
        relative link stays)."""
        self.proxies.get(elder_id, set()).discard(proxy_id)

    def add_station_operator(self, person_id: str, carrier_id: str, *, name: str = "站点操作员",
                             region_code: str | None = None) -> str:
        if person_id not in self.people:
            self.add_person(person_id, name=name, region_code=region_code)
        self.operators.setdefault(carrier_id, set()).add(person_id)
        return person_id

    def add_township_admin(self, person_id: str, township_code: str, *,
                           name: str = "乡镇管理员") -> str:
        if person_id not in self.people:
            self.add_person(person_id, name=name, region_code=township_code)
        self.township_admins.setdefault(township_code[:9] + "000", set()).add(person_id)
        return person_id

    def add_carrier(self, carrier_id: str, *, name: str = DEFAULT_CARRIER_NAME,
                    region_code: str = DEFAULT_REGION, kind: str = "social_work_station") -> str:
        if kind not in CARRIER_KINDS:
            raise ValueError(f"identity knows no carrier kind {kind!r}")
        self.carriers[carrier_id] = {"name": name, "region_code": region_code, "kind": kind}
        return carrier_id

    def add_region(self, code: str, name: str, level: str = "community",
                   parent_code: str | None = None) -> str:
        self.regions[code] = {"code": code, "name": name, "level": level,
                              "parent_code": parent_code, "longitude": None, "latitude": None}
        return code

    def add_revocation(self, *, person_id: str | None = None, client_id: str | None = None,
                       session_id: str | None = None, reason: str = "logout",
                       revoked_before: dt.datetime | None = None) -> None:
        self.revocations.append({"person_id": person_id, "client_id": client_id,
                                 "session_id": session_id, "reason": reason,
                                 "revoked_before": (revoked_before or self.clock.now())
                                 .isoformat()})

    def move(self, person_id: str, region_code: str, carrier_id: str | None = None) -> None:
        """The person now belongs to ``region_code`` (identity's ``move_person``; an elder's
        station becomes ``carrier_id``)."""
        person = self.people[person_id]
        person.region_code = region_code
        if person.elder:
            person.carrier_id = carrier_id

    def set_status(self, person_id: str, status: str) -> None:
        """The person's standing (identity's ``PERSON_STATUSES``)."""
        self.people[person_id].status = status

    def unknown(self, *person_ids: str) -> None:
        """Answer for these ids as identity does for an id nobody has (404)."""
        for person_id in person_ids:
            self.people.pop(person_id, None)
            self.unknown_ids.add(person_id)

    def refuse(self, method: str, error: DomainError,
               when: Callable[..., bool] | None = None) -> None:
        """From now on ``method`` raises ``error`` (only for the calls ``when(*args)`` is
        true of, when given): scope refusals and the like, as identity would raise them."""
        self._refusals.setdefault(method, []).append((error, when))

    def silent(self, *methods: str, seconds: float = SILENCE_SECONDS,
               when: Callable[..., bool] | None = None) -> None:
        """``methods`` (every RPC when none is named; only the calls ``when(*args)`` is true
        of, when given) answer only after ``speak()``, after ``seconds``, or when the fake's
        container stops: a caller's timeout runs out."""
        import eventlet  # noqa: PLC0415 — the services run under eventlet

        self._silent = set(methods)
        self._silent_when = when
        self._silence_seconds = seconds
        self._released = eventlet.event.Event()

    def speak(self) -> None:
        """Answer again (also every call held by ``silent`` now)."""
        released, self._silent, self._released = self._released, None, None
        if released is not None and not released.ready():
            released.send(True)

    def today(self) -> dt.date:
        return china_date(self.clock.now())

    # -- the RPCs ------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name in RPCS:
            return lambda *args, **kwargs: self.call(name, *args, **kwargs)
        raise AttributeError(name)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``method`` asked with identity's arguments: loaded as identity loads them,
        answered from the registered data, the answer checked against identity's contract."""
        from timebank_common.service import ContractBroken, load_declared  # noqa: PLC0415

        signature, declaration = self._declarations[method]
        values = dict(signature.bind(None, *args, **kwargs).arguments)  # as passed, no defaults
        values.pop("self")
        if "caller" in values:
            values["caller"] = Caller.from_dict(values["caller"])
        for name, declared in declaration.args.items():
            if name in values:
                values[name] = load_declared(name, declared, values[name])
        self.calls.append((method, tuple(values.values())))
        self._hold(method, tuple(values.values()))
        for error, when in self._refusals.get(method, []):
            if when is None or when(*values.values()):
                raise error
        answer = getattr(self, f"_{method}")(**values)
        problems = conforms(declaration.returns, answer)
        if problems:
            raise ContractBroken(f"identity fake {method}: " + "; ".join(problems[:20]))
        return answer

    def _hold(self, method: str, args: tuple[Any, ...]) -> None:
        released = self._released
        if self._silent is None or released is None or (self._silent and method not in
                                                         self._silent):
            return
        if self._silent_when is not None and not self._silent_when(*args):
            return
        import eventlet  # noqa: PLC0415

        with eventlet.Timeout(self._silence_seconds, False):
            released.wait()

    # -- answers (the shapes of identity's contracts) -------------------------------------------
    def _person(self, person_id: Any, profile: str | None = None) -> FakePerson:
        person_id = str(person_id)
        person = self.people.get(person_id)
        if person is None and (self.known_only or person_id in self.unknown_ids):
            if profile == "volunteer":
                raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                               {"person_id": person_id})
            raise NotFound("person_not_found", "未找到此人", "No such person",
                           {"person_id": person_id})
        if person is None:  # answered as if registered with the defaults
            if profile == "volunteer":
                return FakePerson(person_id, "志愿者", self.volunteer_region,
                                  _years_before(self.today(), 35), volunteer=True,
                                  volunteer_number=f"V{_digits(person_id, 10)}")
            return FakePerson(person_id, "张大爷", self.elder_region,
                              _years_before(self.today(), 78), elder=True)
        if profile == "volunteer" and not person.volunteer:
            raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                           {"person_id": person_id})
        if profile == "elder" and not person.elder:
            raise NotFound("elder_not_found", "此人没有老年人档案", "This person has no elder "
                           "profile", {"person_id": person_id})
        return person

    def _age(self, person: FakePerson) -> int:
        today, born = self.today(), person.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def _masked(self, person: FakePerson) -> dict[str, Any]:
        phone = person.phone
        return {"person_id": person.person_id, "name": person.name, "sex": person.sex,
                "birth_date": person.birth_date.isoformat(), "age": self._age(person),
                "region_code": person.region_code,
                "phone_masked": phone[:3] + "****" + phone[-4:] if phone else None,
                "id_number_masked": person.id_number[:6] + "********" + person.id_number[-4:],
                "status": person.status}

    def _unmasked(self, person: FakePerson) -> dict[str, Any]:
        fields = {"id_number": person.id_number, "phone": person.phone, "address": person.address}
        if person.elder:
            fields.update(emergency_contact_name=None, emergency_contact_phone=None)
        return fields

    def _categories(self, person: FakePerson) -> list[str]:
        held = set(person.hardship) | ({ADVANCED_AGE} if self._age(person) >= 80 else set())
        return [code for code in HARDSHIP_CATEGORIES if code in held]

    def _valid_kinds(self, person_id: str) -> list[str]:
        today = self.today()
        kinds = {q.kind for q in self.qualifications
                 if q.person_id == person_id and q.verified and q.valid_until >= today}
        return [k for k in QUALIFICATION_KINDS if k in kinds]

    def _check_volunteer(self, person_id: Any) -> dict[str, Any]:
        person = self._person(person_id, "volunteer")
        active = person.status == "active"  # as identity: not_active comes first
        return {"person_id": person.person_id, "name": person.name,
                "region_code": person.region_code, "eligible": person.eligible and active,
                "reasons": ([] if active else [NOT_ACTIVE]) + list(person.reasons),
                "qualifications": self._valid_kinds(person.person_id)}

    def _get_person(self, caller: Caller, person_id: Any, unmasked: Any = False) -> dict[str, Any]:
        person = self._person(person_id)
        profiles = [p for p, held in (("elder", person.elder), ("volunteer", person.volunteer))
                    if held]
        view = {**self._masked(person), "profiles": profiles,
                "volunteer_number": person.volunteer_number if person.volunteer else None,
                "created_at": None, "moves": []}
        return {**view, **self._unmasked(person)} if unmasked else view

    def _get_elder(self, caller: Caller, person_id: Any, unmasked: Any = False) -> dict[str, Any]:
        person = self._person(person_id, "elder")
        proxies = []
        for proxy_id in sorted(self.proxies.get(person.person_id, ())):
            proxy = self.people.get(proxy_id)
            kind = self._kind(person.person_id, proxy_id)
            proxies.append({"person_id": proxy_id, "name": proxy.name if proxy else "代理人",
                            "kind": kind, "kind_name": self._names(RELATION_KINDS, kind),
                            "note": None, "set_by": None,
                            "set_at": self.clock.now().isoformat()})
        view = {**self._masked(person), "phone_only": person.phone_only,
                "emergency_contact_phone_masked": None, "carrier_id": person.carrier_id,
                "priority_categories": self._categories(person), "proxies": proxies,
                "longitude": None, "latitude": None, "moves": []}
        return {**view, **self._unmasked(person)} if unmasked else view

    def _kind(self, person_a: str, person_b: str) -> str | None:
        """What ``person_b`` is to ``person_a`` (a verified link), else None."""
        link = self.relatives.get(frozenset((person_a, person_b)))
        if link is None or person_a == person_b:
            return None
        a, _, kind = link
        return kind if a == person_a else RELATION_INVERSES[kind]

    @staticmethod
    def _names(names: dict[str, tuple[str, str]], code: str | None) -> dict[str, str] | None:
        if code is None:
            return None
        zh, en = names.get(code, (code, code))
        return {"zh": zh, "en": en}

    def _may_act_for(self, person_id: Any, elder_id: Any) -> bool:
        person_id, elder_id = str(person_id), str(elder_id)
        if person_id == elder_id or self._deceased(elder_id):
            return False  # nobody acts for a deceased elder
        if person_id in self.proxies.get(elder_id, ()) and self._kind(elder_id, person_id):
            return True
        elder = self.people.get(elder_id)
        carrier = elder.carrier_id if elder is not None else None
        return carrier is not None and person_id in self.operators.get(carrier, ())

    def _deceased(self, person_id: str) -> bool:
        person = self.people.get(person_id)
        return person is not None and person.status == "deceased"

    def _elders_acted_for(self, person_id: Any) -> list[str]:
        return sorted(elder for elder, proxies in self.proxies.items()
                      if str(person_id) in proxies and self._kind(elder, str(person_id))
                      and not self._deceased(elder))

    def _are_direct_relatives(self, person_a: Any, person_b: Any) -> dict[str, Any]:
        kind = self._kind(str(person_a), str(person_b))
        return {"related": kind is not None, "kind": kind}

    def _contact_details(self, person_ids: list[str]) -> dict[str, Any]:
        items = []
        for person_id in dict.fromkeys(person_ids):
            person = self.people.get(person_id)
            if person is not None:
                items.append({"person_id": person_id, "name": person.name, "phone": person.phone,
                              "region_code": person.region_code,
                              "phone_only": person.elder and person.phone_only,
                              "carrier_id": person.carrier_id if person.elder else None,
                              "is_elder": person.elder, "locale": "zh-CN"})
        return {"items": items}

    def _person_standing(self, person_ids: list[str]) -> dict[str, Any]:
        items = []
        for person_id in dict.fromkeys(person_ids):
            person = self.people.get(person_id)
            if person is not None:
                profiles = [p for p, held in (("elder", person.elder),
                                              ("volunteer", person.volunteer)) if held]
                items.append({"person_id": person_id, "region_code": person.region_code,
                              "status": person.status, "profiles": profiles,
                              "carrier_id": person.carrier_id if person.elder else None})
        return {"items": items}

    def _person_names(self, person_ids: list[str]) -> dict[str, Any]:
        return {"names": {p: self.people[p].name for p in dict.fromkeys(person_ids)
                          if p in self.people}}

    def _place_names(self, region_codes: list[str] = (),  # type: ignore[assignment]
                     carrier_ids: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
        return {"regions": {c: self.regions[c]["name"] for c in region_codes if c in self.regions},
                "carriers": {c: self.carriers[c]["name"] for c in carrier_ids
                             if c in self.carriers}}

    def _station_staff(self, carrier_id: str | None = None,
                       township_code: str | None = None) -> dict[str, Any]:
        staff = [(p, "station_operator") for p in self.operators.get(carrier_id or "", ())]
        if township_code:
            staff += [(p, "township_admin")
                      for p in self.township_admins.get(township_code[:9] + "000", ())]
        return {"items": [{"person_id": p, "role": role,
                           "name": self.people[p].name if p in self.people else "工作人员"}
                          for p, role in sorted(staff)]}

    def _qualifications_expiring(self, on_date: dt.date | None = None,
                                 days: int = 30) -> dict[str, Any]:
        today = on_date or self.today()
        items = [{"qualification_id": q.qualification_id, "person_id": q.person_id,
                  "kind": q.kind, "kind_name": self._names(QUALIFICATION_KINDS, q.kind),
                  "valid_until": q.valid_until.isoformat(),
                  "region_code": (self.people[q.person_id].region_code
                                  if q.person_id in self.people else self.volunteer_region)}
                 for q in sorted(self.qualifications, key=lambda q: q.valid_until)
                 if q.verified and today <= q.valid_until <= today + dt.timedelta(days=days)]
        return {"items": items}

    def _priority_elders(self, region_code: str) -> list[dict[str, Any]]:
        prefix, found = prefix_of(region_code), []
        for person in sorted(self.people.values(), key=lambda p: p.person_id):
            categories = self._categories(person)
            if person.elder and person.region_code.startswith(prefix) and categories \
                    and person.status == "active":
                found.append({"person_id": person.person_id, "region_code": person.region_code,
                              "categories": categories,
                              "birth_date": person.birth_date.isoformat(),
                              "phone_only": person.phone_only})
        return found

    def _get_carrier(self, caller: Caller, carrier_id: Any) -> dict[str, Any]:
        carrier = self.carriers.get(str(carrier_id))
        if carrier is None:
            if self.known_only:
                raise NotFound("carrier_not_found", "服务载体不存在", "No such carrier",
                               {"carrier_id": carrier_id})
            carrier = {"name": DEFAULT_CARRIER_NAME, "region_code": DEFAULT_REGION,
                       "kind": "social_work_station"}
        return {"carrier_id": str(carrier_id), "name": carrier["name"], "kind": carrier["kind"],
                "kind_name": self._names(CARRIER_KINDS, carrier["kind"]),
                "region_code": carrier["region_code"], "address": None, "longitude": None,
                "latitude": None, "contact_name": None, "contact_phone": None,
                "created_at": None}

    def _get_region(self, code: Any) -> dict[str, Any]:
        region = self.regions.get(str(code))
        if region is None:
            if self.known_only:
                raise NotFound("region_not_found", "区划不存在", "No such region", {"code": code})
            return {"code": str(code), "name": f"区划{code}", "level": "community",
                    "parent_code": None, "longitude": None, "latitude": None}
        return dict(region)

    def _list_regions(self, parent_code: str | None = None) -> list[dict[str, Any]]:
        return [dict(r) for code, r in sorted(self.regions.items())
                if r["parent_code"] == parent_code]

    def _matching_volunteers(self, after: str | None = None, limit: int = 1000) -> dict[str, Any]:
        eligible = sorted((p for p in self.people.values()  # active ones only, as identity
                           if p.volunteer and p.eligible and p.status == "active"),
                          key=lambda p: p.person_id)
        page = [p for p in eligible if after is None or p.person_id > after][:limit]
        items = [{"person_id": p.person_id, "region_code": p.region_code,
                  "qualifications": self._valid_kinds(p.person_id)} for p in page]
        return {"items": items,
                "next_after": items[-1]["person_id"] if len(items) == limit else None}

    def _identity_stats(self, caller: Caller, region_code: str | None = None,
                        period_from: Any = None, period_to: Any = None) -> dict[str, Any]:
        region = region_code or caller.scope or DEFAULT_REGION
        prefix = prefix_of(region)
        inside = [p for p in self.people.values() if p.region_code.startswith(prefix)]
        volunteers = [p for p in inside if p.volunteer]
        elders = [p for p in inside if p.elder]
        period = {"from": str(period_from) if period_from else None,
                  "to": str(period_to) if period_to else None}
        new = 0 if period["from"] or period["to"] else None
        return {
            "region_code": region, "period": period, "as_of": self.today().isoformat(),
            "volunteers": {"registered": len(volunteers), "new_in_period": new,
                           "eligible": sum(1 for p in volunteers if p.eligible), "active": 0,
                           "by_background_tag": {}, "by_sex": {"male": 0, "female": 0},
                           "by_age_band": {}},
            "elders": {"registered": len(elders), "new_in_period": new,
                       "phone_only": sum(1 for p in elders if p.phone_only),
                       "with_any_hardship": sum(1 for p in elders if self._categories(p)),
                       "by_hardship_category": {}, "by_age_band": {}},
            "carriers": {"total": 0, "by_kind": {}}, "station_operators": 0, "children": []}

    def _active_revocations(self, since: str | None = None) -> dict[str, Any]:
        return {"items": list(self.revocations), "max_token_age": 900,
                "as_of": self.clock.now().isoformat()}

    # -- as a nameko service ---------------------------------------------------------------------
    def service_class(self, name: str = "identity") -> type:
        """A nameko service class named ``name`` whose RPCs answer from this fake (in the test
        process: ``start_service(fake.service_class(), service_config(None))``)."""
        from nameko.extensions import Entrypoint, register_entrypoint  # noqa: PLC0415

        from timebank_common.service import rpc  # noqa: PLC0415

        fake = self

        class ReleaseOnStop(Entrypoint):
            """Answers the calls a silent fake holds when the container stops (so it stops
            at once instead of waiting for them)."""

            def stop(self) -> None:
                fake.speak()

        def entrypoint(method: str) -> Any:
            def answer(self: Any, *args: Any, **kwargs: Any) -> Any:
                return fake.call(method, *args, **kwargs)

            answer.__name__ = answer.__qualname__ = method
            answer.__doc__ = f"identity's ``{method}``, answered by the fake"
            return rpc(answer)

        def release_on_stop(self: Any) -> None:
            """Not called: its entrypoint's ``stop`` releases held calls."""

        register_entrypoint(release_on_stop, ReleaseOnStop())
        namespace: dict[str, Any] = {method: entrypoint(method) for method in RPCS}
        namespace.update(name=name, release_on_stop=release_on_stop, __module__=__name__,
                         __doc__="identity, answered by an ``IdentityFake``")
        return type("IdentityFakeService", (), namespace)
