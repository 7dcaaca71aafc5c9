"""/api/v1/regions, /carriers, /elders, /volunteers (identity)."""
from identity.schemas import (
    CarrierListSchema,
    RegisterCarrierSchema,
    RegisterElderSchema,
    RegisterVolunteerSchema,
)

from ..routing import route
from ..schemas import RegionQuery


class PeopleRoutes:
    @route("GET", "/api/v1/regions", summary="行政区划 Children of a region", tags=["regions"],
           query=RegionQuery)
    def list_regions(self, request, caller, query):
        return self.identity.list_regions(query["parent"])

    @route("GET", "/api/v1/regions/<code>", summary="行政区划 One region", tags=["regions"])
    def get_region(self, request, caller, code):
        return self.identity.get_region(code)

    @route("GET", "/api/v1/carriers", summary="服务载体 Service carriers in your scope",
           tags=["carriers"], query=CarrierListSchema)
    def list_carriers(self, request, caller, query):
        return self.identity.list_carriers(caller, query)

    @route("POST", "/api/v1/carriers", summary="登记服务载体 Register a service carrier (admins)",
           tags=["carriers"], body=RegisterCarrierSchema, status=201)
    def register_carrier(self, request, caller, body):
        return self.identity.register_carrier(caller, body)

    @route("GET", "/api/v1/carriers/<carrier_id>", summary="服务载体详情 One service carrier",
           tags=["carriers"])
    def get_carrier(self, request, caller, carrier_id):
        return self.identity.get_carrier(caller, carrier_id)

    @route("POST", "/api/v1/elders", summary="登记老人 Register an elder (e.g. one who called by phone)",
           tags=["people"], body=RegisterElderSchema, status=201)
    def register_elder(self, request, caller, body):
        return self.identity.register_elder(caller, body)

    @route("GET", "/api/v1/elders/<person_id>", summary="老人信息 One elder", tags=["people"])
    def get_elder(self, request, caller, person_id):
        return self.identity.get_elder(caller, person_id)

    @route("POST", "/api/v1/volunteers", summary="登记志愿者 Register a volunteer", tags=["people"],
           body=RegisterVolunteerSchema, status=201)
    def register_volunteer(self, request, caller, body):
        return self.identity.register_volunteer(caller, body)

    @route("GET", "/api/v1/volunteers/<person_id>", summary="志愿者信息 One volunteer", tags=["people"])
    def get_volunteer(self, request, caller, person_id):
        return self.identity.get_person(caller, person_id)

    @route("GET", "/api/v1/volunteers/<person_id>/eligibility",
           summary="志愿者资格 Eligibility, with the reasons when missing", tags=["people"])
    def volunteer_eligibility(self, request, caller, person_id):
        self.identity.get_person(caller, person_id)  # scope check: the person or staff in scope
        return self.identity.check_volunteer(person_id)
