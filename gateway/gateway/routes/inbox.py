"""/api/v1/inbox, /api/v1/call-tasks, /api/v1/preferences and /api/v1/templates (notify)."""
from notify.contracts import (
    CALL_TASK_READERS,
    CALL_TASK_RECORDERS,
    TEMPLATE_EDITORS,
    TEMPLATE_READERS,
    CallOutcomeIn,
    CallTaskListQuery,
    CallTaskPage,
    CallTaskView,
    InboxPage,
    InboxQuery,
    MessageView,
    PreferencesIn,
    PreferencesQuery,
    PreferencesView,
    TemplateIn,
    TemplateList,
    TemplateView,
)

from ..routing import route


class InboxRoutes:
    @route("GET", "/api/v1/inbox", summary="我的消息 My notifications", tags=["notify"], query=InboxQuery,
           response=InboxPage)
    def inbox(self, request, caller, query):
        return self.notify.inbox(caller, query)

    @route("POST", "/api/v1/inbox/<message_id>/read", summary="标为已读 Mark as read", tags=["notify"],
           response=MessageView)
    def mark_read(self, request, caller, message_id):
        return self.notify.mark_read(caller, message_id)

    @route("GET", "/api/v1/call-tasks",
           summary="电话任务 Calls the station owes elders without a smartphone "
                   "(station operators: their station; admins and auditors: their region)",
           tags=["notify"], query=CallTaskListQuery, response=CallTaskPage,
           roles=CALL_TASK_READERS)
    def call_tasks(self, request, caller, query):
        return self.notify.call_tasks(caller, query)

    @route("POST", "/api/v1/call-tasks/<task_id>",
           summary="登记通话结果 Record a call's outcome (reached, no_answer, wrong_number, "
                   "callback); reached and wrong_number close the task",
           tags=["notify"], body=CallOutcomeIn, response=CallTaskView,
           roles=CALL_TASK_RECORDERS)
    def record_call(self, request, caller, task_id, body):
        return self.notify.record_call(caller, task_id, body)

    @route("GET", "/api/v1/preferences",
           summary="通知设置 Notification channels and quiet hours (your own; staff may read "
                   "an elder's with person_id: their station's, or an admin's in scope; 404 "
                   "for anyone else, as for an id nobody has)",
           tags=["notify"], query=PreferencesQuery, response=PreferencesView)
    def preferences(self, request, caller, query):
        return self.notify.preferences(caller, query.get("person_id"))

    @route("PUT", "/api/v1/preferences",
           summary="修改通知设置 Set channels (sms, email, call; the inbox is always on), quiet "
                   "hours (HH:MM Beijing time, null for none), e-mail, nearby-demand alerts",
           tags=["notify"], body=PreferencesIn, query=PreferencesQuery,
           response=PreferencesView)
    def set_preferences(self, request, caller, body, query):
        return self.notify.set_preferences(caller, body, query.get("person_id"))

    @route("GET", "/api/v1/templates",
           summary="消息模板 Message templates (zh-CN and en per event kind and recipient role)",
           tags=["notify"], response=TemplateList, roles=TEMPLATE_READERS)
    def templates(self, request, caller):
        return self.notify.templates(caller)

    @route("PUT", "/api/v1/templates/<event_type>/<role>/<locale>",
           summary="修改消息模板 Edit a template's text (province admins; only the placeholders "
                   "the message kind supplies)",
           tags=["notify"], body=TemplateIn, response=TemplateView, roles=TEMPLATE_EDITORS)
    def set_template(self, request, caller, event_type, role, locale, body):
        return self.notify.set_template(caller, event_type, role, locale, body)
