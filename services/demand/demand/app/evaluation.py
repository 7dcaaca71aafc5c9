"""Evaluations (item 8): a score 1–5 with tags and a comment through any channel — the elder
in the app, their proxy, or the station for the elder by phone — once per assignment of a
recorded service; a low score opens a follow-up task for the station, which an operator in
scope closes with what was done."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from ..adapters import demand_repository as repo
from ..adapters import evaluation_repository as evaluations
from ..adapters import recording_repository as records
from ..adapters.identity import IdentityClient
from ..contracts import (
    EVALUATION_SUBMITTED,
    FOLLOW_UP_OPENED,
    RECORD_REJECTED,
    VOIDED,
    EvaluationOut,
    FollowUpOut,
    FollowUpPageOut,
    TagOut,
)
from ..domain import access, evaluation
from ..domain.lifecycle import Assignment, Demand
from . import completion
from .lookup import demand_id as checked_demand_id
from .lookup import demand_not_found, require_found, require_reach, uuid_or_404
from .visibility import elder_side, require_elder_side_role


def tags() -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = TagOut(many=True).dump(evaluation.tag_list())
    return listed


def _which_assignment(demand: Demand, volunteer_id: str | None) -> Assignment:
    if volunteer_id is None:
        if len(demand.assignments) != 1:
            raise BadInput("volunteer_required", "该需求有多位志愿者，请指定要评价的志愿者",
                           "This demand has several volunteers: give volunteer_id")
        return demand.assignments[0]
    assignment = demand.assignment_of(volunteer_id)
    if assignment is None:
        raise NotFound("assignment_not_found", "该志愿者未承接此需求",
                       "This volunteer holds no assignment on this demand",
                       {"volunteer_id": volunteer_id})
    return assignment


def _view(row: dict[str, Any], follow_up: dict[str, Any] | None, demand_status: str
          ) -> dict[str, Any]:
    view: dict[str, Any] = EvaluationOut().dump({
        **row, "follow_up_id": follow_up and follow_up["follow_up_id"],
        "demand_status": demand_status})
    return view


def scope_prefix(caller: Caller, region_code: str | None) -> str:
    """The region prefix a staff list covers: the caller's scope, or a region within it."""
    if not caller.scope:
        raise Forbidden("scope_required", "您没有管辖范围", "You have no region scope")
    if region_code:
        caller.require_scope(region_code)
        return prefix_of(region_code)
    return prefix_of(caller.scope)


def evaluate(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
             now: dt.datetime, identity: IdentityClient) -> dict[str, Any]:
    """A repeat returns the first evaluation. The demand becomes ``evaluated`` with the
    evaluation that covers its last counting record (``demand_status`` in the answer and in
    ``evaluation_submitted``)."""
    require_elder_side_role(caller)  # before looking the demand up
    demand_id = checked_demand_id(demand_id)
    score, tags, comment = evaluation.check_evaluation(data["score"], data["tags"],
                                                       data["comment"])
    with db() as uow:
        elder_id = require_found(repo.get_demand(uow, demand_id), demand_id).elder_id
    side = elder_side(identity, caller, elder_id, demand_not_found(demand_id))
    channel = {"elder": "app", "proxy": "proxy", "station": "phone"}[side]
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
        if side == "station":
            require_reach(caller, demand.region_code, demand_not_found(demand_id))
        assignment = _which_assignment(demand, data["volunteer_id"])
        assert assignment.id is not None  # saved
        first = evaluations.evaluation_of(uow, assignment.id)
        if first is not None:
            return _view(first, evaluations.follow_up_of(uow, first["evaluation_id"]),
                         demand.status)
        record = records.of_assignment(uow, assignment.id)
        if record is None or record["status"] in (RECORD_REJECTED, VOIDED):
            raise Conflict("not_recorded", "服务记录完成后才能评价",
                           "A service can be evaluated once it is recorded",
                           {"volunteer_id": assignment.volunteer_id})
        row = {"evaluation_id": str(uuid.uuid4()), "assignment_id": assignment.id,
               "record_id": record["record_id"], "demand_id": demand.id,
               "volunteer_id": assignment.volunteer_id, "elder_id": demand.elder_id,
               "region_code": demand.region_code, "score": score, "tags": tags,
               "comment": comment, "channel": channel, "submitted_by": caller.person_id,
               "submitted_at": now, "voided": False}
        evaluations.insert_evaluation(uow, row)
        completion.follow_evaluations(uow, demand)
        uow.emit(EVALUATION_SUBMITTED, {**row, "demand_status": demand.status},
                 demand.region_code)
        follow_up = None
        if evaluation.opens_follow_up(score):
            follow_up = {"follow_up_id": str(uuid.uuid4()), "kind": "low_score",
                         "evaluation_id": row["evaluation_id"],
                         "record_id": record["record_id"], "demand_id": demand.id,
                         "volunteer_id": row["volunteer_id"], "elder_id": demand.elder_id,
                         "region_code": demand.region_code, "score": score,
                         "status": "open", "opened_at": now}
            evaluations.insert_follow_up(uow, follow_up)
            uow.emit(FOLLOW_UP_OPENED, {**follow_up, "carrier_id": demand.carrier_id},
                     demand.region_code)
        uow.commit()
    return _view(row, follow_up, demand.status)


def list_follow_ups(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                    ) -> dict[str, Any]:
    """Staff in scope: follow-up tasks (default the open ones, oldest first)."""
    caller.require(*access.READ_ALL_ROLES)
    prefix = scope_prefix(caller, query["region_code"])
    with db() as uow:
        items, total = evaluations.list_follow_ups(uow, prefix, query["status"], query["kind"],
                                                   query["page"], query["page_size"])
    page: dict[str, Any] = FollowUpPageOut().dump({"items": items, "total": total,
                                                   "page": query["page"],
                                                   "page_size": query["page_size"]})
    return page


def close_follow_up(db: UnitOfWorkFactory, caller: Caller, follow_up_id: Any,
                    data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """An operator in scope closes the task with what was done; a repeat returns it."""
    caller.require(*STATION_STAFF)
    follow_up_id = uuid_or_404(follow_up_id, "follow_up_not_found", "回访任务不存在",
                               "No such follow-up task")
    with db() as uow:
        found = evaluations.get_follow_up(uow, follow_up_id, lock=True)
        missing = NotFound("follow_up_not_found", "回访任务不存在", "No such follow-up task",
                           {"follow_up_id": follow_up_id})
        if found is None:
            raise missing
        require_reach(caller, found["region_code"], missing)
        if found["status"] == "open":
            evaluations.close_follow_up(uow, follow_up_id, caller.person_id, now,
                                        data["note"])
            uow.commit()
            found = evaluations.get_follow_up(uow, follow_up_id)
    closed: dict[str, Any] = FollowUpOut().dump(found)
    return closed
