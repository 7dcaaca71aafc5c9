"""/api/v1/stats: figures for supervisors. Each service answers for what it owns, under its own
key: ``identity`` (people, carriers), ``ledger`` (minutes moved, liability) and ``matching``
(match rate, time to first candidate, dispatch outcomes); each checks the caller's role and
scope itself."""
from nameko.exceptions import UnknownService

from identity.schemas import StatsQuerySchema
from timebank_common.auth import ADMIN_ROLES
from timebank_common.errors import Unavailable, answer_within

from ..routing import route

MATCHING_STATS_TIMEOUT = 3.0  # seconds


class StatsRoutes:
    @route("GET", "/api/v1/stats",
           summary="统计 Figures of a region in your scope (admins, auditors, API clients)",
           tags=["statistics"], query=StatsQuerySchema,
           roles=[*ADMIN_ROLES, "auditor", "api_client"], scoped=["region_code"])
    def stats(self, request, caller, query):
        identity = self.identity.identity_stats(caller, query["region_code"],
                                                query["period_from"], query["period_to"])
        unavailable = []
        try:  # the ledger's figures are added when it runs; people's figures stand alone
            ledger = self.ledger.ledger_stats(caller, query["region_code"],
                                              query["period_from"], query["period_to"])
        except UnknownService:
            ledger = None
            unavailable.append("ledger")
        try:  # likewise matching's; a matching queue nobody consumes is not waited on
            matching = answer_within(
                MATCHING_STATS_TIMEOUT, self.matching.matching_stats, caller,
                query["region_code"], query["period_from"], query["period_to"],
                unavailable=Unavailable("matching_unavailable", "匹配服务暂时无响应",
                                        "The matching service did not answer"))
        except (UnknownService, Unavailable):
            matching = None
            unavailable.append("matching")
        return {"region": identity["region_code"], "period": identity["period"],
                "identity": identity, "ledger": ledger, "matching": matching,
                "unavailable": unavailable}
