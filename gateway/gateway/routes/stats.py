"""/api/v1/stats: figures for supervisors. Each service answers for what it owns, under its own
key: ``identity`` (people, carriers) and ``ledger`` (minutes moved, liability); each checks the
caller's role and scope itself."""
from nameko.exceptions import UnknownService

from identity.schemas import StatsQuerySchema
from timebank_common.auth import ADMIN_ROLES

from ..routing import route


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
        return {"region": identity["region_code"], "period": identity["period"],
                "identity": identity, "ledger": ledger, "unavailable": unavailable}
