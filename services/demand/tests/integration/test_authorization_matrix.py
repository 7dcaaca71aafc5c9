"""The authorization matrix of demand: EVERY RPC that acts for a caller × every role of
DESIGN.md §4 × a target in reach, out of reach, and an id nobody has.

* in reach: staff whose scope covers the demand's community (石家庄 长安区 育才社区,
  130102001001), the demand's elder, their proxy relative, the volunteer on it;
* out of reach: the same staff roles scoped to 唐山 (a province admin and an auditor: to
  北京), another elder, a relative who acts for nobody, a volunteer not on the demand;
* missing: an in-reach caller naming an id nobody has.

What must hold, for every RPC and role:
1. the roles ``ALLOWED`` for the RPC succeed in reach, every other role is refused;
2. nothing succeeds out of reach (a list RPC may answer, without the target in it);
3. for an RPC naming something by id, the answer out of reach is EXACTLY the answer for an id
   nobody has (same error, same code): what exists outside one's reach is not revealed.
   ``OPEN_TO_VOLUNTEERS``: what every volunteer of the city may see (a published demand they
   may claim) is exempt for a volunteer.

Each RPC's cells run in the test's process on one rolled-back unit of work, each call on a
fresh world (a demand in the state the RPC needs)."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from timebank_testing.authorization import ALLOW, caller_taking_rpcs

from demand.service import DemandService
from timebank_common.caller import ADMIN_ROLES
from timebank_common.errors import DomainError

from .conftest import OPERATOR, PLACE, new_id, served, submission

IN_SCOPE = {"station_operator": "130102001000", "township_admin": "130102001000",
            "county_admin": "130102000000", "city_admin": "130100000000",
            "province_admin": "130000000000", "auditor": "130000000000",
            "api_client": "130100000000"}
OUT_OF_SCOPE = {"station_operator": "130202001000", "township_admin": "130202001000",
                "county_admin": "130202000000", "city_admin": "130200000000",
                "province_admin": "110000000000", "auditor": "110000000000",
                "api_client": "130200000000"}
PERSON_ROLES = ("volunteer", "elder", "relative")
ROLES = (*IN_SCOPE, *PERSON_ROLES)
STAFF = ("station_operator", "township_admin", "county_admin", "city_admin", "province_admin")
READERS = (*STAFF, "auditor", "api_client")
HANDLERS = STAFF  # township level or above (the station's operator here is township-scoped)


@pytest.fixture
def demand(in_process):
    return in_process()


class World:
    """One elder of 育才社区 with a proxy relative, one volunteer, and the demand states an
    RPC needs (each built fresh for a call)."""

    def __init__(self, demand, identity, clock):
        self.d, self.clock = demand, clock
        self.elder = identity.add_elder()
        self.other_elder = identity.add_elder()
        self.proxy = new_id("proxy")
        identity.add_proxy(self.proxy, self.elder)
        self.volunteer = new_id("vol")

    def person(self, role: str, in_reach: bool) -> dict:
        if role == "elder":
            return {"person_id": self.elder if in_reach else self.other_elder,
                    "roles": ["elder"], "scope": None}
        if role == "relative":
            return {"person_id": self.proxy if in_reach else new_id("rel"),
                    "roles": ["relative"], "scope": None}
        return {"person_id": self.volunteer if in_reach else new_id("vol"),
                "roles": ["volunteer"], "scope": None}

    def vol(self) -> dict:
        return self.person("volunteer", True)

    # --- states ---------------------------------------------------------------------------
    def submitted(self) -> str:
        return self.d.submit(OPERATOR, submission(self.clock.now(), elder_id=self.elder))[
            "demand_id"]

    def published(self) -> str:
        made = self.submitted()
        self.d.review(OPERATOR, made, {"decision": "approve"})
        return made

    def assigned(self) -> str:
        made = self.published()
        self.d.claim(self.vol(), made)
        return made

    def in_service(self) -> str:
        made = self.assigned()
        self.d.check_in(self.vol(), made, dict(PLACE))
        return made

    def checked_out(self, minutes: int = 65) -> str:
        made, _ = served(self.d, self.clock.now(), elder_id=self.elder, who=[self.vol()],
                         served_minutes=minutes)
        return made["demand_id"]

    def recorded(self, confirmation: str = "phone", held: bool = False) -> tuple[str, dict]:
        made = self.checked_out(10 if held else 65)
        record = self.d.record(OPERATOR, made, {"volunteer_id": self.volunteer, "minutes": 60,
                                                "confirmation": confirmation})
        return made, record

    def dispute(self) -> str:
        _, record = self.recorded()
        return self.d.open_dispute(self.person("elder", True), {
            "record_id": record["record_id"], "reason": "时间不对"})["dispute_id"]

    def follow_up(self) -> str:
        made, _ = self.recorded()
        return self.d.evaluate(self.person("elder", True), made, {"score": 1})["follow_up_id"]

    def series(self) -> str:
        today = self.clock.now().date()
        return self.d.create_series(OPERATOR, {
            "elder_id": self.elder, "category": "emotional_comfort", "description": "每周陪伴",
            "address": "育才街12号", "frequency": "weekly", "weekdays": [3],
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=30)).isoformat(), "time_of_day": "10:00",
            "window_minutes": 60, "expected_minutes": 60, "channel": "phone"})["series_id"]

    def escalated(self) -> str:
        made = self.submitted()
        self.clock.advance(hours=25)
        self.d.escalate_unreviewed()
        return made


def missing_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Rpc:
    """``act(world, caller, pick)``: builds the state it needs and calls the RPC; ``pick(id)``
    is the id itself, or one nobody has (the ``missing`` column). ``kind``: ``id`` (names
    something: out of reach must answer as missing), ``list`` (answers a page: out of reach
    must not contain the world's item; ``act`` returns whether it does), ``region`` (acts in
    a region the caller names or holds: refused out of scope)."""

    allowed: tuple[str, ...]
    act: Callable[[World, dict, Callable[[str], str]], Any]
    kind: str = "id"


def _submit(w, c, pick):
    channel = "api" if "api_client" in c["roles"] else (
        "app" if c.get("scope") is None else "phone")
    return w.d.submit(c, submission(w.clock.now(), elder_id=w.elder, channel=channel))


def sees(build: Callable[[World], str], call: Callable[[World, dict], list[dict]], key: str
         ) -> Callable[[World, dict, Callable[[str], str]], bool]:
    """A list RPC's act: the item is built first, then listed; whether the caller sees it."""
    def act(w: World, c: dict, p: Callable[[str], str]) -> bool:
        made = build(w)
        return made in [item[key] for item in call(w, c)]
    return act


