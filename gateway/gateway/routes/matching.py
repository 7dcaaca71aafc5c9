"""/demands/{id}/candidates, /dispatch (proposals, region settings) and volunteers' matching
preferences (matching). The feed, /volunteers/{id}/feed, is routed with the demands."""
from marshmallow import Schema, fields, validate

from matching.contracts import (
    CANDIDATES_SHOWN,
    MOST_CANDIDATES,
    PROPOSAL_STATUSES,
    CandidatesOut,
    DecisionSchema,
    DispatchOut,
    DispatchSchema,
    PreferencesOut,
    PreferencesSchema,
    ProposalOut,
    RegionSettingOut,
    RegionSettingSchema,
)
from timebank_common.caller import ADMIN_ROLES, STATION_STAFF

from ..routing import route

OPERATORS = list(STATION_STAFF)


class CandidatesQuery(Schema):
    limit = fields.Integer(load_default=CANDIDATES_SHOWN,
                           validate=validate.Range(min=1, max=MOST_CANDIDATES))


class ProposalsQuery(Schema):
    status = fields.String(load_default="held", validate=validate.OneOf(PROPOSAL_STATUSES))


class MatchingRoutes:
    @route("GET", "/api/v1/demands/<demand_id>/candidates",
           summary="候选志愿者 Ranked volunteers for a demand, with the parts of each score "
                   "(operators in scope)",
           tags=["matching"], query=CandidatesQuery, response=CandidatesOut, roles=OPERATORS)
    def demand_candidates(self, request, caller, demand_id, query):
        return self.matching.candidates_for(caller, demand_id, query["limit"])

    @route("POST", "/api/v1/dispatch",
           summary="批量派单 Batch matching of a region's open demands: applied at once or held "
                   "for approval (the region's setting, or auto_apply)",
           tags=["matching"], body=DispatchSchema, response=DispatchOut, roles=OPERATORS,
           scoped=["region_code"])
    def dispatch(self, request, caller, body):
        return self.matching.dispatch(caller, body)

    @route("GET", "/api/v1/dispatch/proposals",
           summary="派单建议 Dispatch proposals in your scope (held for approval by default)",
           tags=["matching"], query=ProposalsQuery, response=ProposalOut, many=True)
    def dispatch_proposals(self, request, caller, query):
        return self.matching.proposals(caller, query["status"])["items"]

    @route("POST", "/api/v1/dispatch/proposals/<proposal_id>/decision",
           summary="审批派单建议 Approve (assign) or reject a held proposal",
           tags=["matching"], body=DecisionSchema, response=ProposalOut, roles=OPERATORS)
    def decide_proposal(self, request, caller, proposal_id, body):
        return self.matching.decide_proposal(caller, proposal_id, body)

    @route("PUT", "/api/v1/dispatch/settings/<region_code>",
           summary="派单方式 Whether dispatch in a region assigns at once or waits for approval "
                   "(admins)",
           tags=["matching"], body=RegionSettingSchema, response=RegionSettingOut, roles=list(ADMIN_ROLES),
           scoped=["region_code"])
    def dispatch_setting(self, request, caller, region_code, body):
        return self.matching.set_dispatch_setting(caller, region_code, body)

    @route("GET", "/api/v1/volunteers/<volunteer_id>/matching-preferences",
           summary="服务地点与时间 Where and when a volunteer helps (the volunteer, or staff "
                   "whose scope covers them; 404 for one outside it, as for an id nobody has)",
           tags=["matching"], response=PreferencesOut)
    def get_matching_preferences(self, request, caller, volunteer_id):
        return self.matching.get_preferences(caller, volunteer_id)

    @route("PUT", "/api/v1/volunteers/<volunteer_id>/matching-preferences",
           summary="设置服务地点与时间 Set home location (in China), service radius (km) and "
                   "weekly hours (the volunteer, or station staff whose scope covers them)",
           tags=["matching"], body=PreferencesSchema, response=PreferencesOut)
    def set_matching_preferences(self, request, caller, volunteer_id, body):
        return self.matching.set_preferences(caller, volunteer_id, body)
