"""Evaluation RPCs (item 8): a score 1–5 with tags and a comment through any channel, once
per assignment; a low score opens a follow-up task for the station.

A mixin of ``DemandService`` (it uses ``self.db`` and ``self.identity``)."""
from __future__ import annotations

import uuid

from timebank_common.caller import Caller
from timebank_common.db import utcnow
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import rpc

from . import evaluation_status, feedback_statistics, identity_calls
from . import feedback_repository as feedback
from . import recording_repository as records
from . import recording_schemas as rs
from . import repository as repo
from .domain import access, evaluation
from .domain.recording import REJECTED, VOIDED
from .lookup import demand_id as _demand_id
from .lookup import require_found, uuid_or_404
from .rpc_base import DemandRpcBase


def _which_assignment(demand, volunteer_id: str | None):
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


def _view(row: dict, follow_up: dict | None, demand_status: str) -> dict:
    return rs.EvaluationOut().dump({**row, "follow_up_id": follow_up and follow_up["follow_up_id"],
                                    "demand_status": demand_status})


def scope_prefix(caller: Caller, region_code: str | None) -> str:
    """The region prefix a staff list covers: the caller's scope, or a region within it."""
    if not caller.scope:
        raise Forbidden("scope_required", "您没有管辖范围", "You have no region scope")
    if region_code:
        caller.require_scope(region_code)
        return prefix_of(region_code)
    return prefix_of(caller.scope)


class EvaluationRpcs(DemandRpcBase):
    @rpc
    def evaluation_tags(self):
        return rs.TagOut(many=True).dump(evaluation.tag_list())

    @rpc
    def evaluate(self, caller, demand_id, data):
        """By the elder (app), their proxy, or the station for the elder (phone); once per
        assignment of a recorded service: a repeat returns the first evaluation. The demand
        becomes ``evaluated`` with the evaluation that covers its last counting record
        (``demand_status`` in the answer and in ``evaluation_submitted``)."""
        caller = Caller.from_dict(caller)
        data = load(rs.EvaluateSchema(), data)
        demand_id = _demand_id(demand_id)
        score, tags, comment = evaluation.check_evaluation(data["score"], data["tags"],
                                                           data["comment"])
        with self.db() as uow:
            elder_id = require_found(repo.get_demand(uow, demand_id), demand_id).elder_id
        side = identity_calls.elder_side(self._ask_identity, caller, elder_id)
        channel = {"elder": "app", "proxy": "proxy", "station": "phone"}[side]
        now = utcnow()
        with self.db() as uow:
            demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            if side == "station":
                caller.require_scope(demand.region_code)
            assignment = _which_assignment(demand, data["volunteer_id"])
            first = feedback.evaluation_of(uow, assignment.id)
            if first is not None:
                return _view(first, feedback.follow_up_of(uow, first["evaluation_id"]),
                             demand.status)
            record = records.of_assignment(uow, assignment.id)
            if record is None or record["status"] in (REJECTED, VOIDED):
                raise Conflict("not_recorded", "服务记录完成后才能评价",
                               "A service can be evaluated once it is recorded",
                               {"volunteer_id": assignment.volunteer_id})
            row = {"evaluation_id": str(uuid.uuid4()), "assignment_id": assignment.id,
                   "record_id": record["record_id"], "demand_id": demand.id,
                   "volunteer_id": assignment.volunteer_id, "elder_id": demand.elder_id,
                   "region_code": demand.region_code, "score": score, "tags": tags,
                   "comment": comment, "channel": channel, "submitted_by": caller.person_id,
                   "submitted_at": now, "voided": False}
            feedback.insert_evaluation(uow, row)
            evaluation_status.follow_evaluations(uow, demand)
            uow.emit("evaluation_submitted", rs.EvaluationSubmittedEvent().dump(
                {**row, "demand_status": demand.status}), demand.region_code)
            follow_up = None
            if evaluation.opens_follow_up(score):
                follow_up = {"follow_up_id": str(uuid.uuid4()), "kind": "low_score",
                             "evaluation_id": row["evaluation_id"],
                             "record_id": record["record_id"], "demand_id": demand.id,
                             "volunteer_id": row["volunteer_id"], "elder_id": demand.elder_id,
                             "region_code": demand.region_code, "score": score,
                             "status": "open", "opened_at": now}
                feedback.insert_follow_up(uow, follow_up)
                uow.emit("follow_up_opened", rs.FollowUpOpenedEvent().dump(
                    {**follow_up, "carrier_id": demand.carrier_id}), demand.region_code)
            uow.commit()
        return _view(row, follow_up, demand.status)

    @rpc
    def list_follow_ups(self, caller, filters=None):
        """Staff in scope: follow-up tasks (default the open ones, oldest first)."""
        caller = Caller.from_dict(caller)
        caller.require(*access.READ_ALL_ROLES)
        query = load(rs.FollowUpQuery(), filters)
        prefix = scope_prefix(caller, query["region_code"])
        with self.db() as uow:
            items, total = feedback.list_follow_ups(uow, prefix, query["status"], query["kind"],
                                                    query["page"], query["page_size"])
        return rs.FollowUpPageOut().dump({"items": items, "total": total,
                                          "page": query["page"],
                                          "page_size": query["page_size"]})

    @rpc
    def close_follow_up(self, caller, follow_up_id, data):
        """An operator in scope closes the task with what was done; a repeat returns it."""
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(rs.CloseFollowUpSchema(), data)
        follow_up_id = uuid_or_404(follow_up_id, "follow_up_not_found", "回访任务不存在",
                                   "No such follow-up task")
        with self.db() as uow:
            found = feedback.get_follow_up(uow, follow_up_id, lock=True)
            if found is None:
                raise NotFound("follow_up_not_found", "回访任务不存在", "No such follow-up task",
                               {"follow_up_id": follow_up_id})
            caller.require_scope(found["region_code"])
            if found["status"] == "open":
                feedback.close_follow_up(uow, follow_up_id, caller.person_id, utcnow(),
                                         data["note"])
                uow.commit()
                found = feedback.get_follow_up(uow, follow_up_id)
        return rs.FollowUpOut().dump(found)

    @rpc
    def feedback_stats(self, region_prefix, period_from=None, period_to=None):
        """Internal (statistics): evaluations and disputes of a region prefix and period."""
        query = load(rs.FeedbackStatsQuery(), {"region_prefix": region_prefix,
                                               "period_from": period_from,
                                               "period_to": period_to})
        args = (query["region_prefix"], query["period_from"], query["period_to"])
        with self.db() as uow:
            return {**feedback_statistics.evaluation_stats(uow, *args),
                    **feedback_statistics.dispute_stats(uow, *args)}