MATRIX: dict[str, Rpc] = {
    # intake
    "submit": Rpc((*STAFF, "api_client", "elder", "relative"), _submit, "region"),
    "adjust": Rpc(STAFF, lambda w, c, p: w.d.adjust(c, p(w.submitted()), {
        "description": "改为读报", "reason": "电话核实"})),
    "review": Rpc(STAFF, lambda w, c, p: w.d.review(c, p(w.submitted()),
                                                    {"decision": "approve"})),
    "funding_check": Rpc(STAFF, lambda w, c, p: w.d.funding_check(c, p(w.submitted()))),
    "escalations": Rpc(("township_admin", "county_admin", "city_admin", "province_admin",
                        "auditor"),
                       sees(World.escalated, lambda w, c: w.d.escalations(c, {})["items"],
                            "demand_id"), "list"),
    # series
    "create_series": Rpc((*STAFF, "api_client", "elder", "relative"), lambda w, c, p: (
        w.d.create_series(c, {
            "elder_id": w.elder, "category": "emotional_comfort", "description": "每周陪伴",
            "address": "育才街12号", "frequency": "weekly", "weekdays": [3],
            "start_date": w.clock.now().date().isoformat(),
            "end_date": (w.clock.now().date() + dt.timedelta(days=30)).isoformat(),
            "time_of_day": "10:00", "window_minutes": 60, "expected_minutes": 60,
            "channel": "api" if "api_client" in c["roles"] else (
                "app" if c.get("scope") is None else "phone")})), "region"),
    "get_series": Rpc((*READERS, "elder"), lambda w, c, p: w.d.get_series(c, p(w.series()))),
    "list_series": Rpc((*READERS, "elder"), sees(
        World.series, lambda w, c: w.d.list_series(c, {})["items"], "series_id"), "list"),
    "cancel_series": Rpc((*STAFF, "elder"), lambda w, c, p: w.d.cancel_series(
        c, p(w.series()), {"reason": "老人住院"})),
    # demands
    "get": Rpc((*READERS, "elder", "relative", "volunteer"),
               lambda w, c, p: w.d.get(c, p(w.assigned()))),
    "list": Rpc((*READERS, "elder", "relative", "volunteer"), sees(
        World.assigned, lambda w, c: w.d.list(c, {})["items"], "demand_id"), "list"),
    "cancel": Rpc((*STAFF, "elder"), lambda w, c, p: w.d.cancel(c, p(w.published()),
                                                                {"reason": "不需要了"})),
    # assignment
    "claim": Rpc(("volunteer",), lambda w, c, p: w.d.claim(c, p(w.published()))),
    "assign": Rpc(STAFF, lambda w, c, p: w.d.assign(c, p(w.published()), w.volunteer)),
    "withdraw": Rpc(("volunteer",), lambda w, c, p: w.d.withdraw(c, p(w.assigned()),
                                                                 {"reason": "临时有事"})),
    "check_in": Rpc(("volunteer",), lambda w, c, p: w.d.check_in(c, p(w.assigned()),
                                                                 dict(PLACE))),
    "check_out": Rpc(("volunteer",), lambda w, c, p: w.d.check_out(c, p(w.in_service()),
                                                                   dict(PLACE))),
    # recording
    "record": Rpc(STAFF, lambda w, c, p: w.d.record(c, p(w.checked_out()), {
        "volunteer_id": w.volunteer, "minutes": 60, "confirmation": "phone"})),
    "record_group": Rpc(STAFF, lambda w, c, p: w.d.record_group(c, p(w.checked_out()), {
        "entries": [{"volunteer_id": w.volunteer, "minutes": 60}], "confirmation": "phone"})),
    "confirm": Rpc((*STAFF, "elder", "relative"), lambda w, c, p: w.d.confirm(
        c, p(w.recorded("app")[0]), {})),
    "records": Rpc((*READERS, "elder", "relative", "volunteer"),
                   lambda w, c, p: w.d.records(c, p(w.recorded()[0]))),
    "list_records": Rpc(READERS, sees(
        lambda w: w.recorded()[1]["record_id"],
        lambda w, c: w.d.list_records(c, {"status": "sent", "page_size": 100})["items"],
        "record_id"), "list"),
    "release_record": Rpc(STAFF, lambda w, c, p: w.d.release_record(
        c, p(w.recorded(held=True)[1]["record_id"]), {"reason": "电话核实"})),
    "reject_record": Rpc(STAFF, lambda w, c, p: w.d.reject_record(
        c, p(w.recorded(held=True)[1]["record_id"]), {"reason": "证据不足"})),
    "add_evidence_policy": Rpc(("province_admin", "city_admin"), lambda w, c, p: (
        w.d.add_evidence_policy(c, {
            "region_code": "130100000000",
            "effective_from": (w.clock.now().date() + dt.timedelta(days=1)).isoformat(),
            "values": {"daily_max_minutes": 420}, "reason": "试点"})), "region"),
    # evaluations
    "evaluate": Rpc((*STAFF, "elder", "relative"), lambda w, c, p: w.d.evaluate(
        c, p(w.recorded()[0]), {"score": 5})),
    "list_follow_ups": Rpc(READERS, sees(
        World.follow_up, lambda w, c: w.d.list_follow_ups(c, {"page_size": 100})["items"],
        "follow_up_id"), "list"),
    "close_follow_up": Rpc(STAFF, lambda w, c, p: w.d.close_follow_up(
        c, p(w.follow_up()), {"note": "已回访"})),
    # disputes
    "open_dispute": Rpc((*STAFF, "elder", "volunteer"), lambda w, c, p: w.d.open_dispute(
        c, {"record_id": p(w.recorded()[1]["record_id"]), "reason": "时间不对"})),
    "list_disputes": Rpc((*READERS, "elder", "volunteer"), sees(
        World.dispute, lambda w, c: w.d.list_disputes(c, {"page_size": 100})["items"],
        "dispute_id"), "list"),
    "get_dispute": Rpc((*READERS, "elder", "volunteer"), lambda w, c, p: w.d.get_dispute(
        c, p(w.dispute()))),
    "take_dispute": Rpc(HANDLERS, lambda w, c, p: w.d.take_dispute(c, p(w.dispute()), {})),
    "comment_dispute": Rpc((*HANDLERS, "elder", "volunteer"), lambda w, c, p: w.d.comment_dispute(
        c, p(w.dispute()), {"note": "补充说明"})),
    "resolve_dispute": Rpc(HANDLERS, lambda w, c, p: w.d.resolve_dispute(
        c, p(w.dispute()), {"outcome": "upheld", "reason": "核实无误"})),
    # catalogue (province-wide data: only the province's admins edit it)
    "create_category": Rpc(("province_admin",), lambda w, c, p: w.d.create_category(c, {
        "code": f"m{uuid.uuid4().hex[:8]}", "name_zh": "测试", "name_en": "Test",
        "default_minutes": 60}), "region"),
    "update_category": Rpc(("province_admin",), lambda w, c, p: w.d.update_category(
        c, "emotional_comfort", {"default_minutes": 60}), "region"),
    "catalogue_history": Rpc(("province_admin", "auditor"), lambda w, c, p: (
        w.d.catalogue_history(c, {})), "region"),
    # statistics (a region in the caller's scope: their own)
    "demand_stats": Rpc((*ADMIN_ROLES, "auditor", "api_client"),
                        lambda w, c, p: w.d.demand_stats(c, region_code="130102001001"),
                        "region"),
}


