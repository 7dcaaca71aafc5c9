"""/api/v1/regions, /carriers, /elders, /volunteers, /relations (identity)."""
from identity.contracts import (
    PERSON_READERS,
    PERSON_REGISTRARS,
    AddQualificationSchema,
    BackgroundTagsSchema,
    CarrierListSchema,
    CarrierOut,
    CarrierPage,
    ElderListSchema,
    ElderOut,
    ElderPage,
    EligibilityOut,
    HealthDeclarationSchema,
    InterestListSchema,
    InterestOut,
    InterestPage,
    InterestReceipt,
    InterestStatusSchema,
    LinkOut,
    LinkRelativesSchema,
    MoveListSchema,
    MoveOut,
    MovePage,
    MovePersonSchema,
    PersonOut,
    PersonStatusOut,
    PriorityOut,
    QualificationList,
    QualificationOut,
    RecordTrainingSchema,
    RegionOut,
    RegisterCarrierSchema,
    RegisterElderSchema,
    RegisterInterestSchema,
    RegisterVolunteerSchema,
    RegistryStatusSchema,
    RelationsQuerySchema,
    RelativesList,
    ReviewSchema,
    RevokePrioritySchema,
    ScreeningSchema,
    SetPersonStatusSchema,
    SubmitPrioritySchema,
    TrainingOut,
    UnmaskedQuerySchema,
    UpdateElderSchema,
    UpdateVolunteerSchema,
    VolunteerListSchema,
    VolunteerOut,
    VolunteerPage,
)
from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, STATION_STAFF

from ..routing import Answer, route
from ..schemas import RegionQuery


