"""The identity nameko service: thin entrypoints over accounts, registration, carriers,
priorities, relations, volunteering, qualifications, operators and API clients.

Owns regions, carriers, persons with their elder and volunteer profiles,
credentials, role grants, refresh tokens and API clients (DESIGN.md §2).
"""
from __future__ import annotations

import datetime as dt

from nameko.extensions import DependencyProvider

from timebank_common.caller import Caller
from timebank_common.errors import BadInput, NotFound
from timebank_common.events import event_handler, once
from timebank_common.outbox import OutboxRelay
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc, scheduled

from . import (
    accounts,
    api_clients,
    audit,
    carriers,
    notification_contacts,
    operators,
    priorities,
    proxies,
    qualifications,
    reading,
    registration,
    relations,
    revocation,
    statistics,
    volunteering,
)
from . import repository as repo
from .domain.lockout import LockoutPolicy
from .domain.statistics import Period
from .personal_data import PersonalDataKeys
from .schemas import (
    AddQualificationSchema,
    ApiClientListSchema,
    AuditQuerySchema,
    BackgroundTagsSchema,
    CarrierListSchema,
    ChangePasswordSchema,
    ContactDetailsQuery,
    CreateApiClientSchema,
    CreateOperatorSchema,
    HealthDeclarationSchema,
    LinkRelativesSchema,
    LoginSchema,
    LogoutSchema,
    MatchingVolunteersQuery,
    OperatorListSchema,
    QualificationsExpiringQuery,
    RecordTrainingSchema,
    RegionCodeSchema,
    RegisterCarrierSchema,
    RegisterElderSchema,
    RegisterVolunteerSchema,
    RegistryStatusSchema,
    ReviewSchema,
    RevokeSchema,
    ScreeningSchema,
    ServiceRecordedSeen,
    SetElderProxySchema,
    StationStaffQuery,
    StatsQuerySchema,
    SubmitPrioritySchema,
)
from .signing import TokenSigner
from .views import region_view


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LoginLockout(DependencyProvider):
    """Injects the ``LockoutPolicy`` of config ``LOGIN_LOCKOUT: {max_failures, lock_seconds,
    failure_window_seconds}`` (defaults 5, 900, 86400)."""

    def setup(self):
        self.policy = LockoutPolicy.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.policy