def caller_of(world: World, role: str, in_reach: bool) -> dict:
    if role in PERSON_ROLES:
        return world.person(role, in_reach)
    scope = (IN_SCOPE if in_reach else OUT_OF_SCOPE)[role]
    if role == "api_client":
        return {"person_id": None, "client_id": f"client-{scope[:4]}", "roles": [role],
                "scope": scope}
    return {"person_id": f"m-{role}-{scope[:4]}", "roles": [role], "scope": scope,
            "carrier_id": "carrier-7" if role == "station_operator" and in_reach else None}


def outcome(act: Callable[[], Any]) -> Any:
    """ALLOW with the answer, or the refusal as (error class, code)."""
    try:
        return ALLOW, act()
    except DomainError as error:
        return type(error).__name__, error.code


def test_the_matrix_covers_every_caller_rpc():
    assert set(MATRIX) == caller_taking_rpcs(DemandService), \
        "extend MATRIX: these RPCs act for a caller"
    for rpc in MATRIX.values():
        assert set(rpc.allowed) <= set(ROLES)


def cell(spec: Rpc, demand, identity, clock, role: str, column: str) -> Any:
    """One call on a fresh world: ``column`` in, out (of reach) or missing (an id nobody
    has, named by an in-reach caller)."""
    world = World(demand, identity, clock)
    caller = caller_of(world, role, column != "out")

    def pick(real: str) -> str:
        return missing_id() if column == "missing" else real

    return outcome(lambda: spec.act(world, caller, pick))