class PeopleRoutes:
    @route("GET", "/api/v1/regions",
           summary="行政区划 Children of a region (public: the division tree is public data, "
                   "and the volunteer-interest form picks a community from it)", tags=["regions"],
           public=True,
           query=RegionQuery,
           response=RegionOut, many=True)
    def list_regions(self, request, caller, query):
        return self.identity.list_regions(query["parent"])

    @route("GET", "/api/v1/regions/<code>", summary="行政区划 One region (public)",
           tags=["regions"], public=True,
           response=RegionOut)
    def get_region(self, request, caller, code):
        return self.identity.get_region(code)

    @route("GET", "/api/v1/carriers", summary="服务载体 Service carriers in your scope",
           tags=["carriers"], query=CarrierListSchema,
           response=CarrierPage)
    def list_carriers(self, request, caller, query):
        return self.identity.list_carriers(caller, query)

    @route("POST", "/api/v1/carriers", summary="登记服务载体 Register a service carrier (admins)",
           tags=["carriers"], body=RegisterCarrierSchema, status=201, roles=ADMIN_ROLES,
           scoped=["region_code"], idempotent=True, response=CarrierOut)
    def register_carrier(self, request, caller, body, idempotency_key):
        return self.identity.register_carrier(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/carriers/<carrier_id>", summary="服务载体详情 One service carrier",
           tags=["carriers"],
           response=CarrierOut)
    def get_carrier(self, request, caller, carrier_id):
        return self.identity.get_carrier(caller, carrier_id)

    @route("GET", "/api/v1/elders",
           summary="查找老人 Elders in your scope: search by name prefix, phone, ID number, region, "
                   "status (default active; all), hardship category; paged, masked",
           tags=["people"], query=ElderListSchema, roles=PERSON_READERS,
           response=ElderPage)
    def list_elders(self, request, caller, query):
        return self.identity.list_elders(caller, query)

    @route("POST", "/api/v1/elders", summary="登记老人 Register an elder (e.g. one who called by phone; "
                   "staff, or a municipal system of the city)",
           tags=["people"], body=RegisterElderSchema, status=201, roles=PERSON_REGISTRARS,
           scoped=["region_code"], idempotent=True, response=ElderOut)
    def register_elder(self, request, caller, body, idempotency_key):
        return self.identity.register_elder(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/elders/<person_id>",
           summary="老人信息 One elder (masked; ?unmasked=true for the roles that need it, audited)",
           tags=["people"], query=UnmaskedQuerySchema,
           response=ElderOut)
    def get_elder(self, request, caller, person_id, query):
        return self.identity.get_elder(caller, person_id, unmasked=query["unmasked"])

    @route("GET", "/api/v1/volunteers",
           summary="查找志愿者 Volunteers in your scope: search by name prefix, phone, ID number, "
                   "region, status (default active; all), eligibility; paged, masked",
           tags=["people"], query=VolunteerListSchema, roles=PERSON_READERS,
           response=VolunteerPage)
    def list_volunteers(self, request, caller, query):
        return self.identity.list_volunteers(caller, query)

    @route("PATCH", "/api/v1/elders/<person_id>",
           summary="更正老人信息 Correct an elder: phone (the login follows), address, emergency "
                   "contact, phone_only, coordinates (staff in scope; the elder: address, contact); "
                   "audited", tags=["people"], body=UpdateElderSchema,
           response=ElderOut)
    def update_elder(self, request, caller, person_id, body):
        return self.identity.update_elder(caller, person_id, body)

    @route("POST", "/api/v1/elders/<person_id>/status",
           summary="老人在册状态 An elder left, withdrew, died, or is back (reason required except "
                   "back to active; staff in scope)", tags=["people"], body=SetPersonStatusSchema,
           roles=STATION_STAFF,
           response=PersonStatusOut)
    def set_elder_status(self, request, caller, person_id, body):
        return self.identity.set_person_status(caller, person_id, body)

    @route("POST", "/api/v1/elders/<person_id>/move",
           summary="老人迁移 Move an elder to another community of the province, optionally to a "
                   "station there (staff covering where the elder lives now); the new region "
                   "takes over", tags=["people"], body=MovePersonSchema, roles=STATION_STAFF,
           response=MoveOut)
    def move_elder(self, request, caller, person_id, body):
        return self.identity.move_person(caller, person_id, body)

    @route("POST", "/api/v1/volunteers",
           summary="登记志愿者 Register a volunteer (staff; a municipal system when the province "
                   "allows it that client)", tags=["people"],
           body=RegisterVolunteerSchema, status=201, roles=PERSON_REGISTRARS, scoped=["region_code"],
           idempotent=True, response=VolunteerOut)
    def register_volunteer(self, request, caller, body, idempotency_key):
        return self.identity.register_volunteer(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/volunteers/<person_id>",
           summary="志愿者信息 One volunteer (masked; ?unmasked=true for the roles that need it, "
                   "audited)", tags=["people"], query=UnmaskedQuerySchema,
           response=PersonOut)
    def get_volunteer(self, request, caller, person_id, query):
        return self.identity.get_person(caller, person_id, unmasked=query["unmasked"])

    @route("PATCH", "/api/v1/volunteers/<person_id>",
           summary="更正志愿者信息 Correct a volunteer: phone (the login follows), address, national "
                   "volunteer number (eligibility reassessed); staff in scope, the volunteer "
                   "their address; audited", tags=["people"], body=UpdateVolunteerSchema,
           response=VolunteerOut)
    def update_volunteer(self, request, caller, person_id, body):
        return self.identity.update_volunteer(caller, person_id, body)

    @route("POST", "/api/v1/volunteers/<person_id>/status",
           summary="志愿者在册状态 A volunteer left, withdrew, died, or is back (reason required "
                   "except back to active; staff in scope)", tags=["volunteers"],
           body=SetPersonStatusSchema, roles=STATION_STAFF,
           response=PersonStatusOut)
    def set_volunteer_status(self, request, caller, person_id, body):
        return self.identity.set_person_status(caller, person_id, body)

    @route("POST", "/api/v1/volunteers/<person_id>/move",
           summary="志愿者迁移 Move a volunteer to another community of the province (admins "
                   "covering where the volunteer lives now); the new region takes over",
           tags=["volunteers"], body=MovePersonSchema, roles=STATION_STAFF,
           response=MoveOut)
    def move_volunteer(self, request, caller, person_id, body):
        return self.identity.move_person(caller, person_id, body)

    @route("GET", "/api/v1/moves",
           summary="迁移记录 Moves into or out of your scope (both stations see the trace)",
           tags=["people"], query=MoveListSchema, roles=STAFF_ROLES,
           response=MovePage)
    def list_moves(self, request, caller, query):
        return self.identity.list_moves(caller, query)

    @route("GET", "/api/v1/volunteers/<person_id>/eligibility",
           summary="志愿者资格 Eligibility, computed, with the reasons when missing",
           tags=["volunteers"],
           response=EligibilityOut)
    def volunteer_eligibility(self, request, caller, person_id):
        return self.identity.eligibility(caller, person_id)

    @route("POST", "/api/v1/volunteers/<person_id>/trainings",
           summary="登记培训 Record a completed training (staff in scope)", tags=["volunteers"],
           body=RecordTrainingSchema, status=201, roles=STATION_STAFF, idempotent=True, response=TrainingOut)
    def record_training(self, request, caller, person_id, body, idempotency_key):
        return self.identity.record_training(caller, person_id, body,
                                             idempotency_key=idempotency_key)

    @route("POST", "/api/v1/volunteers/<person_id>/screening",
           summary="信用及违法记录审查 Set the screening result (staff in scope)",
           tags=["volunteers"], body=ScreeningSchema, roles=STATION_STAFF,
           response=EligibilityOut)
    def set_screening(self, request, caller, person_id, body):
        return self.identity.set_screening(caller, person_id, body)

    @route("POST", "/api/v1/volunteers/<person_id>/registry",
           summary="全国志愿服务信息系统核验 Set the national registry status (staff in scope)",
           tags=["volunteers"], body=RegistryStatusSchema, roles=STATION_STAFF,
           response=EligibilityOut)
    def set_registry_status(self, request, caller, person_id, body):
        return self.identity.set_registry_status(caller, person_id, body)

    @route("POST", "/api/v1/volunteers/<person_id>/health",
           summary="健康声明 Health self-declaration (the volunteer, or staff in scope)",
           tags=["volunteers"], body=HealthDeclarationSchema,
           response=EligibilityOut)
    def declare_health(self, request, caller, person_id, body):
        return self.identity.declare_health(caller, person_id, body)

    @route("POST", "/api/v1/volunteers/<person_id>/background",
           summary="背景标签 Background tags for statistics (staff in scope)",
           tags=["volunteers"], body=BackgroundTagsSchema, roles=STATION_STAFF,
           response=EligibilityOut)
    def set_background_tags(self, request, caller, person_id, body):
        return self.identity.set_background_tags(caller, person_id, body)

    @route("GET", "/api/v1/volunteers/<person_id>/qualifications",
           summary="资质 A volunteer's qualifications", tags=["volunteers"],
           response=QualificationList)
    def list_qualifications(self, request, caller, person_id):
        return self.identity.list_qualifications(caller, person_id)

    @route("POST", "/api/v1/volunteers/<person_id>/qualifications",
           summary="登记资质 Add a qualification (pending verification)", tags=["volunteers"],
           body=AddQualificationSchema, status=201, idempotent=True, response=QualificationOut)
    def add_qualification(self, request, caller, person_id, body, idempotency_key):
        return self.identity.add_qualification(caller, person_id, body,
                                               idempotency_key=idempotency_key)

    @route("POST", "/api/v1/qualifications/<qualification_id>/verify",
           summary="审核资质 Verify or reject a qualification (another staff member in scope)",
           tags=["volunteers"], body=ReviewSchema,
           response=QualificationOut)
    def verify_qualification(self, request, caller, qualification_id, body):
        return self.identity.verify_qualification(caller, qualification_id, body)

    @route("POST", "/api/v1/elders/<elder_id>/priority",
           summary="提交困难类别 Submit a hardship category with evidence (staff in scope)",
           tags=["people"], body=SubmitPrioritySchema, status=201, idempotent=True, response=PriorityOut)
    def submit_priority(self, request, caller, elder_id, body, idempotency_key):
        return self.identity.submit_priority(caller, elder_id, body,
                                             idempotency_key=idempotency_key)

    @route("POST", "/api/v1/elders/<elder_id>/priority/<category>/verify",
           summary="审核困难类别 Verify or reject a hardship category (another staff member)",
           tags=["people"], body=ReviewSchema,
           response=PriorityOut)
    def verify_priority(self, request, caller, elder_id, category, body):
        return self.identity.verify_priority(caller, elder_id, category, body)

    @route("POST", "/api/v1/elders/<elder_id>/priority/<category>/revoke",
           summary="撤销困难类别 Withdraw a verified hardship category with a reason (staff in "
                   "scope); grants stop from the next period; advanced_age cannot be withdrawn",
           tags=["people"], body=RevokePrioritySchema, roles=STATION_STAFF,
           response=PriorityOut)
    def revoke_priority(self, request, caller, elder_id, category, body):
        return self.identity.revoke_priority(caller, elder_id, category, body)

    @route("GET", "/api/v1/relations", summary="直系亲属 A person's relative links",
           tags=["relations"], query=RelationsQuerySchema,
           response=RelativesList)
    def list_relatives(self, request, caller, query):
        return self.identity.list_relatives(caller, query["person_id"])

    @route("POST", "/api/v1/relations",
           summary="登记直系亲属 Link two persons as direct relatives (pending verification)",
           tags=["relations"], body=LinkRelativesSchema, status=201, idempotent=True, response=LinkOut)
    def link_relatives(self, request, caller, body, idempotency_key):
        return self.identity.link_relatives(caller, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/relations/<link_id>/verify",
           summary="审核亲属关系 Verify or reject a relative link (staff in scope)",
           tags=["relations"], body=ReviewSchema,
           response=LinkOut)
    def verify_relatives(self, request, caller, link_id, body):
        return self.identity.verify_relatives(caller, link_id, body)

    # -- interest in volunteering (我要当志愿者) ----------------------------------------------
    @route("POST", "/api/v1/volunteer-interest",
           summary="我要当志愿者 Register interest in volunteering (no login): a reference and "
                   "what eligibility will need; the same mobile and community while open "
                   "answers the open registration (200)",
           tags=["volunteers"], body=RegisterInterestSchema, status=201, public=True,
           response=InterestReceipt,
           other_statuses={200: "an open registration of this mobile in this community"})
    def register_interest(self, request, caller, body):
        receipt = self.identity.register_interest(body)
        return receipt if receipt["created"] else Answer(receipt, 200)

    @route("GET", "/api/v1/volunteer-interest",
           summary="志愿意向登记 Registrations of interest in your scope, newest first, phones "
                   "masked (station staff, admins)",
           tags=["volunteers"], query=InterestListSchema, roles=STATION_STAFF,
           scoped=["region"], response=InterestPage)
    def list_interest(self, request, caller, query):
        return self.identity.list_interest(caller, query)

    @route("GET", "/api/v1/volunteer-interest/<interest_id>",
           summary="志愿意向登记详情 One registration (?unmasked=true: with the mobile, to call "
                   "back; audited)",
           tags=["volunteers"], query=UnmaskedQuerySchema, roles=STATION_STAFF,
           response=InterestOut)
    def get_interest(self, request, caller, interest_id, query):
        return self.identity.get_interest(caller, interest_id, unmasked=query["unmasked"])

    @route("POST", "/api/v1/volunteer-interest/<interest_id>/status",
           summary="跟进志愿意向 Mark a registration contacted, declined, or registered (with "
                   "the new volunteer's person_id); audited",
           tags=["volunteers"], body=InterestStatusSchema, roles=STATION_STAFF,
           response=InterestOut)
    def set_interest_status(self, request, caller, interest_id, body):
        return self.identity.set_interest_status(caller, interest_id, body)
