"""The elder's side of the console (长辈模式): who the caller speaks for, and one elder's
services in one answer. An elder speaks for themself; a proxy relative for the elders they act
for (identity's ``elders_acted_for`` / ``may_act_for``). The services come from demand's own
``list`` (so the caller sees exactly what demand lets them see), each with its volunteers'
names masked (identity's ``person_names``) and, once recorded, its service records (demand's
``records``): the home page and the confirm page need one call instead of one per demand."""
from marshmallow import Schema, fields, validate

from demand.contracts import DemandOut, RecordOut
from timebank_common.caller import Caller
from timebank_common.errors import NotFound

from ..routing import route

ELDER_SIDE = ["elder", "relative"]
RECORD_FIELDS = set(RecordOut._declared_fields)
PAGE_SIZE = 100
MAX_PAGES = 5  # at most 500 demands read for one elder's page
WITH_RECORDS = {"awaiting_record", "recorded"}  # what may wait for the elder's word


class ActedForOut(Schema):
    elder_id = fields.Str(required=True)
    name = fields.Str(required=True)
    self = fields.Bool(required=True, metadata={"description": "the caller is this elder"})


class ActedForList(Schema):
    items = fields.List(fields.Nested(ActedForOut), required=True)


class ServiceVolunteerOut(Schema):
    volunteer_id = fields.Str(required=True)
    name_masked = fields.Str(required=True, metadata={"example": "李*"})


class ElderServiceOut(DemandOut):
    volunteers = fields.List(fields.Nested(ServiceVolunteerOut), required=True)
    records = fields.List(fields.Nested(RecordOut), required=True, metadata={
        "description": "the service records, once the demand is recorded"})


class ElderServicesOut(Schema):
    elder_id = fields.Str(required=True)
    items = fields.List(fields.Nested(ElderServiceOut), required=True)


class ElderServicesQuery(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf(
        ["submitted", "published", "rejected", "assigned", "in_service", "awaiting_record",
         "recorded", "evaluated", "cancelled"]))


def mask_name(name: str) -> str:
    """王桂兰 → 王*兰, 李强 → 李*, A → A*."""
    name = (name or "").strip()
    if not name:
        return "*"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class ElderSideRoutes:
    @route("GET", "/api/v1/me/elders",
           summary="我代为办理的老人 The elders you speak for: yourself (an elder) and those you "
                   "are the proxy of (elders, relatives)",
           tags=["people"], response=ActedForList, roles=ELDER_SIDE)
    def elders_spoken_for(self, request, caller):
        who = Caller.from_dict(caller)
        ids = [who.person_id] if who.has("elder") else []
        ids += [e for e in self.identity.elders_acted_for(who.person_id) if e not in ids]
        names = self.identity.person_names(ids)["names"] if ids else {}
        return {"items": [{"elder_id": e, "name": names.get(e, ""), "self": e == who.person_id}
                          for e in ids]}

    @route("GET", "/api/v1/elders/<elder_id>/services",
           summary="老人的服务 One elder's services, newest first, with the volunteers' masked "
                   "names and the service records (the elder, or their proxy)",
           tags=["demands"], query=ElderServicesQuery, response=ElderServicesOut,
           roles=ELDER_SIDE)
    def elder_services(self, request, caller, elder_id, query):
        who = Caller.from_dict(caller)
        if who.person_id != elder_id and not (
                who.has("relative") and self.identity.may_act_for(who.person_id, elder_id)):
            raise NotFound("elder_not_found", "未找到这位老人", "No such elder",
                           {"elder_id": elder_id})
        demands = []
        for page in range(1, MAX_PAGES + 1):
            answer = self.demand.list(caller, {"page": page, "page_size": PAGE_SIZE,
                                               "status": query.get("status")})
            demands += [d for d in answer["items"] if d["elder_id"] == elder_id]
            if page * PAGE_SIZE >= answer["total"]:
                break
        volunteer_ids = sorted({a["volunteer_id"] for d in demands for a in d["assignments"]})
        names = self.identity.person_names(volunteer_ids)["names"] if volunteer_ids else {}
        items = []
        for demand in demands:
            seen = []
            for assignment in demand["assignments"]:
                if assignment["volunteer_id"] not in seen:
                    seen.append(assignment["volunteer_id"])
            demand["volunteers"] = [{"volunteer_id": v, "name_masked": mask_name(names.get(v, ""))}
                                    for v in seen]
            records = (self.demand.records(caller, demand["demand_id"])
                       if demand["status"] in WITH_RECORDS else [])
            demand["records"] = [{k: v for k, v in r.items() if k in RECORD_FIELDS}
                                 for r in records]  # without their audit trail
            items.append(demand)
        return {"elder_id": elder_id, "items": items}