# what every volunteer of the city may do with a published demand: take it
OPEN_TO_VOLUNTEERS = {("claim", "volunteer")}


@pytest.mark.parametrize("rpc", sorted(MATRIX))
def test_every_role_in_reach_out_of_reach_and_missing(demand, identity, clock, rpc):
    spec = MATRIX[rpc]
    wrong = []
    for role in ROLES:
        got_in = cell(spec, demand, identity, clock, role, "in")
        got_out = cell(spec, demand, identity, clock, role, "out")
        open_to_all = (rpc, role) in OPEN_TO_VOLUNTEERS
        if spec.kind == "list":
            seen_in = got_in[0] == ALLOW and got_in[1] is True
            if seen_in != (role in spec.allowed):
                wrong.append((role, "in reach", got_in))
            if got_out[0] == ALLOW and got_out[1] is True:
                wrong.append((role, "out of reach: sees the item", got_out))
            continue
        if (got_in[0] == ALLOW) != (role in spec.allowed):
            wrong.append((role, "in reach", got_in))
        if got_out[0] == ALLOW and not open_to_all:
            wrong.append((role, "out of reach: allowed", got_out))
        if spec.kind == "id":
            got_missing = cell(spec, demand, identity, clock, role, "missing")
            if got_missing[0] == ALLOW:
                wrong.append((role, "missing id: allowed", got_missing))
            elif got_out != got_missing and not open_to_all:
                wrong.append((role, f"out of reach {got_out} != missing {got_missing}"))
    assert wrong == [], wrong
