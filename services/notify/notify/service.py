"""The notify service: turns other services' events into messages for people, keeps their
inbox, preferences and the stations' call tasks, and delivers on SMS, e-mail and calls.

Handlers are thin: validate the payload, let ``domain.messages`` decide recipients and values,
and ``notifying.notify`` stores the message (unique per person, source event and kind) and
its pending deliveries in the handler's transaction (inbox de-duplication by ``once``).
Timers send what is due (``delivering``) and fire reminders (``reminding``); both claim rows
with ``FOR UPDATE SKIP LOCKED``, so any number of notify processes can run side by side.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from timebank_common import remote
from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Forbidden, NotFound, Unavailable
from timebank_common.events import event_handler, once
from timebank_common.outbox import OutboxRelay
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc, scheduled

from . import calls, delivering, notifying, reminding, schemas
from . import repository as repo
from .channels.email import SmtpEmail, SmtpSettings
from .channels.sms import SmsSettings, TencentSms
from .domain import messages
from .domain.delivery import Contact, RetryPolicy
from .domain.formatting import parse_time
from .domain.preferences import defaults_for
from .domain.reminders import is_urgent_cancellation
from .domain.templates import TemplateError, check_edit
from .preferences import preferences_values, preferences_view

log = logging.getLogger("timebank.notify")
TEMPLATE_READERS = ("province_admin", "city_admin", "county_admin", "auditor")
STAFF = ("station_operator", "township_admin", "county_admin", "city_admin", "province_admin")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _person(caller: dict) -> Caller:
    who = Caller.from_dict(caller)
    if not who.person_id:
        raise Forbidden("person_required", "只有个人用户有消息收件箱",
                        "Only a person has an inbox")
    return who


def _uuid(value, code: str, zh: str, en: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise BadInput(code, zh, en) from None


def _message_id(value) -> str:
    return _uuid(value, "invalid_message_id", "消息编号格式不正确",
                 "The message id is not a valid UUID")


def _payload(schema, event: dict) -> dict:
    try:
        return schema.load(event.get("payload") or {})
    except ValidationError as exc:  # malformed event: retried, then dead-lettered for a human
        raise ValueError(f"{event.get('event_type')} payload invalid: {exc.messages}") from exc


class NotifyService(ServiceBase):
    name = "notify"
    db = Database()
    relay = OutboxRelay()
    config = Config()
    identity = RpcProxy("identity")
    demand = RpcProxy("demand")

    # --- other services, never waited on forever: timebank_common.remote.ask, within
    # IDENTITY_RPC_TIMEOUT_SECONDS / DEMAND_RPC_TIMEOUT_SECONDS, else Unavailable (503) ---------
    def _ask_identity(self, method: str, *args):
        return remote.ask(self.config, self.identity, "identity", method, *args)

    def _contacts(self, person_ids: list[str]) -> dict[str, Contact]:
        """identity's contact details (phone decrypted and audited there), never stored here."""
        answer = self._ask_identity("contact_details", [str(p) for p in person_ids])
        return {item["person_id"]: Contact(
            person_id=item["person_id"], name=item["name"], phone=item.get("phone"),
            phone_only=bool(item.get("phone_only")), carrier_id=item.get("carrier_id"),
            region_code=item.get("region_code"), is_elder=bool(item.get("is_elder")))
            for item in answer["items"]}

    def _names(self, person_ids: list[str]) -> dict[str, str]:
        """Names for a message text (identity's ``person_names``: no sealed data read);
        without identity the text says "a volunteer" / greets without a name."""
        try:
            return self._volunteer_names(person_ids)
        except Unavailable:
            return {}

    def _category_names(self) -> dict:
        try:
            catalog = remote.ask(self.config, self.demand, "demand", "catalog")
        except Unavailable:
            return {}
        return {c["code"]: {"zh-CN": c.get("name_zh"), "en": c.get("name_en")} for c in catalog}

    def _place_name(self, region_code: str) -> str | None:
        """The community's name ("育才社区居委会"): a demand's event carries coordinates, never
        the elder's address (volunteers see it once they serve)."""
        try:
            return self._ask_identity("get_region", region_code).get("name")
        except (Unavailable, NotFound):
            return None

    def _send(self, uow, notices, event: dict, urgent: bool = False) -> int:
        """Store the notices of one event (each recipient greeted by name when identity
        answers) and schedule their deliveries."""
        names = self._names([n.person_id for n in notices])
        return notifying.notify_all(uow, notices, event["event_id"], _now(), urgent, names)

    def _staff(self, carrier_id=None, township_code=None) -> list[str]:
        answer = self._ask_identity("station_staff", carrier_id, township_code)
        return [item["person_id"] for item in answer["items"]]

    def _retry_policy(self) -> RetryPolicy:
        cfg = self.config.get("DELIVERY", {}) or {}
        return RetryPolicy(max_attempts=int(cfg.get("max_attempts", 5)),
                           base_seconds=float(cfg.get("backoff_base_seconds", 30)),
                           cap_seconds=float(cfg.get("backoff_cap_seconds", 3600)))

    # --- events: demand ----------------------------------------------------------------------
    @event_handler("demand", "demand_published")
    @once("notify.on_demand_published")
    def on_demand_published(self, uow, event):
        payload = _payload(schemas.DemandPublishedEvent(), event)
        region = payload.get("region_code") or event.get("region_code") or ""
        if len(region) < 9:
            return
        volunteers = repo.nearby_volunteers(uow, region[:9])
        if not volunteers:
            return
        names = self._category_names()
        place = self._place_name(region)
        notices = [messages.demand_published(payload, v, names, place) for v in volunteers]
        self._send(uow, notices, event)

    @event_handler("demand", "demand_assigned")
    @once("notify.on_demand_assigned")
    def on_demand_assigned(self, uow, event):
        payload = _payload(schemas.DemandAssignedEvent(), event)
        now = _now()
        notices = [messages.demand_assigned(payload)]
        if payload.get("elder_id"):
            names = self._names([payload["volunteer_id"]])
            notices.append(messages.demand_assigned_to_elder(payload, names))
        self._send(uow, notices, event)
        reminding.schedule(uow, payload, now)

    @event_handler("demand", "demand_cancelled")
    @once("notify.on_demand_cancelled")
    def on_demand_cancelled(self, uow, event):
        payload = _payload(schemas.DemandCancelledEvent(), event)
        cancelled = repo.cancel_reminders(uow, payload["demand_id"])
        known = repo.reminders_of(uow, payload["demand_id"]) or cancelled
        if not payload.get("window_start") and known:
            payload["window_start"] = known[0].window_start.isoformat()
            payload["window_end"] = known[0].window_end.isoformat()
        now = _now()
        urgent = bool(payload.get("window_start")) and is_urgent_cancellation(
            parse_time(payload["window_start"]), now, window_end=(
                parse_time(payload["window_end"]) if payload.get("window_end") else None))
        # those still on the demand, and those with reminders (older events without
        # volunteer_ids) — not who withdrew or missed it before (their reminders were
        # cancelled then, and they were told then)
        just_now = {r.id for r in cancelled}
        left = {r.volunteer_id for r in known if r.role == "volunteer"
                and r.status == "cancelled" and r.id not in just_now}
        volunteers = set(payload["volunteer_ids"]) | {
            r.volunteer_id for r in known if r.role == "volunteer" and r.volunteer_id not in left}
        notices = [messages.demand_cancelled(payload, v, "volunteer") for v in sorted(volunteers)]
        if payload.get("elder_id"):
            notices.append(messages.demand_cancelled(payload, payload["elder_id"], "elder"))
        self._send(uow, notices, event, urgent=urgent)

    @event_handler("demand", "service_recorded")
    @once("notify.on_service_recorded")
    def on_service_recorded(self, uow, event):
        payload = _payload(schemas.ServiceRecordedEvent(), event)
        repo.remember_record(uow, payload["record_id"], payload.get("demand_id"),
                             payload["volunteer_id"], payload.get("elder_id"))
        self._send(uow, messages.service_recorded(payload), event)

    @event_handler("demand", "demand_review_overdue")
    @once("notify.on_review_overdue")
    def on_review_overdue(self, uow, event):
        payload = _payload(schemas.ReviewOverdueEvent(), event)
        township = payload.get("township_code") or payload.get("region_code")
        staff = self._staff(payload.get("carrier_id"), township)  # no answer: retried
        notices = [messages.review_overdue(payload, s) for s in staff]
        self._send(uow, notices, event)

    @event_handler("demand", "dispute_opened")
    @once("notify.on_dispute_opened")
    def on_dispute_opened(self, uow, event):
        payload = _payload(schemas.DisputeOpenedEvent(), event)
        if payload.get("opened_by"):
            repo.remember_dispute(uow, payload["dispute_id"], payload["opened_by"])
        if payload.get("record_id") and payload.get("volunteer_id"):
            repo.remember_record(uow, payload["record_id"], payload.get("demand_id"),
                                 payload["volunteer_id"], payload.get("elder_id"))
        staff = self._staff(None, payload["region_code"])  # disputes are handled at township
        notices = [messages.dispute_opened(payload, s) for s in staff]
        self._send(uow, notices, event)

    @event_handler("demand", "dispute_resolved")
    @once("notify.on_dispute_resolved")
    def on_dispute_resolved(self, uow, event):
        payload = _payload(schemas.DisputeResolvedEvent(), event)
        parties = [payload.get("opened_by") or repo.dispute_opener(uow, payload["dispute_id"]),
                   *([payload["volunteer_id"], payload.get("elder_id")]
                     if payload.get("volunteer_id")
                     else repo.record_party_ids(uow, payload.get("record_id")))]
        notices = [messages.dispute_resolved(payload, p)
                   for p in dict.fromkeys(p for p in parties if p)]
        self._send(uow, notices, event)

    @event_handler("demand", "follow_up_opened")
    @once("notify.on_follow_up_opened")
    def on_follow_up_opened(self, uow, event):
        """A follow-up task for the station (a low score, an unconfirmed record): its
        operators hear of it (the township's admins when no station is named)."""
        payload = _payload(schemas.FollowUpOpenedEvent(), event)
        carrier = payload.get("carrier_id")
        staff = self._staff(carrier, None if carrier else payload["region_code"])
        self._send(uow, [messages.follow_up_opened(payload, s) for s in staff], event)

    @event_handler("demand", "record_confirmation_overdue")
    @once("notify.on_confirmation_overdue")
    def on_confirmation_overdue(self, uow, event):
        """The elder is asked to confirm (a phone-only elder: a call task for the station)."""
        payload = _payload(schemas.ConfirmationOverdueEvent(), event)
        names = self._names([payload.get("volunteer_id")])
        self._send(uow, [messages.confirmation_overdue(payload, names)], event)

    @event_handler("demand", "assignment_withdrawn")
    @once("notify.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow, event):
        payload = _payload(schemas.AssignmentWithdrawnEvent(), event)
        reminding.cancel_for_volunteer(uow, payload["demand_id"], payload["volunteer_id"])
        known = repo.reminders_of(uow, payload["demand_id"])
        elder = next((r for r in known if r.role == "elder"), None)
        window = ({"window_start": elder.window_start.isoformat(),
                   "window_end": elder.window_end.isoformat()} if elder else None)
        notices = messages.assignment_withdrawn(payload, elder.person_id if elder else None,
                                                window)
        self._send(uow, notices, event)

    @event_handler("demand", "assignment_no_show")
    @once("notify.on_assignment_no_show")
    def on_assignment_no_show(self, uow, event):
        payload = _payload(schemas.AssignmentNoShowEvent(), event)
        reminding.cancel_for_volunteer(uow, payload["demand_id"], payload["volunteer_id"])
        known = repo.reminders_of(uow, payload["demand_id"])
        window = {"window_end": known[0].window_end.isoformat()} if known else None
        self._send(uow, messages.assignment_no_show(payload, window), event)

    # --- events: ledger ----------------------------------------------------------------------
    @event_handler("ledger", "hours_credited")
    @once("notify.on_hours_credited")
    def on_hours_credited(self, uow, event):
        payload = _payload(schemas.HoursCreditedEvent(), event)
        self._send(uow, [messages.hours_credited(payload)], event)

    @event_handler("ledger", "hours_given")
    @once("notify.on_hours_given")
    def on_hours_given(self, uow, event):
        payload = _payload(schemas.HoursGivenEvent(), event)
        if payload["kind"] == "gift_to_relative" and not payload.get("to_person_id"):
            raise ValueError("hours_given gift without to_person_id")
        names = (self._names([payload["from_person_id"]])
                 if payload["kind"] == "gift_to_relative" else {})
        self._send(uow, [messages.hours_given(payload, names)], event)

    @event_handler("ledger", "milestone_reached")
    @once("notify.on_milestone_reached")
    def on_milestone_reached(self, uow, event):
        payload = _payload(schemas.MilestoneReachedEvent(), event)
        self._send(uow, [messages.milestone_reached(payload)], event)

    @event_handler("ledger", "certificate_issued")
    @once("notify.on_certificate_issued")
    def on_certificate_issued(self, uow, event):
        payload = _payload(schemas.CertificateIssuedEvent(), event)
        self._send(uow, [messages.certificate_issued(payload)], event)

    # --- events: identity --------------------------------------------------------------------
    @event_handler("identity", "volunteer_eligible")
    @once("notify.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow, event):
        payload = _payload(schemas.VolunteerEligibleEvent(), event)
        self._send(uow, [messages.volunteer_eligible(payload)], event)

    @event_handler("identity", "volunteer_suspended")
    @once("notify.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow, event):
        payload = _payload(schemas.VolunteerSuspendedEvent(), event)
        self._send(uow, [messages.volunteer_suspended(payload)], event)

    # --- timers ------------------------------------------------------------------------------
    @scheduled("DELIVERY_POLL_SECONDS", 2)
    def send_due(self):
        settings = self.config
        senders = delivering.Senders(
            sms=TencentSms(SmsSettings.from_config(settings.get("SMS"))),
            email=SmtpEmail(SmtpSettings.from_config(settings.get("SMTP"))))
        cfg = settings.get("DELIVERY", {}) or {}
        lease = dt.timedelta(seconds=float(cfg.get("sending_lease_seconds", 300)))
        delivering.expire_interrupted(self.db, lease, on_dead=self._announce_dead)
        delivering.deliver_due(self.db, self._contacts, senders, self._retry_policy(),
                               limit=int(cfg.get("batch", 100)), on_dead=self._announce_dead,
                               concurrency=int(cfg.get("concurrency", 4)))

    @staticmethod
    def _announce_dead(uow, row, attempts: int, last_error: str | None):
        message = repo.message(uow, row.message_id)
        uow.emit("notification_failed", schemas.NotificationFailedEvent().dump({
            "delivery_id": str(row.id), "message_id": str(row.message_id),
            "person_id": row.person_id, "channel": row.channel, "kind": message.kind,
            "attempts": attempts, "last_error": last_error}), None)

    @scheduled("REMINDER_POLL_SECONDS", 10)
    def send_reminders(self):
        reminding.fire_due(self.db, self._volunteer_names, _now)

    def _volunteer_names(self, person_ids: list[str]) -> dict[str, str]:
        """Names, or ``Unavailable`` when identity does not answer."""
        ids = [str(p) for p in dict.fromkeys(person_ids) if p]
        if not ids:
            return {}
        return self._ask_identity("person_names", ids)["names"]

    @scheduled("QUALIFICATION_CHECK_SECONDS", 86400)
    def warn_expiring_qualifications(self):
        try:
            self.check_qualifications()
        except Unavailable:
            log.warning("identity did not answer; expiring qualifications checked next time")

    @rpc
    def check_qualifications(self, days=30):
        """Internal: tell each volunteer whose verified qualification runs out within ``days``
        (once per qualification: the message is unique per qualification)."""
        answer = self._ask_identity("qualifications_expiring", None, int(days))
        told = 0
        with self.db() as uow:
            for item in answer["items"]:
                source = f"qualification-expiring:{item['qualification_id']}"
                told += notifying.notify(uow, messages.qualification_expiring(item), source,
                                         _now()) is not None
            uow.commit()
        return {"checked": len(answer["items"]), "notified": told}

    # --- dead deliveries (internal: operators inspect and replay them) ------------------------
    @rpc
    def dead_deliveries(self, limit=100):
        """Internal: the most recent dead deliveries, for an operator to inspect."""
        limit = max(1, min(int(limit), 1000))
        with self.db() as uow:
            rows = repo.dead_deliveries(uow, limit)
        return {"items": [{**r._mapping, "id": str(r.id), "message_id": str(r.message_id),
                           "updated_at": r.updated_at.isoformat()} for r in rows]}

    @rpc
    def replay_delivery(self, delivery_id):
        """Internal: send a dead delivery again (after the cause was fixed)."""
        delivery_id = _uuid(delivery_id, "invalid_delivery_id", "投递编号格式不正确",
                            "The delivery id is not a valid UUID")
        with self.db() as uow:
            replayed = repo.replay_delivery(uow, delivery_id)
            uow.commit()
        if not replayed:
            raise NotFound("dead_delivery_not_found", "没有这条失败的投递",
                           "No such dead delivery")
        return {"delivery_id": delivery_id, "status": "pending"}

    # --- RPC: inbox --------------------------------------------------------------------------
    @rpc
    def inbox(self, caller, query=None):
        who = _person(caller)
        query = load(schemas.InboxQuery(), query)
        with self.db() as uow:
            rows, total, unread = repo.inbox_page(
                uow, who.person_id, query["unread_only"], query["page"], query["page_size"]
            )
            sent = repo.deliveries_of(uow, [str(r.id) for r in rows])
        view = schemas.MessageView()
        return {"items": [view.dump({**row._mapping, "deliveries": sent.get(str(row.id), [])})
                          for row in rows],
                "total": total, "unread": unread}

    @rpc
    def mark_read(self, caller, message_id):
        who = _person(caller)
        message_id = _message_id(message_id)
        with self.db() as uow:
            row = repo.mark_read(uow, who.person_id, message_id)
            if row is None:
                raise NotFound("message_not_found", "没有这条消息", "No such message")
            uow.commit()
        return schemas.MessageView().dump(row._mapping)

    # --- RPC: preferences --------------------------------------------------------------------
    def _preferences_target(self, who: Caller, person_id) -> tuple[str, Contact | None]:
        """The caller themself, or an elder the caller (staff) looks after."""
        if person_id in (None, "", who.person_id):
            if not who.person_id:
                raise Forbidden("person_required", "只有个人用户有通知设置",
                                "Only a person has notification preferences")
            return who.person_id, None
        person_id = str(person_id)
        if not who.has(*STAFF):
            raise Forbidden("not_your_preferences", "只能查看和修改自己的通知设置",
                            "You may only see and change your own preferences")
        contact = self._contacts([person_id]).get(person_id)
        if contact is None:
            raise NotFound("person_not_found", "没有这个人", "No such person")
        own_station = bool(who.carrier_id and contact.carrier_id == who.carrier_id)
        if not (own_station or (not who.has("station_operator") and who.covers(
                contact.region_code))):
            raise Forbidden("out_of_scope", "此人不在您的管辖范围内",
                            "This person is outside your scope")
        return person_id, contact

    @rpc
    def preferences(self, caller, person_id=None):
        who = Caller.from_dict(caller)
        target, contact = self._preferences_target(who, person_id)
        with self.db() as uow:
            prefs = repo.preferences_of(uow, target)
        elder = contact.is_elder if contact else who.has("elder")
        role = "elder" if elder else "volunteer"
        return preferences_view(target, prefs, defaults_for(role))

    @rpc
    def set_preferences(self, caller, data, person_id=None):
        who = Caller.from_dict(caller)
        data = load(schemas.PreferencesIn(), data)
        target, contact = self._preferences_target(who, person_id)
        if "email" in data["channels"] and not data.get("email"):
            raise BadInput("email_required", "选择邮件通知时请填写邮箱地址",
                           "Give an e-mail address to be notified by e-mail")
        if contact is None:
            try:
                contact = self._contacts([target]).get(target)
            except Unavailable:
                contact = None
        region = contact.region_code if contact else who.scope
        with self.db() as uow:
            repo.save_preferences(uow, target, preferences_values(data, region),
                                  who.person_id or who.client_id)
            uow.commit()
            prefs = repo.preferences_of(uow, target)
        return preferences_view(target, prefs, None)

    # --- RPC: templates (kept as data; province admins edit the texts) ---------------------
    @rpc
    def templates(self, caller):
        who = Caller.from_dict(caller)
        who.require(*TEMPLATE_READERS)
        with self.db() as uow:
            rows = repo.all_templates(uow)
        view = schemas.TemplateView()
        return {"items": [view.dump(r._mapping) for r in rows]}

    @rpc
    def set_template(self, caller, event_type, role, locale, data):
        who = Caller.from_dict(caller)
        who.require("province_admin")
        data = load(schemas.TemplateIn(), data)
        with self.db() as uow:
            current = repo.templates_for(uow, str(event_type), str(role))
            if not any(t.locale == locale for t in current):
                raise NotFound("template_not_found", "没有这个消息模板", "No such template",
                               {"event_type": event_type, "role": role, "locale": locale})
            try:
                check_edit(current, data["title"], data["body"])
            except TemplateError as exc:
                raise BadInput("template_placeholder_unknown",
                               "模板中使用了此类消息没有的占位符，或格式有误",
                               "The template uses a placeholder this message does not have, "
                               "or is malformed", {"problem": str(exc)}) from None
            row = repo.update_template(uow, event_type, role, locale, data["title"],
                                       data["body"], who.person_id)
            uow.commit()
        return schemas.TemplateView().dump(row._mapping)

    # --- RPC: call tasks ---------------------------------------------------------------------
    @rpc
    def call_tasks(self, caller, query=None):
        who = Caller.from_dict(caller)
        query = load(schemas.CallTaskQuery(), query)
        with self.db() as uow:
            page = calls.list_tasks(uow, who, query)
        view = schemas.CallTaskView()
        return {**page, "items": [view.dump(r._mapping) for r in page["items"]]}

    @rpc
    def record_call(self, caller, task_id, data):
        who = Caller.from_dict(caller)
        task_id = _uuid(task_id, "invalid_call_task_id", "电话任务编号格式不正确",
                        "The call task id is not a valid UUID")
        data = load(schemas.CallOutcomeIn(), data)
        with self.db() as uow:
            row = calls.record_outcome(uow, who, task_id, data, _now())
            uow.commit()
        return schemas.CallTaskView().dump(row._mapping)
