"""The identity nameko service: thin entrypoints over accounts, registration, carriers,
priorities and relations.

Owns regions, carriers, persons with their elder and volunteer profiles,
credentials, role grants, refresh tokens and API clients (DESIGN.md §2).
"""
from __future__ import annotations

import datetime as dt

from timebank_common.auth import Caller
from timebank_common.errors import NotFound
from timebank_common.events import event_handler, once
from timebank_common.outbox import OutboxRelay
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc

from . import (
    accounts,
    carriers,
    priorities,
    proxies,
    qualifications,
    registration,
    relations,
    statistics,
    volunteering,
)
from . import repository as repo
from .domain.statistics import Period
from .schemas import (
    AddQualificationSchema,
    BackgroundTagsSchema,
    CarrierListSchema,
    HealthDeclarationSchema,
    LinkRelativesSchema,
    LoginSchema,
    RecordTrainingSchema,
    RegisterCarrierSchema,
    RegisterElderSchema,
    RegisterVolunteerSchema,
    RegistryStatusSchema,
    ReviewSchema,
    ScreeningSchema,
    ServiceRecordedSeen,
    SetElderProxySchema,
    StatsQuerySchema,
    SubmitPrioritySchema,
)
from .signing import TokenSigner
from .views import elder_view, person_view, region_view


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class IdentityService(ServiceBase):
    name = "identity"
    db = Database()
    relay = OutboxRelay()
    signer = TokenSigner()

    # -- logging in -----------------------------------------------------------
    @rpc
    def authenticate(self, phone, password):
        data = load(LoginSchema(), {"phone": phone, "password": password})
        with self.db() as uow:
            tokens = accounts.authenticate(uow, self.signer, data["phone"], data["password"], _now())
            uow.commit()
        return tokens

    @rpc
    def refresh(self, refresh_token):
        with self.db() as uow:
            tokens = accounts.refresh(uow, self.signer, str(refresh_token or ""), _now())
            uow.commit()
        return tokens

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
    def get_person(self, caller, person_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            person = registration.require_person(uow, person_id)
            registration.authorize_read(caller, person)
            return person_view(person, registration.today_in_china(),
                               repo.profiles_of(uow, person["id"]))

    @rpc
    def get_elder(self, caller, person_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            person = registration.require_person(uow, person_id)
            registration.authorize_read(caller, person)
            profile = repo.get_elder_profile(uow, person["id"])
            if profile is None:
                raise NotFound("elder_not_found", "此人没有老年人档案",
                               "This person has no elder profile", {"person_id": person_id})
            return elder_view(person, profile, registration.today_in_china(),
                              repo.verified_categories(uow, person["id"]),
                              proxies.proxies_view(uow, person["id"]))

    @rpc
    def check_volunteer(self, person_id):
        with self.db() as uow:
            return registration.volunteer_check(uow, person_id, registration.today_in_china())

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
        """Internal (no caller), to be scheduled daily: idempotent."""
        with self.db() as uow:
            result = qualifications.expire_qualifications(uow, registration.today_in_china())
            uow.commit()
        return result

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
