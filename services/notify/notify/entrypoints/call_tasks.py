"""RPC: the stations' call tasks and the outcomes of calls."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc

from ..app import call_tasks
from ..contracts import CallOutcomeIn, CallTaskListQuery, CallTaskPage, CallTaskView
from .base import NotifyEntrypoints, defaults_of


class CallTaskEntrypoints(NotifyEntrypoints):
    @rpc(args={"query": CallTaskListQuery}, returns=CallTaskPage)
    def call_tasks(self, caller, query=None) -> dict[str, Any]:
        """The calls a station owes elders without a smartphone, urgent first: a station
        operator's station's, admins' and auditors' region's."""
        page = call_tasks.list_call_tasks(self.db, caller,
                                          query or defaults_of(CallTaskListQuery))
        view = CallTaskView()
        return {**page, "items": [view.dump(row) for row in page["items"]]}

    @rpc(args={"data": CallOutcomeIn}, returns=CallTaskView)
    def record_call(self, caller, task_id, data) -> dict[str, Any]:
        """Record a call's outcome; ``reached`` and ``wrong_number`` close the task."""
        return CallTaskView().dump(call_tasks.record_call(self.db, caller, task_id, data,
                                                          self.clock.now()))
