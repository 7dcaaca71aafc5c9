"""Evaluation RPCs (item 8) and the follow-up tasks a low score or an overdue confirmation
opens for the station."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import evaluation
from ..contracts import (
    CloseFollowUpSchema,
    EvaluateSchema,
    EvaluationOut,
    FollowUpOut,
    FollowUpPageOut,
    FollowUpQuery,
    TagOut,
)
from .base import EntrypointBase, given


class EvaluationEntrypoints(EntrypointBase):
    @rpc(returns=TagOut(many=True))
    def evaluation_tags(self):
        """The tags an evaluation may carry."""
        return evaluation.tags()

    @rpc(args={"data": EvaluateSchema}, returns=EvaluationOut, idempotent=True)
    def evaluate(self, caller, demand_id, data):
        """By the elder (app), their proxy, or the station for the elder (phone); once per
        assignment of a recorded service: a repeat returns the first evaluation. The demand
        becomes ``evaluated`` with the evaluation that covers its last counting record
        (``demand_status`` in the answer and in ``evaluation_submitted``)."""
        return evaluation.evaluate(self.db, caller, demand_id, data, self.clock.now(),
                                   self.identity_client)

    @rpc(args={"filters": FollowUpQuery}, returns=FollowUpPageOut)
    def list_follow_ups(self, caller, filters=None):
        """Staff in scope: follow-up tasks (default the open ones, oldest first)."""
        return evaluation.list_follow_ups(self.db, caller, given(filters, FollowUpQuery))

    @rpc(args={"data": CloseFollowUpSchema}, returns=FollowUpOut)
    def close_follow_up(self, caller, follow_up_id, data):
        """An operator in scope closes the task with what was done; a repeat returns it."""
        return evaluation.close_follow_up(self.db, caller, follow_up_id, data,
                                          self.clock.now())