class IdentityService(ServiceBase):
    name = "identity"
    db = Database()
    relay = OutboxRelay()
    signer = TokenSigner()
    lockout = LoginLockout()
    personal_data = PersonalDataKeys()

    # -- logging in -----------------------------------------------------------
    @rpc
    def authenticate(self, phone, password):
        data = load(LoginSchema(), {"phone": phone, "password": password})
        with self.db() as uow:
            tokens = accounts.authenticate(uow, self.signer, data["phone"], data["password"],
                                           _now(), self.lockout)
            uow.commit()
        return tokens

    @rpc
    def refresh(self, refresh_token):
        with self.db() as uow:
            tokens = accounts.refresh(uow, self.signer, str(refresh_token or ""), _now())
            uow.commit()
        return tokens

    @rpc
    def logout(self, caller, refresh_token=None, everywhere=False):
        """End the caller's login session (or, with ``everywhere``, every session)."""
        caller = Caller.from_dict(caller)
        data = load(LogoutSchema(), {"refresh_token": refresh_token, "everywhere": everywhere})
        with self.db() as uow:
            if data["everywhere"]:
                result = accounts.logout_everywhere(uow, caller, _now())
            else:
                result = accounts.logout(uow, caller, _now(), data["refresh_token"])
            uow.commit()
        return result

    @rpc
    def logout_everywhere(self, caller):
        return self.logout(caller, everywhere=True)

    @rpc
    def change_password(self, caller, current_password, new_password):
        caller = Caller.from_dict(caller)
        data = load(ChangePasswordSchema(), {"current_password": current_password,
                                             "new_password": new_password})
        with self.db() as uow:
            result = accounts.change_password(uow, caller, data["current_password"],
                                              data["new_password"], _now(), self.lockout)
            uow.commit()
        return result

    @rpc
    def active_revocations(self, since=None):
        """Internal (the gateway): access-token revocations that can still refuse a token."""
        try:
            since = dt.datetime.fromisoformat(since) if since else None
        except (TypeError, ValueError):
            raise BadInput("since_invalid", "since 应为 ISO 8601 时间",
                           "since must be an ISO 8601 instant") from None
        with self.db() as uow:
            return revocation.active_revocations(uow, _now(), self.signer.access_ttl, since)

    @rpc
    def client_token(self, client_id, client_secret):
        with self.db() as uow:
            return accounts.client_token(uow, self.signer, str(client_id or ""),
                                         str(client_secret or ""), _now())

    @rpc
    def me(self, caller):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return accounts.me(uow, caller)

    # -- registration ---------------------------------------------------------
    @rpc
    def register_elder(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(RegisterElderSchema(), data)
        with self.db() as uow:
            elder = registration.register_elder(uow, caller, data, registration.today_in_china())
            uow.commit()
        return elder

    @rpc
    def register_volunteer(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(RegisterVolunteerSchema(), data)
        with self.db() as uow:
            volunteer = registration.register_volunteer(
                uow, caller, data, registration.today_in_china())
            uow.commit()
        return volunteer

    # -- reading --------------------------------------------------------------
    @rpc
    def get_person(self, caller, person_id, unmasked=False):
        """Masked; ``unmasked=True`` for the roles of ``domain.disclosure`` (audited)."""
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            person = reading.read_person(uow, caller, person_id, bool(unmasked),
                                         registration.today_in_china())
            uow.commit()
        return person

    @rpc
    def get_elder(self, caller, person_id, unmasked=False):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            elder = reading.read_elder(uow, caller, person_id, bool(unmasked),
                                       registration.today_in_china())
            uow.commit()
        return elder

    # -- audit log ------------------------------------------------------------
    @rpc
    def query_audit(self, caller, filters=None):
        caller = Caller.from_dict(caller)
        query = load(AuditQuerySchema(), filters)
        with self.db() as uow:
            return audit.query_audit(uow, caller, query)

    @rpc
    def check_volunteer(self, person_id):
        with self.db() as uow:
            return registration.volunteer_check(uow, person_id, registration.today_in_china())

    @rpc
    def matching_volunteers(self, after=None, limit=1000):
        """Internal (no caller; matching's rebuild): a page of eligible volunteers
        ``{items: [{person_id, region_code, qualifications}], next_after}``, by person id;
        ``next_after`` is null on the last page."""
        query = load(MatchingVolunteersQuery(), {"after": after, "limit": limit})
        with self.db() as uow:
            return volunteering.eligible_page(uow, query["after"], query["limit"],
                                              registration.today_in_china())

    @rpc
    def list_regions(self, parent_code=None):
        with self.db() as uow:
            return [region_view(r) for r in repo.list_regions(uow, parent_code)]

    @rpc
    def get_region(self, code):
        with self.db() as uow:
            region = repo.get_region(uow, str(code))
        if region is None:
            raise NotFound("region_not_found", "区划不存在", "No such region", {"code": code})
        return region_view(region)

    # -- service carriers -----------------------------------------------------
    @rpc
    def register_carrier(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(RegisterCarrierSchema(), data)
        with self.db() as uow:
            carrier = carriers.register_carrier(uow, caller, data)
            uow.commit()
        return carrier

    @rpc
    def list_carriers(self, caller, query=None):
        caller = Caller.from_dict(caller)
        query = load(CarrierListSchema(), query)
        with self.db() as uow:
            return carriers.list_carriers(uow, caller, query)

    @rpc
    def get_carrier(self, caller, carrier_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return carriers.get_carrier(uow, caller, carrier_id)

    # -- priority elders (优先/困难老人) --------------------------------------------
    @rpc
    def submit_priority(self, caller, elder_id, data):
        caller = Caller.from_dict(caller)
        data = load(SubmitPrioritySchema(), data)
        with self.db() as uow:
            record = priorities.submit_priority(uow, caller, elder_id, data)
            uow.commit()
        return record

    @rpc
    def verify_priority(self, caller, elder_id, category, data):
        caller = Caller.from_dict(caller)
        data = load(ReviewSchema(), data)
        with self.db() as uow:
            record = priorities.verify_priority(uow, caller, elder_id, category, data)
            uow.commit()
        return record

    # -- elders' proxies (代理人) ---------------------------------------------------------
    @rpc
    def set_elder_proxy(self, caller, elder_id, data):
        caller = Caller.from_dict(caller)
        data = load(SetElderProxySchema(), data)
        with self.db() as uow:
            answer = proxies.set_elder_proxy(uow, caller, elder_id, data)
            uow.commit()
        return answer

    @rpc
    def remove_elder_proxy(self, caller, elder_id, proxy_person_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            answer = proxies.remove_elder_proxy(uow, caller, elder_id, proxy_person_id)
            uow.commit()
        return answer

    @rpc
    def may_act_for(self, person_id, elder_id):
        """Internal (no caller): whether ``person_id`` may act for the elder (their proxy, or
        an operator of their station); a bool."""
        with self.db() as uow:
            return proxies.may_act_for(uow, person_id, elder_id)

    @rpc
    def elders_acted_for(self, person_id):
        """Internal (no caller): the ids of the elders ``person_id`` is the proxy of (their
        relative link still verified), sorted; station operators' elders are not listed."""
        with self.db() as uow:
            return proxies.elders_acted_for(uow, person_id)

    # -- direct relatives (直系亲属) -------------------------------------------------
    @rpc
    def link_relatives(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(LinkRelativesSchema(), data)
        with self.db() as uow:
            link = relations.link_relatives(uow, caller, data)
            uow.commit()
        return link

    @rpc
    def verify_relatives(self, caller, link_id, data):
        caller = Caller.from_dict(caller)
        data = load(ReviewSchema(), data)
        with self.db() as uow:
            link = relations.verify_relatives(uow, caller, link_id, data)
            uow.commit()
        return link

    @rpc
    def list_relatives(self, caller, person_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return relations.list_relatives(uow, caller, person_id)

    @rpc
    def priority_elders(self, region_code):
        """Internal (no caller; the ledger's pool allocation): the priority elders of a
        region prefix with their categories, birth date and phone_only."""
        code = load(RegionCodeSchema(), {"region_code": region_code})["region_code"]
        with self.db() as uow:
            return priorities.priority_elders(uow, code)

    # -- internal reads for notify (no caller; identity/notification_contacts.py) -------------
    @rpc
    def contact_details(self, person_ids):
        """Name, phone (audited), phone-only and station of each known person id."""
        ids = load(ContactDetailsQuery(), {"person_ids": person_ids})["person_ids"]
        with self.db() as uow:
            found = notification_contacts.contact_details(uow, ids)
            uow.commit()
        return {"items": found}

    @rpc
    def person_names(self, person_ids):
        """Names only (for message texts): nothing sealed is read, nothing audited."""
        ids = load(ContactDetailsQuery(), {"person_ids": person_ids})["person_ids"]
        with self.db() as uow:
            return {"names": notification_contacts.person_names(uow, ids)}

    @rpc
    def station_staff(self, carrier_id=None, township_code=None):
        query = load(StationStaffQuery(), {"carrier_id": carrier_id,
                                           "township_code": township_code})
        with self.db() as uow:
            return {"items": notification_contacts.station_staff(
                uow, query["carrier_id"], query["township_code"])}

    @rpc
    def qualifications_expiring(self, on_date=None, days=30):
        query = load(QualificationsExpiringQuery(), {"on_date": on_date, "days": days})
        today = query["on_date"] or registration.today_in_china()
        with self.db() as uow:
            return {"items": notification_contacts.qualifications_expiring(
                uow, today, query["days"])}

    @rpc
    def are_direct_relatives(self, person_a, person_b):
        with self.db() as uow:
            return relations.are_direct_relatives(uow, person_a, person_b)

    # -- volunteer eligibility facts (志愿者资格) ----------------------------------------------
    def _volunteer_change(self, change, who, target_id, schema, data):
        """``change(uow, caller, target_id, data, today)`` in one unit of work."""
        who = Caller.from_dict(who)
        data = load(schema, data)
        with self.db() as uow:
            result = change(uow, who, target_id, data, registration.today_in_china())
            uow.commit()
        return result

    @rpc
    def record_training(self, caller, volunteer_id, data):
        return self._volunteer_change(volunteering.record_training, caller, volunteer_id,
                                      RecordTrainingSchema(), data)

    @rpc
    def set_screening(self, caller, volunteer_id, data):
        return self._volunteer_change(volunteering.set_screening, caller, volunteer_id,
                                      ScreeningSchema(), data)

    @rpc
    def set_registry_status(self, caller, volunteer_id, data):
        return self._volunteer_change(volunteering.set_registry_status, caller, volunteer_id,
                                      RegistryStatusSchema(), data)

    @rpc
    def declare_health(self, caller, volunteer_id, data):
        return self._volunteer_change(volunteering.declare_health, caller, volunteer_id,
                                      HealthDeclarationSchema(), data)

    @rpc
    def set_background_tags(self, caller, volunteer_id, data):
        return self._volunteer_change(volunteering.set_background_tags, caller, volunteer_id,
                                      BackgroundTagsSchema(), data)

    @rpc
    def eligibility(self, caller, volunteer_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return volunteering.eligibility(uow, caller, volunteer_id,
                                            registration.today_in_china())

    # -- qualifications (资质) -----------------------------------------------------------------
    @rpc
    def add_qualification(self, caller, volunteer_id, data):
        return self._volunteer_change(qualifications.add_qualification, caller, volunteer_id,
                                      AddQualificationSchema(), data)

    @rpc
    def verify_qualification(self, caller, qualification_id, data):
        return self._volunteer_change(qualifications.verify_qualification, caller,
                                      qualification_id, ReviewSchema(), data)

    @rpc
    def list_qualifications(self, caller, volunteer_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return qualifications.list_qualifications(uow, caller, volunteer_id,
                                                      registration.today_in_china())

    @rpc
    def expire_qualifications(self):
        """Internal (no caller); also run by ``sweep_expired_qualifications``: idempotent."""
        with self.db() as uow:
            result = qualifications.expire_qualifications(uow, registration.today_in_china())
            uow.commit()
        return result

    @rpc
    def reassess_volunteers(self, batch_size=500):
        """Internal (no caller): reassess every volunteer not yet checked today, in batches of
        one transaction each; announces eligibility that changed with time alone. Idempotent
        within a day; also run by ``sweep_volunteer_eligibility``."""
        today, total = registration.today_in_china(), 0
        while True:
            with self.db() as uow:
                checked = volunteering.reassess_batch(uow, today, int(batch_size))
                uow.commit()
            total += checked
            if checked < int(batch_size):
                return {"checked": total, "on": today.isoformat()}

    @scheduled("VOLUNTEER_SWEEP_SECONDS", 3600)
    def sweep_volunteer_eligibility(self):
        """Hourly; after the first run of a day it finds nobody left to check."""
        self.reassess_volunteers()

    @scheduled("QUALIFICATION_SWEEP_SECONDS", 3600)
    def sweep_expired_qualifications(self):
        """Hourly: a qualification that ran out yesterday is announced within the hour after
        midnight (China time). Runs in every identity process; rows are taken SKIP LOCKED."""
        self.expire_qualifications()

    # -- operators (工作人员) and municipal API clients (市级业务系统) -----------------------------
    def _in_unit_of_work(self, change, *args):
        """``change(uow, *args)`` in one unit of work, committed."""
        with self.db() as uow:
            result = change(uow, *args)
            uow.commit()
        return result

    @rpc
    def create_operator(self, caller, data):
        return self._in_unit_of_work(operators.create_operator, Caller.from_dict(caller),
                                     load(CreateOperatorSchema(), data),
                                     registration.today_in_china())

    @rpc
    def list_operators(self, caller, query=None):
        caller = Caller.from_dict(caller)
        query = load(OperatorListSchema(), query)
        with self.db() as uow:
            return operators.list_operators(uow, caller, query)

    @rpc
    def revoke_operator_grant(self, caller, grant_id, reason):
        data = load(RevokeSchema(), {"reason": reason})
        return self._in_unit_of_work(operators.revoke_operator_grant, Caller.from_dict(caller),
                                     grant_id, data["reason"])

    @rpc
    def create_api_client(self, caller, data):
        return self._in_unit_of_work(api_clients.create_api_client, Caller.from_dict(caller),
                                     load(CreateApiClientSchema(), data))

    @rpc
    def list_api_clients(self, caller, query=None):
        caller = Caller.from_dict(caller)
        query = load(ApiClientListSchema(), query)
        with self.db() as uow:
            return api_clients.list_api_clients(uow, caller, query)

    @rpc
    def rotate_api_client_secret(self, caller, client_id):
        return self._in_unit_of_work(api_clients.rotate_api_client_secret,
                                     Caller.from_dict(caller), client_id)

    @rpc
    def revoke_api_client(self, caller, client_id, reason):
        data = load(RevokeSchema(), {"reason": reason})
        return self._in_unit_of_work(api_clients.revoke_api_client, Caller.from_dict(caller),
                                     client_id, data["reason"])

    # -- statistics for supervisors (统计) --------------------------------------------------------
    @rpc
    def identity_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Volunteers registered / new in the period / eligible / active (served in the last
        90 days, from demand's ``service_recorded``), elders by hardship category and age band,
        carriers by kind, station operators, and the same main figures per child region."""
        caller = Caller.from_dict(caller)
        query = load(StatsQuerySchema(), {"region": region_code, "from": period_from,
                                          "to": period_to})
        with self.db() as uow:
            return statistics.identity_stats(
                uow, caller, query["region_code"],
                Period(query["period_from"], query["period_to"]), registration.today_in_china())

    @event_handler("demand", "service_recorded")
    @once("identity.note_service")
    def on_service_recorded(self, uow, event):
        """Keep each volunteer's last service, for the ``active`` figure of ``identity_stats``."""
        statistics.note_service(uow, load(ServiceRecordedSeen(), event.get("payload")))
